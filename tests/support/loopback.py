"""Real servers on 127.0.0.1 for the tests: agenda-mcp over HTTP, stand-in vendors, and the request
shapes a raw HTTP client sends."""

from __future__ import annotations

import socket
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx2
import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

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
async def serve_loopback(
    app: ASGIApp, *, lifespan: bool = False, force_exit: bool = False, **config: Any
) -> AsyncIterator[str]:
    """Serve an ASGI app with uvicorn on 127.0.0.1 and yield its base URL (https when `config` gives
    uvicorn an `ssl_certfile`; other uvicorn settings, such as header limits, pass through).

    The socket is bound and listening before uvicorn starts, and uvicorn finishes any lifespan
    start-up (the MCP transport needs one) before it accepts, so a client may connect at once:
    no waiting for start-up. `force_exit`: connections still open at the end (a server that
    trickles) are cut rather than waited for."""
    sock = loopback_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on" if lifespan else "off", **config))
    scheme = "https" if config.get("ssl_certfile") else "http"
    async with anyio.create_task_group() as tg:
        tg.start_soon(server.serve, [sock])
        try:
            yield f"{scheme}://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            server.force_exit = force_exit
    sock.close()


@contextmanager
def serve_in_thread(app: ASGIApp) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on 127.0.0.1 in a thread of its own and yield its base URL:
    for a vendor that must keep answering while the test's own event loop is blocked or busy (a
    subprocess, a synchronous client), or for a whole module's worth of tests."""
    sock = loopback_socket()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        server.force_exit = True  # a trickling answer must not hold the test's end
        thread.join(timeout=10)
        sock.close()
