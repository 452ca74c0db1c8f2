"""busy_times against a naive, independent expansion of random simple calendars.

(tests/calendars/test_with_radicale.py runs the same generated calendars through find_slots.)

The dates straddle both October DST changes (Europe 27 Oct, US 3 Nov 2024) so
that lengths, floating times and all-day events are checked where they are
easiest to get wrong. The model follows RFC 5545 directly: repeat the start's
local wall time, add the exact length in absolute time, overrides replace
whole occurrences.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from agenda_mcp.server.calendars.busy import busy_times
from tests.support.vendor_cases import REPORT

BASE = date(2024, 10, 20)
EVENT_ZONE = ZoneInfo("Europe/Amsterdam")
PERSON_ZONES = [ZoneInfo("Europe/Amsterdam"), ZoneInfo("America/New_York")]
KINDS = ["utc", "tzid", "floating", "allday"]


@dataclass(frozen=True)
class Override:
    index: int
    cancelled: bool
    shift_hours: int
    minutes: int
    transparent: bool


@dataclass(frozen=True)
class SimpleEvent:
    kind: str
    day: int
    minute: int
    minutes: int  # length; days for all-day events
    end_style: str  # "dtend", "duration" or "none"
    freq: str | None
    count: int
    transparent: bool
    cancelled: bool
    exdate: int | None
    override: Override | None


@st.composite
def simple_events(draw: st.DrawFn, dst_days: tuple[int, ...] = (6, 7, 13, 14), last_day: int = 18) -> SimpleEvent:
    kind = draw(st.sampled_from(KINDS))
    freq = draw(st.sampled_from([None, "DAILY", "WEEKLY"]))
    count = draw(st.integers(2, 6)) if freq else 1
    exdate = draw(st.none() | st.integers(0, count - 1)) if freq else None
    override = None
    if freq and draw(st.booleans()):
        override = Override(
            index=draw(st.integers(0, count - 1).filter(lambda i: i != exdate)),
            cancelled=draw(st.booleans()),
            shift_hours=0 if kind == "allday" else draw(st.integers(-30, 30)),
            minutes=draw(st.integers(1, 300)),
            transparent=draw(st.booleans()),
        )
    return SimpleEvent(
        kind=kind,
        # Biased towards the nights of 26/27 Oct (days 6-7) and 2/3 Nov (13-14).
        day=draw(st.sampled_from(dst_days) | st.integers(0, last_day)),
        minute=draw(st.integers(0, 4 * 4) | st.integers(20 * 4, 24 * 4 - 1) | st.integers(0, 24 * 4 - 1)) * 15,
        minutes=draw(st.integers(1, 3)) if kind == "allday" else draw(st.integers(0, 600)),
        end_style=draw(st.sampled_from(["dtend", "duration", "none"])),
        freq=freq,
        count=count,
        transparent=draw(st.integers(0, 3)) == 0,
        cancelled=draw(st.integers(0, 7)) == 0,
        exdate=exdate,
        override=override,
    )


def wall(event: SimpleEvent, index: int, shift_hours: int = 0, base: date = BASE) -> datetime:
    """Naive local (or UTC) start of occurrence ``index``, as written in the file."""
    step = {None: 0, "DAILY": 1, "WEEKLY": 7}[event.freq]
    day = base + timedelta(days=event.day + step * index)
    return datetime.combine(day, time(0)) + timedelta(
        minutes=event.minute if event.kind != "allday" else 0, hours=shift_hours
    )


def stamp(event: SimpleEvent, value: datetime) -> str:
    """A start-like property value written the way ``event.kind`` writes it."""
    if event.kind == "allday":
        return f";VALUE=DATE:{value:%Y%m%d}"
    if event.kind == "utc":
        return f":{value:%Y%m%dT%H%M%S}Z"
    if event.kind == "tzid":
        return f";TZID=Europe/Amsterdam:{value:%Y%m%dT%H%M%S}"
    return f":{value:%Y%m%dT%H%M%S}"


def instant(event: SimpleEvent, value: datetime, person: tzinfo) -> datetime:
    """The instant a written wall time means (fold=0, as RFC 5545 3.3.5 says)."""
    zone = {"utc": UTC, "tzid": EVENT_ZONE, "floating": person}[event.kind]
    return value.replace(tzinfo=zone).astimezone(UTC)


def dtend(event: SimpleEvent, first: datetime) -> str:
    """DTEND of the first occurrence, ``event.minutes`` exact minutes after its start."""
    if event.kind == "floating":
        return f"DTEND:{first + timedelta(minutes=event.minutes):%Y%m%dT%H%M%S}"
    end = instant(event, first, UTC) + timedelta(minutes=event.minutes)
    local = end.astimezone(EVENT_ZONE)
    if event.kind == "tzid" and local.replace(fold=0).astimezone(UTC) == end:
        return f"DTEND;TZID=Europe/Amsterdam:{local:%Y%m%dT%H%M%S}"
    # UTC when the local end lies in the repeated hour: a TZID time could not say which.
    return f"DTEND:{end:%Y%m%dT%H%M%S}Z"


def to_ics(events: list[SimpleEvent], base: date = BASE) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//prop//EN"]
    for number, event in enumerate(events):
        first = wall(event, 0, base=base)
        lines += ["BEGIN:VEVENT", f"UID:e{number}@prop", "DTSTAMP:20240101T000000Z", f"DTSTART{stamp(event, first)}"]
        if event.kind == "allday":
            if event.end_style != "none":
                lines.append(f"DTEND;VALUE=DATE:{first + timedelta(days=event.minutes):%Y%m%d}")
        elif event.end_style == "dtend":
            lines.append(dtend(event, first))
        elif event.end_style == "duration":
            lines.append(f"DURATION:PT{event.minutes}M")
        if event.freq:
            lines.append(f"RRULE:FREQ={event.freq};COUNT={event.count}")
        if event.exdate is not None:
            lines.append(f"EXDATE{stamp(event, wall(event, event.exdate, base=base))}")
        if event.transparent:
            lines.append("TRANSP:TRANSPARENT")
        if event.cancelled:
            lines.append("STATUS:CANCELLED")
        lines.append("END:VEVENT")
        if event.override:
            o = event.override
            moved = wall(event, o.index, o.shift_hours, base=base)
            lines += [
                "BEGIN:VEVENT",
                f"UID:e{number}@prop",
                "DTSTAMP:20240101T000000Z",
                f"RECURRENCE-ID{stamp(event, wall(event, o.index, base=base))}",
                f"DTSTART{stamp(event, moved)}",
                f"DURATION:P{o.minutes}D" if event.kind == "allday" else f"DURATION:PT{o.minutes}M",
            ]
            if o.transparent:
                lines.append("TRANSP:TRANSPARENT")
            if o.cancelled:
                lines.append("STATUS:CANCELLED")
            lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def midnight(day: date, person: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=person).astimezone(UTC)


def model(events: list[SimpleEvent], person: tzinfo, base: date = BASE) -> list[tuple[datetime, datetime]]:
    """Every blocking occurrence, by brute force."""
    periods: list[tuple[datetime, datetime]] = []
    for event in events:
        if event.kind == "allday":
            days = event.minutes if event.end_style != "none" else 1
        elif event.kind == "floating" and event.end_style == "dtend":
            days = 0  # floating DTEND: exact length is measured in the person's zone
        else:
            days = 0
        for index in range(event.count):
            if index == event.exdate:
                continue
            o = event.override
            if o is not None and o.index == index:
                if o.cancelled or o.transparent:
                    continue
                start_wall = wall(event, index, o.shift_hours, base=base)
                if event.kind == "allday":
                    periods.append(
                        (
                            midnight(start_wall.date(), person),
                            midnight(start_wall.date() + timedelta(o.minutes), person),
                        )
                    )
                else:
                    start = instant(event, start_wall, person)
                    periods.append((start, start + timedelta(minutes=o.minutes)))
                continue
            if event.cancelled or event.transparent:
                continue
            start_wall = wall(event, index, base=base)
            if event.kind == "allday":
                day = start_wall.date()
                periods.append((midnight(day, person), midnight(day + timedelta(days=days), person)))
                continue
            start = instant(event, start_wall, person)
            if event.end_style == "none":
                length = timedelta(0)
            elif event.kind == "floating" and event.end_style == "dtend":
                first = wall(event, 0, base=base)
                length = instant(event, first + timedelta(minutes=event.minutes), person) - instant(
                    event, first, person
                )
            else:
                length = timedelta(minutes=event.minutes)
            periods.append((start, start + length))
    return sorted(periods)


def overlaps(period: tuple[datetime, datetime], start: datetime, end: datetime) -> bool:
    if period[1] > period[0]:
        return period[0] < end and period[1] > start
    return start <= period[0] < end


slots = st.tuples(st.integers(0, 40 * 24 * 4), st.integers(1, 4 * 12)).map(
    lambda s: (
        datetime(2024, 10, 15, tzinfo=UTC) + timedelta(minutes=15 * s[0]),
        datetime(2024, 10, 15, tzinfo=UTC) + timedelta(minutes=15 * (s[0] + s[1])),
    )
)


st_days = 3  # random windows are at least three days long


@settings(max_examples=150, deadline=None)
@given(
    events=st.lists(simple_events(), min_size=1, max_size=5),
    person=st.sampled_from(PERSON_ZONES),
    window=st.just((datetime(2024, 10, 15, tzinfo=UTC), datetime(2024, 12, 1, tzinfo=UTC)))
    | slots.map(lambda w: (w[0], w[1] + timedelta(days=st_days))),
    candidates=st.lists(slots, min_size=1, max_size=10),
)
def test_busy_times_agree_with_naive_expansion(
    events: list[SimpleEvent],
    person: tzinfo,
    window: tuple[datetime, datetime],
    candidates: list[tuple[datetime, datetime]],
) -> None:
    ics = to_ics(events)
    busy = busy_times(ics, window[0], window[1], person, source="p")
    expected = [p for p in model(events, person) if overlaps(p, *window)]

    got = sorted((b.start.astimezone(UTC), b.end.astimezone(UTC)) for b in busy)
    assert got == expected, ics
    REPORT["calendars: generated calendars expanded against the naive model"] += 1
    REPORT["calendars: busy periods checked against the naive model"] += len(expected)

    for start, end in candidates:
        start, end = max(start, window[0]), min(end, window[1])
        if end <= start:
            continue
        reported = any(b.overlaps(start, end) for b in busy)
        assert reported == any(overlaps(p, start, end) for p in expected), (start, end, ics)
