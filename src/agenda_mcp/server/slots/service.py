"""find_slots and book_slot: one question over every vendor with availability, one call to book.

A person asks "when can she come in next week for a colour?"; with the vendor tools a model walks
4-6 calls (agendas, types, days, times, customers, booking). Here each vendor's optional
`slots.py` (server/kit/slots.py) answers the question for its own system, this service fans out to
them concurrently, ranks what comes back by closeness to the moment wanted, and hands out each
slot as a signed token (server/slots/signer.py) that carries everything the booking needs, so
`book_slot` books exactly what was offered (a model cannot edit a token into another booking).

Booking goes through the one write pipeline (server/guards/pipeline.py) of the vendor the token
names: the person's yes first, then the audit line, the shared duplicate guard and the deadline;
inside it, the customer's own booking of that slot is looked up before anything is written, the
slot is checked once more, and only then booked.

With the person's own calendars configured (server/calendars/), `find_slots` reads them while it
asks the vendors, leaves out every slot that overlaps one of their busy times (with an optional
buffer), and says which calendars could not be read and that the slots were not checked against
them. Every booking comes back as an iCalendar event, and is added to the writable calendar after
the person's yes (the question says so).
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import anyio
import pydantic
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import Completion, PromptReference, ResourceTemplateReference

from agenda_mcp.server.calendars.busy import Busy
from agenda_mcp.server.calendars.events import booking_event, booking_uid
from agenda_mcp.server.calendars.service import BusyRead, CalendarService, conflict
from agenda_mcp.server.guards import pipeline
from agenda_mcp.server.guards.cache import Cached, cache_seconds
from agenda_mcp.server.guards.consent import quoted
from agenda_mcp.server.guards.dedup import RecentWrites
from agenda_mcp.server.guards.redaction import get_logger
from agenda_mcp.server.kit.http import call_deadline
from agenda_mcp.server.kit.slots import Booked, Customer, Found, Offer, SlotQuery, SlotTaken, fold
from agenda_mcp.server.kit.wording import Question, When, sentences
from agenda_mcp.server.slots.results import (
    BusyTime,
    CancelWith,
    Preferred,
    Slot,
    SlotBooking,
    SlotsFound,
    SlotsWithBusy,
)
from agenda_mcp.server.slots.signer import SlotSigner, Token, same_ref
from agenda_mcp.server.team.keys import derived_key

if TYPE_CHECKING:
    from agenda_mcp.server.kit.contract import SlotsModule, VendorSpec
    from agenda_mcp.server.kit.toolkit import Toolkit
    from agenda_mcp.server.startup.app import AgendaServer

log = get_logger("agenda_mcp.slots")

TEMPLATE_URI = "agenda://slots/{what}"
PROMPT = "find_and_book"
DEFAULT_DAYS = 7
MAX_DAYS = 31
LAST_DAY = date(9999, 12, 1)
"""No vendor takes dates at the end of the calendar, and date arithmetic past it overflows."""
DEFAULT_LIMIT = 6
"""Enough to offer a choice; every slot costs the model ~60 tokens (more with limit, e.g. for the picker)."""
MAX_LIMIT = 50
NEAREST = 5
"""Alternatives offered when the wanted moment, or the slot being booked, is not free."""
MAX_BUSY = 50
"""Busy times listed at most (each costs the model ~30 tokens); slots are checked against all of them."""
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


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
    def __init__(
        self, agenda: AgendaServer, vendors: list[SlotVendor], calendars: CalendarService | None = None
    ) -> None:
        self.agenda = agenda
        self.calendars = calendars
        """The person's own calendars (AGENDA_MCP_CALENDARS, or the sandbox's); None: none configured."""
        self.vendors = {v.name: v for v in vendors}
        self.settings = agenda.settings
        self.signer = SlotSigner(derived_key(agenda.settings, agenda.specs.values(), "slot token"))
        seconds = cache_seconds(self.settings.env)
        self._reference = {v.name: Cached(self._reference_of(v.name), seconds) for v in vendors}

    async def _module(self, name: str) -> tuple[SlotsModule, Toolkit]:
        runtime = await self.agenda.runtime(name)
        module = runtime.spec.slots()
        assert module is not None, name  # only vendors with a slots module are in self.vendors
        return module, runtime.toolkit

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
                result = await module.find(kit, query)
            except ToolError as exc:
                log.info("slots: %s could not be asked (%s)", self.vendors[name].title, exc)
                skipped[self.vendors[name].title] = str(exc)
                return
            found[name] = result
            offers.extend((name, offer) for offer in result.offers)

        with call_deadline(self.settings.http_timeout):
            try:
                async with anyio.create_task_group() as tg:
                    for name in names:
                        tg.start_soon(ask, name)
            except BaseExceptionGroup as group:
                # One vendor's unexpected failure is that failure, not a group of one the caller
                # cannot recognise (StrictTool words an OverflowError, say, for the model).
                if len(group.exceptions) == 1:
                    raise group.exceptions[0] from None
                raise
        return offers, found, skipped

    def slot(self, name: str, offer: Offer) -> Slot:
        # What book_slot needs and no more: the vendor's ids, the moment and its length; what,
        # where and who come back with the re-check right before booking.
        minutes = int((offer.end - offer.start).total_seconds() // 60)
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
            slot=self.signer.sign(name, offer.start, minutes, offer.ref),
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
        respect_my_calendar: bool = True,
        buffer: int = 0,
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
        if last > LAST_DAY:
            raise ToolError(f"date_to {last} is too far in the future to look at; give a nearer date.")
        if earliest and latest and latest <= earliest:
            raise ToolError(f"latest {latest:%H:%M} is not after earliest {earliest:%H:%M}; widen the time of day.")
        names = [vendor] if vendor else list(self.vendors)
        query = SlotQuery(what, first, last, earliest, latest, duration, preferred, limit=MAX_LIMIT)
        mine: BusyRead | None = None
        if self.calendars is not None and respect_my_calendar:
            (offers, found, skipped), mine = await self._find_and_read(query, names, first, last, buffer)
        else:
            offers, found, skipped = await self.find(query, names)
        pad = timedelta(minutes=buffer)
        dropped: list[tuple[Offer, Busy]] = []
        if mine is not None:
            clashes = [(pair, conflict(mine.busy, pair[1].start, pair[1].end, pad)) for pair in offers]
            offers = [pair for pair, clash in clashes if clash is None]
            dropped = [(pair[1], clash) for pair, clash in clashes if clash is not None]
        ranked = _ranked(offers, preferred)
        shown = ranked[:limit] if preferred else sorted(_spread(ranked)[:limit], key=lambda p: (p[1].start, p[0]))
        slots = [self.slot(name, offer) for name, offer in shown]
        notes = [f"{self.vendors[name].title}: {n}" for name, f in found.items() for n in f.notes]
        unread = {f"calendar {name}": why for name, why in (mine.skipped if mine else {}).items()}
        result = (SlotsWithBusy if self.calendars is not None else SlotsFound)(
            slots=slots,
            total=len(ranked),
            timezones={
                self.vendors[n].title: f.zone for n, f in found.items() if f.zone and any(n == m for m, _ in shown)
            },
            notes=notes if notes and (not slots or preferred) else None,
            skipped={**skipped, **unread} or None,
        )
        if isinstance(result, SlotsWithBusy) and mine is not None:
            offered = {o.start.astimezone(self.settings.tz).date() for _, o in ranked} | {
                o.start.astimezone(self.settings.tz).date() for o, _ in dropped
            }
            listed, more = self._busy_shown(mine.busy, sorted(offered))
            result.busy = listed or None
            if more:
                notes.append(f"busy lists the first {MAX_BUSY} of your {MAX_BUSY + more} busy times; all were checked")
                result.notes = notes
        if preferred is not None:
            result.preferred = _preferred(preferred, ranked, query, notes)
            clash = _busy_at(preferred, dropped, mine, pad)
            if clash is not None and not result.preferred.free:
                why = self._clash(clash, preferred, buffer)
                result.preferred = Preferred(moment=preferred, free=False, why=why)
        if len(ranked) > limit:
            result.note = (
                f"{limit} of {len(ranked)} shown ({'nearest first' if preferred else 'spread over the days'}); "
                "more with limit, fewer with what, vendor, dates, earliest/latest or preferred."
            )
        elif not ranked and len(skipped) == len(names):
            result.note = "No vendor could be asked (see skipped); nothing is known about free times. Try again later."
        elif not ranked and dropped:
            result.note = (
                f"Every free time found from {first} to {last} clashes with your own calendar (see busy); "
                "try other days, or other times of day."
            )
        elif not ranked:
            searched = ", ".join(self.vendors[n].title for n in names if self.vendors[n].title not in skipped)
            result.note = (
                f"Nothing free in {searched} from {first} to {last}"
                + (f" matching {what!r}" if what else "")
                + ". Try other words for what (a type, room or course name), a longer period, or no time-of-day bounds."
            )
        if mine is not None and mine.skipped:
            # Fail closed and say so: an unread calendar's times are unknown, never free.
            unread_names = ", ".join(sorted(mine.skipped))
            warning = (
                f"NOT checked against your calendar {unread_names} (could not be read, see skipped): "
                "you may be busy at some of these times; ask the person before booking."
            )
            result.note = f"{result.note} {warning}" if result.note else warning
        return result

    async def _find_and_read(
        self, query: SlotQuery, names: list[str], first: date, last: date, buffer: int
    ) -> tuple[tuple[list[tuple[str, Offer]], dict[str, Found], dict[str, str]], BusyRead]:
        """The vendors and the person's calendars asked at once, under the one call deadline."""
        assert self.calendars is not None
        calendars = self.calendars
        tz = self.settings.tz
        # A day more on each side than the days searched: vendors keep their own zones, and a
        # slot at 23:30 in Berlin is on the next day in New York; and the buffer reaches out further.
        margin = timedelta(days=1, minutes=buffer)
        start = datetime.combine(first, time(0), tzinfo=tz) - margin
        end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz) + margin
        answers: dict[str, Any] = {}

        async def vendors() -> None:
            answers["found"] = await self.find(query, names)

        async def mine() -> None:
            answers["mine"] = await calendars.busy(start, end)

        with call_deadline(self.settings.http_timeout):
            try:
                async with anyio.create_task_group() as tg:
                    tg.start_soon(vendors)
                    tg.start_soon(mine)
            except BaseExceptionGroup as group:
                if len(group.exceptions) == 1:
                    raise group.exceptions[0] from None
                raise
        return answers["found"], answers["mine"]

    def _busy_shown(self, busy: list[Busy], days: list[date]) -> tuple[list[BusyTime], int]:
        """The person's busy times on the days searched that have free slots (before their own busy
        times were taken out), in their zone, for the slot picker to grey out: a day without slots
        needs none, and every busy time costs the model tokens. Also how many more there were."""
        tz = self.settings.tz
        spans = [
            (datetime.combine(day, time(0), tzinfo=tz), datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz))
            for day in days
        ]
        shown = [
            b
            for b in busy
            if any(b.overlaps(*span) or (b.start == b.end and span[0] <= b.start < span[1]) for span in spans)
        ]
        listed = [
            BusyTime(
                start=b.start.astimezone(tz).replace(microsecond=0),
                end=b.end.astimezone(tz).replace(microsecond=0),
                what=_cut(b.summary),
                calendar=b.source,
            )
            for b in shown[:MAX_BUSY]
        ]
        return listed, max(0, len(shown) - MAX_BUSY)

    def _clash(self, busy: Busy, wanted: datetime, buffer: int) -> str:
        """Why the wanted moment is not offered: `you have “Tandarts” 10:00–10:30 (calendar work)`."""
        tz = self.settings.tz
        start, end = busy.start.astimezone(tz), busy.end.astimezone(tz)
        day = wanted.astimezone(tz).date()
        if start.time() == end.time() == time(0) and end > start:
            days = (end.date() - start.date()).days
            span = "all day" if days == 1 else f"from {start:%Y-%m-%d} to {end - timedelta(days=1):%Y-%m-%d}"
        elif start.date() == end.date() == day:
            span = f"{start:%H:%M}–{end:%H:%M}"
        else:
            span = f"{start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}"
        what = f"you have {quoted(busy.summary, 60)}" if busy.summary else "you are busy"
        pad = f", and you asked for {buffer} min around it" if buffer else ""
        # The calendar is always named: the person may not know which of theirs holds it.
        return f"{what} {span} (calendar {busy.source}){pad}"

    # -- book -----------------------------------------------------------------------------------

    def opened(self, slot: str) -> Token:
        token = self.signer.open(slot)
        if token.vendor not in self.vendors:
            raise ToolError(f"book_slot: {token.vendor} is not enabled in this server; call find_slots again.")
        return token

    async def recheck(self, token: Token) -> Offer | None:
        """The slot as its vendor offers it now, or None when it is not free any more: asked exactly
        as it was offered (its thing, day, times and length), so the answer is a handful of rows."""
        start, end = token.start, token.end
        query = SlotQuery(None, start.date(), start.date(), start.time(), end.time(), token.minutes, ref=token.ref)
        offers, _found, skipped = await self.find(query, [token.vendor])
        if skipped:
            title = self.vendors[token.vendor].title
            raise ToolError(f"book_slot: could not check the slot with {title}: {next(iter(skipped.values()))}")
        return next((o for _, o in offers if o.start == start and same_ref(o.ref, token.ref)), None)

    async def book_slot(self, slot: str, customer: Customer, consent: Any) -> SlotBooking:
        """Through the pipeline of the vendor the token names (server/guards/pipeline.py). The same
        slot for the same person is one booking, however the token or the spelling of the name
        differ: the guard's key is the slot and the e-mail address, and it remembers a booking
        until its slot has passed (the vendor's own record is asked as well, in `_book`)."""
        token = self.opened(slot)
        module, kit = await self._module(token.vendor)
        key = RecentWrites.key(
            "book_slot",
            {"slot": [token.vendor, token.start.isoformat(), token.minutes, token.ref], "email": fold(customer.email)},
        )
        until_over = (token.end - datetime.now(UTC)).total_seconds()
        result, repeated = await pipeline.write(
            self.settings,
            kit.vendor,
            "book_slot",
            lambda: self._book(token, module, kit, customer),
            consent=consent,
            key=key,
            audited={},
            create=True,
            result_type=SlotBooking,
            keep=lambda booking: bool(booking.booked),  # a slot found taken may be free again later
            window=max(self.settings.dedup_seconds, until_over) if self.settings.dedup_seconds else 0,
        )
        booking: SlotBooking = result
        if repeated:
            booking = booking.model_copy(update={"repeated": True})
        booking = booking.model_copy(update={"sandbox": self.settings.sandbox})
        if booking.booked and booking.ids:
            # After the vendor's booking, outside its pipeline: nothing here can undo or
            # "uncertain" it. The person said yes to a question that named the calendar.
            booking = await self._with_event(booking, token, kit)
        return booking

    async def _with_event(self, booking: SlotBooking, token: Token, kit: Toolkit) -> SlotBooking:
        """The booking as an iCalendar event (returned beside the result), added to the writable
        calendar and remembered under its cancel write, which removes it again."""
        assert booking.ids is not None
        uid = booking_uid(token.vendor, kit.http.connection.base_url, booking.ids)
        lines = [
            f"Booked with {booking.vendor} through agenda-mcp for {booking.customer}.",
            "Booking: " + ", ".join(f"{key} {value}" for key, value in booking.ids.items()) + ".",
        ]
        if booking.cancel_with is not None:
            arguments = json.dumps(booking.cancel_with.arguments, ensure_ascii=False, default=str)
            lines.append(f"Cancel with {booking.cancel_with.tool} {arguments}.")
        if self.settings.sandbox:
            lines.append("Sandbox: nothing real is booked.")
        where = ", ".join(x for x in (booking.where, booking.who) if x) or None
        summary = booking.what or f"Booking with {booking.vendor}"
        stamp = datetime.now(UTC)

        def event(method: Any) -> bytes:
            return booking_event(
                uid,
                booking.start,
                booking.end,
                self.settings.timezone,
                summary,
                where,
                "\n".join(lines),
                method=method,
                stamp=stamp,
            )

        try:
            published, stored = event("PUBLISH"), event(None)
        except ValueError as exc:  # a vendor's booking with no length: no event, the booking stands
            log.warning("book_slot: no calendar event for the booking (%s)", exc)
            return booking
        outcome = None
        if self.calendars is not None:
            key = self._cancel_key(kit, booking.cancel_with) if booking.cancel_with is not None else None
            outcome = await self.calendars.store(token.vendor, uid, stored, cancel_key=key, until=booking.end)
        return booking.with_event(
            f"agenda://bookings/{uid}.ics", published.decode(), outcome.message if outcome else None
        )

    @staticmethod
    def _cancel_key(kit: Toolkit, cancel: CancelWith) -> str:
        """The duplicate-guard key the cancel tool's call will carry (server/kit/toolkit.py): its
        arguments as the tool receives them, defaults filled in, so exactly that call matches."""
        arguments: dict[str, Any] = dict(cancel.arguments)
        tool = next((t for t in kit.tools if t.name == cancel.tool), None)
        if tool is not None:
            try:
                arguments = tool.fn_metadata.validate_arguments(arguments)
            except pydantic.ValidationError:
                log.warning("book_slot: %s does not take the arguments its booking names", cancel.tool)
            arguments = {k: v for k, v in arguments.items() if k != "consent" and not isinstance(v, Context)}
        return RecentWrites.key(cancel.tool, pydantic.TypeAdapter(dict).dump_python(arguments, mode="json"))

    async def _book(self, token: Token, module: SlotsModule, kit: Toolkit, customer: Customer) -> SlotBooking:
        start, end = token.start, token.end
        base = SlotBooking(
            booked=False,
            vendor=self.vendors[token.vendor].title,
            start=start,
            end=end,
            customer=f"{customer.name} <{customer.email}>",
        )
        if start <= datetime.now(UTC):
            raise ToolError("book_slot: that slot has begun or passed; call find_slots for a later one.")
        # The customer's own booking of this slot first: a repeat after the duplicate window (or
        # on a replica without Redis) returns it, rather than booking twice or calling it taken.
        mine = await module.existing(kit, Offer(start, end, "", dict(token.ref)), customer)
        if mine is not None:
            return self._booked(base, mine, already=True)
        # Right before writing: is it still offered? (Cheaper to ask than to be refused, and the
        # refusal of some vendors would not say why.)
        offer = await self.recheck(token)
        if offer is None:
            return await self._taken(base, token, "it was taken meanwhile (no longer offered)")
        base = base.model_copy(update={"what": offer.what, "where": offer.where, "who": offer.who})
        try:
            booked = await module.book(kit, offer, customer)
        except SlotTaken as exc:
            return await self._taken(base, token, exc.why)
        return self._booked(base, booked, already=False)

    @staticmethod
    def _booked(base: SlotBooking, booked: Booked, *, already: bool) -> SlotBooking:
        note = booked.note
        if already:
            note = "This customer already had this slot, so nothing new was booked." + (f" {note}" if note else "")
        return base.model_copy(
            update={
                "booked": True,
                "already_booked": True if already else None,
                "ids": booked.ids,
                "booking": booked.booking,
                "cancel_with": CancelWith(tool=booked.cancel_tool, arguments=booked.cancel_arguments),
                "note": note,
            }
        )

    async def _taken(self, base: SlotBooking, token: Token, why: str) -> SlotBooking:
        """The nearest free times of the same kind (type, room, course template) within 3 days."""
        start = base.start
        near = SlotQuery(
            None,
            max(start.date() - timedelta(days=3), datetime.now(self.settings.tz).date()),
            start.date() + timedelta(days=3),
            duration=token.minutes,
            preferred=start,
            ref=token.ref,
            exact=False,
        )
        offers, _found, _skipped = await self.find(near, [token.vendor])
        alternatives = [self.slot(name, o) for name, o in _ranked(offers, start)[:NEAREST]]
        advice = (
            "Offer the person one of the alternatives and book its slot."
            if alternatives
            else "Nothing else is free within 3 days; call find_slots with a longer period."
        )
        what = base.what or (alternatives[0].what if alternatives else None)
        note = f"Not booked: {why}. {advice}"
        return base.model_copy(update={"what": what, "alternatives": alternatives or None, "note": note})

    async def describe(self, slot: str, name: str, email: str, phone: str | None = None) -> str:
        """The consent question: what, when, where, for whom, in the person's language. Always asked:
        whether the slot is still free is decided after the yes, never instead of it (the vendor is
        asked here only to name what is booked; if it says "gone", the question says so and nothing
        is booked then)."""
        token = self.opened(slot)
        try:
            offer = await self.recheck(token)
        except ToolError:
            offer = None
        vendor = self.vendors[token.vendor].title
        if offer is not None:
            where = ", ".join(x for x in (offer.where, offer.who) if x)
            what = f"{offer.what}{f' ({where})' if where else ''}"  # vendor text, as it comes
        else:
            what = Question("the {vendor} slot", vendor=vendor)
        contact = f"{quoted(name)} {quoted(email)}"
        if phone:
            contact = Question("{contact}, phone {phone}", contact=contact, phone=quoted(phone))
        writable = self.calendars.writable if self.calendars is not None else None
        locale = self.settings.locale
        return sentences(
            Question(
                "Book {what} on {start}-{end} with {vendor} for {contact}?",
                what=what,
                start=When(token.start, "EEEE yyyy-MM-dd HH:mm"),
                end=When(token.end, "HH:mm"),
                vendor=vendor,
                contact=contact,
            ),
            Question("It may have been taken meanwhile; then nothing is booked.") if offer is None else None,
            Question("It is also added to your calendar {calendar}.", calendar=writable.name) if writable else None,
            Question("(sandbox: nothing real is booked)") if self.settings.sandbox else None,
            locale=locale,
        )

    # -- completions ----------------------------------------------------------------------------

    def _reference_of(self, name: str) -> Callable[[], Awaitable[dict[str, list[str]]]]:
        async def fetch() -> dict[str, list[str]]:
            module, kit = await self._module(name)
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
                kind = module.COMPLETES.get((ref.name, argument)) if module is not None else None
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


def _busy_at(wanted: datetime, dropped: list[tuple[Offer, Busy]], mine: BusyRead | None, pad: timedelta) -> Busy | None:
    """The busy time that keeps the wanted moment from being offered: the clash of a slot offered
    at exactly that moment, else one that covers the moment itself."""
    if mine is None:
        return None
    at = next((clash for offer, clash in dropped if offer.start == wanted), None)
    return at or conflict(mine.busy, wanted, wanted + timedelta(minutes=1), pad)


def _cut(text: str | None, limit: int = 60) -> str | None:
    """An event title as the busy list shows it: on one line, and short (it costs the model tokens)."""
    if text is None:
        return None
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
