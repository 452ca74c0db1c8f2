"""Rehearse the stdio request path once, before the person's first tool call.

With the vendors built in the background, the first tool call after a start still ran code this
process had never run: the transport's reply path, the tools/call handler, the argument check.
Python runs such code slower the first few times, so the first call cost 1.18-1.20x the second
(README, Performance). Once the vendors are built, a private session over two pipes goes through
the same stdio transport and server: the handshake, then a few tools/call of a read tool with an
argument no tool has. Every tool refuses an unknown argument before anything runs (strict
arguments), so no vendor is asked and nothing is audited; the answers are read and dropped, and
the SDK's log line for each refused call is left out (it would tell the operator of a failure).

The SDK has no public way to serve an `MCPServer` on streams of one's choosing; its
`_lowlevel_server` does that. Should it go, the rehearsal is skipped, not the start
(tests/test_rehearsal.py says so first).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from contextlib import AsyncExitStack
from contextvars import ContextVar
from typing import IO, Any

import anyio
import mcp_types
from mcp.server.mcpserver import MCPServer
from mcp.server.stdio import stdio_server

from agenda_mcp.server.guards.redaction import get_logger

log = get_logger(__name__)

ARGUMENT = "agenda_mcp_rehearsal"
"""The argument no tool has: every tool refuses it by name and runs nothing."""
CALLS = 3
"""A code path runs at full speed after a few passes, not after one."""
LIMIT = 10.0
"""Seconds: a rehearsal that hangs is abandoned; it never holds up anything else."""
SDK_CALL_LOG = "mcp.server.mcpserver.server"
"""The SDK logger that reports each failed tool call at INFO."""

_rehearsing: ContextVar[bool] = ContextVar("agenda_mcp_rehearsing", default=False)
"""True in the rehearsal's tasks (they copy the context they are started in), nowhere else."""


def _unless_rehearsing(record: logging.LogRecord) -> bool:
    return not _rehearsing.get()


async def rehearse(server: MCPServer, tool: str) -> bool:
    """Run CALLS refused calls of `tool` through a private stdio session; True when each was refused."""
    lowlevel = getattr(server, "_lowlevel_server", None)
    if lowlevel is None:
        log.debug("no rehearsal: this mcp version serves no MCPServer on given streams")
        return False
    sdk_log = logging.getLogger(SDK_CALL_LOG)
    if _unless_rehearsing not in sdk_log.filters:
        sdk_log.addFilter(_unless_rehearsing)
    started = time.perf_counter()
    rehearsing = _rehearsing.set(True)
    try:
        async with AsyncExitStack() as files:
            refused = await _session(lowlevel, files, tool)
    finally:
        _rehearsing.reset(rehearsing)
    if refused is None:
        log.debug("the rehearsal took over %g s and was abandoned", LIMIT)
        return False
    log.debug("rehearsed %s in %.0f ms", tool, (time.perf_counter() - started) * 1000)
    return refused


async def _session(lowlevel: Any, files: AsyncExitStack, tool: str) -> bool | None:
    """The private session; None when it was abandoned at LIMIT."""
    refused = False
    stdin, feed = _pipe(files)
    answers, stdout = _pipe(files)
    with anyio.move_on_after(LIMIT) as limit:
        async with (
            stdio_server(anyio.wrap_file(stdin), anyio.wrap_file(stdout)) as (read, write),
            anyio.create_task_group() as session,
        ):
            session.start_soon(lowlevel.run, read, write, lowlevel.create_initialization_options())
            try:
                refused = await _exchange(feed, answers, tool)
            finally:
                with anyio.CancelScope(shield=True):
                    # End of input ends the private session, also when it is abandoned.
                    await anyio.to_thread.run_sync(feed.close)
    return None if limit.cancelled_caught else refused


async def _exchange(feed: IO[str], answers: IO[str], tool: str) -> bool:
    hello = {"protocolVersion": mcp_types.LATEST_PROTOCOL_VERSION, "capabilities": {}}
    hello["clientInfo"] = {"name": "agenda-mcp rehearsal", "version": "1"}
    await _send(feed, {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": hello})
    await _receive(answers)
    await _send(feed, {"jsonrpc": "2.0", "method": "notifications/initialized"})
    refused = 0
    for number in range(1, CALLS + 1):
        call = {"name": tool, "arguments": {ARGUMENT: True}}
        await _send(feed, {"jsonrpc": "2.0", "id": number, "method": "tools/call", "params": call})
        refused += bool((await _receive(answers)).get("result", {}).get("isError"))
    return refused == CALLS


async def _send(feed: IO[str], message: dict[str, Any]) -> None:
    def write() -> None:
        feed.write(json.dumps(message) + "\n")
        feed.flush()

    await anyio.to_thread.run_sync(write)


async def _receive(answers: IO[str]) -> dict[str, Any]:
    # Abandoned on cancel: a server that never answers must not keep the rehearsal waiting; the
    # thread ends when the pipe is closed below.
    line = await anyio.to_thread.run_sync(answers.readline, abandon_on_cancel=True)
    answer: dict[str, Any] = json.loads(line) if line else {}
    return answer


def _pipe(files: AsyncExitStack) -> tuple[IO[str], IO[str]]:
    """The read and write ends of a new pipe as text files, closed when `files` closes."""
    read_end, write_end = os.pipe()
    # The exit stack is the context manager: both ends live as long as the rehearsal.
    reader = files.enter_context(open(read_end, encoding="utf-8"))  # noqa: SIM115
    writer = files.enter_context(_quietly_closed(open(write_end, "w", encoding="utf-8")))  # noqa: SIM115
    return reader, writer


@contextlib.contextmanager
def _quietly_closed(file: IO[str]) -> Any:
    """A write end that may have been closed already (the feed, at the end of the exchange)."""
    try:
        yield file
    finally:
        with contextlib.suppress(OSError, ValueError):
            file.close()
