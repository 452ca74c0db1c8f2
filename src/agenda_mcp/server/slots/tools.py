"""The find_slots and book_slot tools, the find_and_book prompt, the `agenda://slots/{what}`
template and completions: how the slot service (server/slots/service.py) is published."""

from __future__ import annotations

import importlib.util
import inspect
from collections.abc import Awaitable, Callable, Collection
from datetime import date, time
from typing import TYPE_CHECKING, Annotated, Any, Literal

from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.prompts import Prompt
from mcp.server.mcpserver.tools import Tool
from mcp_types import Completion, ToolAnnotations
from pydantic import Field

from agenda_mcp.server.guards.arguments import with_signature
from agenda_mcp.server.guards.consent import Describe
from agenda_mcp.server.kit.prompts import steps
from agenda_mcp.server.kit.slots import Customer
from agenda_mcp.server.kit.times import Clock, DateTime, TimeOfDay, wall_clock
from agenda_mcp.server.kit.toolkit import ask_first, strict_tool, tool_result
from agenda_mcp.server.slots.picker import APP_URI
from agenda_mcp.server.slots.results import SlotBooking, SlotsFound, SlotsWithBusy
from agenda_mcp.server.slots.service import DEFAULT_DAYS, DEFAULT_LIMIT, MAX_LIMIT, PROMPT, TEMPLATE_URI, SlotService
from agenda_mcp.server.startup.registry import VENDOR_NAMES, load_vendor

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

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


WITH_CALENDAR = " Leaves out times you are busy in your own calendar."
"""Added to find_slots' description when the person's calendars are configured (AGENDA_MCP_CALENDARS)."""
CALENDAR_PARAMETERS = ("respect_my_calendar", "buffer")
"""find_slots parameters offered only with calendars configured: without, the tool list does not grow."""


BOOK_DESCRIPTION = (
    "agenda-mcp: book a slot from find_slots for a customer (found or created by e-mail); checks it is "
    "still free and asks the person first. Returns the vendor's ids, the tool that cancels it and an "
    "iCalendar event."
)


def register(service: SlotService, server: MCPServer) -> None:
    """Completions, the prompt and the resource template (the tools are built by `tools()`)."""

    async def complete(ref: Any, argument: Any, context: Any) -> Completion | None:
        return await service.complete(ref, argument.name, argument.value)

    # The SDK leaves `completion` unannotated; this is the shape it has.
    completion: Callable[[], Callable[[Callable[..., Awaitable[Completion | None]]], object]] = server.completion
    completion()(complete)

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
    # The enabled vendors' names, known only now: a Literal built at run time, which a type checker
    # cannot follow (the one place it is told so).
    VendorName = Literal[vendor_names]  # type: ignore[valid-type]
    tz = service.settings.tz

    async def find_slots(
        what: Annotated[
            str | None, Field(max_length=100, description="type, room or course words, e.g. 'knippen', 'saal', 'BHV'")
        ] = None,
        date_from: Annotated[date | None, Field(description="first day; default today")] = None,
        date_to: Annotated[date | None, Field(description=f"last day; default {DEFAULT_DAYS} days on")] = None,
        vendor: Annotated[VendorName | None, Field(description="only this vendor")] = None,
        duration: Annotated[int | None, Field(ge=15, le=1440, description="minutes, for rooms; default 60")] = None,
        earliest: Annotated[TimeOfDay | None, Field(description="earliest start, HH:MM local")] = None,
        latest: Annotated[TimeOfDay | None, Field(description="latest end, HH:MM local")] = None,
        preferred: Annotated[DateTime | None, Field(description="moment wanted; nearest first")] = None,
        limit: Annotated[int, Field(ge=1, le=MAX_LIMIT, description="slots to show")] = DEFAULT_LIMIT,
        respect_my_calendar: Annotated[
            bool, Field(description="leave out times you are busy in your own calendar")
        ] = True,
        buffer: Annotated[int, Field(ge=0, le=120, description="minutes kept free around your busy times")] = 0,
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
            respect_my_calendar,
            buffer,
        )

    calendars = service.calendars is not None
    registered = [
        _tool(
            find_slots,
            "find_slots",
            FIND_DESCRIPTION.format(titles=titles, without=without_availability())
            + (WITH_CALENDAR if calendars else ""),
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
            drop=() if calendars else CALENDAR_PARAMETERS,
            returns=SlotsWithBusy if calendars else SlotsFound,
        )
    ]
    if read_only:
        return registered

    async def book_slot(
        slot: Annotated[str, Field(min_length=10, max_length=4000, description="a slot token from find_slots")],
        name: Annotated[str, Field(min_length=2, max_length=120, description="customer's full name")],
        email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", description="customer's e-mail")],
        phone: Annotated[str | None, Field(max_length=40, description="customer's phone")] = None,
        consent: Any = None,
    ) -> SlotBooking:
        customer = Customer(" ".join(name.split()), email.strip(), phone.strip() if phone else None)
        return await service.book_slot(slot, customer, consent)

    registered.append(
        _tool(
            book_slot,
            "book_slot",
            BOOK_DESCRIPTION,
            # Marked destructive though it only adds: a host that confirms only destructive tools
            # must still ask its person before a booking made from a token, even where agenda-mcp
            # itself cannot ask (a client without elicitation).
            ToolAnnotations(
                title="Book a slot",
                read_only_hint=False,
                destructive_hint=True,
                idempotent_hint=False,
                open_world_hint=True,
            ),
            service,
            confirm=service.describe,
        )
    )
    return registered


def _time_of_day(value: Clock | None, name: str) -> time | None:
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
    confirm: Describe | None = None,
    local_types: dict[str, Any] | None = None,
    drop: Collection[str] = (),
    returns: Any = None,
) -> Tool:
    """A StrictTool as the toolkit publishes a vendor's (strict arguments, lean schemas, the consent
    question, the result encoded once), for a tool that belongs to no single vendor. Its body runs
    the same pipeline as every vendor tool (server/guards/pipeline.py).

    `drop` leaves parameters out of what is published (their defaults apply); `returns` replaces
    the published result model (its outputSchema)."""
    signature = inspect.signature(fn, eval_str=True, locals=local_types)
    hidden = {*drop, "consent"} if confirm is not None else set(drop)
    signature = signature.replace(
        parameters=[p for p in signature.parameters.values() if p.name not in hidden],
        return_annotation=returns if returns is not None else signature.return_annotation,
    )
    limit = service.settings.max_result_kb * 1024

    async def tool(**kwargs: Any) -> Any:
        result = await fn(**kwargs)
        # Exactly as every vendor tool's result; a booking's iCalendar event follows the JSON text.
        return tool_result(result, limit, result.attachments() if isinstance(result, SlotBooking) else ())

    tool.__name__ = name
    with_signature(tool, signature)
    tool.__annotations__ = {p.name: p.annotation for p in signature.parameters.values()}
    tool.__annotations__["return"] = signature.return_annotation
    if confirm is not None:
        ask_first(tool, name, signature, confirm, service.settings.confirm)
    registered = strict_tool(tool, name=name, description=description, annotations=annotations, meta=meta)
    # A refusal before the slot is opened (a read-only token) names no single vendor.
    registered.vendor, registered.audit_env = "agenda-mcp", service.settings.env
    return registered
