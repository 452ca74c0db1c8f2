"""Talking HTTP to a person's calendar, under the project's HTTP rules (server/kit/http.py).

The rules, and why:

* One total deadline per exchange, bounded by the tool call's own (`call_deadline`): a server that
  trickles a byte a second would otherwise hold a call open for ever, and httpx's timeouts are per
  read, not per answer.
* A byte cap on the *decoded* body, enforced while streaming and while decompressing, by the same
  reader the vendor layer uses (`read_decoded`): a calendar URL can point at anything, a 20 MB file
  or a gzip bomb included.
* No redirect off the host: following one would hand the person's password, or a secret feed URL,
  to a host they never named. Only same-origin redirects of a GET are followed, a few at most.
* No proxies or netrc from the environment (`trust_env=False`): what is fetched, with which
  credentials, depends only on the settings.
* No credentials in errors or logs: calendars are named by the operator's name for them or by
  `display_url`; their URLs and passwords are registered for masking (server/guards/redaction.py)
  by `sources`, which covers httpx2's own request log line.
* https only; plain http only to a loopback address (a test server, a CalDAV server on this
  machine), where nothing crosses a network.

Calendar URLs come from the operator's environment (AGENDA_MCP_CALENDARS), never from a model, so
there is no SSRF guard: a calendar on a private or loopback address (a home server, a NAS) is a
legitimate choice of the person who runs agenda-mcp, not an attack.

CalDAV is spoken directly (one `calendar-query` REPORT, PUT, DELETE) instead of through the
`caldav` library, which brings its own HTTP stack and with it its own redirect, size and timeout
behaviour.
"""

from __future__ import annotations

import functools
import importlib
import ipaddress
import ssl
import time
import xml.etree.ElementTree as ET  # for types only; parsing goes through defusedxml
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Protocol, cast
from urllib.parse import quote, urlsplit, urlunsplit

import anyio
import httpx2

from agenda_mcp import USER_AGENT
from agenda_mcp.server.calendars.errors import CalendarUnavailable
from agenda_mcp.server.guards.redaction import get_logger, redact
from agenda_mcp.server.kit.http import ACCEPT_ENCODING, MAX_BODY_BYTES, BodyTooLarge, read_decoded, seconds_left

log = get_logger("agenda_mcp.calendars")

MB: Final = 1024 * 1024
DEADLINE_S: Final = 10.0
"""One calendar exchange at most, unless the tool call's deadline is sooner."""
MAX_BYTES: Final = MAX_BODY_BYTES
"""The same cap as a vendor answer: no calendar a person reads slots against is legitimately larger."""
_SMALL_ANSWER: Final = 64 * 1024
"""What a PUT or DELETE may answer with: a status and a few headers."""
_MAX_REDIRECTS: Final = 3
_REDIRECT_CODES: Final = frozenset({301, 302, 303, 307, 308})
_DAV: Final = "{DAV:}"
_CALDAV: Final = "{urn:ietf:params:xml:ns:caldav}"
_SEGMENT_SHOWN: Final = 32
"""Longer last path segments are likely secrets (Google's `private-…`, iCloud's tokens)."""
_REASONS: Final[Mapping[int, str]] = {401: "login refused", 403: "access refused", 404: "not found"}


class _SafeParser(Protocol):
    """The part of `defusedxml.ElementTree` used here (defusedxml ships no type information, and its
    stubs are not a dependency: see tools/onlineafspraken/xmlenvelope.py, which does the same)."""

    def fromstring(self, text: bytes | str, *, forbid_dtd: bool) -> ET.Element: ...


_defused = cast(_SafeParser, importlib.import_module("defusedxml.ElementTree"))
_DefusedXmlException = cast(type[ValueError], importlib.import_module("defusedxml").DefusedXmlException)


