"""Busy times from the text of a person's calendar.

Recurrence expansion (RRULE, RDATE, EXDATE, RECURRENCE-ID overrides) is left to
``recurring-ical-events``; this module decides what counts as busy and turns
every occurrence into an exact, timezone-aware period.

Two things are done here on purpose instead of trusting the libraries:

* Ends of timed events are recomputed. Python adds a ``timedelta`` to an aware
  datetime in wall-clock time, so both ``icalendar`` and ``recurring-ical-events``
  make ``DURATION:PT2H`` three hours long when it crosses the October DST change,
  and give every later occurrence of a series the wall-clock length of the first.
  RFC 5545 (3.3.6, 3.8.5.3) wants exact hours and the same exact length for
  every occurrence; days and weeks stay nominal (same local time next day).
* Dates and floating times are placed in the person's zone here, not by the
  library, so the window arithmetic is the same whatever the query bounds were.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from agenda_mcp.server.calendars.errors import CalendarUnavailable

if TYPE_CHECKING:
    import icalendar

# Occurrences are asked for with this margin on both sides and then filtered
# exactly, because the library's idea of an occurrence's end (see module doc)
# and of floating times may differ from ours by hours.
_QUERY_MARGIN = timedelta(days=2)

# What a broken calendar makes the libraries raise. A calendar that cannot be
# read is reported as unavailable as a whole: silently skipping a broken series
# would show the person as free when they are not.
_UNREADABLE = (ValueError, TypeError, KeyError, AttributeError, OverflowError)


@dataclasses.dataclass(frozen=True, slots=True)
class Busy:
    """One period in which the person is taken, as found in one calendar.

    ``start`` and ``end`` are stored in UTC whatever zone they are given in.
    Python compares and subtracts two datetimes that share a tzinfo by wall
    clock, ignoring ``fold``: in Amsterdam 02:15 CET (the second 02:15) sorts
    before 02:30 CEST and "02:30 CET - 01:30 CEST" is one hour, not two. UTC
    values make every comparison by anyone downstream an instant comparison;
    convert to the person's zone only to show them. ``end`` may equal
    ``start`` for an event without a length. ``source`` names the calendar (a
    masked URL or a label) so a person can be told where a conflict comes from.
    """

    start: datetime
    end: datetime
    summary: str | None
    source: str

    def __post_init__(self) -> None:
        _require_aware(self.start, "start")
        _require_aware(self.end, "end")
        object.__setattr__(self, "start", self.start.astimezone(UTC))
        object.__setattr__(self, "end", self.end.astimezone(UTC))
        if self.end < self.start:
            raise ValueError("a busy period cannot end before it starts")

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Tell whether this period conflicts with the slot ``[start, end)``.

        Same rule as CalDAV's time-range test (RFC 4791 9.9): periods only
        touching the slot do not conflict, but an event without a length does
        when it lies at the start of the slot or inside it, because a zero-length
        reminder at 10:00 still means the person is not free at 10:00.
        """
        _require_aware(start, "start")
        _require_aware(end, "end")
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if self.end > self.start:
            return self.start < end and self.end > start
        return start <= self.start < end


def busy_times(
    ics_text: str,
    window_start: datetime,
    window_end: datetime,
    zone: tzinfo,
    *,
    source: str,
) -> list[Busy]:
    """Return the periods in which the calendar says the person is taken.

    Every occurrence overlapping ``[window_start, window_end)`` is returned
    whole (not cut to the window), in UTC (see :class:`Busy`), sorted by
    instant and not merged (see :func:`merge_busy`).
    Transparent and cancelled events, including cancelled single occurrences,
    do not count. All-day events take the whole local day(s) in ``zone``;
    floating times are read in ``zone`` unless the calendar names its own zone
    with ``X-WR-TIMEZONE`` (as Google Calendar exports do), which then wins
    because it is what the calendar's author saw. Several ``VCALENDAR`` objects
    in one text (as a CalDAV answer gives them) are each expanded on their own.

    Raises:
        ValueError: the window is not aware or is empty.
        CalendarUnavailable: the text is not a readable calendar.
    """
    _require_aware(window_start, "window_start")
    _require_aware(window_end, "window_end")
    if window_end <= window_start:
        raise ValueError("window_end must be after window_start")
    try:
        import icalendar  # here, not at start: a server without calendars never loads its 100 modules

        calendars = icalendar.Calendar.from_ical(ics_text, multiple=True)
    except _UNREADABLE:
        raise CalendarUnavailable("unreadable calendar", source=source) from None
    if not calendars:
        raise CalendarUnavailable("not a calendar", source=source)
    found: list[Busy] = []
    for calendar in calendars:
        try:
            found.extend(_calendar_busy(calendar, window_start, window_end, zone, source))
        except _UNREADABLE:
            raise CalendarUnavailable("unreadable calendar", source=source) from None
    found.sort(key=lambda busy: (busy.start, busy.end))
    return found


