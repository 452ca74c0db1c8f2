"""Busy times from hand-written calendars whose right answer is known."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from agenda_mcp.server.calendars.busy import Busy, busy_times, merge_busy
from agenda_mcp.server.calendars.errors import CalendarUnavailable

AMS = ZoneInfo("Europe/Amsterdam")
NY = ZoneInfo("America/New_York")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def as_utc(busy: list[Busy]) -> list[tuple[datetime, datetime, str | None]]:
    """Compare instants, never wall times.

    Two aware datetimes with the same tzinfo compare by wall time and ignore
    ``fold``: 02:30 CEST == 02:30 CET on 27 October. Comparing Busy objects
    directly would hide a one-hour error exactly where these tests look.
    """
    return [(b.start.astimezone(UTC), b.end.astimezone(UTC), b.summary) for b in busy]


def vcalendar(*events: str, header: str = "") -> str:
    body = "".join(f"BEGIN:VEVENT\nDTSTAMP:20240101T000000Z\n{event.strip()}\nEND:VEVENT\n" for event in events)
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n{header}{body}END:VCALENDAR\n".replace("\n", "\r\n")


WEEKLY = """
UID:standup@example.com
SUMMARY:Standup
DTSTART;TZID=Europe/Amsterdam:20241021T090000
DTEND;TZID=Europe/Amsterdam:20241021T093000
RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=9
EXDATE;TZID=Europe/Amsterdam:20241023T090000
"""
MOVED = """
UID:standup@example.com
RECURRENCE-ID;TZID=Europe/Amsterdam:20241028T090000
SUMMARY:Standup (moved)
DTSTART;TZID=Europe/Amsterdam:20241028T140000
DTEND;TZID=Europe/Amsterdam:20241028T143000
"""
CANCELLED_INSTANCE = """
UID:standup@example.com
RECURRENCE-ID;TZID=Europe/Amsterdam:20241030T090000
SUMMARY:Standup
DTSTART;TZID=Europe/Amsterdam:20241030T090000
DTEND;TZID=Europe/Amsterdam:20241030T093000
STATUS:CANCELLED
"""
ALL_DAY = """
UID:conf@example.com
SUMMARY:Conference
DTSTART;VALUE=DATE:20241024
DTEND;VALUE=DATE:20241026
"""
ALL_DAY_ON_DST_SUNDAY = """
UID:off@example.com
SUMMARY:Day off
DTSTART;VALUE=DATE:20241027
"""
TRANSPARENT = """
UID:lunch@example.com
SUMMARY:Lunch (free)
DTSTART;TZID=Europe/Amsterdam:20241022T120000
DTEND;TZID=Europe/Amsterdam:20241022T130000
TRANSP:TRANSPARENT
"""
CANCELLED = """
UID:call@example.com
SUMMARY:Cancelled call
DTSTART;TZID=Europe/Amsterdam:20241022T150000
DTEND;TZID=Europe/Amsterdam:20241022T160000
STATUS:CANCELLED
"""
FLOATING = """
UID:dentist@example.com
SUMMARY:Dentist
DTSTART:20241022T100000
DTEND:20241022T110000
"""
NIGHT_SHIFT = """
UID:night@example.com
SUMMARY:Night shift
DTSTART;TZID=Europe/Amsterdam:20241027T013000
DURATION:PT2H
"""
LATE_FILM = """
UID:film@example.com
SUMMARY:Late film
DTSTART;TZID=Europe/Amsterdam:20241027T000000
DTEND;TZID=Europe/Amsterdam:20241027T040000
"""
OVER_WINDOW_START = """
UID:early@example.com
SUMMARY:Red-eye
DTSTART:20241020T213000Z
DTEND:20241020T230000Z
"""
AFTER_WINDOW = """
UID:later@example.com
SUMMARY:Later
DTSTART;TZID=Europe/Amsterdam:20241110T090000
DTEND;TZID=Europe/Amsterdam:20241110T100000
"""

MIXED = vcalendar(
    WEEKLY,
    MOVED,
    CANCELLED_INSTANCE,
    ALL_DAY,
    ALL_DAY_ON_DST_SUNDAY,
    TRANSPARENT,
    CANCELLED,
    FLOATING,
    NIGHT_SHIFT,
    LATE_FILM,
    OVER_WINDOW_START,
    AFTER_WINDOW,
)
WINDOW = (datetime(2024, 10, 21, tzinfo=AMS), datetime(2024, 11, 4, tzinfo=AMS))


def test_mixed_calendar_gives_exactly_the_busy_periods() -> None:
    busy = busy_times(MIXED, *WINDOW, AMS, source="work")

    assert as_utc(busy) == [
        (utc(2024, 10, 20, 21, 30), utc(2024, 10, 20, 23), "Red-eye"),  # 23:30-01:00 CEST, overlaps the start
        (utc(2024, 10, 21, 7), utc(2024, 10, 21, 7, 30), "Standup"),  # 09:00 CEST
        (utc(2024, 10, 22, 8), utc(2024, 10, 22, 9), "Dentist"),  # floating 10:00 read in Amsterdam
        (utc(2024, 10, 23, 22), utc(2024, 10, 25, 22), "Conference"),  # local days 24 and 25
        (utc(2024, 10, 25, 7), utc(2024, 10, 25, 7, 30), "Standup"),
        (utc(2024, 10, 26, 22), utc(2024, 10, 27, 3), "Late film"),  # 00:00 CEST to 04:00 CET: 5 h
        (utc(2024, 10, 26, 22), utc(2024, 10, 27, 23), "Day off"),  # the 25-hour Sunday
        (utc(2024, 10, 26, 23, 30), utc(2024, 10, 27, 1, 30), "Night shift"),  # PT2H is 2 real hours
        (utc(2024, 10, 28, 13), utc(2024, 10, 28, 13, 30), "Standup (moved)"),  # 14:00 CET
        (utc(2024, 11, 1, 8), utc(2024, 11, 1, 8, 30), "Standup"),  # still 09:00 local, now CET
    ]
    assert {b.source for b in busy} == {"work"}
    assert all(b.start.tzinfo is UTC and b.end.tzinfo is UTC for b in busy)


def test_night_shift_ends_in_the_repeated_hour() -> None:
    (busy,) = busy_times(vcalendar(NIGHT_SHIFT), *WINDOW, AMS, source="s")
    # 01:30 CEST + 2 h = 02:30 CET, the *second* 02:30 of that night.
    local_end = busy.end.astimezone(AMS)
    assert local_end.replace(tzinfo=None) == datetime(2024, 10, 27, 2, 30)
    assert local_end.fold == 1
    assert local_end.utcoffset() == timedelta(hours=1)


def test_order_and_overlap_are_by_instant_in_the_repeated_hour() -> None:
    first_0230 = "UID:a@x\nSUMMARY:02:30 CEST\nDTSTART:20241027T003000Z\nDURATION:PT10M"
    second_0215 = "UID:b@x\nSUMMARY:02:15 CET\nDTSTART:20241027T011500Z\nDURATION:PT10M"
    busy = busy_times(vcalendar(second_0215, first_0230), *WINDOW, AMS, source="s")
    assert [b.summary for b in busy] == ["02:30 CEST", "02:15 CET"]
    # A slot given in Amsterdam time, in the second 02:00-03:00 hour (fold=1):
    slot = (datetime(2024, 10, 27, 2, 10, fold=1, tzinfo=AMS), datetime(2024, 10, 27, 2, 20, fold=1, tzinfo=AMS))
    assert [b.overlaps(*slot) for b in busy] == [False, True]


def test_recurring_series_keeps_the_exact_length_of_its_first_occurrence() -> None:
    # RFC 5545 3.8.5.3: DTEND-DTSTART is an exact duration applied to every
    # occurrence; the 27th is then 01:30 CEST to 02:30 CET (2 h, not 3 h), and
    # the 3rd of November 01:30-03:30 CET.
    series = """
