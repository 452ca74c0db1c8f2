"""Helpers shared by the tests: sandbox settings and calling tools through a real MCP client."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import uvicorn
from mcp import Client
from starlette.types import ASGIApp

from agenda_mcp.server.startup.app import Agenda
from agenda_mcp.server.startup.config import Settings


def sandbox_settings(**overrides: Any) -> Settings:
    """Sandbox mode with no real environment and no retry backoff (tests must not wait)."""
    return Settings(sandbox=True, retry_backoff=0.0, env={}).with_overrides(**overrides)


def requests_sent(agenda: Agenda) -> int:
    """HTTP requests every vendor of `agenda` has sent so far."""
    return sum(runtime.http.requests_sent for runtime in agenda.vendors.values())


async def call_ok(client: Client, name: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
    result = await client.call_tool(name, arguments or {})
    assert not result.is_error, f"{name} failed: {error_text(result)}"
    assert result.structured_content is not None, f"{name} returned no structured content"
    return result.structured_content


async def call_error(client: Client, name: str, arguments: dict[str, Any] | None = None) -> str:
    result = await client.call_tool(name, arguments or {})
    assert result.is_error, f"{name} should have failed but returned {result.structured_content}"
    return error_text(result)


def error_text(result: Any) -> str:
    return " ".join(getattr(block, "text", "") for block in result.content)


def loopback_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # No Nagle delay (accepted sockets inherit it on Linux): a server that writes its headers and
    # body apart would otherwise wait ~40 ms a request for the client's delayed ACK.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock


@asynccontextmanager
async def serve_loopback(app: ASGIApp, *, lifespan: bool = False) -> AsyncIterator[str]:
    """Serve an ASGI app with uvicorn on 127.0.0.1 and yield its base URL.

    The socket is bound and listening before uvicorn starts, and uvicorn finishes any lifespan
    start-up (the MCP transport needs one) before it accepts, so a client may connect at once:
    no waiting for start-up."""
    sock = loopback_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on" if lifespan else "off"))
    async with anyio.create_task_group() as tg:
        tg.start_soon(server.serve, [sock])
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
    sock.close()
