"""Locaboo date and time formats, both ways.

Locaboo answers in five different notations depending on the endpoint (see the reference,
section 1.3): ``Y-m-d``, ``Y-m-d H:i``, ``d.m.Y``, ``d.m.Y H:i`` and ISO 8601 with an offset.
Everything that leaves this package is ISO 8601; wall-clock values become moments with the offset
of the configured zone (``LOCABOO_TIMEZONE``) through the kit's ``moment``. What a model sends is
resolved by the kit's time vocabulary (offsets, DST gaps and folds); this module only writes the
request in Locaboo's notation.

The reference does not state Locaboo's time zone; the offsets in its examples (+02:00 in summer,
+01:00 in winter) point at Europe/Berlin, so that is the default (SAFE CHOICE, reference §4).

All functions are pure: the zone is always an argument.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agenda_mcp.server.kit import moment

DEFAULT_TIMEZONE = "Europe/Berlin"

_Y_M_D = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})")
_D_M_Y = re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})")
_H_M = re.compile(r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?")
_ISO_WITH_T = re.compile(r"\d{4}-\d{2}-\d{2}T\S+")


def resolve_timezone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; ValueError with a readable message when it does not exist."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}: use an IANA name such as {DEFAULT_TIMEZONE}") from exc


def _date_from_match(m: re.Match[str]) -> date:
    return date(int(m["y"]), int(m["m"]), int(m["d"]))


def _time_from_match(m: re.Match[str]) -> time:
    return time(int(m["H"]), int(m["M"]), int(m["S"] or 0))


def _parse_date_part(text: str) -> date | None:
    for pattern in (_Y_M_D, _D_M_Y):
        m = pattern.fullmatch(text)
        if m:
            return _date_from_match(m)
    return None


def parse_vendor_date(value: str) -> date:
    """``Y-m-d`` or ``d.m.Y`` -> date."""
    text = value.strip()
    try:
        parsed = _parse_date_part(text)
    except ValueError as exc:  # e.g. 31.02.2024: the shape is right, the calendar says no
        raise ValueError(f"not a valid Locaboo date: {value!r}") from exc
    if parsed is None:
        raise ValueError(f"not a Locaboo date (expected Y-m-d or d.m.Y): {value!r}")
    return parsed


def parse_vendor_time(value: str) -> time:
    """``H:i`` (optionally ``H:i:s``) -> time."""
    m = _H_M.fullmatch(value.strip())
    if not m:
        raise ValueError(f"not a Locaboo time (expected H:i): {value!r}")
    try:
        return _time_from_match(m)
    except ValueError as exc:
        raise ValueError(f"not a valid Locaboo time: {value!r}") from exc


def parse_vendor_datetime(value: str, tz: tzinfo) -> datetime:
    """Any Locaboo timestamp -> aware datetime in ``tz``.

    Accepts ``Y-m-d H:i``, ``d.m.Y H:i`` (seconds optional) as wall time in ``tz``, and ISO 8601
    (with offset: converted to ``tz``; without: wall time in ``tz``).
    """
    text = value.strip()
    if _ISO_WITH_T.fullmatch(text):
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(f"not a valid ISO 8601 timestamp: {value!r}") from exc
        if parsed.tzinfo is None:
            return moment(parsed.date(), parsed.time(), tz)
        return parsed.astimezone(tz)
    date_text, _, time_text = text.partition(" ")
    time_match = _H_M.fullmatch(time_text.strip())
    if not time_match:
        raise ValueError(f"not a Locaboo date-time (expected Y-m-d H:i, d.m.Y H:i or ISO 8601): {value!r}")
    try:
        day = _parse_date_part(date_text)
        clock = _time_from_match(time_match)
    except ValueError as exc:
        raise ValueError(f"not a valid Locaboo date-time: {value!r}") from exc
    if day is None:
        raise ValueError(f"not a Locaboo date-time (expected Y-m-d H:i, d.m.Y H:i or ISO 8601): {value!r}")
    return moment(day, clock, tz)


def iso_date(value: str | None) -> str | None:
    """A vendor date (``Y-m-d`` / ``d.m.Y``) as ISO ``YYYY-MM-DD``; blank -> None.

    Locaboo writes "no value" as null or "" (e.g. customer ``last_login``).
    """
    if value is None or not value.strip():
        return None
    return parse_vendor_date(value).isoformat()


def iso_datetime(value: str | None, tz: tzinfo) -> str | None:
    """A vendor timestamp as ISO 8601 with the offset of ``tz``; blank -> None."""
    if value is None or not value.strip():
        return None
    return parse_vendor_datetime(value, tz).isoformat(timespec="seconds")


def iso_time(value: str | None) -> str | None:
    """A vendor clock time as ISO ``HH:MM`` (``HH:MM:SS`` only when seconds are set); blank -> None."""
    if value is None or not value.strip():
        return None
    parsed = parse_vendor_time(value)
    return parsed.isoformat(timespec="seconds" if parsed.second else "minutes")


def iso_any(value: str | None, tz: tzinfo) -> str | None:
    """Whatever Locaboo sent, as ISO 8601: dates stay dates, anything with a clock gets an offset."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if _Y_M_D.fullmatch(text) or _D_M_Y.fullmatch(text):
        return iso_date(text)
    return iso_datetime(text, tz)


# --- request side: ISO in, Locaboo out -------------------------------------------------------


def to_vendor_date(value: date) -> str:
    """date -> ``Y-m-d`` (request dates, reference §1.3).

    PHP's ``Y`` has at least four digits (``0001-01-01``); ``strftime("%Y")`` would write year 1 as
    ``1``, which no ``Y-m-d`` reader takes. ISO 8601 is the same notation, padded."""
    return value.isoformat()


def to_vendor_time(value: time) -> str:
    """time -> ``H:i`` (24 h, zero-padded; seconds are dropped because Locaboo has none)."""
    return f"{value.hour:02d}:{value.minute:02d}"


def to_vendor_duration(value: timedelta) -> str:
    """A positive duration -> ``HH:MM`` (hours may exceed 23: ``25:30``)."""
    minutes, rest = divmod(int(value.total_seconds()), 60)
    if rest or minutes <= 0:
        raise ValueError("duration must be a positive whole number of minutes")
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_duration(value: str) -> timedelta:
    """``HH:MM`` -> timedelta (hours may exceed 23)."""
    m = re.fullmatch(r"(\d{1,3}):([0-5]\d)", value.strip())
    if not m:
        raise ValueError(f"not a duration (expected HH:MM): {value!r}")
    return timedelta(hours=int(m[1]), minutes=int(m[2]))