UID:series@example.com
SUMMARY:Series
DTSTART;TZID=Europe/Amsterdam:20241020T013000
DTEND;TZID=Europe/Amsterdam:20241020T033000
RRULE:FREQ=WEEKLY;COUNT=3
"""
    busy = busy_times(vcalendar(series), utc(2024, 10, 1), utc(2024, 12, 1), AMS, source="s")
    assert [(start, end - start) for start, end, _ in as_utc(busy)] == [
        (utc(2024, 10, 19, 23, 30), timedelta(hours=2)),
        (utc(2024, 10, 26, 23, 30), timedelta(hours=2)),
        (utc(2024, 11, 3, 0, 30), timedelta(hours=2)),
    ]


def test_duration_in_days_is_nominal_across_dst() -> None:
    event = """
UID:trip@example.com
DTSTART;TZID=Europe/Amsterdam:20241026T120000
DURATION:P1DT1H
"""
    (busy,) = busy_times(vcalendar(event), utc(2024, 10, 20), utc(2024, 11, 1), AMS, source="s")
    # Same local time next day (25 real hours on this weekend), then one exact hour.
    assert as_utc([busy]) == [(utc(2024, 10, 26, 10), utc(2024, 10, 27, 12), None)]


def test_timezone_from_vtimezone_in_the_file() -> None:
    header = """BEGIN:VTIMEZONE
TZID:Custom Kolkata
BEGIN:STANDARD
DTSTART:19700101T000000
TZOFFSETFROM:+0530
TZOFFSETTO:+0530
TZNAME:IST
END:STANDARD
END:VTIMEZONE
"""
    event = """
