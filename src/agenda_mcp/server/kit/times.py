"""One time vocabulary for every vendor: what a model may send, and what it gets back.

Vendors keep wall-clock times in their own zone (Planaday, OnlineAfspraken.nl and ServicePlanner
Europe/Amsterdam, Locaboo LOCABOO_TIMEZONE). The rules, the same for every tool:

- Going in, a time or datetime with an offset or `Z` names a moment, which is converted to the
  vendor's zone; one without an offset is wall-clock time in the vendor's zone. A local time
  that does not exist (the hour skipped in spring) is refused naming the times around the gap;
  one that occurs twice (the hour repeated in autumn) is refused unless an offset picks one.
- Going out, every moment is an ISO 8601 datetime with its offset (`2026-03-02T09:00:00+01:00`)
  and availability results name their IANA zone once.
- What a read returns for a moment, a write accepts verbatim: a time parameter takes `HH:MM`,
  `HH:MM` with an offset, or the full datetime a result showed (its date then stands for the
  day, which may be left out).

Vendor packages use `TimeOfDay` / `DateTime` as parameter types, resolve them with `wall_clock()`
and `wall_span()`, and build results with `moment()`; nothing else in the project parses offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import AwareDatetime, BeforeValidator, WithJsonSchema

__all__ = [
    "Clock",
    "DateTime",
    "Moment",
    "TimeOfDay",
    "check_period",
    "moment",
    "wall_clock",
    "wall_span",
    "zone_name",
]

_CLOCK = r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d{1,6})?)?"
_OFFSET = r"(?P<offset>Z|z|[+-]\d{2}(?::?\d{2})?)?"
_TIME_ONLY = re.compile(rf"{_CLOCK}\s*{_OFFSET}")
_WITH_DATE = re.compile(rf"(?P<day>\d{{4}}-\d{{2}}-\d{{2}})(?:[Tt ]{_CLOCK}\s*{_OFFSET})?")
_SHOWN = 60
"""At most this many characters of a refused value are repeated in a message."""


@dataclass(frozen=True)
class Clock:
    """A time parameter as the model wrote it: a wall-clock time, perhaps with a date and an offset.

    It is resolved against a vendor's zone by `wall_clock()`; until then nothing is assumed."""

    time: time
    day: date | None = None
    offset: timedelta | None = None
    """None: no offset was given, so the time is wall-clock time in the vendor's zone."""
    text: str = ""

    def __str__(self) -> str:
        return self.text


def parse_clock(value: Any, *, need_day: bool = False) -> Clock:
    """`09:00`, `09:00:00`, `08:00Z`, `14:00+05:00`, `2026-03-02T09:00:00+01:00`, `2026-03-02 09:00`
    (and, where a date is needed, a bare `2026-03-02`, meaning its start)."""
    if isinstance(value, Clock):
        return value
    if isinstance(value, datetime):
        offset = value.utcoffset()
        return Clock(value.time().replace(tzinfo=None), value.date(), offset, value.isoformat())
    if isinstance(value, time) and not need_day:
        return Clock(value.replace(tzinfo=None), None, value.utcoffset(), value.isoformat())
    if not isinstance(value, str):
        raise ValueError("is not a time; give HH:MM or an ISO 8601 datetime")
    text = value.strip()
    found = _WITH_DATE.fullmatch(text)
    if found is None and not need_day:
        found = _TIME_ONLY.fullmatch(text)
    if found is None:
        wanted = (
            "an ISO 8601 datetime (YYYY-MM-DDTHH:MM, with an offset or local)"
            if need_day
            else ("HH:MM (local), HH:MM with an offset (08:00Z, 09:00+01:00), or an ISO 8601 datetime")
        )
        raise ValueError(f"{_shown(text)} is not a time; use {wanted}")
    parts = found.groupdict()
    try:
        day = date.fromisoformat(parts["day"]) if parts.get("day") else None
        clock = time(int(parts["h"] or 0), int(parts["m"] or 0), int(parts["s"] or 0))
        offset = _offset(parts["offset"]) if parts.get("offset") else None
    except ValueError:
        raise ValueError(f"{_shown(text)} is not a real date or time") from None
    return Clock(clock, day, offset, text)


def _offset(text: str) -> timedelta:
    if text in ("Z", "z"):
        return timedelta(0)
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(text)
    return sign * timedelta(hours=hours, minutes=minutes)