def parse_xml(body: bytes) -> ET.Element | None:
    """XML from a server, or None: DTDs refused outright, so no entity expansion (billion laughs) and
    no external entities, whatever a hostile server sends."""
    try:
        return _defused.fromstring(body, forbid_dtd=True)
    except (ET.ParseError, _DefusedXmlException, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class Answer:
    """What a server answered, once checked against the rules."""

    status: int
    headers: httpx2.Headers
    body: bytes


def display_url(url: str) -> str:
    """A form of `url` safe to show and log: scheme, host, port and a short last path segment.

    Calendar URLs are often the secret themselves (Google's `private-…` path, iCloud's
    `/published/2/<token>`, `?token=`), so nothing else is kept: enough for a person to recognise
    which calendar is meant.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "<invalid URL>"
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"
    segments = [segment for segment in parts.path.split("/") if segment]
    path = "/"
    if segments:
        last = segments[-1]
        shown = last if len(last) <= _SEGMENT_SHOWN else "…"
        path = ("/…/" if len(segments) > 1 else "/") + shown + ("/" if parts.path.endswith("/") else "")
    return urlunsplit((parts.scheme, netloc, path, "…" if parts.query else "", ""))


def checked_url(url: str) -> tuple[str, tuple[str, str] | None]:
    """`url` as it is requested (webcal means https), and any user:password taken out of it.

    Raises:
        CalendarUnavailable: not https (or http to loopback), or not a URL at all.
    """
    try:
        parts = urlsplit(url.strip())
        username, password, host, port = parts.username, parts.password, parts.hostname, parts.port
    except ValueError:
        raise CalendarUnavailable("invalid URL") from None
    scheme = parts.scheme.lower()
    if scheme in {"webcal", "webcals"}:
        scheme = "https"
    if not host:
        raise CalendarUnavailable("invalid URL")
    if scheme != "https" and not (scheme == "http" and is_loopback(host)):
        raise CalendarUnavailable(
            "only https:// and webcal:// addresses are allowed (http:// only to this machine)",
            source=display_url(url),
        )
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"
    auth = None if username is None else (username, password or "")
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, "")), auth


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or `localhost`: addresses whose traffic never leaves this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every calendar client: building it (loading the CA bundle) takes ~0.1 s,
    a client with it ready ~0.3 ms."""
    return httpx2.create_ssl_context()


def open_client(transport: httpx2.AsyncBaseTransport | None = None) -> httpx2.AsyncClient:
    """A client for one batch of calendar requests (a find_slots call's reads, a booking's PUT).

    Short-lived on purpose: it holds no connection between calls, so nothing is left open when the
    server stops, and a calendar's answers are kept by the busy-time cache instead. `transport` is
    the in-process simulator in sandbox mode (server/calendars/sandbox.py)."""
    return httpx2.AsyncClient(
        follow_redirects=False,
        trust_env=False,
        verify=_tls() if transport is None else True,
        transport=transport,
        timeout=httpx2.Timeout(DEADLINE_S, connect=min(DEADLINE_S, 5.0)),
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING},
    )


def time_left(own: float = DEADLINE_S) -> float:
    """Seconds this exchange may take: its own limit, or what is left of the tool call's if sooner."""
    return seconds_left(own)


