"""Graceful shutdown of the real `agenda-mcp --transport http` process on SIGTERM: a call in
flight finishes and its answer reaches the client, no new connection is accepted meanwhile, and
the client's idle SSE stream does not hold the shutdown up.

No sleeps: the vendor behind the server is a Planaday sandbox in this test process that holds
the call until the test releases it, and the server's own log lines say when it has started to
shut down."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import httpx2
import pytest
from anyio.abc import ByteReceiveStream, Process
from anyio.streams.text import TextReceiveStream
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from agenda_mcp.tools.planaday import sandbox as planaday_sandbox
from tests.support import call_ok
from tests.support.loopback import Gate, free_port, serve_loopback

pytestmark = [pytest.mark.anyio, pytest.mark.slow]
SCRIPT = str(Path(sys.executable).parent / "agenda-mcp")
TOKEN = "shutdown-test-token-0123456789"


class LogWatch:
    """Collects a process's stderr lines and lets a test wait until one contains a text."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._waiting: list[tuple[str, anyio.Event]] = []

    async def pump(self, stream: ByteReceiveStream) -> None:
        pending = ""
        async for chunk in TextReceiveStream(stream):
            pending += chunk
            *complete, pending = pending.split("\n")
            for line in complete:
                self.lines.append(line)
                for text, event in self._waiting:
                    if text in line:
                        event.set()

    async def wait_for(self, text: str) -> None:
        if any(text in line for line in self.lines):
            return
        event = anyio.Event()
        self._waiting.append((text, event))
        with anyio.fail_after(30):
            await event.wait()

    def __str__(self) -> str:
        return "\n".join(self.lines)


@asynccontextmanager
async def agenda_process(vendor_url: str, port: int) -> AsyncIterator[tuple[Process, LogWatch]]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PLANADAY_API_KEY": planaday_sandbox.SANDBOX_ENV["PLANADAY_API_KEY"],
        "PLANADAY_BASE_URL": f"{vendor_url}/v1",
        "AGENDA_MCP_HTTP_TOKEN": TOKEN,
    }
    command = [SCRIPT, "--transport", "http", "--port", str(port), "--toolsets", "planaday"]
    async with await anyio.open_process(command, env=env) as process, anyio.create_task_group() as tg:
        log = LogWatch()
        assert process.stderr is not None
        tg.start_soon(log.pump, process.stderr)
        try:
            yield process, log
        finally:
            if process.returncode is None:
                process.kill()


async def test_sigterm_lets_the_call_in_flight_finish_and_accepts_no_new_connection() -> None:
    gate = Gate(planaday_sandbox.create_app(), "/v1/label/list")
    port = free_port()
    async with serve_loopback(gate) as vendor_url, agenda_process(vendor_url, port) as (process, log):
        await log.wait_for("Uvicorn running on")
        result: dict[str, object] = {}
        async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}) as http:
            # The session-based revision: the client also keeps a standalone SSE stream open.
            mcp_client = Client(streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=http), mode="legacy")
            async with mcp_client as client, anyio.create_task_group() as tg:
                # As clients do; the SDK client would otherwise list tools after the call, to
                # validate its result, on a new connection that the closed listener refuses.
                await client.list_tools()

                async def call() -> None:
                    result.update(await call_ok(client, "list_planaday_labels"))

                tg.start_soon(call)
                with anyio.fail_after(30):
                    await gate.entered.wait()  # the call is now in flight, held at the vendor
                process.send_signal(signal.SIGTERM)
                # Logged after uvicorn closed its listening socket, while our call holds a connection.
                await log.wait_for("Waiting for connections to close")
                with pytest.raises(OSError):
                    await anyio.connect_tcp("127.0.0.1", port)
                gate.release()
        with anyio.fail_after(30):
            returncode = await process.wait()

    assert result.get("labels"), f"the call in flight did not finish: {result}\n{log}"
    # uvicorn re-raises the signal once it has shut down cleanly, so the exit status is SIGTERM's.
    assert returncode == -signal.SIGTERM, log
    text = str(log)
    assert "Application shutdown complete" in text
    assert "timeout graceful shutdown exceeded" not in text
    assert "ASGI callable returned without completing response" not in text
    assert "Traceback" not in text
