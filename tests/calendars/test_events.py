"""The booking VEVENT, read back with icalendar as a client would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from agenda_mcp.server.calendars.busy import busy_times
from agenda_mcp.server.calendars.events import PRODID, booking_event

AMS = ZoneInfo("Europe/Amsterdam")
STAMP = datetime(2024, 10, 1, 12, tzinfo=UTC)


def parse(data: bytes) -> tuple[icalendar.Calendar, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    assert isinstance(event, icalendar.Event)
    return calendar, event


def instant(value: object) -> datetime:
    assert isinstance(value, datetime)
    return value.astimezone(UTC)


def test_publish_event_has_everything_a_client_needs() -> None:
    data = booking_event(
        "booking-42@agenda-mcp",
        datetime(2024, 10, 22, 8, tzinfo=UTC),
        datetime(2024, 10, 22, 9, tzinfo=UTC),
        "Europe/Amsterdam",
        "Intake, with Bob; room 3",
        "Keizersgracht 1, Amsterdam",
        "Line one\nLine two",
        stamp=STAMP,
    )
    assert b"\r\n" in data and b"\nBEGIN" not in data.replace(b"\r\n", b"")
    calendar, event = parse(data)
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Amsterdam"]
    assert calendar.get_missing_tzids() == set()
    assert str(event["UID"]) == "booking-42@agenda-mcp"
    assert event.start == datetime(2024, 10, 22, 10, tzinfo=AMS)
    assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert event["DTEND"].params["TZID"] == "Europe/Amsterdam"
    assert instant(event.end) == datetime(2024, 10, 22, 9, tzinfo=UTC)
    assert event.stamp == STAMP
    assert str(event["SUMMARY"]) == "Intake, with Bob; room 3"
    assert str(event["LOCATION"]) == "Keizersgracht 1, Amsterdam"
    assert str(event["DESCRIPTION"]) == "Line one\nLine two"
    assert event["SEQUENCE"] == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert (
        booking_event(
            "booking-42@agenda-mcp",
            datetime(2024, 10, 22, 8, tzinfo=UTC),
            datetime(2024, 10, 22, 9, tzinfo=UTC),
            "Europe/Amsterdam",
            "Intake, with Bob; room 3",
            "Keizersgracht 1, Amsterdam",
            "Line one\nLine two",
            stamp=STAMP,
        )
        == data
    ), "same input, same bytes"


def test_cancel_and_storage_forms() -> None:
    start = datetime(2024, 10, 22, 8, tzinfo=UTC)
    cancel = booking_event(
        "b@x", start, start + timedelta(hours=1), "Europe/Amsterdam", "S", method="CANCEL", sequence=1
    )
    calendar, event = parse(cancel)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 1
    stored = booking_event("b@x", start, start + timedelta(hours=1), "Europe/Amsterdam", "S", method=None)
    calendar, event = parse(stored)
    assert "METHOD" not in calendar
    assert str(event["STATUS"]) == "CONFIRMED"


def test_booking_in_the_repeated_hour_keeps_its_instant() -> None:
    # 01:30 UTC on 27 Oct 2024 is the second 02:30 in Amsterdam (CET). As
    # "DTSTART;TZID=Europe/Amsterdam:20241027T023000" it would be read as the
    # first one (CEST), an hour early, so that one value is written in UTC.
    start = datetime(2024, 10, 27, 1, 30, tzinfo=UTC)
    data = booking_event("dst@x", start, start + timedelta(hours=1), "Europe/Amsterdam", "Night", stamp=STAMP)
    _, event = parse(data)
    assert b"DTSTART:20241027T013000Z" in data
    assert b"DTEND;TZID=Europe/Amsterdam:20241027T033000" in data
    assert instant(event.start) == start
    busy = busy_times(data.decode(), start - timedelta(days=1), start + timedelta(days=1), AMS, source="b")
    assert [(b.start.astimezone(UTC), b.end.astimezone(UTC)) for b in busy] == [(start, start + timedelta(hours=1))]
    # The first 02:30 (00:30 UTC) is unambiguous as a TZID time and stays one.
    first = booking_event("dst2@x", start - timedelta(hours=1), start, "Europe/Amsterdam", "Night", stamp=STAMP)
    assert b"DTSTART;TZID=Europe/Amsterdam:20241027T023000" in first
    assert b"DTEND:20241027T013000Z" in first


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("", datetime(2024, 1, 1, 9, tzinfo=UTC), datetime(2024, 1, 1, 10, tzinfo=UTC), "Europe/Amsterdam"), "uid"),
        (("u", datetime(2024, 1, 1, 9), datetime(2024, 1, 1, 10), "Europe/Amsterdam"), "aware"),
        (("u", datetime(2024, 1, 1, 10, tzinfo=UTC), datetime(2024, 1, 1, 9, tzinfo=UTC), "Europe/Amsterdam"), "after"),
        (("u", datetime(2024, 1, 1, 9, tzinfo=UTC), datetime(2024, 1, 1, 10, tzinfo=UTC), "Mars/Olympus"), "zone"),
    ],
)
def test_bad_input(args: tuple[str, datetime, datetime, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        booking_event(*args, "Summary")
