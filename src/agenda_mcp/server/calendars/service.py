"""The person's calendars at work: busy times for find_slots, booking events for book_slot.

Reading fails closed: a calendar that cannot be read (timed out, refused, too large, not iCalendar,
or anything else) is named with its reason, and the caller says the slots were not checked against
it; it is never taken as "free". Busy times are kept for AGENDA_MCP_CALENDAR_CACHE_SECONDS per
calendar and window (failures are not kept: the next call tries again).

Writing happens only after the person's yes to the booking (book_slot asks first, naming the
calendar), in the same call, once the vendor booking is made; a failure to write it never undoes the
booking. The booking's cancel tool and arguments are remembered with the event (in this process, or
in Redis for replicas), and when exactly that write is done (server/guards/pipeline.py
`watch_writes`) the event is deleted again.
"""

from __future__ import annotations

import functools
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import anyio
import httpx2

from agenda_mcp.server.calendars.busy import Busy, busy_times
from agenda_mcp.server.calendars.errors import CalendarUnavailable
from agenda_mcp.server.calendars.fetch import caldav_delete, caldav_put, caldav_query, fetch_ics, open_client
from agenda_mcp.server.calendars.sources import CalendarSettings, CalendarSource, calendar_settings
from agenda_mcp.server.guards import pipeline
from agenda_mcp.server.guards.redaction import get_logger, redact
from agenda_mcp.server.kit.http import call_deadline
from agenda_mcp.server.startup.config import Settings
from agenda_mcp.server.team.shared_state import SharedCache, SharedStateDown

if TYPE_CHECKING:
    from agenda_mcp.server.startup.app import AgendaServer

log = get_logger("agenda_mcp.calendars")

clock: Callable[[], float] = time.monotonic
"""Looked up on every read, so tests can move time without sleeping."""
_EVENT_KEY = "calendar-event:"
_KEPT_AFTER_END = timedelta(days=1)
"""How long after a booking's end its cancel still removes the event (a cancellation comes before)."""


@dataclass
class BusyRead:
    """What the calendars said about a window: the busy times, and the calendars that could not be read."""

    busy: list[Busy] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    """Calendar name -> why it could not be read (its times are unknown, not free)."""


@dataclass(frozen=True)
class Stored:
    """The outcome of adding a booking's event to the writable calendar, as the person is told it."""

    added: bool
    message: str


