"""Issue 13, item 6: AGENDA_MCP_HTTP_TIMEOUT is the total deadline of a tool call, retries and
waits included. A vendor that trickles its answer (one byte every 0.2 s, over real loopback
HTTP, so no single read ever times out) must not keep a read (which retries) or a write past
that deadline plus a margin; nor may a vendor that never answers at all (the simulators' `slow`
fault), for every vendor. The margin (2 s) is for scheduling on a busy machine: this is a bound
the feature promises, not a speed benchmark."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from mcp import Client
from starlette.types import Receive, Scope, Send

from agenda_mcp.server.startup.app import build_agenda
from agenda_mcp.server.startup.config import Settings
from tests.support import error_text, sandbox_settings
from tests.support.hostile import assert_reasoned
from tests.support.loopback import serve_in_thread
from tests.support.vendor_cases import CASES, REPORT, VendorCase

pytestmark = pytest.mark.anyio
DEADLINE = 1.0  # seconds: the smallest AGENDA_MCP_HTTP_TIMEOUT an operator can set
MARGIN = 2.0
BYTE_EVERY = 0.2


class Trickle:
    """Answers 200 at once, then one byte of a JSON body every 0.2 s until the client leaves
    (or 60 s pass); counts the requests it got."""

    def __init__(self) -> None:
        self.requests: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        self.requests.append(f"{scope['method']} {scope['path']}")
        while (await receive()).get("more_body"):
            pass
        gone = anyio.Event()

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            gone.set()

        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        async with anyio.create_task_group() as tg:
            tg.start_soon(watch)
            for _ in range(int(60 / BYTE_EVERY)):
                if gone.is_set():
                    break
                await send({"type": "http.response.body", "body": b" ", "more_body": True})
                await anyio.sleep(BYTE_EVERY)
            tg.cancel_scope.cancel()
        if not gone.is_set():
            await send({"type": "http.response.body", "body": b"{}"})


@pytest.fixture(scope="module")
def trickle() -> Iterator[tuple[str, Trickle]]:
    app = Trickle()
    with serve_in_thread(app) as url:
        yield url, app


CALLS = {
    "read": ("list_planaday_labels", {}),
    "write": (
        "create_planaday_booking",
        {"course_id": 104, "students": [{"first_name": "Traag", "last_name": "Test"}]},
    ),
}


async def _timed(client: Client, name: str, arguments: dict[str, Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    with anyio.fail_after(60):  # a hang guard, far above what is asserted
        result = await client.call_tool(name, arguments)
    return result, time.perf_counter() - started


@pytest.mark.parametrize("kind", list(CALLS))
async def test_a_trickling_vendor_ends_within_the_deadline(kind: str, trickle: tuple[str, Trickle]) -> None:
    url, vendor = trickle
    env = {"PLANADAY_API_KEY": "trickle-test-planaday-key", "PLANADAY_BASE_URL": f"{url}/v1"}
    settings = Settings(env=env, toolsets=("planaday",), http_timeout=DEADLINE, retry_backoff=0.0, rate_limit=10_000)
    name, arguments = CALLS[kind]
    before = len(vendor.requests)
    async with Client(build_agenda(settings).server) as client:
        result, seconds = await _timed(client, name, arguments)
    assert result.is_error
    reason = assert_reasoned(error_text(result), name)
    assert seconds <= DEADLINE + MARGIN, f"{kind} took {seconds:.1f} s against a {DEADLINE:g} s deadline"
    sent = len(vendor.requests) - before
    if kind == "write":
        assert sent == 1, f"the write was sent {sent} times"
        assert "may or may not have happened" in reason, reason
    else:
        assert 1 <= sent <= 3, sent
        assert "ran out of time" in reason or "timed out" in reason, reason
    REPORT[f"security: trickling vendor, {kind} ended within the deadline + {MARGIN:g} s"] += 1
    _slowest(seconds)


@pytest.mark.parametrize("kind", ["read", "write"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.vendor)
async def test_a_vendor_that_never_answers_ends_within_the_deadline(case: VendorCase, kind: str) -> None:
    agenda = build_agenda(sandbox_settings(toolsets=(case.vendor,), http_timeout=DEADLINE))
    faults = agenda.vendors[case.vendor].faults
    assert faults is not None
    name, arguments = case.read if kind == "read" else (case.write[0], case.write[1](1))
    async with Client(agenda.server) as client:
        faults.inject("slow", times=None)
        result, seconds = await _timed(client, name, arguments)
    assert result.is_error
    reason = assert_reasoned(error_text(result), name)
    assert seconds <= DEADLINE + MARGIN, f"{name} took {seconds:.1f} s against a {DEADLINE:g} s deadline"
    if kind == "write":
        assert faults.faulted == 1 and "may or may not have happened" in reason, reason
    REPORT[f"security: silent vendor, {kind} ended within the deadline + {MARGIN:g} s"] += 1
    _slowest(seconds)


def _slowest(seconds: float) -> None:
    key = f"security: deadline {DEADLINE:g} s, slowest call ended after (ms)"
    REPORT[key] = max(REPORT[key], round(seconds * 1000))
