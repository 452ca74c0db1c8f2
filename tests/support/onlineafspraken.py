"""Helpers for talking to the OnlineAfspraken sandbox over HTTP in tests (not a test module)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import httpx2
from starlette.applications import Starlette

from agenda_mcp.tools.onlineafspraken.sandbox import SANDBOX_BASE_URL, SANDBOX_ENV
from agenda_mcp.tools.onlineafspraken.sandbox.data import TZ
from agenda_mcp.tools.onlineafspraken.signing import ParamValue, SignatureHash, signed_query
from agenda_mcp.tools.onlineafspraken.xmlenvelope import Envelope, parse_envelope

# A Monday morning in winter (UTC+1); the demo data is anchored on it.
MONDAY_9AM = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
SALON, PHYSIO = 3101, 3102
KNIPPEN_HEREN, KLEUREN = 286851, 286854
INTAKE, GROEPSTRAINING, TELEFONISCH = 286861, 286864, 286866
SANNE, MEHMET = 116711, 116712
JAN = 14180540


class Clock:
    """A settable clock for the sandbox's ``now``."""

    def __init__(self, start: datetime = MONDAY_9AM) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


class TickingClock(Clock):
    """A clock that starts at a fixed moment and then runs with real time, like a server's; for
    the MCP-level tests, whose client signs with the real clock."""

    def __init__(self, start: datetime = MONDAY_9AM) -> None:
        super().__init__(start)
        self._origin = time.monotonic()

    def __call__(self) -> datetime:
        return self.current + timedelta(seconds=time.monotonic() - self._origin)


class SandboxCaller:
    """Signs calls with the sandbox credentials and the sandbox clock, parses the envelope."""

    def __init__(self, app: Starlette, clock: Clock, hash_name: SignatureHash = "sha1") -> None:
        self.app = app
        self.clock = clock
        self.hash_name = hash_name

    def query(self, method: str, salt: int | None = None, **params: ParamValue) -> dict[str, str]:
        return signed_query(
            method,
            params,
            api_key=SANDBOX_ENV["ONLINEAFSPRAKEN_API_KEY"],
            secret=SANDBOX_ENV["ONLINEAFSPRAKEN_API_SECRET"],
            salt=int(self.clock().timestamp()) if salt is None else salt,
            hash_name=self.hash_name,
        )

    async def send(self, query: dict[str, str]) -> Envelope:
        transport = httpx2.ASGITransport(app=self.app)
        async with httpx2.AsyncClient(transport=transport, base_url=SANDBOX_BASE_URL) as client:
            response = await client.get("", params=query)
        assert response.status_code == 200  # failures are envelopes, never HTTP errors (R21)
        return parse_envelope(response.content)

    async def call(self, method: str, **params: ParamValue) -> Envelope:
        return await self.send(self.query(method, **params))

    async def ok(self, method: str, **params: ParamValue) -> Envelope:
        envelope = await self.call(method, **params)
        assert envelope.ok, f"{method} failed: {envelope.message}"
        return envelope

    async def fails(self, method: str, **params: ParamValue) -> str:
        envelope = await self.call(method, **params)
        assert not envelope.ok, f"{method} unexpectedly succeeded"
        return envelope.message
