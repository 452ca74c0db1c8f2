"""Planaday's part of find_slots / book_slot (tools/planaday/slots.py), against the sandbox: only
courses a one-student booking by name, e-mail and phone can book are offered, and each one offered
books."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from mcp import Client

from agenda_mcp.server.kit import Customer, Offer
from agenda_mcp.server.startup.app import AgendaServer, build_agenda
from agenda_mcp.tools.planaday import slots
from agenda_mcp.tools.planaday.models import ZONE
from tests.support import call_ok, sandbox_settings
from tests.support.simulators import planaday as sandbox_of

pytestmark = pytest.mark.anyio
TODAY = date.today()
# The sandbox's courses run in the eight weeks from next week; find_slots looks 31 days at once.
WINDOWS = [(TODAY, TODAY + timedelta(days=30)), (TODAY + timedelta(days=31), TODAY + timedelta(days=61))]
NEEDS_A_CHOICE = {106, 107}  # a required attribute: on the course (106), on one of its dayparts (107)
STAP_ONLY = {108}


@pytest.fixture
def agenda() -> AgendaServer:
    return build_agenda(sandbox_settings(toolsets=("planaday",)))


async def all_slots(client: Client, **question: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for first, last in WINDOWS:
        answer = await call_ok(
            client,
            "find_slots",
            {"vendor": "planaday", "date_from": str(first), "date_to": str(last), "limit": 50, **question},
        )
        found += answer["slots"]
    return found


async def test_every_course_offered_books_and_none_that_would_fail_is_offered(agenda: AgendaServer) -> None:
    async with Client(agenda.server) as client:
        offered = await all_slots(client)
        booked = [
            await call_ok(client, "book_slot", {"slot": s["slot"], "name": "Anna de Vries", "email": "anna@example.nl"})
            for s in offered
        ]
    assert offered and all(b["booked"] is True for b in booked), [b.get("note") for b in booked]
    courses = {b.course_id for b in sandbox_of(agenda).bookings}
    assert len(courses) == len(offered) >= 3  # the person's own (sandbox) calendar may hide one
    assert not courses & (NEEDS_A_CHOICE | STAP_ONLY)
    # What book_slot returns as the booking is the vendor's booking, not a write's sandbox flag.
    assert all("sandbox" not in b["booking"] and b["sandbox"] is True for b in booked)
    assert all(b["booking"]["booking_id"] == b["ids"]["booking_id"] for b in booked)


@pytest.mark.parametrize("what", ["vca", "heftruck", "stap"])
async def test_courses_book_slot_cannot_book_are_named_not_offered(agenda: AgendaServer, what: str) -> None:
    async with Client(agenda.server) as client:
        answers = [
            await call_ok(
                client,
                "find_slots",
                {"what": what, "vendor": "planaday", "date_from": str(first), "date_to": str(last)},
            )
            for first, last in WINDOWS
        ]
    assert not [s for a in answers for s in a["slots"]]
    notes = " ".join(n for a in answers for n in a.get("notes") or [])
    assert "need an attribute choice or STAP details" in notes and "create_planaday_booking" in notes
    assert sandbox_of(agenda).bookings == []


async def test_existing_is_none_as_planaday_cannot_read_bookings_back(agenda: AgendaServer) -> None:
    start = datetime.now(ZONE) + timedelta(days=7)
    offer = Offer(start, start + timedelta(hours=8), "BHV Basis", {"c": 101, "t": 1})
    kit = agenda.vendors["planaday"].toolkit
    assert await slots.existing(kit, offer, Customer("Anna de Vries", "anna@example.nl")) is None
    assert sandbox_of(agenda).requests == []  # nothing to ask the vendor