class CalendarService:
    """One server's view of the person's calendars (AGENDA_MCP_CALENDARS, or the sandbox's)."""

    def __init__(
        self,
        settings: Settings,
        calendars: CalendarSettings,
        shared_for: Callable[[str], SharedCache | None] | None = None,
    ) -> None:
        self.settings = settings
        self.calendars = calendars
        self._shared_for = shared_for or (lambda _vendor: None)
        """The store a vendor's writes share (Redis for replicas), where booking events are remembered."""
        self._transport: httpx2.AsyncBaseTransport | None = None
        self.sandbox: Any = None
        """The demo person's calendar server (server/calendars/sandbox.py), in sandbox mode."""
        if calendars.sandbox:
            from agenda_mcp.server.calendars.sandbox import CalendarSandbox
            from agenda_mcp.server.transport.sandbox import InProcessTransport

            self.sandbox = CalendarSandbox(settings.tz)
            self._transport = InProcessTransport(self.sandbox.app)
        self._cache: dict[tuple[str, datetime, datetime], tuple[float, list[Busy]]] = {}
        self._locks = {source.name: anyio.Lock() for source in calendars.sources}
        self._events: dict[str, tuple[float, dict[str, str]]] = {}
        pipeline.watch_writes(self)

    @property
    def names(self) -> list[str]:
        return self.calendars.names

    @property
    def writable(self) -> CalendarSource | None:
        return self.calendars.write

    # -- reading ------------------------------------------------------------------------------

    async def busy(self, start: datetime, end: datetime) -> BusyRead:
        """Every calendar's busy times overlapping `[start, end)`, read at once; never raises."""
        read = BusyRead()

        async def one(client: httpx2.AsyncClient, source: CalendarSource) -> None:
            try:
                read.busy += await self._busy_of(client, source, start, end)
            except CalendarUnavailable as exc:
                log.info("calendar %s could not be read (%s)", source.name, exc.reason)
                read.skipped[source.name] = redact(exc.reason)
            except Exception as exc:
                # Fail closed on our own bugs too: the calendar is named as unread, never as free.
                reference = f"E-{secrets.token_hex(2)}"
                log.error("calendar %s: reading failed (reference %s)", source.name, reference, exc_info=exc)
                read.skipped[source.name] = (
                    f"agenda-mcp failed to read it ({type(exc).__name__}, reference {reference})"
                )

        async with open_client(self._transport) as client, anyio.create_task_group() as group:
            for source in self.calendars.sources:
                group.start_soon(one, client, source)
        read.busy.sort(key=lambda b: (b.start, b.end, b.source))
        return read

    async def _busy_of(
        self, client: httpx2.AsyncClient, source: CalendarSource, start: datetime, end: datetime
    ) -> list[Busy]:
        key = (source.name, start, end)
        async with self._locks[source.name]:
            kept = self._cache.get(key)
            if kept is not None and clock() < kept[0]:
                return kept[1]
            if source.kind == "ics":
                text = await fetch_ics(client, source.url, auth=source.auth)
            else:
                user, password = source.auth or ("", "")
                text = "\r\n".join(await caldav_query(client, source.url, user, password, start, end))
            found: list[Busy] = []
            if text.strip():
                # Expanding a long feed is CPU work: off the event loop, so other calls go on.
                expand = functools.partial(busy_times, text, start, end, self.settings.tz, source=source.name)
                found = await anyio.to_thread.run_sync(expand)
            if self.calendars.cache_seconds > 0:
                now = clock()
                self._cache = {k: v for k, v in self._cache.items() if v[0] > now}
                self._cache[key] = (now + self.calendars.cache_seconds, found)
            return found

    def forget(self, name: str) -> None:
        """Drop what is kept of one calendar (after agenda-mcp changed it)."""
        self._cache = {key: value for key, value in self._cache.items() if key[0] != name}

    # -- writing ------------------------------------------------------------------------------

    async def store(
        self, vendor: str, uid: str, body: bytes, *, cancel_key: str | None, until: datetime
    ) -> Stored | None:
        """Add a booking's event to the writable calendar (the person said yes to the booking, which
        named it) and remember it under its cancel write's key; None when no calendar is writable."""
        target = self.writable
        if target is None:
            return None
        user, password = target.auth or ("", "")
        try:
            with call_deadline(self.settings.http_timeout):
                async with open_client(self._transport) as client:
                    made = await caldav_put(client, target.url, uid, body, user, password)
        except CalendarUnavailable as exc:
            log.warning("calendar %s: the booking's event could not be added (%s)", target.name, exc.reason)
            return Stored(
                False,
                f"NOT added to your calendar {target.name} ({redact(exc.reason)}); the booking stands, and the "
                "attached event can be added by hand",
            )
        self.forget(target.name)
        if cancel_key is not None:
            seconds = max((until - datetime.now(UTC) + _KEPT_AFTER_END).total_seconds(), 3600.0)
            await self._remember(vendor, cancel_key, {"calendar": target.name, "uid": uid}, seconds)
        return Stored(True, f"{'added to' if made else 'already in'} your calendar {target.name}")

    async def write_done(self, vendor: pipeline.Vendor, tool: str, key: str) -> None:
        """A write of this server is done: if it is the cancellation of a booking whose event is in
        the writable calendar, remove the event (and nothing otherwise)."""
        target = self.writable
        if target is None:
            return
        record = await self._recall(vendor.name, key)
        if record is None or record.get("calendar") != target.name:
            return
        user, password = target.auth or ("", "")
        try:
            async with open_client(self._transport) as client:
                await caldav_delete(client, target.url, record["uid"], user, password)
        except CalendarUnavailable as exc:
            log.warning("%s: the booking's event stays in calendar %s (%s)", tool, target.name, exc.reason)
            await self._remember(vendor.name, key, record, 86_400.0)  # a repeat of the cancel tries again
            return
        self.forget(target.name)
        log.info("%s: the booking's event was removed from calendar %s", tool, target.name)

    async def _remember(self, vendor: str, key: str, record: dict[str, str], seconds: float) -> None:
        shared = self._shared_for(vendor)
        if shared is not None:
            try:
                await shared.put(_EVENT_KEY + key, record, seconds)
                return
            except SharedStateDown as exc:
                log.warning("the booking's event is remembered in this process only (%s)", exc)
        now = clock()
        self._events = {k: v for k, v in self._events.items() if v[0] > now}
        self._events[key] = (now + seconds, record)

    async def _recall(self, vendor: str, key: str) -> dict[str, str] | None:
        """The event remembered under `key`, taken (a second cancel finds nothing to remove)."""
        kept = self._events.pop(key, None)
        if kept is not None and kept[0] > clock():
            return kept[1]
        shared = self._shared_for(vendor)
        if shared is None:
            return None
        try:
            found = await shared.pop(_EVENT_KEY + key)
        except SharedStateDown as exc:
            log.warning("could not look up a booking's calendar event (%s)", exc)
            return None
        return found if isinstance(found, dict) else None


def conflict(busy: list[Busy], start: datetime, end: datetime, buffer: timedelta) -> Busy | None:
    """The first busy time that `[start, end)`, widened by `buffer` on both sides, overlaps."""
    return next((b for b in busy if b.overlaps(start - buffer, end + buffer)), None)


def calendar_service(settings: Settings, agenda: AgendaServer) -> CalendarService | None:
    """The person's calendars for this server, or None when none are configured.

    Booking events are remembered where the vendor's writes are (Redis for replicas), so a
    cancellation on another replica still removes the event.

    Raises:
        ConfigError: AGENDA_MCP_CALENDARS or a variable around it is wrong (one line, no secret).
    """
    calendars = calendar_settings(settings.env, sandbox=settings.sandbox)
    if calendars is None:
        return None

    def shared_for(vendor: str) -> SharedCache | None:
        runtime = agenda.vendors.get(vendor)
        return runtime.toolkit.shared.cache if runtime is not None else None

    return CalendarService(settings, calendars, shared_for)
