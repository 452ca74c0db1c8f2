"""find_slots and book_slot: one question over every vendor with availability, one call to book.

A person asks "when can she come in next week for a colour?"; with the vendor tools a model walks
4-6 calls (agendas, types, days, times, customers, booking). Here each vendor's optional
`slots.py` (server/kit/slots.py) answers the question for its own system, this module fans out to
them concurrently, ranks what comes back by closeness to the moment wanted, and hands out each
slot as a signed token that carries everything the booking needs, so `book_slot` books exactly
what was offered (a model cannot edit a token into another booking) after checking it is still
free and asking the person.

`find_slots` carries the slot picker (server/slots/picker.html, MCP Apps): hosts that render apps show
a week of slots to click; every other client reads the same slots as structured content and text.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib.util
import inspect
import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import anyio
from mcp.server.apps import Apps, ResourceCsp
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.prompts import Prompt
from mcp.server.mcpserver.tools import Tool
from mcp_types import (
    Completion,
    PromptReference,
    ResourceTemplateReference,
    ToolAnnotations,
)
from pydantic import Field, PlainSerializer

from agenda_mcp.server.guards.cache import Cached, cache_seconds
from agenda_mcp.server.guards.consent import require_consent
from agenda_mcp.server.guards.dedup import RecentWrites
from agenda_mcp.server.guards.redaction import get_logger
from agenda_mcp.server.kit.http import call_deadline
from agenda_mcp.server.kit.models import ResultModel, WriteResult
from agenda_mcp.server.kit.prompts import steps
from agenda_mcp.server.kit.slots import Customer, Found, Offer, SlotQuery, SlotTaken, fold
from agenda_mcp.server.kit.times import DateTime, Moment, TimeOfDay, wall_clock
from agenda_mcp.server.kit.toolkit import ask_first, strict_tool, tool_result
from agenda_mcp.server.startup.registry import VENDOR_NAMES, load_vendor

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

    from agenda_mcp.server.kit.contract import VendorSpec
    from agenda_mcp.server.startup.app import Agenda

log = get_logger("agenda_mcp.slots")

APP_URI = "ui://agenda-mcp/slot-picker.html"
APP_HTML = Path(__file__).with_name("picker.html")
TEMPLATE_URI = "agenda://slots/{what}"
DEFAULT_DAYS = 7
MAX_DAYS = 31
DEFAULT_LIMIT = 6
"""Enough to offer a choice; every slot costs the model ~60 tokens (more with limit, e.g. for the picker)."""
MAX_LIMIT = 50
NEAREST = 5
"""Alternatives offered when the wanted moment, or the slot being booked, is not free."""
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# -- results ----------------------------------------------------------------------------------

# A moment to the minute (`2026-12-08T09:00+01:00`, still ISO 8601 with its offset): no slot
# starts on a second, and two of these in every slot add up.
Minute = Annotated[
    Moment, PlainSerializer(lambda d: d.isoformat(timespec="minutes"), return_type=str, when_used="json")
]


class Slot(ResultModel):
    start: Minute
    end: Minute
    weekday: str
    vendor: str
    what: str
    where: str | None = None
    who: str | None = None
    price: float | None = Field(None, description="EUR, as the vendor states it")
    seats_left: int | None = None
    slot: str = Field(description="pass to book_slot as it is")


class Preferred(ResultModel):
    moment: Minute
    free: bool
    why: str | None = None


class SlotsFound(ResultModel):
    slots: list[Slot]
    total: int = Field(description="free slots found before the limit")
    preferred: Preferred | None = None
    timezones: dict[str, str] = Field(description="vendor -> IANA zone of its wall clock")
    notes: list[str] | None = None
    skipped: dict[str, str] | None = Field(None, description="vendor -> why it could not be asked")
    note: str | None = None


class CancelWith(ResultModel):
    tool: str
    arguments: dict[str, Any]


class SlotBooking(WriteResult):
    booked: bool
    vendor: str
    what: str
    start: Minute
    end: Minute
    where: str | None = None
    who: str | None = None
    customer: str
    ids: dict[str, int | str] | None = None
    booking: dict[str, Any] | None = None
    cancel_with: CancelWith | None = None
    alternatives: list[Slot] | None = None
    note: str | None = None


# -- the slot token ---------------------------------------------------------------------------


class SlotSigner:
    """`locaboo:202612101800+0100:120:m120:p:MAC`: the vendor, the start on its wall clock with
    the offset, the length in minutes, the vendor's ids (one letter, a whole number or nothing
    each), and an HMAC that makes any change to them (another time, resource or course) fail
    book_slot. Short, because a model reads every token of every slot it is shown."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    @classmethod
    def for_agenda(cls, agenda: Agenda) -> SlotSigner:
        # Replicas serving the same accounts derive the same key from the same credentials, so a
        # token from one is booked by another; the sandbox's credentials are public, so it gets a
        # random key per process.
        if agenda.settings.sandbox:
            return cls(secrets.token_bytes(32))
        env = agenda.settings.env
        material = sorted(f"{k}={env.get(k, '')}" for spec in agenda.specs.values() for k in spec.credential_env)
        return cls(hashlib.sha256("\n".join(["agenda-mcp slot token v1", *material]).encode()).digest())

    def sign(self, payload: dict[str, Any]) -> str:
        body = encode(payload)
        return f"{body}:{self._mac(body)}"

    def open(self, token: str) -> dict[str, Any]:
        body, _, mac = token.strip().rpartition(":")
        if not body or not hmac.compare_digest(mac, self._mac(body)):
            raise ToolError(
                "book_slot: that slot token is not one find_slots gave (or it was changed, or the server "
                "restarted); call find_slots again and pass a slot's token exactly as it is."
            )
        try:
            return decode(body)
        except ValueError:  # signed by us, so only a token of an older format gets here
            raise ToolError("book_slot: that slot token is out of date; call find_slots again.") from None

    def _mac(self, body: str) -> str:
        # 72 bits: far beyond guessing through a tool call, and 12 characters instead of 44.
        digest = hmac.new(self._key, body.encode(), hashlib.sha256).digest()[:9]
        return base64.urlsafe_b64encode(digest).decode()


