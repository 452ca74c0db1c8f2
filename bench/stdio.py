"""A minimal MCP client over stdio: JSON-RPC lines on a pipe, nothing else.

The SDK's own client would add its validation and bookkeeping to every number; this one adds
as little as a client can, and adds the same to the server and to its baseline.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import sys
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import Any

PROTOCOL_VERSION = "2025-11-25"  # what desktop clients negotiate today, via the initialize handshake
BARE_SERVER = Path(__file__).with_name("bare_server.py")
# Variables a Python process needs to start; nothing else leaks in from the caller's shell
# (a stray AGENDA_MCP_TOOLSETS or vendor credential would change what is measured).
_PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR", "VIRTUAL_ENV")


class BenchError(RuntimeError):
    """A server answered with an error where the benchmark needs a result."""


def agenda_command() -> list[str]:
    """`agenda-mcp` as installed next to this interpreter, run by this interpreter."""
    script = Path(sys.executable).parent / "agenda-mcp"
    if script.exists():
        return [sys.executable, str(script)]
    return [sys.executable, "-m", "agenda_mcp"]


def bare_command() -> list[str]:
    return [sys.executable, str(BARE_SERVER)]


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {name: os.environ[name] for name in _PASSED_THROUGH if name in os.environ}
    return {**env, **(extra or {})}


class Session:
    """One server process and the requests in flight to it."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._reader = asyncio.create_task(self._read())

    @classmethod
    @contextlib.asynccontextmanager
    async def spawn(cls, argv: Sequence[str], env: Mapping[str, str]) -> AsyncIterator[Session]:
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            env=dict(env),
            limit=64 * 1024 * 1024,  # tools/list is one long line
        )
        session = cls(process)
        try:
            yield session
        finally:
            await session.close()

    async def handshake(self) -> dict[str, Any]:
        result = await self.request(
            "initialize",
            {
                "protocolVersion": PROTOCOL_VERSION,
                "capabilities": {},
                "clientInfo": {"name": "agenda-mcp-bench", "version": "1"},
            },
        )
        await self._send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return result

    async def list_tools(self) -> list[dict[str, Any]]:
        tools: list[dict[str, Any]] = (await self.request("tools/list", {}))["tools"]
        return tools

    async def list_everything(self) -> list[dict[str, Any]]:
        """What a host asks right after the handshake: Claude Desktop lists prompts and resources
        as well as tools when it connects (a debug log in stuzero/pg-mcp-server#15; a server
        without resources/list fails to connect, MiguelTVMS/tplink-omada-mcp#22)."""
        tools = await self.list_tools()
        for method in ("prompts/list", "resources/list", "resources/templates/list"):
            await self.request(method, {})
        return tools

    async def call(self, name: str, arguments: Mapping[str, Any] | None = None) -> dict[str, Any]:
        result = await self.request("tools/call", {"name": name, "arguments": dict(arguments or {})})
        if result.get("isError"):
            text = " ".join(block.get("text", "") for block in result.get("content", []))
            raise BenchError(f"{name} failed: {text}")
        return result

    async def request(self, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
        request_id = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        await self._send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": dict(params)})
        message = await future
        if "error" in message:
            raise BenchError(f"{method}: {message['error'].get('message')}")
        result: dict[str, Any] = message["result"]
        return result

    def peak_rss_kb(self) -> int | None:
        """The process's peak resident set size so far (Linux: VmHWM), or None where unknown."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        return None

    def cpu_seconds(self) -> float | None:
        """CPU time the process has used so far (Linux), or None where unknown. Unlike wall time,
        it does not grow when other work on the machine takes the processor away."""
        try:
            stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        except OSError:
            return None
        fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

    async def close(self) -> None:
        if self.process.stdin is not None and not self.process.stdin.is_closing():
            self.process.stdin.close()  # EOF on stdin: a stdio server's signal to exit
        try:
            await asyncio.wait_for(self.process.wait(), timeout=10)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader

    async def _send(self, message: Mapping[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message).encode() + b"\n")
        await self.process.stdin.drain()

    async def _read(self) -> None:
        assert self.process.stdout is not None
        while line := await self.process.stdout.readline():
            message = json.loads(line)
            if "method" in message:
                if "id" in message:  # a request from the server (roots, sampling): we offer none
                    await self._send(
                        {"jsonrpc": "2.0", "id": message["id"], "error": {"code": -32601, "message": "not supported"}}
                    )
                continue
            future = self._waiting.pop(message.get("id"), None)
            if future is not None and not future.done():
                future.set_result(message)
        gone = BenchError(f"server exited (code {await self.process.wait()})")
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(gone)
