"""Issue 13, item 2: a customer's password is the caller's, not a server-wide secret.

Two MCP sessions over real loopback HTTP (server/transport/web.py, stateful) talk to one agenda-mcp.
Session A tries passwords through login_customer that are also ordinary words in what session B
reads ("Agenda", "Utrecht", "gevonden", "customer", ...), a few hundred distinct ones at once, and
one of a megabyte; meanwhile and afterwards session B reads and fails as usual. B must see no
"***" anywhere, the server's list of masked values must not grow, no password may reach a log
line, A's own answers must not echo its passwords, and a later login must not be slowed by the
megabyte one."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from agenda_mcp.server.guards import redaction
from agenda_mcp.server.startup.config import HttpSettings
from agenda_mcp.server.transport.web import create_app
from tests.support import error_text, sandbox_settings
from tests.support.loopback import serve_loopback
from tests.support.vendor_cases import REPORT

pytestmark = pytest.mark.anyio

USERNAME, PASSWORD = "fleur.vandenberg", "Knipoog2024"  # a sandbox customer with a login
# Words B will read; as A's passwords they must not be masked for B.
COMMON = ["Agenda", "agenda", "gevonden", "Utrecht", "customer", "client", "failed", "Vries", "OnlineAfspraken"]
DISTINCT = [f"wachtwoord-{n}-geheim" for n in range(300)]
HUGE = "m" * (1024 * 1024)


def session_texts(result: Any) -> str:
    return error_text(result) + json.dumps(result.structured_content or {}, ensure_ascii=False)


async def b_reads(client: Client) -> list[str]:
    """What session B does all day: reads that succeed and reads that fail with the vendor's words."""
    seen = []
    for name, arguments in [
        ("get_agendas", {}),
        ("get_agenda", {"agenda_id": 999999}),
        ("get_customers", {}),
        ("login_customer", {"username": USERNAME, "password": "bees-own-wrong-password"}),
        ("get_appointment_type", {"appointment_type_id": 999999}),
    ]:
        seen.append(session_texts(await client.call_tool(name, arguments)))
    return seen


async def test_two_sessions_with_different_passwords_see_nothing_of_each_other(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    app = create_app(sandbox_settings(toolsets=("onlineafspraken",), rate_limit=10_000), HttpSettings())
    masked_before = set(redaction._secrets)
    a_texts: list[str] = []
    b_texts: list[str] = []
    async with (
        serve_loopback(app, lifespan=True) as url,
        httpx2.AsyncClient(timeout=60) as http_a,
        httpx2.AsyncClient(timeout=60) as http_b,
        Client(streamable_http_client(f"{url}/mcp", http_client=http_a)) as a,
        Client(streamable_http_client(f"{url}/mcp", http_client=http_b)) as b,
    ):
        b_texts += await b_reads(b)  # before A does anything: B's own baseline
        assert not any("***" in text for text in b_texts), b_texts

        async def a_logs_in(password: str) -> None:
            result = await a.call_tool("login_customer", {"username": USERNAME, "password": password})
            a_texts.append(session_texts(result))

        with anyio.fail_after(120):
            async with anyio.create_task_group() as tg:
                for password in COMMON + DISTINCT:
                    tg.start_soon(a_logs_in, password)
                b_texts += await b_reads(b)  # while A's logins are in flight
        b_texts += await b_reads(b)  # and after

        good = await a.call_tool("login_customer", {"username": USERNAME, "password": PASSWORD})
        assert not good.is_error, error_text(good)
        a_texts.append(session_texts(good))

        started = time.perf_counter()
        huge = await a.call_tool("login_customer", {"username": USERNAME, "password": HUGE})
        huge_seconds = time.perf_counter() - started
        assert huge.is_error
        a_texts.append(error_text(huge))
        started = time.perf_counter()
        later = await b.call_tool("login_customer", {"username": USERNAME, "password": PASSWORD})
        later_seconds = time.perf_counter() - started
        assert not later.is_error, error_text(later)
        b_texts += await b_reads(b)

    for text in b_texts:
        assert "***" not in text, f"session B reads a mask made of A's passwords: {text[:300]}"
    assert set(redaction._secrets) == masked_before, "a caller's password became a server-wide mask"
    for text in a_texts:
        assert PASSWORD not in text and HUGE[:200] not in text
        assert not any(p in text for p in DISTINCT), f"A's password echoed back: {text[:300]}"
    assert len(error_text(huge).encode()) <= 4096, f"a {len(error_text(huge)):,}-character error"
    # The server's records; this test's own MCP clients (mcp.client.*) log what they send.
    logged = [record.getMessage() for record in caplog.records if not record.name.startswith("mcp.client")]
    assert any("->" in line for line in logged), "expected the DEBUG request log"
    for line in logged:
        assert PASSWORD not in line and HUGE[:200] not in line, f"a password in a log line: {line[:300]}"
        assert not any(p in line for p in DISTINCT), f"a password in a log line: {line[:300]}"
    assert huge_seconds < 5 and later_seconds < 1, (huge_seconds, later_seconds)
    REPORT["security: passwords tried in session A"] += len(COMMON) + len(DISTINCT) + 2
    REPORT["security: texts session B read without a mask of A's"] += len(b_texts)
