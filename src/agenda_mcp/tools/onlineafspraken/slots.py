"""OnlineAfspraken.nl for find_slots / book_slot (server/slots/service.py): free times of the appointment
types that match, and a booking the way set_appointment makes one (consumer mode, the type's own
duration, the resource the time was offered on)."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

import anyio
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
)
from agenda_mcp.tools.onlineafspraken.client import OnlineAfsprakenClient
from agenda_mcp.tools.onlineafspraken.models import TIMEZONE, VENDOR_TZ, Appointment, AppointmentType
from agenda_mcp.tools.onlineafspraken.models import Customer as VendorCustomer

COMPLETES = {("book_appointment", "service"): "appointment_types"}
MAX_DAYS = 31  # get_bookable_times' own limit per call
MAX_PAGE = 500  # getAppointments' largest page


async def reference(kit: Toolkit) -> dict[str, list[str]]:
    client = OnlineAfsprakenClient(kit.http)
    types, resources, agendas = await _catalogue(client)
    return {
        "appointment_types": [t.name for t in types if t.name],
        "resources": [r for r in resources.values() if r],
        "agendas": [a for a in agendas.values() if a],
    }


async def find(kit: Toolkit, query: SlotQuery) -> Found:
    client = OnlineAfsprakenClient(kit.http)
    types, resources, agendas = await _catalogue(client)
    ref = query.ref
    if ref is not None:  # one slot's type (and agenda), re-checked or in search of alternatives
        wanted = [t for t in types if t.id == ref["t"]]
        agendas = {ref["a"]: agendas.get(ref["a"], "")}
    else:  # a type matches on its own words, or together with a resource's name ("knippen sanne")
        wanted = [t for t in types if any(_match(query, t, name) for name in [None, *resources.values()])]
    found = Found(zone=TIMEZONE)
    last = min(query.date_to, query.date_from + timedelta(days=MAX_DAYS - 1))

    async def times_of(agenda_id: int, type_: AppointmentType) -> None:
        try:
            times = await client.get_bookable_times(agenda_id, type_.id, query.date_from, last, None)
        except ToolError:
            return  # this type is not offered in this agenda
        for free in times:
            end = free.end or free.start + timedelta(minutes=type_.duration or 0)
            who = resources.get(free.resource_id or 0)
            if not query.fits(free.start, end) or not _match(query, type_, who):
                continue
            if ref is not None and query.exact and free.resource_id != ref["r"]:
                continue
            slot_ref = {"a": agenda_id, "t": type_.id, "r": free.resource_id}
            what = type_.name or f"type {type_.id}"
            found.offers.append(Offer(free.start, end, what, slot_ref, agendas.get(agenda_id), who, type_.price))
        window = _window(type_)
        if window and not any(o.ref["t"] == type_.id for o in found.offers):
            found.notes.append(f"{type_.name}: {window}")

    async with anyio.create_task_group() as tg:
        for agenda_id in agendas:
            for type_ in wanted:
                if type_.bookable_by_consumer is not False:
                    tg.start_soon(times_of, agenda_id, type_)
    return found


async def book(kit: Toolkit, offer: Offer, customer: Customer) -> Booked:
    client = OnlineAfsprakenClient(kit.http)
    ref = offer.ref
    customer_id = await _customer(client, customer)
    # The vendor's wall clock, as set_appointment sends a result's start.
    start = offer.start.astimezone(VENDOR_TZ).replace(tzinfo=None)
    try:
        appointment_id = await client.set_appointment(
            agenda_id=ref["a"], customer_id=customer_id, start=start, type_id=ref["t"], resource_id=ref["r"]
        )
    except ToolError as exc:
        if "Geen vrij tijdslot" in str(exc):
            raise SlotTaken("OnlineAfspraken.nl has no free time there any more") from None
        raise
    return await _booked(client, appointment_id, customer_id, ref["a"])


async def existing(kit: Toolkit, offer: Offer, customer: Customer) -> Booked | None:
    """The customer's own appointment of exactly this offer (agenda, type, resource, start), not
    cancelled. The customer is told by e-mail address first; by name only when the account has no
    customer with that address."""
    client = OnlineAfsprakenClient(kit.http)
    ref = offer.ref
    day = offer.start.astimezone(VENDOR_TZ).date()
    # Cancelled appointments are left out by the vendor (no IncludeCancelled), and by _is_offer.
    page = await client.get_appointments(ref["a"], day, day, type_id=ref["t"], resource_id=ref["r"], limit=MAX_PAGE)
    here = [a for a in page.appointments if a.customer_id is not None and _is_offer(a, offer)]
    if not here:
        return None
    people: dict[int, VendorCustomer] = {}
    for customer_id in {a.customer_id for a in here if a.customer_id is not None}:
        with contextlib.suppress(ToolError):  # a customer gone since: not this one
            people[customer_id] = await client.get_customer(customer_id)
    mine = [a for a in here if a.customer_id in people and same_email(people[a.customer_id].email, customer.email)]
    if not mine and not await _known_by_email(client, customer.email):
        mine = [
            a
            for a in here
            if a.customer_id in people
            and (same_name(people[a.customer_id].full_name, customer.name) or same_name(a.customer_name, customer.name))
        ]
    if not mine or mine[0].customer_id is None:
        return None
    return await _booked(client, mine[0].id, mine[0].customer_id, ref["a"])


async def _known_by_email(client: OnlineAfsprakenClient, email: str) -> bool:
    """Whether the account has a customer with this e-mail address (who is then the customer)."""
    page = await client.get_customers(email=email, limit=5)
    return any(same_email(found.email, email) for found in page.customers)


async def _booked(client: OnlineAfsprakenClient, appointment_id: int, customer_id: int, agenda_id: int) -> Booked:
    """A booking as `book` reports it, read back from the vendor."""
    booking: dict[str, Any] = {"appointment_id": appointment_id}
    note = None
    try:
        appointment = await client.get_appointment(appointment_id)
        booking = appointment.model_dump(mode="json")
        if appointment.label == "pending":
            note = "Pending: confirm with confirm_appointment and the code the customer received."
    except ToolError:
        note = "Booked, but the appointment could not be read back; check it with get_appointment."
    return Booked(
        ids={"appointment_id": appointment_id, "customer_id": customer_id, "agenda_id": agenda_id},
        booking=booking,
        cancel_tool="cancel_appointment",
        # As the business: the customer's own way (the default) is refused inside the cancellation
        # deadline (24 hours is usual), and a booking just made for today or tomorrow is within it.
        cancel_arguments={"appointment_id": appointment_id, "mode": "company"},
        note=note,
    )


def _is_offer(appointment: Appointment, offer: Offer) -> bool:
    ref = offer.ref
    return (
        appointment.start is not None
        and appointment.start == offer.start
        and appointment.appointment_type_id == ref["t"]
        and (ref["r"] is None or ref["r"] in appointment.resource_ids)
        and appointment.label != "cancelled"
    )


async def _catalogue(client: OnlineAfsprakenClient) -> tuple[list[AppointmentType], dict[int, str], dict[int, str]]:
    types = await client.get_appointment_types()
    resources = {r.id: r.name or "" for r in await client.get_resources()}
    agendas = {a.id: a.name or "" for a in await client.get_agendas()}
    return types, resources, agendas


def _match(query: SlotQuery, type_: AppointmentType, resource: str | None) -> bool:
    return matches(query.what, type_.name, type_.category, resource)


async def _customer(client: OnlineAfsprakenClient, customer: Customer) -> int:
    """The customer with this e-mail address, or a new one (set_appointment needs a CustomerId)."""
    page = await client.get_customers(email=customer.email, limit=5)
    if page.customers:
        return page.customers[0].id
    first, last = customer.first_and_last
    values = {"Email": customer.email, "FirstName": first, "LastName": last, "Phone": customer.phone}
    customer_id, _status = await client.set_customer(values)
    return customer_id


def _window(type_: AppointmentType) -> str | None:
    """The booking window a type sets, in words, to explain why a wanted time is not offered."""
    parts = []
    if type_.min_time_before_appointment:
        parts.append(f"at least {_span(type_.min_time_before_appointment)} ahead")
    if type_.max_time_before_appointment:
        parts.append(f"at most {_span(type_.max_time_before_appointment)} ahead")
    return "bookable " + " and ".join(parts) if parts else None


def _span(minutes: int) -> str:
    if minutes % 1440 == 0:
        return f"{minutes // 1440} days"
    if minutes % 60 == 0:
        return f"{minutes // 60} hours"
    return f"{minutes} minutes"
