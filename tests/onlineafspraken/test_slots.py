"""OnlineAfspraken.nl's part of find_slots / book_slot (tools/onlineafspraken/slots.py), against the sandbox:
the way to cancel a booking book_slot just made, and `existing`, the customer's own appointment of
exactly an offered slot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from mcp import Client

from agenda_mcp.server.kit import Customer, Offer, Toolkit
from agenda_mcp.server.startup.app import AgendaServer, build_agenda
from agenda_mcp.tools.onlineafspraken import slots
from agenda_mcp.tools.onlineafspraken.sandbox.data import TZ
from tests.support import call_ok, sandbox_settings
from tests.support.onlineafspraken import JAN, KNIPPEN_HEREN, SALON, SANNE, TickingClock
from tests.support.person import Person
from tests.support.simulators import onlineafspraken as sandbox_of

pytestmark = pytest.mark.anyio

WEDNESDAY = "2026-03-04"  # the sandbox clock: Monday 2 March 2026, 09:00
ANNA = Customer("Anna de Vries", "anna.devries@example.nl")


def kit_of(agenda: AgendaServer) -> Toolkit:
    return agenda.vendors["onlineafspraken"].toolkit


# -- cancel_with: what book_slot tells the model to cancel with ----------------------------------


def soon(now: datetime) -> datetime:
    """A block start 2 to 7 hours from now on the quarter hour, with two hours of the same day after it
    (and clear of the night the clocks change): well within the 24-hour cancellation deadline."""
    start = (now + timedelta(hours=2)).replace(second=0, microsecond=0)
    start += timedelta(minutes=-start.minute % 15)
    if not time(3) <= start.time() <= time(21, 45):
        day = start.date() if start.time() < time(3) else start.date() + timedelta(days=1)
        start = datetime.combine(day, time(3), tzinfo=TZ)
    return start


async def test_cancel_with_cancels_a_booking_made_for_within_the_deadline() -> None:
    agenda = build_agenda(sandbox_settings(toolsets=("onlineafspraken",)))
    person = Person("accept")
    start = soon(datetime.now(TZ))
    end = start + timedelta(hours=2)
    async with Client(agenda.server, elicitation_callback=person) as client:
        # Opened for the test, so that a slot within 24 hours exists whatever the weekday.
        block = {"agenda_id": SALON, "date": str(start.date()), "start_time": f"{start:%H:%M}"}
        block |= {"end_time": f"{end:%H:%M}", "appointment_type": KNIPPEN_HEREN, "resource_id": SANNE}
        await call_ok(client, "add_availability_block", block)
        found = await call_ok(
            client,
            "find_slots",
            {
                "what": "knippen heren",
                "vendor": "onlineafspraken",
                "date_from": str(start.date()),
                "date_to": str(start.date()),
                "earliest": f"{start:%H:%M}",
                "latest": f"{end:%H:%M}",
            },
        )
        slot = found["slots"][0]
        assert datetime.fromisoformat(slot["start"]) - datetime.now(TZ) < timedelta(hours=24)
        booked = await call_ok(client, "book_slot", {"slot": slot["slot"], "name": ANNA.name, "email": ANNA.email})
        assert booked["booked"] is True, booked.get("note")
        cancel = booked["cancel_with"]
        cancelled = await call_ok(client, cancel["tool"], cancel["arguments"])
    appointment_id = booked["ids"]["appointment_id"]
    assert cancelled["cancelled"] is True and cancelled["appointment_id"] == appointment_id
    assert sandbox_of(agenda).appointment(appointment_id).label == 4  # cancelled
    assert any(str(appointment_id) in question for question in person.asked)  # the person was asked


# -- existing: the customer's own appointment of exactly this offer -----------------------------


@pytest.fixture
async def opened() -> AsyncIterator[tuple[Client, AgendaServer]]:
    agenda = build_agenda(sandbox_settings(toolsets=("onlineafspraken",), dedup_seconds=0))
    sandbox_of(agenda).set_clock(TickingClock())
    async with Client(agenda.server) as client:
        yield client, agenda


async def a_free_time(client: Client) -> dict[str, Any]:
    arguments = {"agenda_id": SALON, "appointment_type_id": KNIPPEN_HEREN, "date": WEDNESDAY, "resource_id": SANNE}
    return (await call_ok(client, "get_bookable_times", arguments))["times"][0]


async def book_with_vendor_tools(client: Client, slot: dict[str, Any], customer_id: int) -> int:
    arguments = {"agenda_id": SALON, "appointment_type_id": KNIPPEN_HEREN, "customer_id": customer_id}
    arguments |= {"start_time": slot["start"], "resource_id": slot["resource_id"]}
    return int((await call_ok(client, "set_appointment", arguments))["appointment_id"])


async def new_customer(client: Client, customer: Customer) -> int:
    first, last = customer.first_and_last
    saved = await call_ok(client, "set_customer", {"email": customer.email, "first_name": first, "last_name": last})
    return int(saved["customer_id"])


def offer_of(slot: dict[str, Any]) -> Offer:
    start, end = datetime.fromisoformat(slot["start"]), datetime.fromisoformat(slot["end"])
    return Offer(start, end, "Knippen heren", {"a": SALON, "t": KNIPPEN_HEREN, "r": slot["resource_id"]})


async def test_existing_finds_the_customers_own_appointment(opened: tuple[Client, AgendaServer]) -> None:
    client, agenda = opened
    slot = await a_free_time(client)
    anna = await new_customer(client, ANNA)
    appointment_id = await book_with_vendor_tools(client, slot, anna)

    found = await slots.existing(kit_of(agenda), offer_of(slot), ANNA)

    assert found is not None
    assert found.ids == {"appointment_id": appointment_id, "customer_id": anna, "agenda_id": SALON}
    assert (found.booking["id"], found.booking["start"], found.booking["customer_id"]) == (
        appointment_id,
        slot["start"],
        anna,
    )
    assert (found.cancel_tool, found.cancel_arguments) == (
        "cancel_appointment",
        {"appointment_id": appointment_id, "mode": "company"},
    )
    # The e-mail address is the customer, whatever its case; the name is not needed then.
    shouted = Customer("A. de Vries", ANNA.email.upper())
    assert (await slots.existing(kit_of(agenda), offer_of(slot), shouted)) is not None
    # Another resource or type at the same time is another offer.
    other = offer_of(slot)
    other.ref = {**other.ref, "t": KNIPPEN_HEREN + 1}
    assert await slots.existing(kit_of(agenda), other, ANNA) is None


async def test_existing_goes_by_name_only_when_no_customer_has_the_address(opened: tuple[Client, AgendaServer]) -> None:
    client, agenda = opened
    slot = await a_free_time(client)
    appointment_id = await book_with_vendor_tools(client, slot, await new_customer(client, ANNA))

    by_name = await slots.existing(kit_of(agenda), offer_of(slot), Customer("anna  DE vries", "anna@elders.example"))
    assert by_name is not None and by_name.ids["appointment_id"] == appointment_id
    # Jan de Vries has an address of his own in the account: he is not Anna, whatever the name says.
    jan = sandbox_of(agenda).customer(JAN)
    assert await slots.existing(kit_of(agenda), offer_of(slot), Customer("Anna de Vries", jan.email)) is None


async def test_existing_leaves_another_customers_appointment_alone(opened: tuple[Client, AgendaServer]) -> None:
    client, agenda = opened
    slot = await a_free_time(client)
    await new_customer(client, ANNA)  # Anna is known, by her address
    await book_with_vendor_tools(client, slot, JAN)

    assert await slots.existing(kit_of(agenda), offer_of(slot), ANNA) is None
    assert await slots.existing(kit_of(agenda), offer_of(slot), Customer("Bea Smit", "bea@example.nl")) is None


async def test_existing_leaves_a_cancelled_appointment_alone(opened: tuple[Client, AgendaServer]) -> None:
    client, agenda = opened
    slot = await a_free_time(client)
    appointment_id = await book_with_vendor_tools(client, slot, await new_customer(client, ANNA))
    await call_ok(client, "cancel_appointment", {"appointment_id": appointment_id, "mode": "company"})

    assert await slots.existing(kit_of(agenda), offer_of(slot), ANNA) is None
