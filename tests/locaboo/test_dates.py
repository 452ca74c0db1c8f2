"""Locaboo's five date notations in, ISO 8601 out (and ISO in, Locaboo out for requests)."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from agenda_mcp.tools.locaboo import dates

BERLIN = ZoneInfo("Europe/Berlin")
LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("raw", "tz", "expected"),
    [
        # Y-m-d H:i: booking instances (reference §1.3); summer and winter offsets
        ("2023-10-11 11:00", BERLIN, "2023-10-11T11:00:00+02:00"),
        ("2026-01-15 08:30", BERLIN, "2026-01-15T08:30:00+01:00"),
        # d.m.Y H:i: event instances, invoice created
        ("16.05.2021 09:00", BERLIN, "2021-05-16T09:00:00+02:00"),
        ("21.01.2022 21:38", BERLIN, "2022-01-21T21:38:00+01:00"),
        # ISO 8601 with offset: customer created/last_login, inventory created_on
        ("2015-05-13T14:49:41+02:00", BERLIN, "2015-05-13T14:49:41+02:00"),
        ("2017-03-10T16:34:37+01:00", BERLIN, "2017-03-10T16:34:37+01:00"),
        # an offset from elsewhere is converted to the configured zone
        ("2024-07-01T10:00:00Z", BERLIN, "2024-07-01T12:00:00+02:00"),
        ("2024-07-01T10:00:00+00:00", LONDON, "2024-07-01T11:00:00+01:00"),
        # naive ISO and naive vendor values are wall time in the configured zone
        ("2024-07-01T10:00:00", LONDON, "2024-07-01T10:00:00+01:00"),
        ("2023-10-11 11:00", LONDON, "2023-10-11T11:00:00+01:00"),
        # seconds are optional; surrounding blanks are tolerated
        (" 2023-10-11 11:00:30 ", BERLIN, "2023-10-11T11:00:30+02:00"),
        # the spring gap moves forward; the autumn hour resolves to its first (summer) occurrence
        ("2026-03-29 02:30", BERLIN, "2026-03-29T03:30:00+02:00"),
        ("2026-10-25 02:30", BERLIN, "2026-10-25T02:30:00+02:00"),
        ("2026-10-25 03:30", BERLIN, "2026-10-25T03:30:00+01:00"),
        # end of a full-day instance
        ("11.10.2023 23:59", BERLIN, "2023-10-11T23:59:00+02:00"),
    ],
)
def test_datetimes_become_iso_with_offset(raw: str, tz: ZoneInfo, expected: str) -> None:
    assert dates.iso_datetime(raw, tz) == expected
    assert dates.iso_any(raw, tz) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2023-10-11", "2023-10-11"),  # Y-m-d: request dates, holidays, profile created
        ("13.05.2021", "2021-05-13"),  # d.m.Y: events, invoice due_date and rows
        ("5.6.2022", "2022-06-05"),
        ("29.02.2024", "2024-02-29"),
    ],
)
def test_dates_stay_dates(raw: str, expected: str) -> None:
    assert dates.iso_date(raw) == expected
    assert dates.iso_any(raw, BERLIN) == expected


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_blank_values_become_none(blank: str | None) -> None:
    assert dates.iso_date(blank) is None
    assert dates.iso_datetime(blank, BERLIN) is None
    assert dates.iso_time(blank) is None
    assert dates.iso_any(blank, BERLIN) is None


@pytest.mark.parametrize(
    ("raw", "expected"), [("09:00", "09:00"), ("9:05", "09:05"), ("23:59", "23:59"), ("08:15:30", "08:15:30")]
)
def test_times(raw: str, expected: str) -> None:
    assert dates.iso_time(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["2023/10/11", "31.02.2024", "11.13.2024", "yesterday", "2023-10-11 25:00", "2023-10-11 11", "2023-10-11T99:00"],
)
def test_garbage_is_rejected_with_the_value_named(raw: str) -> None:
    with pytest.raises(ValueError) as info:
        dates.iso_any(raw, BERLIN)
    assert repr(raw) in str(info.value)


@pytest.mark.parametrize("raw", ["24:00", "12:60", "noon", "1200"])
def test_bad_times_are_rejected(raw: str) -> None:
    with pytest.raises(ValueError):
        dates.iso_time(raw)


@pytest.mark.parametrize(
    ("function", "value", "expected"),
    [
        (dates.to_vendor_date, date(2026, 3, 2), "2026-03-02"),
        (dates.to_vendor_time, time(9, 5), "09:05"),
        (dates.to_vendor_time, time(18, 0, 45), "18:00"),
        (dates.to_vendor_duration, timedelta(hours=2), "02:00"),
        (dates.to_vendor_duration, timedelta(minutes=90), "01:30"),
        (dates.to_vendor_duration, timedelta(hours=25, minutes=15), "25:15"),
    ],
)
def test_request_side_formats(function: object, value: object, expected: str) -> None:
    assert function(value) == expected  # type: ignore[operator]


@pytest.mark.parametrize("value", [timedelta(0), timedelta(minutes=-30), timedelta(seconds=90)])
def test_durations_must_be_positive_whole_minutes(value: timedelta) -> None:
    with pytest.raises(ValueError):
        dates.to_vendor_duration(value)


@pytest.mark.parametrize(("raw", "minutes"), [("02:00", 120), ("00:45", 45), ("25:30", 1530)])
def test_parse_duration(raw: str, minutes: int) -> None:
    assert dates.parse_duration(raw) == timedelta(minutes=minutes)


def test_parse_duration_rejects_bad_minutes() -> None:
    with pytest.raises(ValueError):
        dates.parse_duration("01:75")


def test_unknown_time_zone_is_a_clear_error() -> None:
    assert dates.resolve_timezone("Europe/Berlin") == BERLIN
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        dates.resolve_timezone("Mars/Olympus")
