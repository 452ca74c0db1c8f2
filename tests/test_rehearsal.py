"""The stdio rehearsal (server/transport/rehearsal.py): refused by every read tool it could pick, so it
reaches no vendor, logs nothing, and never holds up the server it rehearses."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from anyio.abc import ByteReceiveStream

from agenda_mcp.server.startup.app import Agenda, build_agenda
from agenda_mcp.server.transport import rehearsal
from tests.support import requests_sent, sandbox_settings
from tests.support.vendor_cases import REPORT

pytestmark = pytest.mark.anyio


def read_tools(agenda: Agenda) -> list[str]:
    return [
        tool.name
        for runtime in agenda.vendors.values()
        for tool in runtime.toolkit.tools
        if tool.annotations is not None and tool.annotations.read_only_hint
    ]


async def test_every_read_tool_refuses_the_rehearsal_without_a_request_or_a_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    agenda = build_agenda(sandbox_settings())
    tools = read_tools(agenda)
    caplog.set_level(logging.INFO)
    for tool in tools:
        assert await rehearsal.rehearse(agenda.server, tool), f"{tool} did not refuse the rehearsal"
    assert requests_sent(agenda) == 0
    assert not [r for r in caplog.records if r.name == rehearsal.SDK_CALL_LOG]
    REPORT["read tools refusing the stdio rehearsal, nothing sent"] += len(tools)

    # Outside the rehearsal the SDK still reports a refused call.
    from mcp import Client

    async with Client(agenda.server) as client:
        await client.call_tool(tools[0], {rehearsal.ARGUMENT: True})
    assert [r for r in caplog.records if r.name == rehearsal.SDK_CALL_LOG]


async def test_a_rehearsal_that_hangs_is_abandoned(monkeypatch: pytest.MonkeyPatch) -> None:
    async def hang(*_: Any) -> bool:
        await anyio.sleep_forever()
        return True

    monkeypatch.setattr(rehearsal, "_exchange", hang)
    monkeypatch.setattr(rehearsal, "LIMIT", 0.05)
    agenda = build_agenda(sandbox_settings())
    with anyio.fail_after(30):  # a guard against a hang, not a timing
        assert await rehearsal.rehearse(agenda.server, read_tools(agenda)[0]) is False


async def test_without_the_sdk_hook_there_is_no_rehearsal_and_no_error() -> None:
    assert await rehearsal.rehearse(object(), "list_planaday_labels") is False  # type: ignore[arg-type]


async def _line(stream: ByteReceiveStream, buffer: bytearray) -> str:
    while b"\n" not in buffer:
        buffer += await stream.receive()
    line, _, rest = bytes(buffer).partition(b"\n")
    buffer[:] = rest
    return line.decode()


async def test_the_command_rehearses_once_the_tools_are_listed(tmp_path: Path) -> None:
    """Over real stdio: after tools/list the server rehearses in the background (its debug log
    says so), and the client's own calls go on as before."""
    env = {**os.environ, "AGENDA_MCP_CACHE_DIR": str(tmp_path), "AGENDA_MCP_LOG_LEVEL": "DEBUG"}
    hello = {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": hello},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
    ]
    with anyio.fail_after(120):  # a guard against a hang, not a timing
        async with await anyio.open_process([sys.executable, "-m", "agenda_mcp", "--sandbox"], env=env) as server:
            assert server.stdin and server.stdout and server.stderr
            await server.stdin.send("".join(json.dumps(m) + "\n" for m in messages).encode())
            out, err = bytearray(), bytearray()
            assert json.loads(await _line(server.stdout, out))["id"] == 1
            assert json.loads(await _line(server.stdout, out))["id"] == 2
            while "agenda_mcp.server.transport.rehearsal: rehearsed" not in (line := await _line(server.stderr, err)):
                assert "the rehearsal" not in line and "no rehearsal" not in line, line
            call = {"name": "list_planaday_labels", "arguments": {}}
            await server.stdin.send(
                json.dumps({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": call}).encode() + b"\n"
            )
            answer = json.loads(await _line(server.stdout, out))
            assert answer["id"] == 3 and not answer["result"].get("isError")
            assert answer["result"]["structuredContent"]["labels"]
            await server.stdin.aclose()
    assert server.returncode == 0
