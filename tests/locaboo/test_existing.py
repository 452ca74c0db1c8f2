"""slots.existing: the customer's own booking of exactly one offer, so a repeated book_slot returns it
instead of booking twice. Bookings are made with the vendor tools, then looked up as book_slot would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from mcp import Client

from agenda_mcp.server.kit import Customer, Offer, Toolkit
from agenda_mcp.server.startup.app import build_agenda
from agenda_mcp.tools.locaboo import slots
from tests.support import call_ok, sandbox_settings

pytestmark = pytest.mark.anyio
BERLIN = ZoneInfo("Europe/Berlin")
START, END = datetime(2031, 3, 12, 14, 0, tzinfo=BERLIN), datetime(2031, 3, 12, 16, 0, tzinfo=BERLIN)
OFFER = Offer(START, END, "Dreifeldhalle > Hallendrittel A", {"m": 100, "p": 101})
KATHARINA = Customer("Katharina Vogt", "katharina.vogt@posteo.de")  # demo customer 2005
JUERGEN = 2001  # TSV Lahnstadt: Jürgen Becker, vorstand@tsv-lahnstadt.de


@dataclass
class Locaboo:
    client: Client
    kit: Toolkit


@pytest.fixture
async def locaboo() -> AsyncIterator[Locaboo]:
    agenda = build_agenda(sandbox_settings(toolsets=("locaboo",)))
    async with Client(agenda.server) as client:
        yield Locaboo(client, agenda.vendors["locaboo"].toolkit)


async def book(locaboo: Locaboo, customer_id: int, part: int = 101) -> int:
    booked = await call_ok(
        locaboo.client,
        "locaboo_booking_add",
        {
            "booking_mode": "direct_booking",
            "main_resource": 100,
            "resource_parts": [{"resource_id": 100, "part_ids": [part]}],
            "time_from": START.isoformat(),
            "time_to": END.isoformat(),
            "customer_id": customer_id,
            "title": "Probetraining",
        },
    )
    booking_id: int = booked["booking_id"]
    return booking_id


@pytest.mark.parametrize(
    "customer",
    [
        KATHARINA,
        Customer("  katharina VOGT ", "KATHARINA.Vogt@posteo.de "),  # as a person types it again
        Customer("Katharina Vogt", "k.vogt@example.org"),  # no customer has that e-mail: found by name
    ],
    ids=["same", "typed-again", "by-name"],
)
async def test_a_booking_made_with_the_vendor_tools_is_found(locaboo: Locaboo, customer: Customer) -> None:
    booking_id = await book(locaboo, 2005)
    details = await call_ok(locaboo.client, "locaboo_booking_details", {"booking_id": booking_id})
    # The offer as another zone writes it: the same moments.
    offer = Offer(START.astimezone(ZoneInfo("UTC")), END.astimezone(ZoneInfo("UTC")), OFFER.what, OFFER.ref)
    found = await slots.existing(locaboo.kit, offer, customer)
    assert found is not None
    assert found.ids == {"booking_id": booking_id, "customer_id": 2005}
    assert found.booking == {k: v for k, v in details.items() if k != "sandbox"}
    assert (found.cancel_tool, found.cancel_arguments) == (
        "locaboo_booking_save",
        {"booking_id": booking_id, "booking_status": "Cancel"},
    )
    assert found.note is None


async def test_another_customers_booking_is_not_found(locaboo: Locaboo) -> None:
    await book(locaboo, JUERGEN)
    assert await slots.existing(locaboo.kit, OFFER, KATHARINA) is None
    # The e-mail names the customer: a name that matches someone else does not widen the search.
    assert await slots.existing(locaboo.kit, OFFER, Customer("Jürgen Becker", KATHARINA.email)) is None
    assert await slots.existing(locaboo.kit, OFFER, Customer("Jürgen Becker", "vorstand@tsv-lahnstadt.de"))


async def test_the_customers_booking_of_another_part_or_time_is_not_this_offer(locaboo: Locaboo) -> None:
    await book(locaboo, 2005, part=102)
    assert await slots.existing(locaboo.kit, OFFER, KATHARINA) is None
    later = Offer(START.replace(hour=16), END.replace(hour=18), OFFER.what, {"m": 100, "p": 102})
    assert await slots.existing(locaboo.kit, later, KATHARINA) is None


async def test_a_cancelled_booking_is_not_found(locaboo: Locaboo) -> None:
    booking_id = await book(locaboo, 2005)
    assert await slots.existing(locaboo.kit, OFFER, KATHARINA) is not None
    await call_ok(locaboo.client, "locaboo_booking_save", {"booking_id": booking_id, "booking_status": "Cancel"})
    assert await slots.existing(locaboo.kit, OFFER, KATHARINA) is None


async def test_nobody_known_by_that_email_or_name_has_no_booking(locaboo: Locaboo) -> None:
    await book(locaboo, 2005)
    assert await slots.existing(locaboo.kit, OFFER, Customer("Anna de Vries", "anna@example.nl")) is None
