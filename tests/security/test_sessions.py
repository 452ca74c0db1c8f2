"""Issue 13, item 8: one client cannot lock everyone out over HTTP.

The real app (server/transport/web.py, stateful sessions) is served by uvicorn on 127.0.0.1 with a small
AGENDA_MCP_SESSIONS_PER_CLIENT. One client (from 127.0.0.1) sends 10,000 session-opening
requests (MCP initialize) and never closes a session: it gets its quota, then 429 with a
Retry-After for every further one. A second client (its connections bound to 127.0.0.2) then
opens a session and calls a tool as if nothing had happened. Closing one session (HTTP DELETE)
gives the first client room for exactly one more."""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any

import anyio
import h11
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from agenda_mcp.server.startup.config import HttpSettings
from agenda_mcp.server.transport.web import create_app
from tests.support import call_ok, sandbox_settings
from tests.support.loopback import INITIALIZE, MCP_HEADERS, serve_loopback
from tests.support.vendor_cases import REPORT

pytestmark = pytest.mark.anyio
PER_CLIENT = 20
ATTEMPTS = 10_000


async def flood(url: str, count: int, connections: int = 32) -> Counter[int]:
    """`count` session-opening requests over `connections` kept-alive HTTP/1.1 connections: the
    same bytes a client library sends, without its per-request cost, so 10,000 stay quick on a
    busy machine. The status of every answer, counted."""
    host, port = url.removeprefix("http://").split(":")
    body = json.dumps(INITIALIZE).encode()
    headers = [("host", f"{host}:{port}"), ("content-length", str(len(body))), *MCP_HEADERS.items()]
    statuses: Counter[int] = Counter()

    async def worker(share: int) -> None:
        while share:
            async with await anyio.connect_tcp(host, int(port)) as stream:
                connection = h11.Connection(h11.CLIENT)
                while share and connection.our_state is h11.IDLE:
                    await stream.send(
                        connection.send(h11.Request(method="POST", target="/mcp", headers=headers))
                        + connection.send(h11.Data(data=body))
                        + connection.send(h11.EndOfMessage())
                    )
                    status = 0
                    while True:
                        event = connection.next_event()
                        if event is h11.NEED_DATA:
                            connection.receive_data(await stream.receive(65536))
                        elif isinstance(event, h11.Response):
                            status = event.status_code
                        elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                            break
                    statuses[status] += 1
                    share -= 1
                    if connection.our_state is h11.DONE and connection.their_state is h11.DONE:
                        connection.start_next_cycle()

    async with anyio.create_task_group() as tg:
        for n in range(connections):
            tg.start_soon(worker, count // connections + (n < count % connections))
    return statuses


async def test_ten_thousand_sessions_from_one_client_do_not_lock_out_another() -> None:
    app = create_app(sandbox_settings(toolsets=("planaday",)), HttpSettings(sessions_per_client=PER_CLIENT))
    async with serve_loopback(app, lifespan=True) as url, httpx2.AsyncClient(timeout=60) as attacker:
        # Its quota, opened at once (concurrent requests must not slip past the count)...
        opened = []

        async def open_session() -> None:
            opened.append(await attacker.post(f"{url}/mcp", json=INITIALIZE, headers=MCP_HEADERS))

        async with anyio.create_task_group() as tg:
            for _ in range(2 * PER_CLIENT):
                tg.start_soon(open_session)
        held = [r.headers["mcp-session-id"] for r in opened if r.status_code == 200]
        refusal = next(r for r in opened if r.status_code == 429)
        # ...then the rest of 10,000, never closing anything.
        statuses: Counter[int] = Counter()
        labels: dict[str, Any] = {}
        started = time.perf_counter()

        async def attack() -> None:
            statuses.update(await flood(url, ATTEMPTS - len(opened)))

        async def second_client() -> None:
            # From another address, while the flood goes on: a session and a tool call.
            transport = httpx2.AsyncHTTPTransport(local_address="127.0.0.2")
            async with (
                httpx2.AsyncClient(transport=transport, timeout=30) as http,
                Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client,
            ):
                labels.update(await call_ok(client, "list_planaday_labels"))
            labels["during"] = not statuses  # the flood's counts arrive when it is over

        with anyio.fail_after(240):  # a hang guard
            async with anyio.create_task_group() as tg:
                tg.start_soon(attack)
                tg.start_soon(second_client)
        flood_seconds = time.perf_counter() - started
        assert labels["labels"], labels

        # The first client is capped, not banned: closing one session makes room for one.
        closed = await attacker.delete(f"{url}/mcp", headers={**MCP_HEADERS, "mcp-session-id": held[0]})
        assert closed.status_code in (200, 204), closed.status_code
        again = await attacker.post(f"{url}/mcp", json=INITIALIZE, headers=MCP_HEADERS)
        more = await attacker.post(f"{url}/mcp", json=INITIALIZE, headers=MCP_HEADERS)

    assert len(held) == PER_CLIENT, f"{len(held)} sessions opened against a quota of {PER_CLIENT}"
    assert sum(statuses.values()) == ATTEMPTS - len(opened)
    assert statuses == {429: ATTEMPTS - len(opened)}, statuses
    assert refusal.headers.get("retry-after"), refusal.headers
    assert f"already holds {PER_CLIENT} open sessions" in refusal.json()["error"]["message"]
    assert again.status_code == 200 and more.status_code == 429, (again.status_code, more.status_code)
    REPORT["security: session-opening requests from one client"] += ATTEMPTS
    REPORT[f"security: ...of which refused with 429 (quota {PER_CLIENT})"] += ATTEMPTS - PER_CLIENT
    REPORT["security: second client served " + ("during" if labels["during"] else "after") + " the flood"] += 1
    REPORT["security: 10,000 session requests, flood took (s)"] = round(flood_seconds)
