"""Locaboo for find_slots / book_slot (server/slots/service.py): free slots of the rooms and halls (or their
parts) that match, a booking the way locaboo_booking_add makes one (direct booking, the slot's
wall-clock times, the part inside its hall), and the customer's own booking of a slot when there is one."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver.exceptions import ToolError

from agenda_mcp.server.kit import (
    Booked,
    Customer,
    Found,
    Offer,
    SlotQuery,
    SlotTaken,
    Toolkit,
    matches,
    same_email,
    same_name,
    zone_name,
)
from agenda_mcp.tools.locaboo.client import LocabooClient, timezone
from agenda_mcp.tools.locaboo.inputs import CustomerFields, Days, ResourceParts, booking_add_fields
from agenda_mcp.tools.locaboo.models import Customer as LocabooCustomer

COMPLETES = {("find_free_room", "need"): "resources", ("book_room", "need"): "resources"}
DEFAULT_MINUTES = 60  # locaboo_availability's own default length


def _client(kit: Toolkit) -> LocabooClient:
    return LocabooClient(kit.http, timezone(kit.settings.env))


async def reference(kit: Toolkit) -> dict[str, list[str]]:
    listed = await _client(kit).resource_list()
    names = [r.title for r in listed.resources] + [p.title for r in listed.resources for p in r.parts]
    return {"resources": names}


async def find(kit: Toolkit, query: SlotQuery) -> Found:
    client = _client(kit)
    listed = await client.resource_list()
    # id -> (main resource, part or None, the name a person reads)
    places: dict[int, tuple[int, int | None, str]] = {}
    for resource in listed.resources:
        places[resource.id] = (resource.id, None, resource.title)
        for piece in resource.parts:
            places[piece.id] = (resource.id, piece.id, f"{resource.title} > {piece.title}")
    ref = query.ref
    if ref is not None:  # one slot's room or part (exact), or its room with every part (alternatives)
        wanted = [ref["p"] or ref["m"]] if query.exact else [pid for pid, (m, _, _) in places.items() if m == ref["m"]]
    else:  # a part matches on its own name or its hall's; asking for the hall asks for its parts too
        wanted = [pid for pid, (_, _, name) in places.items() if matches(query.what, name)]
    found = Found(zone=zone_name(client.tz))
    if not wanted:
        return found
    minutes = query.duration or DEFAULT_MINUTES
    availability = await client.availability(
        query.date_from,
        query.date_to,
        resource_ids=wanted[:50],  # locaboo_availability's own maximum
        time_from=query.earliest,
        time_to=query.latest,
        duration=f"{minutes // 60:02d}:{minutes % 60:02d}",
    )
    for entry in availability.resources:
        main, part, name = places.get(entry.resource_id, (entry.resource_id, None, entry.resource or ""))
        for slot in entry.slots:
            if not query.fits(slot.start, slot.end):
                continue
            found.offers.append(Offer(slot.start, slot.end, name, {"m": main, "p": part}))  # the name is the place
    return found


async def book(kit: Toolkit, offer: Offer, customer: Customer) -> Booked:
    client = _client(kit)
    ref = offer.ref
    customer_id = await _customer(client, customer)
    # The venue's wall clock, as locaboo_booking_add sends a slot's start and end.
    start, end = offer.start.astimezone(client.tz), offer.end.astimezone(client.tz)
    days = Days(start.date(), start.date(), start.time().replace(tzinfo=None), end.time().replace(tzinfo=None))
    parts = [ResourceParts(resource_id=ref["m"], part_ids=[ref["p"]])] if ref.get("p") else []
    fields = booking_add_fields(
        booking_mode="direct_booking",
        main_resource=ref["m"],
        days=days,
        full_day=False,
        recurrence=None,
        resource_parts=parts,
        category_fields=[],
        inventory=[],
        services=[],
        color=None,
        title=customer.name,
        customer_id=customer_id,
    )
    try:
        written = await client.booking_add(fields)
    except ToolError as exc:
        if "no longer available" in str(exc):
            raise SlotTaken("Locaboo says that time is no longer available") from None
        raise
    return await _booked(client, written.booking_id, customer_id)


async def existing(kit: Toolkit, offer: Offer, customer: Customer) -> Booked | None:
    """The customer's own booking of exactly this offer: the customer found by e-mail (else by
    name), a booking of theirs with an instance on the offer's resource (its part, when the offer
    is a part) from the offer's start to its end; None when there is none.

    Locaboo's answers carry no booking status. booking_list is read as a calendar of what still
    holds (what locaboo_booking_list says of it): a cancelled booking is not in it, so it is not
    found here (SAFE CHOICE: the undocumented case; the simulator leaves cancelled bookings out)."""
    client = _client(kit)
    customers = await client.customer_list()
    ids = {known.id for known in customers if same_email(known.email, customer.email)}
    if not ids:
        ids = {known.id for known in customers if any(same_name(name, customer.name) for name in _names(known))}
    if not ids:
        return None
    where = offer.ref.get("p") or offer.ref["m"]
    start, end = offer.start.astimezone(client.tz), offer.end.astimezone(client.tz)
    listed = await client.booking_list(start.date(), end.date(), resource_id=where)
    for booking in listed.bookings:
        customer_id = booking.customer_id
        if customer_id is None or customer_id not in ids:
            continue
        if any(i.resource_id == where and i.start == start and i.end == end for i in booking.instances):
            return await _booked(client, booking.id, customer_id)
    return None


async def _booked(client: LocabooClient, booking_id: int, customer_id: int) -> Booked:
    """A booking as book_slot reports it: its ids, as locaboo_booking_details shows it, how to cancel it."""
    booking: dict[str, Any] = {"booking_id": booking_id}
    note = None
    try:
        booking = (await client.booking_details(booking_id)).model_dump(mode="json")
    except ToolError:
        note = "Booked, but the booking could not be read back; check it with locaboo_booking_details."
    return Booked(
        ids={"booking_id": booking_id, "customer_id": customer_id},
        booking=booking,
        cancel_tool="locaboo_booking_save",
        cancel_arguments={"booking_id": booking_id, "booking_status": "Cancel"},
        note=note,
    )


def _names(known: LocabooCustomer) -> list[str]:
    """How a Locaboo customer is named: the display name, and first and last name together."""
    full = " ".join(part for part in (known.first_name, known.last_name) if part)
    return [name for name in (known.show_name, full) if name]


async def _customer(client: LocabooClient, customer: Customer) -> int:
    """The customer with this e-mail address, or a new one."""
    for known in await client.customer_list():
        if same_email(known.email, customer.email):
            return known.id
    first, last = customer.first_and_last
    fields = CustomerFields(first_name=first, last_name=last, email=customer.email, phone=customer.phone)
    return (await client.customer_add(fields.vendor())).customer_id