def _shown(text: str) -> str:
    return repr(text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…")


TimeOfDay = Annotated[
    Clock,
    BeforeValidator(parse_clock),
    WithJsonSchema({"type": "string"}),
]
"""A time parameter: `HH:MM` local to the vendor, `HH:MM` with an offset, or a full ISO datetime."""

DateTime = Annotated[
    Clock,
    BeforeValidator(lambda value: parse_clock(value, need_day=True)),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""A datetime parameter: ISO 8601, with an offset or local to the vendor (a bare date: its start)."""

Moment = AwareDatetime
"""A moment in a result: always with its offset (a naive value fails validation, loudly)."""


# -- resolving what a model sent ----------------------------------------------------------------


def wall_clock(day: date | None, clock: Clock, zone: ZoneInfo, *, name: str, day_name: str = "date") -> datetime:
    """The vendor's wall-clock time (naive, in `zone`) that `clock` on `day` means.

    A clock with an offset names a moment and is converted (the day may change with it); one
    without is taken in `zone`, and refused when that local time does not exist or is ambiguous.
    `day` may be None when the clock carries its own date; when both are given they must agree."""
    if clock.day is not None and day is not None and day != clock.day:
        converted = _local(clock, clock.day, zone) if clock.offset is not None else None
        if converted is None or converted.date() != day:
            raise ToolError(
                f"{day_name} {day.isoformat()} and {name} {clock.text} name different days; "
                f"leave {day_name} out or make them agree."
            )
    on = clock.day or day
    if on is None:
        raise ToolError(f"{name} {clock.text} needs a day: give {day_name}, or {name} as a full ISO 8601 datetime.")
    if clock.offset is not None:
        return _local(clock, on, zone)
    local = datetime.combine(on, clock.time)
    check_exists(local, zone, name=name)
    return local


def wall_span(
    day: date | None,
    start: Clock,
    end: Clock | None,
    zone: ZoneInfo,
    *,
    names: tuple[str, str] = ("start_time", "end_time"),
    day_name: str = "date",
) -> tuple[datetime, datetime | None]:
    """A start and an optional end as the vendor's wall-clock times; the end is taken on the
    start's (local) day unless it carries its own date, and must come after the start."""
    first = wall_clock(day, start, zone, name=names[0], day_name=day_name)
    if end is None:
        return first, None
    end_day = None if end.day is not None else (first.date() if end.offset is None else (start.day or day))
    last = wall_clock(end_day, end, zone, name=names[1], day_name=day_name)
    if _instant(last, zone) <= _instant(first, zone):
        raise ToolError(f"{names[1]} {end.text} is not after {names[0]} {start.text}; give an end after the start.")
    return first, last


def _local(clock: Clock, day: date, zone: ZoneInfo) -> datetime:
    assert clock.offset is not None
    aware = datetime.combine(day, clock.time, tzinfo=timezone(clock.offset))
    try:
        return aware.astimezone(zone).replace(tzinfo=None)
    except OverflowError:
        raise ToolError(f"{clock.text} on {day.isoformat()} is out of range.") from None


def _instant(local: datetime, zone: ZoneInfo) -> datetime:
    return local.replace(tzinfo=zone).astimezone(UTC)


def check_exists(local: datetime, zone: ZoneInfo, *, name: str) -> None:
    """Refuse a wall-clock time that the zone skips (spring) or repeats (autumn)."""
    first, second = local.replace(tzinfo=zone, fold=0), local.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return
    when = f"{local:%H:%M} on {local:%Y-%m-%d}"
    if _exists(local, zone):
        early, late = _iso_offset(first), _iso_offset(second)
        raise ToolError(
            f"{name}: {when} occurs twice in {zone_name(zone)} (the clocks go back); say which with an offset: "
            f"{local:%Y-%m-%dT%H:%M}{early} (the first) or {local:%Y-%m-%dT%H:%M}{late} (the second)."
        )
    before, after = local, local
    while not _exists(before, zone):
        before -= timedelta(minutes=1)
    while not _exists(after, zone):
        after += timedelta(minutes=1)
    raise ToolError(
        f"{name}: {when} does not exist in {zone_name(zone)} (the clocks go forward from "
        f"{before + timedelta(minutes=1):%H:%M} to {after:%H:%M}); choose {before:%H:%M} or earlier, "
        f"or {after:%H:%M} or later."
    )


def _exists(local: datetime, zone: ZoneInfo) -> bool:
    # minute precision is enough: zones move their clocks by whole minutes at whole minutes
    local = local.replace(second=0, microsecond=0)
    return local.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local


def _iso_offset(aware: datetime) -> str:
    text = aware.isoformat()
    return text[-6:]


def check_period(
    first: date,
    last: date | None,
    *,
    max_days: int,
    names: tuple[str, str] = ("date_from", "date_to"),
) -> None:
    """Refuse a period that ends before it starts or spans more than `max_days` days, before any
    request or computation: one call over centuries would stall the vendor (or the simulator) and
    every call waiting behind it."""
    if last is None:
        return
    if last < first:
        raise ToolError(
            f"{names[1]} {last.isoformat()} is before {names[0]} {first.isoformat()}; give {names[1]} on or after it."
        )
    if (last - first).days >= max_days:
        raise ToolError(
            f"{names[0]} to {names[1]} spans {(last - first).days + 1:,} days; at most {max_days} days per call, "
            "so split the period or narrow it."
        )


# -- what a model gets back ---------------------------------------------------------------------


def moment(day: date, clock: time | None, zone: tzinfo) -> datetime:
    """A vendor's wall-clock `day` + `clock` as an aware datetime with the zone's offset.

    Vendor data is not refused here: a wall time the zone skips moves on by the gap, and one it
    repeats is read as the first, as a clock on the wall would show it."""
    local = datetime.combine(day, clock or time(0))
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC).astimezone(zone)


def zone_name(zone: tzinfo) -> str:
    """The IANA name of a zone, as results state it (`Europe/Amsterdam`)."""
    return getattr(zone, "key", None) or str(zone)
