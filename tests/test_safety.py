"""Hardening that holds for every vendor: consent before destructive calls, no double creates,
a rate limit per vendor, and clean, bounded results. Shown on Planaday's tools."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from mcp import Client

from agenda_mcp.server.guards.dedup import RecentWrites
from agenda_mcp.server.guards.output import cap, clean, size_of
from agenda_mcp.server.guards.ratelimit import TokenBucket
from agenda_mcp.server.startup.app import AgendaServer, build_agenda
from tests.support import call_error, call_ok, sandbox_settings
from tests.support.person import Person

pytestmark = pytest.mark.anyio
STUDENT = {"first_name": "Sanne", "last_name": "de Vries", "email": "sanne@example.nl"}


def bookings(agenda: AgendaServer) -> dict[str, str]:
    sandbox = agenda.vendors["planaday"].sandbox_app.state.sandbox  # type: ignore[union-attr]
    return {b.booking_id: b.status for b in sandbox.bookings}


async def book_then_delete(confirm: str, mode: str, person: Person | None) -> tuple[AgendaServer, str, Any]:
    """A booking made (and agreed to) first; then the deletion, answered by `person`."""
    agenda = build_agenda(sandbox_settings(toolsets=("planaday",), confirm=confirm))
    async with Client(agenda.server, mode=mode, elicitation_callback=Person("accept")) as client:
        booking = await call_ok(client, "create_planaday_booking", {"course_id": 104, "students": [STUDENT]})
    async with Client(agenda.server, mode=mode, elicitation_callback=person) as client:
        result = await client.call_tool("delete_planaday_booking", {"booking_id": booking["booking_id"]})
    return agenda, booking["booking_id"], result


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_accepted_deletion_names_who_and_goes_ahead(mode: str) -> None:
    person = Person("accept")
    agenda, booking_id, result = await book_then_delete("auto", mode, person)
    assert not result.is_error
    assert bookings(agenda)[booking_id] == "deleted"
    assert len(person.asked) == 1
    assert booking_id in person.asked[0] and "Sanne de Vries" in person.asked[0] and "course 104" in person.asked[0]


@pytest.mark.parametrize("mode", ["auto", "legacy"])
@pytest.mark.parametrize("answer", ["decline", "cancel"])
async def test_declined_or_cancelled_deletion_changes_nothing(mode: str, answer: str) -> None:
    agenda, booking_id, result = await book_then_delete("auto", mode, Person(answer))
    assert result.is_error
    assert "Nothing was changed" in result.content[0].text  # type: ignore[union-attr]
    assert bookings(agenda)[booking_id] == "pending"


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_client_that_cannot_ask_relies_on_its_own_approval_in_auto(mode: str) -> None:
    agenda, booking_id, result = await book_then_delete("auto", mode, None)
    assert not result.is_error
    assert bookings(agenda)[booking_id] == "deleted"


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_always_refuses_when_the_client_cannot_ask(mode: str) -> None:
    agenda, booking_id, result = await book_then_delete("always", mode, None)
    assert result.is_error and "cannot ask" in result.content[0].text  # type: ignore[union-attr]
    assert bookings(agenda)[booking_id] == "pending"


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_never_does_not_ask(mode: str) -> None:
    person = Person("decline")
    agenda, booking_id, result = await book_then_delete("never", mode, person)
    assert not result.is_error and person.asked == []
    assert bookings(agenda)[booking_id] == "deleted"


async def test_an_identical_create_is_not_written_twice() -> None:
    agenda = build_agenda(sandbox_settings(toolsets=("planaday",)))
    arguments = {"course_id": 104, "students": [STUDENT]}
    async with Client(agenda.server) as client:
        first = await call_ok(client, "create_planaday_booking", arguments)
        again = await call_ok(client, "create_planaday_booking", arguments)
        assert "repeated" not in first and again["repeated"] is True
        assert again["booking_id"] == first["booking_id"]
        other = await call_ok(
            client, "create_planaday_booking", {**arguments, "students": [{**STUDENT, "first_name": "Noor"}]}
        )
        assert other["booking_id"] != first["booking_id"]
    assert len(bookings(agenda)) == 2


async def test_concurrent_identical_creates_write_once() -> None:
    agenda = build_agenda(sandbox_settings(toolsets=("planaday",)))
    arguments = {"course_id": 104, "students": [STUDENT]}
    results: list[dict[str, Any]] = []
    async with Client(agenda.server) as client:

        async def book() -> None:
            results.append(await call_ok(client, "create_planaday_booking", arguments))

        async with anyio.create_task_group() as tg:
            for _ in range(5):
                tg.start_soon(book)
    assert len(bookings(agenda)) == 1
    assert len({r["booking_id"] for r in results}) == 1
    assert sum(1 for r in results if r.get("repeated")) == 4


async def test_dedup_window_expires_and_failures_are_not_remembered() -> None:
    now = [0.0]
    recent = RecentWrites(120, clock=lambda: now[0])
    writes: list[int] = []

    async def write() -> int:
        writes.append(1)
        return len(writes)

    async def failing() -> int:
        raise RuntimeError("vendor said no")

    with pytest.raises(RuntimeError):
        await recent.run("k", failing)
    assert await recent.run("k", write) == (1, False)
    assert await recent.run("k", write) == (1, True)
    now[0] = 121
    assert await recent.run("k", write) == (2, False)


def test_token_bucket_allows_a_burst_then_paces() -> None:
    now = [0.0]
    bucket = TokenBucket(rate=2, clock=lambda: now[0])
    assert [bucket.try_take() for _ in range(6)] == [0] * 6  # a burst of three times the rate
    assert bucket.try_take() == pytest.approx(0.5)
    now[0] += 0.5
    assert bucket.try_take() == 0


async def test_rate_limit_fails_clearly_when_the_wait_would_be_too_long() -> None:
    agenda = build_agenda(sandbox_settings(toolsets=("planaday",), rate_limit=1))
    # A frozen clock: tokens never come back, so the limit shows without waiting.
    agenda.vendors["planaday"].toolkit.bucket._clock = lambda: 0.0
    async with Client(agenda.server) as client:
        for _ in range(3):  # the burst
            await call_ok(client, "ping_planaday")
        text = await call_error(client, "ping_planaday")
    assert "Too many Planaday requests" in text


def test_control_characters_are_removed_but_text_is_kept() -> None:
    dirty = {"name": "Zaal\x1b[31m A\x00", "notes": ["regel 1\nregel 2\ttab", "\x07bel"], "n": 3}
    assert clean(dirty) == {"name": "Zaal[31m A", "notes": ["regel 1\nregel 2\ttab", "bel"], "n": 3}


def test_cap_cuts_the_longest_list_and_says_how_to_page() -> None:
    data = {"items": [{"id": i, "text": "x" * 100} for i in range(500)], "page": {"total": 500}}
    capped = cap(data, 8 * 1024)
    assert size_of(capped) <= 8 * 1024
    assert 0 < len(capped["items"]) < 500 and capped["page"] == {"total": 500}
    assert "smaller page" in capped["truncated"] and "of 500 items in 'items'" in capped["truncated"]
    assert cap({"small": [1, 2]}, 1024) == {"small": [1, 2]}


async def test_oversized_tool_results_are_cut_with_a_note() -> None:
    # Ten sandbox courses are about 2.5 KB; a 1 KB cap (below what the variable allows) must cut them.
    agenda = build_agenda(sandbox_settings(toolsets=("planaday",), max_result_kb=1))
    async with Client(agenda.server) as client:
        result = await call_ok(
            client, "list_planaday_courses", {"start": "2026-01-01", "end": "2027-12-31", "limit": 100}
        )
    assert "truncated" in result and result["page"]["total"] > len(result["courses"]) > 0
    assert size_of(result) <= 1024
