"""Per-client limits on MCP sessions over HTTP, so one client cannot fill the server's table.

The SDK caps the number of stateful sessions for the whole server (10,000) and closes a session
after it has been idle for a while (30 minutes by default). One client that opens sessions and
never closes them would then lock every other client out for half an hour. `SessionQuota` counts
the sessions each client holds and answers 429 to a client asking for one more than
AGENDA_MCP_SESSIONS_PER_CLIENT, and to any request from an address that already holds
AGENDA_MCP_SESSIONS_PER_ADDRESS sessions, whoever it claims to be. The idle timeout
(AGENDA_MCP_SESSION_IDLE_SECONDS) is given to the SDK as well, so both forget a session together.

A client is its address plus who it is as far as this server has verified it: the SDK's
authentication middleware runs first (the quota sits inside it, see transport/web.py), and an
authenticated request counts under its token's principal (issuer and subject; everyone holding
the team's shared token is one principal), never under the text of its Authorization header.
So respelling `Bearer`, padding the token or getting a fresh access token buys no fresh quota,
and a request that is not authenticated counts as the address alone.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from mcp.server.auth.provider import AccessToken, principal_components
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agenda_mcp.server.guards.redaction import get_logger

log = get_logger("agenda_mcp.sessions")

DEFAULT_PER_CLIENT = 100
DEFAULT_IDLE_SECONDS = 600
ADDRESS_FACTOR = 4
"""AGENDA_MCP_SESSIONS_PER_ADDRESS defaults to this many times AGENDA_MCP_SESSIONS_PER_CLIENT."""
WARN_EVERY_SECONDS = 60.0


@dataclass
class _Session:
    client: str
    address: str
    seen: float
    busy: int = 0


@dataclass
class SessionQuota:
    """ASGI middleware in front of the MCP endpoint (stateful mode only), inside authentication."""

    app: ASGIApp
    path: str
    per_client: int = DEFAULT_PER_CLIENT
    idle_seconds: float = DEFAULT_IDLE_SECONDS
    per_address: int | None = None
    """Sessions all clients from one address may hold together; None: `ADDRESS_FACTOR` x per_client."""
    clock: Callable[[], float] = time.monotonic
    sessions: dict[str, _Session] = field(default_factory=dict)
    held: Counter[str] = field(default_factory=Counter)
    """Sessions held, per client and per address (the keys cannot collide: a client has a `|`)."""
    opening: Counter[str] = field(default_factory=Counter)
    """Session-opening requests in flight, per client and per address: counted at once, so
    concurrent requests cannot all pass the check before the first session is recorded."""
    warned: dict[str, float] = field(default_factory=dict)

    @property
    def address_limit(self) -> int:
        return self.per_address if self.per_address is not None else ADDRESS_FACTOR * self.per_client

    def held_by(self, client: str) -> int:
        return self.held[client]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].rstrip("/") != self.path.rstrip("/"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        session_id = headers.get(b"mcp-session-id", b"").decode("latin-1")
        if session_id:
            await self._existing(session_id, scope, receive, send)
            return
        if scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        address, client = client_of(scope)
        self._forget_idle()
        if self.held[client] + self.opening[client] >= self.per_client:
            self._warn(
                "client", "refused new sessions: a client already holds %d (429 until one closes)", self.per_client
            )
            await _too_many(f"This client already holds {self.per_client} open sessions", self.idle_seconds, send)
            return
        if self.held[address] + self.opening[address] >= self.address_limit:
            limit = self.address_limit
            self._warn("address", "refused new sessions: an address already holds %d (429 until one closes)", limit)
            await _too_many(f"This address already holds {limit} open sessions", self.idle_seconds, send)
            return
        self.opening.update((client, address))
        pending = True

        def settled() -> None:
            nonlocal pending
            if pending:
                pending = False
                self.opening.subtract((client, address))
                for key in (client, address):
                    if self.opening[key] <= 0:
                        del self.opening[key]

        async def record(message: Message) -> None:
            if message["type"] == "http.response.start":
                for name, value in message.get("headers", []):
                    if name.lower() == b"mcp-session-id":
                        self._add(value.decode("latin-1"), _Session(client, address, self.clock()))
                settled()
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            settled()

    async def _existing(self, session_id: str, scope: Scope, receive: Receive, send: Send) -> None:
        session = self.sessions.get(session_id)
        if session is not None:
            session.busy += 1
            session.seen = self.clock()
        status = 0

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            if session is not None:
                session.busy -= 1
                session.seen = self.clock()
            # Ended by the client (a DELETE the server carried out) or unknown to the server (expired
            # there): forget it. A refused DELETE (401, 403, 421) ended nothing, so it is still counted.
            if (scope["method"] == "DELETE" and 200 <= status < 300) or status == 404:
                self._drop(session_id)

    def _add(self, session_id: str, session: _Session) -> None:
        self._drop(session_id)
        self.sessions[session_id] = session
        self.held.update((session.client, session.address))

    def _drop(self, session_id: str) -> None:
        session = self.sessions.pop(session_id, None)
        if session is None:
            return
        self.held.subtract((session.client, session.address))
        for key in (session.client, session.address):
            if self.held[key] <= 0:
                del self.held[key]

    def _forget_idle(self) -> None:
        cutoff = self.clock() - self.idle_seconds
        for key in [k for k, s in self.sessions.items() if not s.busy and s.seen < cutoff]:
            self._drop(key)

    def _warn(self, reason: str, message: str, limit: int) -> None:
        # One line a minute per reason, not one per refused request: a flood must not fill the log.
        now = self.clock()
        if now - self.warned.get(reason, -WARN_EVERY_SECONDS) >= WARN_EVERY_SECONDS:
            self.warned[reason] = now
            log.warning(message, limit)


def client_of(scope: Scope) -> tuple[str, str]:
    """(address, client): the client is the address plus a digest of the principal the SDK's
    authentication verified for this request, or `-` when none was (no token required, or a token
    that failed). Nothing the request merely claims (the header's spelling, an unverified token)
    makes a new client; the token itself is never kept."""
    address = str((scope.get("client") or ("unknown", 0))[0])
    token = getattr(scope.get("user"), "access_token", None)
    if isinstance(token, AccessToken):
        client_id, issuer, subject = principal_components(token)
        who = json.dumps([issuer, subject, None if subject else client_id])
        return address, f"{address}|{hashlib.sha256(who.encode()).hexdigest()[:16]}"
    return address, f"{address}|-"


async def _too_many(what: str, idle_seconds: float, send: Send) -> None:
    body = json.dumps(
        {
            "jsonrpc": "2.0",
            "id": None,
            "error": {
                "code": -32000,
                "message": f"{what}: close one (HTTP DELETE) or let one stay idle for {idle_seconds:g} s, then try "
                "again.",
            },
        }
    ).encode()
    headers = [(b"content-type", b"application/json"), (b"retry-after", str(int(idle_seconds)).encode())]
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": body})