UID:in@example.com
DTSTART;TZID=Custom Kolkata:20241022T120000
DTEND;TZID=Custom Kolkata:20241022T130000
"""
    busy = busy_times(vcalendar(event, header=header), *WINDOW, AMS, source="s")
    assert as_utc(busy) == [(utc(2024, 10, 22, 6, 30), utc(2024, 10, 22, 7, 30), None)]


def test_x_wr_timezone_places_floating_times_and_utc_series() -> None:
    # Google-style: the calendar names its zone, floating times belong to it.
    event = """
UID:g@example.com
DTSTART:20241022T120000
DTEND:20241022T130000
"""
    busy = busy_times(vcalendar(event, header="X-WR-TIMEZONE:America/New_York\n"), *WINDOW, AMS, source="s")
    assert as_utc(busy) == [(utc(2024, 10, 22, 16), utc(2024, 10, 22, 17), None)]


def test_unknown_tzid_is_read_as_the_persons_zone() -> None:
    event = """
UID:u@example.com
DTSTART;TZID=Nowhere/Special:20241022T120000
DTEND;TZID=Nowhere/Special:20241022T130000
"""
    busy = busy_times(vcalendar(event), *WINDOW, NY, source="s")
    assert as_utc(busy) == [(utc(2024, 10, 22, 16), utc(2024, 10, 22, 17), None)]


def test_events_without_end() -> None:
    timed = "UID:t@example.com\nDTSTART:20241022T120000Z"
    day = "UID:d@example.com\nDTSTART;VALUE=DATE:20241023"
    busy = busy_times(vcalendar(timed, day), *WINDOW, AMS, source="s")
    assert as_utc(busy) == [
        (utc(2024, 10, 22, 12), utc(2024, 10, 22, 12), None),
        (utc(2024, 10, 22, 22), utc(2024, 10, 23, 22), None),
    ]
    zero = busy[0]
    assert zero.overlaps(utc(2024, 10, 22, 12), utc(2024, 10, 22, 13))
    assert zero.overlaps(utc(2024, 10, 22, 11), utc(2024, 10, 22, 13))
    assert not zero.overlaps(utc(2024, 10, 22, 11), utc(2024, 10, 22, 12))


def test_endless_series_is_cut_by_the_window_and_override_status_counts() -> None:
    series = """
UID:daily@example.com
SUMMARY:Daily
DTSTART:20200101T080000Z
DTEND:20200101T081500Z
RRULE:FREQ=DAILY
TRANSP:TRANSPARENT
"""
    made_opaque = """
UID:daily@example.com
RECURRENCE-ID:20241022T080000Z
SUMMARY:Daily (this one blocks)
DTSTART:20241022T090000Z
DTEND:20241022T091500Z
"""
    busy = busy_times(vcalendar(series, made_opaque), *WINDOW, AMS, source="s")
    # Overrides are whole components (RFC 5545 3.8.4.4): no TRANSP means opaque.
    assert as_utc(busy) == [(utc(2024, 10, 22, 9), utc(2024, 10, 22, 9, 15), "Daily (this one blocks)")]


def test_several_vcalendars_in_one_text() -> None:
    first = vcalendar("UID:a@x\nDTSTART:20241022T080000Z\nDTEND:20241022T090000Z")
    second = vcalendar("UID:b@x\nDTSTART:20241023T080000Z\nDTEND:20241023T090000Z")
    busy = busy_times(first + second, *WINDOW, AMS, source="s")
    assert [b.start.astimezone(UTC) for b in busy] == [utc(2024, 10, 22, 8), utc(2024, 10, 23, 8)]


def test_merge_busy_per_source() -> None:
    def b(start: int, end: int, summary: str, source: str) -> Busy:
        return Busy(utc(2024, 10, 22, start), utc(2024, 10, 22, end), summary, source)

    merged = merge_busy([b(9, 10, "A", "one"), b(10, 11, "B", "one"), b(12, 13, "C", "one"), b(9, 11, "D", "two")])
    assert [(m.start.hour, m.end.hour, m.summary, m.source) for m in merged] == [
        (9, 11, None, "one"),
        (9, 11, "D", "two"),
        (12, 13, "C", "one"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "this is not a calendar",
        vcalendar("UID:x\nDTSTART:garbage\nDTEND:20241022T090000Z"),
        vcalendar("UID:x\nDTSTART:20241022T080000Z\nRRULE:FREQ=SOMETIMES"),
    ],
)
def test_unreadable_calendars_are_unavailable(text: str) -> None:
    with pytest.raises(CalendarUnavailable) as caught:
        busy_times(text, *WINDOW, AMS, source="feed")
    assert caught.value.source == "feed"
    assert caught.value.reason in {"unreadable calendar", "not a calendar"}


def test_window_must_be_aware_and_not_empty() -> None:
    with pytest.raises(ValueError, match="aware"):
        busy_times(MIXED, datetime(2024, 10, 21), WINDOW[1], AMS, source="s")
    with pytest.raises(ValueError, match="after"):
        busy_times(MIXED, WINDOW[1], WINDOW[0], AMS, source="s")
