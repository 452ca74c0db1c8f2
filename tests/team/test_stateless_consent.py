"""The person is asked before any change on the README's team deployment, stateless HTTP, on both
protocol revisions: a 2026-07-28 client answers the question through an input-required round trip
whose sealed state any replica opens (they share AGENDA_MCP_SECRET_KEY, and Redis, so a question
reads the same on either); a 2025-11-25 client cannot be asked there, so the change is refused with
a message naming what to change, never made silently. Two replicas behind a round-robin balancer,
one Planaday simulator on loopback, a real redis-server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from agenda_mcp.server.team.shared_state import REDIS_ENV
from tests.support import call_ok, error_text
from tests.support.loopback import RoundRobin
from tests.support.person import Person
from tests.support.team import BOOKING, RecordingVendor, redis_server, replicas, vendor_on_loopback
from tests.support.vendor_cases import REPORT

pytestmark = [pytest.mark.anyio, pytest.mark.slow]
SECRET = {"AGENDA_MCP_SECRET_KEY": "replicas-of-one-team-share-this-key-0123456789"}


@asynccontextmanager
async def balanced(mode: str, person: Person, **env: str) -> AsyncIterator[tuple[Client, RecordingVendor]]:
    with redis_server() as redis:
        async with (
            vendor_on_loopback() as (vendor, vendor_url),
            replicas(2, vendor_url, **{REDIS_ENV: redis.url}, **env) as urls,
            _balanced_client(urls, mode, person) as client,
        ):
            yield client, vendor


@asynccontextmanager
async def _balanced_client(urls: list[str], mode: str, person: Person) -> AsyncIterator[Client]:
    """A client whose requests go to the replicas in turn, as a load balancer without sticky sessions."""
    balancer = RoundRobin([int(url.rsplit(":", 1)[1]) for url in urls])
    async with (
        httpx2.AsyncClient(transport=balancer, timeout=30) as http,
        Client(
            streamable_http_client(f"{urls[0]}/mcp", http_client=http), mode=mode, elicitation_callback=person
        ) as client,
    ):
        yield client


def writes(vendor: RecordingVendor) -> int:
    return sum(1 for _, method, _path in vendor.requests if method in ("POST", "PUT", "PATCH", "DELETE"))


async def test_a_2026_client_is_asked_before_a_booking_and_a_delete_across_replicas() -> None:
    person = Person("accept")
    async with balanced("2026-07-28", person, **SECRET) as (client, vendor):
        booking = await call_ok(client, "create_planaday_booking", BOOKING)
        deleted = await call_ok(client, "delete_planaday_booking", {"booking_id": booking["booking_id"]})
        found = await call_ok(client, "find_slots", {"vendor": "planaday", "limit": 1})
        booked = await call_ok(
            client,
            "book_slot",
            {"slot": found["slots"][0]["slot"], "name": "Anna de Vries", "email": "anna@example.nl"},
        )
    assert deleted["result"] == "OK" and booked["booked"] is True
    assert len(person.asked) == 3, person.asked
    assert booking["booking_id"] in person.asked[1] and "“Anna de Vries”" in person.asked[2]
    assert writes(vendor) == 3
    REPORT["consent: stateless 2026-07-28 questions answered across two replicas"] += len(person.asked)


async def test_a_2026_no_changes_nothing() -> None:
    person = Person("decline")
    async with balanced("2026-07-28", person, **SECRET) as (client, vendor):
        result = await client.call_tool("create_planaday_booking", BOOKING)
    assert result.is_error and "did not confirm" in error_text(result)
    assert len(person.asked) == 1 and writes(vendor) == 0


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [("create_planaday_booking", BOOKING), ("delete_planaday_booking", {"booking_id": "API5ce597c40e0fc6.85265205"})],
)
async def test_a_2025_client_on_stateless_http_is_refused_not_written_unasked(
    tool: str, arguments: dict[str, Any]
) -> None:
    person = Person("accept")
    async with balanced("legacy", person) as (client, vendor):
        result = await client.call_tool(tool, arguments)
    text = error_text(result)
    assert result.is_error and "nothing was changed" in text and "2026-07-28" in text and "AGENDA_MCP_STATELESS" in text
    assert person.asked == [] and writes(vendor) == 0
    REPORT["consent: stateless 2025-11-25 writes refused, not sent"] += 1
