"""What every vendor simulator shares: injected latency and switchable faults.

The vendor sandboxes themselves live in their packages; this wrapper adds behaviour that is the
same for all of them, so no vendor writes it again.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Literal, get_args

import anyio
import httpx2
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class InProcessTransport(httpx2.AsyncBaseTransport):
    """Hands each request to a simulator's ASGI app in this process, as one request body and one
    collected answer. httpx2's own ASGITransport does this too, but it looks for trio with an
    import that fails on every request (about 0.1 ms a call, more than the simulator takes).
    Exceptions from the app (the `reset` and `lost_response` faults) reach the client as raised.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        body = await request.aread()
        url = request.url
        scope: Scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": url.scheme,
            "path": url.path,
            "raw_path": url.raw_path.split(b"?")[0],
            "query_string": url.query,
            "root_path": "",
            "headers": [(name.lower(), value) for name, value in request.headers.raw],
            "server": (url.host, url.port),
            "client": ("127.0.0.1", 123),
        }
        delivered = False
        answered = anyio.Event()
        status = 500
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []

        async def receive() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            await answered.wait()  # the client goes away only once it has the answer
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                if request.method != "HEAD":
                    chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    answered.set()

        await self.app(scope, receive, send)
        # A stream, not `content=`: the HTTP layer reads (and decodes) every answer itself, as it
        # would a real vendor's.
        return httpx2.Response(status, headers=headers, stream=_Body(b"".join(chunks)))


class _Body(httpx2.AsyncByteStream):
    def __init__(self, body: bytes) -> None:
        self._body = body

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._body


class SandboxLatency:
    """Delays every HTTP answer by a fixed time, to make a simulator feel like a remote API
    (AGENDA_MCP_SANDBOX_LATENCY_MS; the benchmark uses it to show calls overlap)."""

    def __init__(self, app: ASGIApp, latency_ms: int) -> None:
        self.app = app
        self.delay = latency_ms / 1000

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.delay:
            await anyio.sleep(self.delay)
        await self.app(scope, receive, send)


FaultMode = Literal[
    "500", "502", "503", "504", "rate_limited", "reset", "lost_response", "slow", "malformed", "html", "empty", "huge"
]
FAULT_MODES: tuple[str, ...] = get_args(FaultMode)


@dataclass
class _Fault:
    mode: FaultMode
    remaining: int | None
    method: str | None


class SandboxFaults:
    """Switchable misbehaviour in front of any vendor simulator, for tests of what the server does
    when a vendor fails: error statuses, rate limiting, a dropped connection before or after the
    vendor acted, an answer slower than any timeout, and bodies that are broken, HTML, empty or
    huge. Faults apply to the next `times` matching requests (all of them when `times` is None).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._faults: list[_Fault] = []
        self.faulted = 0
        self.passed = 0

    def inject(self, mode: FaultMode, *, times: int | None = 1, method: str | None = None) -> None:
        if mode not in FAULT_MODES:
            raise ValueError(f"unknown fault mode {mode!r}")
        self._faults.append(_Fault(mode, times, method.upper() if method else None))

    def clear(self) -> None:
        self._faults.clear()

    def _take(self, method: str) -> _Fault | None:
        for fault in self._faults:
            if fault.method in (None, method):
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                return fault
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        fault = self._take(scope.get("method", "")) if scope["type"] == "http" else None
        if fault is None:
            self.passed += scope["type"] == "http"
            await self.app(scope, receive, send)
            return
        self.faulted += 1
        mode = fault.mode
        if mode == "reset":
            raise httpx2.ReadError("connection reset by peer (sandbox fault)")
        if mode == "lost_response":
            # The vendor acts, then the answer never arrives: the case where a write may have
            # happened although the caller saw only an error.
            async def discard(message: Message) -> None:
                return None

            self.passed += 1
            await self.app(scope, receive, discard)
            raise httpx2.ReadError("connection lost after the request was processed (sandbox fault)")
        if mode == "slow":
            await anyio.sleep(3600)  # far beyond any timeout; the caller's deadline ends it
            return
        status, headers, body = _fault_response(mode)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _fault_response(mode: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    json_type = [(b"content-type", b"application/json")]
    if mode in ("500", "502", "503", "504"):
        return int(mode), json_type, json.dumps({"message": f"sandbox fault {mode}"}).encode()
    if mode == "rate_limited":
        reset = str(int(time.time()) + 3600).encode()
        headers = [*json_type, (b"x-ratelimit-limit", b"720000"), (b"x-ratelimit-remaining", b"0")]
        return 503, [*headers, (b"x-ratelimit-reset", reset)], b'{"message": "Rate Limit Reached"}'
    if mode == "malformed":
        return 200, json_type, b'{"data": [{"id": 1, "name": "Zaal'
    if mode == "html":
        return 200, [(b"content-type", b"text/html")], b"<!DOCTYPE html><html><body><h1>Inloggen</h1></body></html>"
    if mode == "empty":
        return 200, json_type, b""
    if mode == "huge":
        return 200, json_type, b'{"data": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    raise ValueError(mode)
