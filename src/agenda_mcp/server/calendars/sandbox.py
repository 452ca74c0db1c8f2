"""The demo person's calendars in sandbox mode: an iCalendar feed and a CalDAV collection, in-process.

A small but faithful simulator, reached over real HTTP requests through the in-process transport
(server/transport/sandbox.py), so the sandbox exercises the same code as a real calendar:

- `GET /feeds/<token>.ics`: the feed (a wrong token is 404, as a revoked secret link is);
- the collection `/dav/demo/agenda/`, Basic auth (401 otherwise): `PROPFIND` (Depth 0 or 1),
  `REPORT` `calendar-query` with a `time-range` (RFC 4791 7.8; an object matches when any
  occurrence overlaps the range), and for `<name>.ics`: `GET`, `PUT` (`If-None-Match: *` and
  `If-Match` honoured with 412; METHOD or more than one UID refused with 403
  `valid-calendar-object-resource`, a UID stored under another name with 403 `no-uid-conflict`,
  RFC 4791 5.3.2.1), `DELETE` (404 when missing). Anything else is 405.

The demo person's week (dates relative to today, so `find_slots` always meets it): yoga every
Wednesday 08:00-08:45 (a weekly series), a dentist appointment on the next Tuesday-Friday at
17:00-17:30 (a one-off in the coming week), and a birthday that is marked free (TRANSP:TRANSPARENT).
The times lie at the edges of the demo vendors' days: the salon's last appointments of that day and
the rooms' early hours are left out, while the sandbox's own scenarios (a morning haircut, an
evening room, a course's first day) stay free.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, Final
from urllib.parse import unquote
from xml.sax.saxutils import escape

import icalendar
import recurring_ical_events
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from agenda_mcp.server.calendars.fetch import parse_xml
from agenda_mcp.server.calendars.sources import CalendarSource
from agenda_mcp.server.transport.sandbox import SandboxFaults

HOST: Final = "https://calendar.sandbox"
FEED_TOKEN: Final = "demo-4f1c9a7e2b6d4e0f8a3c5b7d9e1f2a4c"
USER: Final = "demo"
PASSWORD: Final = "sandbox-app-password"  # the simulator's own, published demo login
COLLECTION: Final = f"/dav/{USER}/agenda/"
SANDBOX_SOURCES: Final = (
    CalendarSource("sandbox-personal", "ics", f"{HOST}/feeds/{FEED_TOKEN}.ics"),
    CalendarSource("sandbox-agenda", "caldav", f"{HOST}{COLLECTION}", USER, PASSWORD),
)
SANDBOX_WRITE: Final = "sandbox-agenda"
DEMO_ZONE: Final = "Europe/Amsterdam"
"""The zone the demo person's events are written in (the sandbox vendors' own)."""
_DAV_METHODS: Final = "OPTIONS, GET, PUT, DELETE, PROPFIND, REPORT"
_XML: Final = {"content-type": 'application/xml; charset="utf-8"'}


@dataclass
class _Object:
    text: str
    etag: str


class CalendarSandbox:
    """The demo person's calendar server: its state, and `app`, the ASGI app in front of it (with
    switchable faults, `faults`, like every vendor simulator)."""

    def __init__(self, zone: tzinfo, today: date | None = None) -> None:
        self.today = today or datetime.now(zone).date()
        self.feed = _calendar(_demo_feed(self.today))
        self.objects: dict[str, _Object] = {}
        for name, text in _demo_agenda(self.today).items():
            self.objects[name] = _Object(text, _etag(text))
        self.requests: list[tuple[str, str]] = []
        """(method, path) of every request, for tests: what was written, and when."""
        self.faults = SandboxFaults(self._serve)
        self.app = self.faults

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        self.requests.append((request.method, request.url.path))
        response = await self._answer(request)
        await response(scope, receive, send)

    async def _answer(self, request: Request) -> Response:
        path = request.url.path
        if path.startswith("/feeds/"):
            if request.method != "GET":
                return Response(status_code=405, headers={"Allow": "GET"})
            if path != f"/feeds/{FEED_TOKEN}.ics":
                return Response(status_code=404)
            return Response(self.feed, media_type="text/calendar; charset=utf-8")
        if not path.startswith(COLLECTION):
            return Response(status_code=404)
        if not _authorised(request.headers.get("authorization", "")):
            return Response(status_code=401, headers={"WWW-Authenticate": 'Basic realm="sandbox calendar"'})
        name = unquote(path[len(COLLECTION) :])
        body = await request.body()
        if not name:
            return self._collection(request.method, request.headers, body)
        if "/" in name or not name.endswith(".ics"):
            return Response(status_code=404)
        return self._object(request.method, name, request.headers, body)

    def _collection(self, method: str, headers: Mapping[str, str], body: bytes) -> Response:
        if method == "OPTIONS":
            return Response(headers={"Allow": _DAV_METHODS, "DAV": "1, 3, calendar-access"})
        if method == "PROPFIND":
            depth = headers.get("depth", "infinity")
            if depth == "infinity":
                return _dav_error(403, "D", "propfind-finite-depth")
            rows = [_propstat(COLLECTION, "<D:resourcetype><D:collection/><C:calendar/></D:resourcetype>")]
            if depth == "1":
                rows += [
                    _propstat(COLLECTION + name, f"<D:getetag>{escape(obj.etag)}</D:getetag>")
                    for name, obj in sorted(self.objects.items())
                ]
            return _multistatus(rows)
        if method == "REPORT":
            window = _time_range(body)
            if window is None:
                return Response("not a calendar-query with a valid time-range", status_code=400)
            rows = [
                _propstat(
                    COLLECTION + name,
                    f"<D:getetag>{escape(obj.etag)}</D:getetag><C:calendar-data>{escape(obj.text)}</C:calendar-data>",
                )
                for name, obj in sorted(self.objects.items())
                if _touches(obj.text, *window)
            ]
            return _multistatus(rows)
        return Response(status_code=405, headers={"Allow": _DAV_METHODS})

    def _object(self, method: str, name: str, headers: Mapping[str, str], body: bytes) -> Response:
        found = self.objects.get(name)
        if method == "GET":
            if found is None:
                return Response(status_code=404)
            return Response(found.text, media_type="text/calendar; charset=utf-8", headers={"ETag": found.etag})
        if method == "DELETE":
            if found is None:
                return Response(status_code=404)
            if "if-match" in headers and headers["if-match"] != found.etag:
                return Response(status_code=412)
            del self.objects[name]
            return Response(status_code=204)
        if method == "PUT":
            if headers.get("if-none-match") == "*" and found is not None:
                return Response(status_code=412)
            if "if-match" in headers and (found is None or headers["if-match"] != found.etag):
                return Response(status_code=412)
            text = body.decode("utf-8", errors="replace")
            uid = _single_uid(text)
            if uid is None:
                return _dav_error(403, "C", "valid-calendar-object-resource")
            if any(other != name and _single_uid(obj.text) == uid for other, obj in self.objects.items()):
                return _dav_error(403, "C", "no-uid-conflict")
            self.objects[name] = _Object(text, _etag(text))
            return Response(status_code=204 if found else 201, headers={"ETag": self.objects[name].etag})
        return Response(status_code=405, headers={"Allow": _DAV_METHODS})


def _authorised(header: str) -> bool:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except ValueError:
        return False
    return decoded == f"{USER}:{PASSWORD}"


def _single_uid(text: str) -> str | None:
    """The one UID of a storable calendar object (RFC 4791 4.1), or None if it is not one."""
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError:
        return None
    if "METHOD" in calendar:
        return None
    uids = {str(c.get("UID", "")) for c in calendar.walk() if c.name in ("VEVENT", "VTODO", "VJOURNAL")}
    if len(uids) != 1 or "" in uids:
        return None
    return uids.pop()


def _touches(text: str, start: datetime, end: datetime) -> bool:
    try:
        found: list[Any] = recurring_ical_events.of(icalendar.Calendar.from_ical(text)).between(start, end)
    except ValueError:
        return False
    return bool(found)


_RANGE = re.compile(r"^\d{8}T\d{6}Z$")


def _time_range(body: bytes) -> tuple[datetime, datetime] | None:
    root = parse_xml(body)
    if root is None or root.tag != "{urn:ietf:params:xml:ns:caldav}calendar-query":
        return None
    found = root.find(".//{urn:ietf:params:xml:ns:caldav}time-range")
    if found is None:
        return None
    start, end = found.get("start", ""), found.get("end", "")
    if not (_RANGE.match(start) and _RANGE.match(end)):
        return None
    return _utc(start), _utc(end)


def _utc(value: str) -> datetime:
    return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def _propstat(href: str, props: str) -> str:
    return (
        f"<D:response><D:href>{escape(href)}</D:href><D:propstat><D:prop>{props}</D:prop>"
        "<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>"
    )


def _multistatus(rows: list[str]) -> Response:
    xml = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">' + "".join(rows) + "</D:multistatus>"
    )
    return Response(xml, status_code=207, headers=_XML)


def _dav_error(status: int, prefix: str, condition: str) -> Response:
    xml = (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<D:error xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><{prefix}:{condition}/></D:error>'
    )
    return Response(xml, status_code=status, headers=_XML)


def _etag(text: str) -> str:
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:16] + '"'


# -- the demo person's week ----------------------------------------------------------------------


def _event(uid: str, summary: str, start: datetime | date, end: datetime | date, **extra: Any) -> icalendar.Event:
    event = icalendar.Event.new(uid=uid, summary=summary, start=start, end=end, stamp=datetime(2026, 1, 1, tzinfo=UTC))
    for key, value in extra.items():
        event.add(key.upper(), value)
    return event


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(DEMO_ZONE))


def _calendar(events: list[icalendar.Event]) -> str:
    calendar = icalendar.Calendar()
    calendar.add("PRODID", "-//agenda-mcp//sandbox calendar//EN")
    calendar.add("VERSION", "2.0")
    for event in events:
        calendar.add_component(event)
    first = min((e.start for e in events), key=lambda d: d if isinstance(d, datetime) else _at(d, 0))
    year = first.year
    calendar.add_missing_timezones(first_date=date(year - 1, 1, 1), last_date=date(year + 3, 1, 1))
    data: bytes = calendar.to_ical()
    return data.decode()


def dentist_day(today: date) -> date:
    """The one-off in the coming week: the first Tuesday-Friday after today (the salon is open then)."""
    day = today + timedelta(days=1)
    while day.weekday() not in (1, 2, 3, 4):
        day += timedelta(days=1)
    return day


def _demo_feed(today: date) -> list[icalendar.Event]:
    first_wednesday = today - timedelta(days=(today.weekday() - 2) % 7 + 28)
    yoga = _event(
        "yoga@sandbox.agenda-mcp", "Yoga", _at(first_wednesday, 8), _at(first_wednesday, 8, 45), location="Sportschool"
    )
    yoga.add("RRULE", {"FREQ": "WEEKLY", "BYDAY": "WE"})
    birthday = today + timedelta(days=3)
    party = _event(
        "birthday@sandbox.agenda-mcp", "Verjaardag oma", birthday, birthday + timedelta(days=1), transp="TRANSPARENT"
    )
    return [yoga, party]


def _demo_agenda(today: date) -> dict[str, str]:
    day = dentist_day(today)
    dentist = _event(
        "dentist@sandbox.agenda-mcp", "Tandarts", _at(day, 17), _at(day, 17, 30), location="Tandartspraktijk Oudegracht"
    )
    return {"dentist.ics": _calendar([dentist])}