async def exchange(
    client: httpx2.AsyncClient,
    method: str,
    url: str,
    *,
    ok: frozenset[int],
    auth: tuple[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    content: bytes | None = None,
    max_bytes: int = MAX_BYTES,
    reasons: Mapping[int, str] | None = None,
    deadline_s: float = DEADLINE_S,
) -> Answer:
    """One HTTP exchange under the rules in the module docstring.

    `ok` lists the statuses that are returned; any other raises with a reason from `reasons` (or
    "answered <status>").

    Raises:
        CalendarUnavailable: with a short reason, never with a credential.
    """
    target, url_auth = checked_url(url)
    shown = display_url(target)
    basic = auth or url_auth
    all_reasons = {**_REASONS, **(reasons or {})}
    budget = time_left(deadline_s)
    if budget <= 0:
        raise CalendarUnavailable("no time left in this call", source=shown)
    started = time.perf_counter()
    outcome = "failed"
    try:
        with anyio.fail_after(budget):
            for _ in range(_MAX_REDIRECTS + 1):
                request = client.build_request(
                    method,
                    target,
                    headers=dict(headers or {}),
                    content=content,
                )
                response = await client.send(
                    request, auth=None if basic is None else httpx2.BasicAuth(*basic), stream=True
                )
                try:
                    status = response.status_code
                    outcome = str(status)
                    if status in _REDIRECT_CODES and status not in ok:
                        target = _redirect_target(target, response.headers.get("location"), method, shown)
                        continue
                    if status not in ok:
                        raise CalendarUnavailable(all_reasons.get(status, f"answered {status}"), source=shown)
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > max_bytes:
                        raise BodyTooLarge
                    body = await read_decoded(response, max_bytes)
                    return Answer(status, response.headers, body)
                finally:
                    await response.aclose()
            raise CalendarUnavailable("too many redirects", source=shown)
    except BodyTooLarge:
        outcome = "too large"
        raise CalendarUnavailable(f"more than {_size(max_bytes)}", source=shown) from None
    except (TimeoutError, httpx2.TimeoutException):
        outcome = "timed out"
        raise CalendarUnavailable("timed out", source=shown) from None
    except httpx2.ConnectError:
        raise CalendarUnavailable("could not connect", source=shown) from None
    except httpx2.DecodingError:
        raise CalendarUnavailable("bad compressed answer", source=shown) from None
    except (httpx2.HTTPError, httpx2.InvalidURL):
        raise CalendarUnavailable("connection failed", source=shown) from None
    finally:
        ms = (time.perf_counter() - started) * 1000
        log.debug("calendar %s %s -> %s in %.0f ms", method, redact(shown), outcome, ms)


async def fetch_ics(client: httpx2.AsyncClient, url: str, *, auth: tuple[str, str] | None = None) -> str:
    """Download an iCalendar feed (`https://`, or `webcal://` meaning https).

    Raises:
        CalendarUnavailable: the feed could not be had, or is not iCalendar (a login page served
            with 200 is a common case).
    """
    answer = await exchange(client, "GET", url, ok=frozenset({200}), auth=auth, headers={"Accept": "text/calendar"})
    text = decoded_text(answer)
    if "BEGIN:VCALENDAR" not in text[:4096].upper():
        raise CalendarUnavailable("not an iCalendar feed", source=display_url(url))
    return text


async def caldav_query(
    client: httpx2.AsyncClient,
    collection_url: str,
    user: str,
    password: str,
    window_start: datetime,
    window_end: datetime,
) -> list[str]:
    """Ask a CalDAV collection for the events touching a window (RFC 4791 7.8, `calendar-query`).

    Returns one `VCALENDAR` text per calendar object, unexpanded: each holds a series with its
    overrides, which `busy.busy_times` expands itself, so feeds and CalDAV give the same answers. The
    server's time-range filter only trims what is sent.

    Raises:
        CalendarUnavailable: also when the answer is not a readable multistatus.
    """
    if window_start.tzinfo is None or window_end.tzinfo is None:
        raise ValueError("window_start and window_end must be timezone-aware")
    body = CALENDAR_QUERY.format(start=caldav_time(window_start), end=caldav_time(window_end))
    answer = await exchange(
        client,
        "REPORT",
        collection(collection_url),
        ok=frozenset({207}),
        auth=(user, password),
        headers={"Depth": "1", "Content-Type": 'application/xml; charset="utf-8"'},
        content=body.encode(),
    )
    return calendar_data(answer.body, display_url(collection_url))


async def caldav_put(
    client: httpx2.AsyncClient,
    collection_url: str,
    uid: str,
    body: bytes,
    user: str,
    password: str,
) -> bool:
    """Store an event at `<collection>/<uid>.ics`, only if nothing is there yet (`If-None-Match: *`).

    Returns False when it already was (412): a repeated booking cannot silently replace someone's
    event, and the second attempt of the same booking is not an error.

    Raises:
        CalendarUnavailable: as for any request.
    """
    answer = await exchange(
        client,
        "PUT",
        resource_url(collection_url, uid),
        ok=frozenset({200, 201, 204, 412}),
        auth=(user, password),
        headers={"Content-Type": "text/calendar; charset=utf-8", "If-None-Match": "*"},
        content=body,
        max_bytes=_SMALL_ANSWER,
    )
    return answer.status != 412


async def caldav_delete(client: httpx2.AsyncClient, collection_url: str, uid: str, user: str, password: str) -> bool:
    """Remove an event; False when it was already gone (a retry after a lost answer is no error).

    Raises:
        CalendarUnavailable: as for any request.
    """
    answer = await exchange(
        client,
        "DELETE",
        resource_url(collection_url, uid),
        ok=frozenset({200, 204, 404, 410}),
        auth=(user, password),
        max_bytes=_SMALL_ANSWER,
    )
    return answer.status in {200, 204}


def resource_url(collection_url: str, uid: str) -> str:
    """Where the event with `uid` is stored in a collection.

    The UID is percent-encoded completely, so that a UID with "/" or ".." can never address anything
    outside the collection.
    """
    if not uid:
        raise ValueError("uid must not be empty")
    return collection(collection_url) + quote(uid, safe="") + ".ics"


CALENDAR_QUERY: Final = """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter>
    <C:comp-filter name="VCALENDAR">
      <C:comp-filter name="VEVENT">
        <C:time-range start="{start}" end="{end}"/>
      </C:comp-filter>
    </C:comp-filter>
  </C:filter>
</C:calendar-query>
"""


def calendar_data(body: bytes, shown: str) -> list[str]:
    """The calendar-data texts of a multistatus, read without trusting the XML.

    defusedxml refuses DTDs and entity expansion (billion laughs, external entities), which a
    hostile server could otherwise use against us.
    """
    root = parse_xml(body)
    if root is None or root.tag != f"{_DAV}multistatus":
        raise CalendarUnavailable("unreadable answer", source=shown)
    texts: list[str] = []
    for response in root.iter(f"{_DAV}response"):
        for propstat in response.iter(f"{_DAV}propstat"):
            status = propstat.findtext(f"{_DAV}status", default="")
            if " 200 " not in f"{status} ":
                continue
            for data in propstat.iter(f"{_CALDAV}calendar-data"):
                if data.text and data.text.strip():
                    texts.append(data.text)
    return texts


def _redirect_target(current: str, location: str | None, method: str, shown: str) -> str:
    """Where a redirect may be followed to, or why not."""
    if method != "GET":
        # Resending a body or repeating a write after a redirect is never needed by the servers we
        # talk to, and easy to get wrong.
        raise CalendarUnavailable("redirected", source=shown)
    if not location:
        raise CalendarUnavailable("redirected elsewhere", source=shown)
    try:
        here = httpx2.URL(current)
        there = here.join(location)
    except httpx2.InvalidURL:
        raise CalendarUnavailable("redirected elsewhere", source=shown) from None
    if (there.scheme, there.host, _port(there)) != (here.scheme, here.host, _port(here)):
        raise CalendarUnavailable("redirected elsewhere", source=shown)
    return str(there)


def _port(url: httpx2.URL) -> int | None:
    """The port, with defaults made explicit so `:443` equals no port."""
    return url.port if url.port is not None else {"https": 443, "http": 80}.get(url.scheme)


def _size(n: int) -> str:
    """A byte count the way a person would say it."""
    if n >= MB and n % MB == 0:
        return f"{n // MB} MB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024} KB"
    return f"{n} bytes"


def decoded_text(answer: Answer) -> str:
    """Text of a calendar: UTF-8 by RFC 5545, unless the server says otherwise."""
    charset = "utf-8"
    content_type = answer.headers.get("content-type", "")
    for parameter in content_type.split(";")[1:]:
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset" and value.strip().strip('"'):
            charset = value.strip().strip('"')
    try:
        text = answer.body.decode(charset, errors="replace")
    except LookupError:
        text = answer.body.decode("utf-8", errors="replace")
    return text.removeprefix("\ufeff")


def collection(url: str) -> str:
    """A collection URL with its trailing slash, as WebDAV servers expect."""
    return url if url.endswith("/") else url + "/"


def caldav_time(value: datetime) -> str:
    """A UTC date-time as CalDAV's time-range wants it."""
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