def merge_busy(periods: Iterable[Busy]) -> list[Busy]:
    """Merge overlapping or touching periods of the same source.

    Useful for showing or storing free/busy compactly; kept apart from
    :func:`busy_times` so that callers who explain a conflict still see each
    event's summary. A merged period keeps a summary only if all its parts
    shared it.
    """
    by_source: dict[str, list[Busy]] = {}
    for period in periods:
        by_source.setdefault(period.source, []).append(period)
    merged: list[Busy] = []
    for group in by_source.values():
        group.sort(key=lambda busy: (busy.start, busy.end))
        current = group[0]
        for period in group[1:]:
            if period.start <= current.end:
                current = dataclasses.replace(
                    current,
                    end=max(current.end, period.end),
                    summary=current.summary if current.summary == period.summary else None,
                )
            else:
                merged.append(current)
                current = period
        merged.append(current)
    merged.sort(key=lambda busy: (busy.start, busy.end, busy.source))
    return merged


@dataclasses.dataclass(frozen=True, slots=True)
class _Length:
    """How far an occurrence's end lies from its start, the RFC 5545 way.

    ``days`` are added in local wall-clock time (a day is 23 or 25 hours on a
    DST change), ``exact`` in absolute time.
    """

    days: int
    exact: timedelta


def _calendar_busy(
    calendar: icalendar.Component,
    window_start: datetime,
    window_end: datetime,
    zone: tzinfo,
    source: str,
) -> list[Busy]:
    """Busy periods of one ``VCALENDAR``; see :func:`busy_times`."""
    # Done once here so that the components we look lengths up in are the same
    # ones the expansion sees (recurring_ical_events.of would convert again,
    # which is a no-op for an already standard calendar).
    import recurring_ical_events
    import x_wr_timezone  # comes with recurring-ical-events, which uses it the same way

    standard = x_wr_timezone.to_standard(calendar)
    lengths = _LengthIndex(standard, zone)
    query = recurring_ical_events.of(standard)
    occurrences: list[icalendar.Event] = query.between(
        window_start.astimezone(zone) - _QUERY_MARGIN,
        window_end.astimezone(zone) + _QUERY_MARGIN,
    )
    found: list[Busy] = []
    for occurrence in occurrences:
        if _text(occurrence, "STATUS") == "CANCELLED" or _text(occurrence, "TRANSP") == "TRANSPARENT":
            continue
        start, end = _period(occurrence, lengths, zone)
        summary = occurrence.get("SUMMARY")
        busy = Busy(start, end, None if summary is None else str(summary), source)
        if busy.overlaps(window_start, window_end):
            found.append(busy)
    return found


