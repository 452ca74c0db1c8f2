"""Fifty concurrent bookings of one OnlineAfspraken.nl slot: exactly one appointment."""

from __future__ import annotations

import anyio
import pytest
from mcp import Client

from agenda_mcp.server.startup.app import build_agenda
from tests.support import call_ok, error_text, sandbox_settings
from tests.support.onlineafspraken import JAN, KNIPPEN_HEREN, SALON, TickingClock
from tests.support.vendor_cases import REPORT

pytestmark = pytest.mark.anyio


async def test_fifty_concurrent_bookings_for_one_slot_give_one_appointment() -> None:
    agenda = build_agenda(sandbox_settings(toolsets=("onlineafspraken",)))
    state = agenda.vendors["onlineafspraken"].sandbox_app.state.sandbox  # type: ignore[union-attr]
    state.set_clock(TickingClock())
    haircut = {"agenda_id": SALON, "appointment_type_id": KNIPPEN_HEREN}
    outcomes: list[tuple[bool, str]] = []
    async with Client(agenda.server) as client:
        slot = (await call_ok(client, "get_bookable_times", {**haircut, "date": "2026-03-03"}))["times"][0]
        before = len(state.appointments)

        async def book(n: int) -> None:
            arguments = {
                **haircut,
                "customer_id": JAN,
                "start_time": slot["start"],
                "resource_id": slot["resource_id"],
                "description": f"aanvraag {n}",  # distinct calls, so dedup does not answer them
            }
            result = await client.call_tool("set_appointment", arguments)
            outcomes.append((result.is_error, error_text(result)))

        with anyio.fail_after(120):
            async with anyio.create_task_group() as tg:
                for n in range(50):
                    tg.start_soon(book, n)
    failures = [text for failed, text in outcomes if failed]
    assert len(outcomes) == 50 and len(failures) == 49
    assert all("no longer available" in text.lower() for text in failures), failures[0]
    assert len(state.appointments) == before + 1
    REPORT["concurrent last-slot bookings"] += 50