_WALL = "%Y%m%d%H%M%z"


def encode(payload: dict[str, Any]) -> str:
    """`vendor:start:minutes:ref...`; a ref value is a whole number or None (empty)."""
    ref = [f"{k}{'' if v is None else int(v)}" for k, v in payload["r"].items()]
    return ":".join([payload["v"], payload["s"].strftime(_WALL), str(payload["m"]), *ref])


def decode(body: str) -> dict[str, Any]:
    vendor, start, minutes, *ref = body.split(":")
    refs = {part[0]: int(part[1:]) if part[1:] else None for part in ref}
    return {"v": vendor, "s": datetime.strptime(start, _WALL), "m": int(minutes), "r": refs}


def same_ref(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two vendor refs name the same thing (ids compare as the token spells them)."""
    return {k: None if v is None else int(v) for k, v in a.items()} == b


# -- the service ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotVendor:
    name: str
    title: str
    spec: VendorSpec


def slot_vendors(specs: list[VendorSpec]) -> list[SlotVendor]:
    """Enabled vendors with a slots module, found without importing it (start-up stays cheap)."""
    found = []
    for spec in specs:
        if importlib.util.find_spec(f"{spec.package}.slots") is not None:
            found.append(SlotVendor(spec.name, spec.title, spec))
    return found


class SlotService:
    def __init__(self, agenda: Agenda, vendors: list[SlotVendor]) -> None:
        self.agenda = agenda
        self.vendors = {v.name: v for v in vendors}
        self.signer = SlotSigner.for_agenda(agenda)
        self.settings = agenda.settings
        self.recent = RecentWrites(self.settings.dedup_seconds)
        seconds = cache_seconds(self.settings.env)
        self._reference = {v.name: Cached(self._reference_of(v.name), seconds) for v in vendors}

    async def _module(self, name: str) -> tuple[Any, Any]:
        runtime = await self.agenda.runtime(name)
        return runtime.spec.slots(), runtime.toolkit

    # -- find -----------------------------------------------------------------------------------

    async def find(
        self, query: SlotQuery, names: list[str]
    ) -> tuple[list[tuple[str, Offer]], dict[str, Found], dict[str, str]]:
        """Every vendor asked at once; one that fails is reported, not fatal."""
        offers: list[tuple[str, Offer]] = []
        found: dict[str, Found] = {}
        skipped: dict[str, str] = {}

        async def ask(name: str) -> None:
            try:
                module, kit = await self._module(name)
                await kit.bucket.take(kit.spec.title)
                result: Found = await module.find(kit, query)
            except ToolError as exc:
                log.info("slots: %s could not be asked (%s)", self.vendors[name].title, exc)
                skipped[self.vendors[name].title] = str(exc)
                return
            found[name] = result
            offers.extend((name, offer) for offer in result.offers)

        with call_deadline(self.settings.http_timeout):
            async with anyio.create_task_group() as tg:
                for name in names:
                    tg.start_soon(ask, name)
        return offers, found, skipped

    def slot(self, name: str, offer: Offer) -> Slot:
        # What book_slot needs and no more: the vendor's ids, the moment and its length; what,
        # where and who come back with the re-check right before booking.
        minutes = int((offer.end - offer.start).total_seconds() // 60)
        payload = {"v": name, "s": offer.start, "m": minutes}
        return Slot(
            start=offer.start,
            end=offer.end,
            weekday=WEEKDAYS[offer.start.weekday()],
            vendor=self.vendors[name].title,
            what=offer.what,
            where=offer.where,
            who=offer.who,
            price=offer.price,
            seats_left=offer.seats_left,
            slot=self.signer.sign(payload | {"r": offer.ref}),
        )

    async def find_slots(
        self,
        what: str | None,
        date_from: date | None,
        date_to: date | None,
        vendor: str | None,
        duration: int | None,
        earliest: time | None,
        latest: time | None,
        preferred: datetime | None,
        limit: int,
    ) -> SlotsFound:
        today = datetime.now(self.settings.tz).date()
        if preferred is not None and preferred.date() < today:
            raise ToolError(
                f"preferred {preferred:%Y-%m-%d %H:%M} is in the past; nothing can be booked then. "
                "Give a moment from today on, or leave preferred out."
            )
        first = date_from or (preferred.date() if preferred and preferred.date() > today else today)
        last = date_to or first + timedelta(days=DEFAULT_DAYS - 1)
        if last < first:
            raise ToolError(f"date_to {last} is before date_from {first}; give date_to on or after it.")
        if (last - first).days >= MAX_DAYS:
            raise ToolError(f"find_slots looks at most {MAX_DAYS} days at once; shorten date_from..date_to.")
        if earliest and latest and latest <= earliest:
            raise ToolError(f"latest {latest:%H:%M} is not after earliest {earliest:%H:%M}; widen the time of day.")
        names = [vendor] if vendor else list(self.vendors)
        query = SlotQuery(what, first, last, earliest, latest, duration, preferred, limit=MAX_LIMIT)
        offers, found, skipped = await self.find(query, names)
        ranked = _ranked(offers, preferred)
        shown = ranked[:limit] if preferred else sorted(_spread(ranked)[:limit], key=lambda p: (p[1].start, p[0]))
        slots = [self.slot(name, offer) for name, offer in shown]
        notes = [f"{self.vendors[name].title}: {n}" for name, f in found.items() for n in f.notes]
        result = SlotsFound(
            slots=slots,
            total=len(ranked),
            timezones={
                self.vendors[n].title: f.zone for n, f in found.items() if f.zone and any(n == m for m, _ in shown)
            },
            notes=notes if notes and (not slots or preferred) else None,
            skipped=skipped or None,
        )
        if preferred is not None:
            result.preferred = _preferred(preferred, ranked, query, notes)
        if len(ranked) > limit:
            result.note = (
                f"{limit} of {len(ranked)} shown ({'nearest first' if preferred else 'spread over the days'}); "
                "more with limit, fewer with what, vendor, dates, earliest/latest or preferred."
            )
        elif not ranked and len(skipped) == len(names):
            result.note = "No vendor could be asked (see skipped); nothing is known about free times. Try again later."
        elif not ranked:
            searched = ", ".join(self.vendors[n].title for n in names if self.vendors[n].title not in skipped)
            result.note = (
                f"Nothing free in {searched} from {first} to {last}"
                + (f" matching {what!r}" if what else "")
                + ". Try other words for what (a type, room or course name), a longer period, or no time-of-day bounds."
            )
        return result

    # -- book -----------------------------------------------------------------------------------

    def _opened(self, token: str) -> tuple[dict[str, Any], datetime, datetime]:
        payload = self.signer.open(token)
        if payload.get("v") not in self.vendors:
            raise ToolError(f"book_slot: {payload.get('v')} is not enabled in this server; call find_slots again.")
        start = payload["s"]
        return payload, start, start + timedelta(minutes=int(payload["m"]))

    async def recheck(self, payload: dict[str, Any], start: datetime, end: datetime) -> Offer | None:
        """The slot as its vendor offers it now, or None when it is not free any more: asked exactly
        as it was offered (its thing, day, times and length), so the answer is a handful of rows."""
        minutes = int((end - start).total_seconds() // 60)
        query = SlotQuery(None, start.date(), start.date(), start.time(), end.time(), minutes, ref=payload["r"])
        offers, _found, skipped = await self.find(query, [payload["v"]])
        if skipped:
            title = self.vendors[payload["v"]].title
            raise ToolError(f"book_slot: could not check the slot with {title}: {next(iter(skipped.values()))}")
        return next((o for _, o in offers if o.start == start and same_ref(o.ref, payload["r"])), None)

    async def book_slot(self, token: str, customer: Customer) -> SlotBooking:
        payload, start, end = self._opened(token)
        name = payload["v"]
        base = SlotBooking(
            booked=False,
            vendor=self.vendors[name].title,
            what="that slot",
            start=start,
            end=end,
            customer=f"{customer.name} <{customer.email}>",
            sandbox=self.settings.sandbox,
        )
        if start <= datetime.now(UTC):
            raise ToolError("book_slot: that slot has begun or passed; call find_slots for a later one.")
        # Right before writing: is it still offered? (Cheaper to ask than to be refused, and the
        # refusal of some vendors would not say why.)
        offer = await self.recheck(payload, start, end)
        if offer is None:
            return await self._taken(base, payload, "it was taken meanwhile (no longer offered)")
        base = base.model_copy(update={"what": offer.what, "where": offer.where, "who": offer.who})
        module, kit = await self._module(name)
        try:
            await kit.bucket.take(kit.spec.title)
            with call_deadline(self.settings.http_timeout):
                booked = await module.book(kit, offer, customer)
        except SlotTaken as exc:
            return await self._taken(base, payload, exc.why)
        return base.model_copy(
            update={
                "booked": True,
                "ids": booked.ids,
                "booking": booked.booking,
                "cancel_with": CancelWith(tool=booked.cancel_tool, arguments=booked.cancel_arguments),
                "note": booked.note,
            }
        )

    async def _taken(self, base: SlotBooking, payload: dict[str, Any], why: str) -> SlotBooking:
        """The nearest free times of the same kind (type, room, course template) within 3 days."""
        start = base.start
        near = SlotQuery(
            None,
            max(start.date() - timedelta(days=3), date.today()),
            start.date() + timedelta(days=3),
            duration=int((base.end - start).total_seconds() // 60),
            preferred=start,
            ref=payload["r"],
            exact=False,
        )
        offers, _found, _skipped = await self.find(near, [payload["v"]])
        alternatives = [self.slot(name, o) for name, o in _ranked(offers, start)[:NEAREST]]
        advice = (
            "Offer the person one of the alternatives and book its slot."
            if alternatives
            else "Nothing else is free within 3 days; call find_slots with a longer period."
        )
        what = base.what if base.what != "that slot" or not alternatives else alternatives[0].what
        note = f"Not booked: {why}. {advice}"
        return base.model_copy(update={"what": what, "alternatives": alternatives or None, "note": note})

    async def describe(self, slot: str, name: str, email: str, phone: str | None = None) -> str | None:
        """The consent question: what, when, where, for whom (no question for a slot that is gone:
        nothing will be booked, and the answer offers alternatives)."""
        payload, start, end = self._opened(slot)
        offer = await self.recheck(payload, start, end)
        if offer is None:
            return None
        where = ", ".join(x for x in (offer.where, offer.who) if x)
        vendor = self.vendors[payload["v"]].title
        sandbox = " (sandbox: nothing real is booked)" if self.settings.sandbox else ""
        return (
            f"Book {offer.what}{f' ({where})' if where else ''} on {WEEKDAYS[start.weekday()]} "
            f"{start:%Y-%m-%d %H:%M}-{end:%H:%M} with {vendor} for {name} <{email}>"
            f"{f', {phone}' if phone else ''}?{sandbox}"
        )

    # -- completions ----------------------------------------------------------------------------

    def _reference_of(self, name: str) -> Callable[[], Awaitable[dict[str, list[str]]]]:
        async def fetch() -> dict[str, list[str]]:
            module, kit = await self._module(name)
            await kit.bucket.take(kit.spec.title)
            found: dict[str, list[str]] = await module.reference(kit)
            return found

        return fetch

    async def names(self, vendor: str, kinds: set[str] | None = None) -> list[str]:
        try:
            reference = await self._reference[vendor]()
        except ToolError:
            return []
        return [n for kind, names in reference.items() if kinds is None or kind in kinds for n in names]

    async def complete(self, ref: Any, argument: str, partial: str) -> Completion | None:
        candidates: list[str] = []
        if isinstance(ref, PromptReference):
            for vendor in self.vendors.values():
                module = vendor.spec.slots()
                kind = getattr(module, "COMPLETES", {}).get((ref.name, argument))
                if kind is not None:
                    candidates += await self.names(vendor.name, {kind})
            if ref.name == PROMPT and argument == "what":
                candidates += [n for v in self.vendors for n in await self.names(v)]
        elif isinstance(ref, ResourceTemplateReference) and ref.uri == TEMPLATE_URI and argument == "what":
            candidates += [n for v in self.vendors for n in await self.names(v)]
        else:
            return None
        wanted = fold(partial)
        unique = list(dict.fromkeys(c for c in candidates if c))
        hits = [c for c in unique if fold(c).startswith(wanted)] + [
            c for c in unique if wanted in fold(c) and not fold(c).startswith(wanted)
        ]
        return Completion(values=hits[:100], total=len(hits), has_more=len(hits) > 100)


def _spread(ordered: list[tuple[str, Offer]]) -> list[tuple[str, Offer]]:
    """Without a wanted moment, the first free slot of every day and vendor comes before the second
    of any: a capped answer shows the whole week, not one busy morning."""
    buckets: dict[tuple[date, str], list[tuple[str, Offer]]] = {}
    for pair in ordered:
        buckets.setdefault((pair[1].start.date(), pair[0]), []).append(pair)
    queues = [buckets[key] for key in sorted(buckets)]
    spread: list[tuple[str, Offer]] = []
    for depth in range(max((len(q) for q in queues), default=0)):
        spread += [q[depth] for q in queues if depth < len(q)]
    return spread


def _ranked(offers: list[tuple[str, Offer]], preferred: datetime | None) -> list[tuple[str, Offer]]:
    unique = {(name, o.start, json.dumps(o.ref, sort_keys=True)): (name, o) for name, o in offers}
    ordered = sorted(unique.values(), key=lambda pair: (pair[1].start, pair[0], pair[1].what))
    if preferred is None:
        return ordered
    return sorted(ordered, key=lambda pair: abs((pair[1].start - preferred).total_seconds()))


def _preferred(wanted: datetime, ranked: list[tuple[str, Offer]], query: SlotQuery, notes: list[str]) -> Preferred:
    if any(o.start == wanted for _, o in ranked):
        return Preferred(moment=wanted, free=True)
    local = wanted.astimezone(ranked[0][1].start.tzinfo) if ranked else wanted
    same_day = [o for _, o in ranked if o.start.date() == local.date()]
    if (query.earliest and local.time() < query.earliest) or (query.latest and local.time() >= query.latest):
        why = "it lies outside earliest/latest"
    elif not query.date_from <= local.date() <= query.date_to:
        why = "it lies outside date_from..date_to"
    elif any(o.start < wanted < o.end for o in same_day):
        why = "free slots that day start at other times; the nearest are listed first"
    elif same_day:
        why = "it is taken or not a start time the vendor offers; other times that day are free"
    else:
        why = "nothing is free that day (closed, a holiday, fully booked, or outside the booking window)"
        if notes:  # what the vendor said about it (a booking window)
            why += "; " + "; ".join(notes[:3])
    return Preferred(moment=wanted, free=False, why=why)


# -- registration -----------------------------------------------------------------------------

PROMPT = "find_and_book"
FIND_DESCRIPTION = (
    "agenda-mcp: free times across {titles} in one call{without}: "
    "appointments, rooms, course seats matching `what`, nearest to `preferred` first. Book one with "
    "book_slot and its `slot`."
)


def without_availability() -> str:
    """` (ServicePlanner has no availability)`: the known vendors that offer no slots module, named
    so a model does not look for them here (their package's __init__ is all that is imported)."""
    names = [
        spec.title
        for spec in map(load_vendor, VENDOR_NAMES)
        if importlib.util.find_spec(f"{spec.package}.slots") is None
    ]
    if not names:
        return ""
    return f" ({' and '.join(names)} {'has' if len(names) == 1 else 'have'} no availability)"


BOOK_DESCRIPTION = (
    "agenda-mcp: book a slot from find_slots for a customer (found or created by e-mail); checks it is "
    "still free and asks the person first. Returns the vendor's ids and the tool that cancels it."
)


def register(service: SlotService, server: MCPServer) -> None:
    """Completions, the prompt and the resource template (the tools are built by `tools()`)."""

    @server.completion()
    async def complete(ref: Any, argument: Any, context: Any) -> Completion | None:
        return await service.complete(ref, argument.name, argument.value)

    async def slots_of(what: str) -> str:
        found = await service.find_slots(what, None, None, None, None, None, None, None, DEFAULT_LIMIT)
        return found.model_dump_json(by_alias=True)

    server.resource(
        TEMPLATE_URI,
        name="agenda-slots",
        description="agenda-mcp: free slots for `what` in the next 7 days, across vendors (JSON)",
        mime_type="application/json",
    )(slots_of)

    def find_and_book(
        what: Annotated[str, Field(description="what is wanted: a treatment, a room, a course")],
        when: Annotated[str | None, Field(description="preferred day or time, e.g. 'Thursday evening'")] = None,
        customer: Annotated[str | None, Field(description="who it is for: name and e-mail")] = None,
    ) -> str:
        """Find a free time for something and book it after the person picks and confirms."""
        return steps(
            f"Call find_slots with what={what!r}"
            + (f" and preferred/earliest/latest/date_from for {when!r}" if when else "")
            + ".",
            "Show the person the nearest slots (weekday, time, where, price); let them pick one.",
            "Ask for the customer's name and e-mail" + (f" (given: {customer})" if customer else "") + ".",
            "Call book_slot with the chosen slot token exactly as returned; report the ids and how to cancel.",
        )

    if not service.settings.read_only:  # it books: like every prompt that books, gone in read-only mode
        server.add_prompt(Prompt.from_function(find_and_book, name=PROMPT, title="Find a time and book it"))


def tools(service: SlotService, *, read_only: bool) -> list[Tool]:
    vendor_names = tuple(service.vendors)
    titles = ", ".join(v.title for v in service.vendors.values())
    VendorName = Literal[vendor_names]  # type: ignore[valid-type]
    tz = service.settings.tz

    async def find_slots(
        what: Annotated[
            str | None, Field(max_length=100, description="type, room or course words, e.g. 'knippen', 'saal', 'BHV'")
        ] = None,
        date_from: Annotated[date | None, Field(description="first day; default today")] = None,
        date_to: Annotated[date | None, Field(description=f"last day; default {DEFAULT_DAYS} days on")] = None,
        vendor: Annotated[VendorName | None, Field(description="only this vendor")] = None,  # type: ignore[valid-type]
        duration: Annotated[int | None, Field(ge=15, le=1440, description="minutes, for rooms; default 60")] = None,
        earliest: Annotated[TimeOfDay | None, Field(description="earliest start, HH:MM local")] = None,
        latest: Annotated[TimeOfDay | None, Field(description="latest end, HH:MM local")] = None,
        preferred: Annotated[DateTime | None, Field(description="moment wanted; nearest first")] = None,
        limit: Annotated[int, Field(ge=1, le=MAX_LIMIT, description="slots to show")] = DEFAULT_LIMIT,
    ) -> SlotsFound:
        wanted = None
        if preferred is not None:
            wanted = wall_clock(None, preferred, tz, name="preferred").replace(tzinfo=tz)
        return await service.find_slots(
            what,
            date_from,
            date_to,
            vendor,
            duration,
            _time_of_day(earliest, "earliest"),
            _time_of_day(latest, "latest"),
            wanted,
            limit,
        )

    registered = [
        _tool(
            find_slots,
            "find_slots",
            FIND_DESCRIPTION.format(titles=titles, without=without_availability()),
            ToolAnnotations(
                title="Find free slots",
                read_only_hint=True,
                destructive_hint=False,
                idempotent_hint=True,
                open_world_hint=True,
            ),
            service,
            meta={"ui": {"resourceUri": APP_URI}},
            local_types={"VendorName": VendorName},
        )
    ]
    if read_only:
        return registered

    async def book_slot(
        slot: Annotated[str, Field(min_length=10, max_length=4000, description="a slot token from find_slots")],
        name: Annotated[str, Field(min_length=2, max_length=120, description="customer's full name")],
        email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", description="customer's e-mail")],
        phone: Annotated[str | None, Field(max_length=40, description="customer's phone")] = None,
    ) -> SlotBooking:
        customer = Customer(name.strip(), email.strip(), phone.strip() if phone else None)
        payload, _start, _end = service._opened(slot)
        # The same slot for the same person twice is one booking, however the token or the
        # spelling of the name and address differ.
        key = RecentWrites.key(
            "book_slot",
            {
                "slot": [payload["v"], payload["s"].isoformat(), payload["r"]],
                "email": fold(customer.email),
                "name": fold(customer.name),
            },
        )

        async def write() -> SlotBooking:
            booked = await service.book_slot(slot, customer)
            if not booked.booked:
                raise _NotBooked(booked)  # not remembered: the same call may go through later
            return booked

        try:
            result, repeated = await service.recent.run(key, write, tool="book_slot")
        except _NotBooked as taken:
            return taken.result
        return result.model_copy(update={"repeated": True}) if repeated else result

    registered.append(
        _tool(
            book_slot,
            "book_slot",
            BOOK_DESCRIPTION,
            ToolAnnotations(
                title="Book a slot",
                read_only_hint=False,
                destructive_hint=False,
                idempotent_hint=False,
                open_world_hint=True,
            ),
            service,
            confirm=service.describe,
        )
    )
    return registered


class _NotBooked(Exception):
    def __init__(self, result: SlotBooking) -> None:
        super().__init__("not booked")
        self.result = result


def _time_of_day(value: Any, name: str) -> time | None:
    """HH:MM as a wall-clock bound, the same on each vendor's own clock."""
    if value is None:
        return None
    if value.offset is not None or value.day is not None:
        raise ToolError(f"{name}: give a time of day as HH:MM without a date or offset; it holds on every day.")
    return value.time


def _tool(
    fn: Callable[..., Awaitable[Any]],
    name: str,
    description: str,
    annotations: ToolAnnotations,
    service: SlotService,
    *,
    meta: dict[str, Any] | None = None,
    confirm: Callable[..., Awaitable[str | None]] | None = None,
    local_types: dict[str, Any] | None = None,
) -> Tool:
    """A StrictTool as the toolkit builds a vendor's (strict arguments, lean schemas, capped
    results), for a tool that belongs to no single vendor."""
    signature = inspect.signature(fn, eval_str=True, locals=local_types)
    limit = service.settings.max_result_kb * 1024

    async def tool(**kwargs: Any) -> Any:
        if confirm is not None:
            require_consent(name, kwargs.pop("consent", None))
        return tool_result(await fn(**kwargs), limit)  # exactly as every vendor tool's result

    tool.__name__ = name
    tool.__signature__ = signature  # type: ignore[attr-defined]
    tool.__annotations__ = {p.name: p.annotation for p in signature.parameters.values()}
    tool.__annotations__["return"] = signature.return_annotation
    if confirm is not None:
        ask_first(tool, name, signature, confirm, service.settings.confirm)
    return strict_tool(tool, name=name, description=description, annotations=annotations, meta=meta)


def app_html() -> str:
    """The picker with its Content-Security-Policy filled in: its one script and one style are
    allowed by hash, nothing else runs or loads (no 'unsafe-inline', no network)."""
    html = APP_HTML.read_text(encoding="utf-8")

    def digest(tag: str) -> str:
        body = html.split(f"<{tag}>", 1)[1].split(f"</{tag}>", 1)[0]
        return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"

    return html.replace("{{SCRIPT_HASH}}", digest("script")).replace("{{STYLE_HASH}}", digest("style"))


def app_extension() -> Apps:
    """The slot picker: one self-contained HTML file, nothing fetched from anywhere (empty CSP
    domain lists: the host's strictest policy)."""
    apps = Apps()
    apps.add_html_resource(
        APP_URI,
        app_html(),
        name="slot-picker",
        title="Pick a slot",
        description="agenda-mcp: a week of free slots from find_slots; click one and book it",
        csp=ResourceCsp(connect_domains=[], resource_domains=[]),
        prefers_border=True,
    )
    return apps