class _LengthIndex:
    """Finds the component an occurrence came from, to read its real length.

    Occurrences from ``recurring-ical-events`` all carry a RECURRENCE-ID, so
    an override is told apart from a plain occurrence by looking it up among
    the calendar's own overrides.
    """

    def __init__(self, calendar: icalendar.Component, zone: tzinfo) -> None:
        self._zone = zone
        self._masters: dict[str, icalendar.Component] = {}
        self._overrides: dict[tuple[str, date], icalendar.Component] = {}
        for event in calendar.walk("VEVENT"):
            uid = str(event.get("UID", ""))
            recurrence_id = event.get("RECURRENCE-ID")
            if recurrence_id is None:
                self._masters.setdefault(uid, event)
            else:
                self._overrides[(uid, _instant_key(_dt(recurrence_id)))] = event

    def length_of(self, occurrence: icalendar.Component) -> _Length | None:
        """The length of the occurrence, or None when the library's end is right.

        None is returned for date-valued events (whose days are nominal, which
        the library gets right) and for components we cannot map back.
        """
        uid = str(occurrence.get("UID", ""))
        recurrence_id = occurrence.get("RECURRENCE-ID")
        origin = None
        if recurrence_id is not None:
            origin = self._overrides.get((uid, _instant_key(_dt(recurrence_id))))
        if origin is None:
            origin = self._masters.get(uid)
        if origin is None or "DTSTART" not in origin:
            return None
        start = _dt(origin["DTSTART"])
        if not isinstance(start, datetime):
            return None
        if _has_period_rdates(origin):
            return None  # each such occurrence has its own end, which the library reads
        if "DTEND" in origin:
            end = _dt(origin["DTEND"])
            if not isinstance(end, datetime):
                return None
            return _Length(0, _absolute(end, self._zone) - _absolute(start, self._zone))
        if "DURATION" in origin:
            duration = _dt(origin["DURATION"])
            if not isinstance(duration, timedelta) or duration < timedelta(0):
                return None
            # icalendar keeps only a timedelta, so PT24H reads as P1D here
            # (nominal); only exact multiples of 24 hours are affected.
            return _Length(duration.days, duration - timedelta(days=duration.days))
        return _Length(0, timedelta(0))


def _period(occurrence: icalendar.Component, lengths: _LengthIndex, zone: tzinfo) -> tuple[datetime, datetime]:
    """The exact start and end of an occurrence, in UTC."""
    start_value: date = _dt(occurrence["DTSTART"])
    end_value: date = _dt(occurrence["DTEND"]) if "DTEND" in occurrence else start_value
    if not isinstance(start_value, datetime):
        # All-day: the person's local days, whatever zone the calendar is in.
        start = _local_midnight(start_value, zone)
        if isinstance(end_value, datetime):
            end = _absolute(end_value, zone)
        else:
            end = _local_midnight(max(end_value, start_value + timedelta(days=1)), zone)
        return start, max(start, end)
    local_start = start_value if start_value.tzinfo is not None else start_value.replace(tzinfo=zone)
    start = local_start.astimezone(UTC)
    length = lengths.length_of(occurrence)
    if length is None:
        end = _absolute(end_value, zone) if isinstance(end_value, datetime) else start
    else:
        wall = local_start + timedelta(days=length.days)  # wall-clock: same local time
        end = wall.astimezone(UTC) + length.exact
    return start, max(start, end)


def _has_period_rdates(component: icalendar.Component) -> bool:
    """Whether an RDATE gives whole periods (``VALUE=PERIOD``) instead of starts."""
    rdates: Any = component.get("RDATE", [])
    for rdate in rdates if isinstance(rdates, list) else [rdates]:
        if any(isinstance(_dt(value), tuple) for value in rdate.dts):
            return True
    return False


def _absolute(value: datetime, zone: tzinfo) -> datetime:
    """An instant in UTC; a floating time is read in ``zone``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def _local_midnight(day: date, zone: tzinfo) -> datetime:
    """Start of ``day`` in ``zone``, in UTC."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _instant_key(value: date) -> date:
    """A RECURRENCE-ID reduced to something equal for equal instants.

    The library and the file may express the same instant in different zones.
    """
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _dt(prop: object) -> Any:
    """The Python value of a date, time or duration property.

    icalendar types a property lookup as the union of every value type; the
    checks on the result are done where it is used.
    """
    return getattr(prop, "dt", None)


def _text(component: icalendar.Component, name: str) -> str:
    """A property as upper-case text, or "" when absent."""
    value: Any = component.get(name)
    return "" if value is None else str(value).strip().upper()


def _require_aware(value: datetime, name: str) -> None:
    """Reject naive datetimes: they would be compared in an unknown zone."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
