"""Issue 15: two stateless agenda-mcp replicas sharing state through a real Redis server, in front
of one recording vendor, over real loopback HTTP. A booking repeated on the other replica, and
twenty identical bookings sent at once to both, reach the vendor once; the replicas together keep
one rate budget; with Redis gone, writes are refused clearly and reads go on; without Redis at
the start, the server does not start; a replica that stops leaves no Redis connection open."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from agenda_mcp.server.guards.cache import CACHE_ENV
from agenda_mcp.server.startup import cli
from agenda_mcp.server.team.shared_state import REDIS_ENV
from tests.support import call_error, call_ok
from tests.support.loopback import free_port
from tests.support.team import BOOKING, RedisServer, mcp_client, redis_server, replicas, vendor_on_loopback
from tests.support.vendor_cases import REPORT

pytestmark = pytest.mark.anyio


@pytest.fixture
def redis() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


async def test_a_booking_repeated_on_the_other_replica_reaches_the_vendor_once(redis: RedisServer) -> None:
    async with vendor_on_loopback() as (vendor, vendor_url), replicas(2, vendor_url, **{REDIS_ENV: redis.url}) as urls:
        async with mcp_client(urls[0]) as first:
            booked = await call_ok(first, "create_planaday_booking", BOOKING)
        async with mcp_client(urls[1]) as second:
            again = await call_ok(second, "create_planaday_booking", BOOKING)
    assert vendor.count("POST", "/v1/booking") == 1 and len(vendor.bookings) == 1
    assert not booked.get("repeated") and again["repeated"] is True
    # The other replica rebuilt the first result from Redis exactly, `repeated` aside.
    assert {k: v for k, v in again.items() if k != "repeated"} == booked


async def test_twenty_identical_bookings_at_once_on_two_replicas_reach_the_vendor_once(redis: RedisServer) -> None:
    results: list[dict[str, Any]] = []
    async with (
        vendor_on_loopback() as (vendor, vendor_url),
        replicas(2, vendor_url, **{REDIS_ENV: redis.url}) as urls,
        mcp_client(urls[0]) as first,
        mcp_client(urls[1]) as second,
    ):

        async def book(client: Any) -> None:
            results.append(await call_ok(client, "create_planaday_booking", BOOKING))

        async with anyio.create_task_group() as tg:
            for i in range(20):
                tg.start_soon(book, first if i % 2 else second)
    assert vendor.count("POST", "/v1/booking") == 1 and len(vendor.bookings) == 1
    assert len({r["booking_id"] for r in results}) == 1
    assert sum(1 for r in results if r.get("repeated")) == 19


async def test_two_replicas_keep_one_rate_budget(redis: RedisServer) -> None:
    # 10 calls/s with a burst of 30, shared: 60 reads through two replicas reach the vendor as 30 at
    # once and then 10 a second, about 40 in the first second and 3 s in all. Two separate
    # budgets would let 60 through at once. The bounds leave room for a loaded machine's jitter
    # (a request granted at the end of the second may arrive a moment later) and still tell the
    # two apart.
    env = {REDIS_ENV: redis.url, "AGENDA_MCP_RATE_LIMIT": "10"}
    async with (
        vendor_on_loopback() as (vendor, vendor_url),
        replicas(2, vendor_url, **env) as urls,
        mcp_client(urls[0]) as first,
        mcp_client(urls[1]) as second,
    ):
        vendor.requests.clear()  # only the reads below

        async def ping(client: Any) -> None:
            await call_ok(client, "ping_planaday")

        async with anyio.create_task_group() as tg:
            for i in range(60):
                tg.start_soon(ping, first if i % 2 else second)
    times = sorted(at for at, _, path in vendor.requests if path == "/v1/ping")
    assert len(times) == 60
    in_first_second = sum(1 for at in times if at - times[0] < 1.0)
    assert in_first_second <= 52, f"{in_first_second} vendor requests in the first second: two budgets, not one"
    assert times[-1] - times[0] >= 2.0, "the reads were not paced by a shared budget"


async def test_redis_stopped_mid_run_refuses_writes_clearly_and_keeps_serving_reads(redis: RedisServer) -> None:
    env = {REDIS_ENV: redis.url, CACHE_ENV: "300"}
    async with (
        vendor_on_loopback() as (vendor, vendor_url),
        replicas(2, vendor_url, **env) as urls,
        mcp_client(urls[0]) as client,
    ):
        assert (await call_ok(client, "list_planaday_labels"))["labels"]
        redis.stop()
        refused = await call_error(client, "create_planaday_booking", BOOKING)
        labels = await call_ok(client, "list_planaday_labels")
        course = await call_ok(client, "get_planaday_course", {"course_id": 104})
        resource = await client.read_resource("planaday://labels")
    assert "was not sent" in refused and "cannot reach Redis at redis://127.0.0.1:" in refused
    assert "reads still work" in refused
    assert vendor.count("POST", "/v1/booking") == 0 and not vendor.bookings
    assert labels["labels"] and course["id"] == 104 and resource.contents


def test_the_server_does_not_start_without_redis(capsys: pytest.CaptureFixture[str], monkeypatch: Any) -> None:
    with redis_server() as stopped:
        url = stopped.url.replace("127.0.0.1", "user:hunter2-secret@127.0.0.1")
    monkeypatch.setenv(REDIS_ENV, url)
    with pytest.raises(SystemExit) as exit:
        cli.main(["--sandbox", "--transport", "http", "--stateless"])
    message = str(exit.value.code)
    assert exit.value.code != 0 and message.startswith("agenda-mcp: cannot reach Redis at redis://user:***@127.0.0.1")
    assert "hunter2" not in message and "\n" not in message


async def _connections(redis: RedisServer) -> int:
    """Clients connected to Redis, not counting the one asking."""
    from redis.asyncio import Redis

    asking = Redis.from_url(redis.url)
    try:
        return len(await asking.client_list()) - 1
    finally:
        await asking.aclose()


async def test_a_replica_that_stops_closes_its_redis_connections(redis: RedisServer) -> None:
    """Embedded or under a process manager, a stopped server leaves no Redis connection behind."""
    async with vendor_on_loopback() as (vendor, vendor_url):
        async with replicas(1, vendor_url, **{REDIS_ENV: redis.url}) as urls, mcp_client(urls[0]) as client:
            await call_ok(client, "create_planaday_booking", BOOKING)
            assert await _connections(redis) >= 1
        assert await _connections(redis) == 0
        # The same settings started again still share the guard: the repeat is not sent.
        async with replicas(1, vendor_url, **{REDIS_ENV: redis.url}) as urls, mcp_client(urls[0]) as client:
            again = await call_ok(client, "create_planaday_booking", BOOKING)
    assert again["repeated"] is True and vendor.count("POST", "/v1/booking") == 1


async def test_a_booking_made_before_a_redis_restart_is_not_sent_again_after_it(tmp_path: Path) -> None:
    """With an append-only file (the README's Redis) the claims survive a restart: the identical
    booking, repeated on the other replica after Redis came back, returns the first result."""
    folder, port = tmp_path / "redis", free_port()
    folder.mkdir()
    async with vendor_on_loopback() as (vendor, vendor_url):
        with redis_server(folder=str(folder), port=port) as redis:
            async with replicas(2, vendor_url, **{REDIS_ENV: redis.url}) as urls, mcp_client(urls[0]) as first:
                booked = await call_ok(first, "create_planaday_booking", BOOKING)
        with redis_server(folder=str(folder), port=port) as redis:
            async with replicas(2, vendor_url, **{REDIS_ENV: redis.url}) as urls, mcp_client(urls[1]) as second:
                again = await call_ok(second, "create_planaday_booking", BOOKING)
    assert vendor.count("POST", "/v1/booking") == 1 and again["repeated"] is True
    assert again["booking_id"] == booked["booking_id"]
    REPORT["team: bookings repeated after a Redis restart, not sent again"] += 1


async def test_a_redis_that_may_have_forgotten_refuses_writes_for_the_window() -> None:
    """Without an append-only file a Redis that has been up less than the duplicate window may have
    restarted empty and forgotten the claims just made: writes are refused, not sent; reads go on."""
    async with vendor_on_loopback() as (vendor, vendor_url):
        with redis_server(appendonly=False) as redis:
            async with replicas(1, vendor_url, **{REDIS_ENV: redis.url}) as [url], mcp_client(url) as client:
                refused = await call_error(client, "create_planaday_booking", BOOKING)
                await call_ok(client, "list_planaday_labels")
    assert "was not sent" in refused and "append-only" in refused and "appendonly yes" in refused
    assert vendor.count("POST", "/v1/booking") == 0
    REPORT["team: writes refused while a Redis without persistence may have forgotten"] += 1


async def test_a_slot_booked_on_one_replica_is_remembered_until_it_begins(redis: RedisServer) -> None:
    """Planaday cannot list bookings, so book_slot's own record is what stops a second request for
    the same person and course: kept in Redis until the slot begins, far beyond the 120 s window,
    and honoured by the other replica."""
    from redis import Redis

    async with vendor_on_loopback() as (vendor, vendor_url), replicas(2, vendor_url, **{REDIS_ENV: redis.url}) as urls:
        async with mcp_client(urls[0]) as first:
            found = await call_ok(first, "find_slots", {"limit": 1})
            booking = {"slot": found["slots"][0]["slot"], "name": "Anna de Vries", "email": "anna@example.nl"}
            booked = await call_ok(first, "book_slot", booking)
        async with mcp_client(urls[1]) as second:
            again = await call_ok(second, "book_slot", {**booking, "email": "Anna@Example.nl"})
    assert booked["booked"] is True and again["repeated"] is True and again["ids"] == booked["ids"]
    assert vendor.count("POST", "/v1/booking") == 1
    store = Redis.from_url(redis.url)
    kept = [store.pttl(key) / 1000 for key in store.scan_iter("agenda-mcp:write:*")]
    store.close()
    assert kept and max(kept) > 120, kept  # until the course starts, not the duplicate window
    REPORT["team: book_slot records kept beyond the duplicate window"] += 1
