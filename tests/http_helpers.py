"""Helpers for the tests that serve agenda-mcp over real loopback HTTP (tests/test_http_*.py)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field

import anyio
import httpx2
from starlette.types import ASGIApp, Receive, Scope, Send

from tests.support import serve_loopback

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}},
}
MCP_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


def free_port() -> int:
    """A port nothing listens on right now, for a server process that binds it itself."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_app(app: ASGIApp) -> AbstractAsyncContextManager[str]:
    """Serve an MCP ASGI app (lifespan included) on 127.0.0.1 and yield its base URL."""
    return serve_loopback(app, lifespan=True)


@dataclass
class Recorder:
    """ASGI middleware that remembers every HTTP request's method, path and headers."""

    app: ASGIApp
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            self.requests.append((scope["method"], scope["path"], headers))
        await self.app(scope, receive, send)


class Gate:
    """ASGI middleware that holds requests to one path until `release()`; `entered` is set when
    the first one arrives. A deterministic "call in flight" for shutdown tests."""

    def __init__(self, app: ASGIApp, path: str) -> None:
        self.app = app
        self.path = path
        self.entered = anyio.Event()
        self._open = anyio.Event()

    def release(self) -> None:
        self._open.set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == self.path:
            self.entered.set()
            await self._open.wait()
        await self.app(scope, receive, send)


class RoundRobin(httpx2.AsyncBaseTransport):
    """Sends each request to the next of several ports in turn, like a load balancer without
    sticky sessions, and records which port got which request."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.sent: list[tuple[int, str, int]] = []
        """(port, method, status) of every request, in order."""
        self._next = self._cycle()
        self._inner = httpx2.AsyncHTTPTransport()

    def _cycle(self) -> Iterator[int]:
        while True:
            yield from self.ports

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        port = next(self._next)
        request.url = request.url.copy_with(port=port)
        response = await self._inner.handle_async_request(request)
        self.sent.append((port, request.method, response.status_code))
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
