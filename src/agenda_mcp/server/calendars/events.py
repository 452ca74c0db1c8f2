"""A booking as an iCalendar event (RFC 5545), the way a person's calendar keeps it.

`book_slot` returns every booking as such an event (`METHOD:PUBLISH`, for "add to my calendar"),
and stores it without METHOD in the writable CalDAV calendar, where RFC 4791 4.1 forbids it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PRODID: Final = "-//agenda-mcp//booking//EN"
Method = Literal["PUBLISH", "CANCEL"]


def booking_uid(vendor: str, account: str, ids: Mapping[str, int | str]) -> str:
    """The event's UID: the same for the same booking, however often it is made or returned.

    Derived from the vendor, its account (the base URL: two accounts of one vendor may number their
    bookings alike) and the vendor's ids of the booking; hashed, so no id or URL shows in the UID.
    """
    text = json.dumps([vendor, account, dict(ids)], sort_keys=True, default=str)
    return f"{vendor}-{hashlib.sha256(text.encode()).hexdigest()[:16]}@agenda-mcp"


def booking_event(
    uid: str,
    start: datetime,
    end: datetime,
    zone_name: str,
    summary: str,
    location: str | None = None,
    description: str | None = None,
    method: Method | None = "PUBLISH",
    *,
    sequence: int = 0,
    stamp: datetime | None = None,
    organizer: str | None = None,
) -> bytes:
    """Serialise a booking as a ``VCALENDAR`` holding one ``VEVENT``.

    Times are written in ``zone_name`` (with its ``VTIMEZONE``) so that the
    person's calendar shows the booking in the zone it was made in, and keeps
    it there if the zone's rules change. The one exception: a local time that
    occurs twice (02:30 on the last Sunday of October in Europe) is written in
    UTC, because a TZID time is read as the first of the two (RFC 5545 3.3.5)
    and the booking would move by an hour.

    ``method`` None gives a plain calendar object for storing with CalDAV,
    where RFC 4791 4.1 forbids METHOD. "CANCEL" marks the event CANCELLED; the
    caller must pass a ``sequence`` higher than the one sent before, or
    clients keep the old version. RFC 5546 also wants an ORGANIZER for PUBLISH
    and CANCEL sent to others, hence ``organizer`` (``mailto:…``).

    Raises:
        ValueError: naive or reversed times, unknown zone, empty UID.
    """
    if not uid:
        raise ValueError("uid must not be empty")
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    if end <= start:
        raise ValueError("end must be after start")
    import icalendar  # here, not at start: a server without calendars never loads it
    from icalendar.enums import STATUS

    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {zone_name!r}") from None
    event = icalendar.Event.new(
        uid=uid,
        start=_in_zone(start, zone),
        end=_in_zone(end, zone),
        stamp=(stamp or datetime.now(UTC)).astimezone(UTC),
        summary=summary,
        location=location,
        description=description,
        sequence=sequence,
        status=STATUS.CANCELLED if method == "CANCEL" else STATUS.CONFIRMED,
        organizer=organizer,
    )
    # Built by hand, not with Calendar.new(): that adds a random calendar UID,
    # which makes the bytes differ on every call.
    calendar = icalendar.Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    if method is not None:
        calendar.add("METHOD", method)
    calendar.add_component(event)
    # The default range (1970-2038) makes a VTIMEZONE of ~2.5 KB; a few years
    # around the booking is what any reader needs.
    calendar.add_missing_timezones(first_date=date(start.year - 1, 1, 1), last_date=date(end.year + 2, 1, 1))
    data: bytes = calendar.to_ical()
    return data


def _in_zone(value: datetime, zone: ZoneInfo) -> datetime:
    """``value`` in ``zone``, or in UTC when a TZID time could not say it.

    Wall times that occur twice are only unambiguous with ``fold``, which
    iCalendar text cannot carry.
    """
    local = value.astimezone(zone)
    if local.replace(fold=0).astimezone(UTC) != value.astimezone(UTC):
        return value.astimezone(UTC)
    return local
