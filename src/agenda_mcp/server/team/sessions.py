"""Per-client limits on MCP sessions over HTTP, so one client cannot fill the server's table.

The SDK caps the number of stateful sessions for the whole server (10,000) and closes a session
after it has been idle for a while (30 minutes by default). One client that opens sessions and
never closes them would then lock every other client out for half an hour. `SessionQuota` counts
the sessions each client holds (a client is its address and the bearer token it shows) and
answers 429 to a client asking for one more than AGENDA_MCP_SESSIONS_PER_CLIENT; the idle timeout
(AGENDA_MCP_SESSION_IDLE_SECONDS) is given to the SDK as well, so both forget a session together.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agenda_mcp.server.guards.redaction import get_logger

log = get_logger("agenda_mcp.sessions")

DEFAULT_PER_CLIENT = 100
DEFAULT_IDLE_SECONDS = 600


@dataclass
class _Session:
    client: str
    seen: float
    busy: int = 0


@dataclass
class SessionQuota:
    """ASGI middleware in front of the MCP endpoint (stateful mode only)."""

    app: ASGIApp
    path: str
    per_client: int = DEFAULT_PER_CLIENT
    idle_seconds: float = DEFAULT_IDLE_SECONDS
    clock: Callable[[], float] = time.monotonic
    sessions: dict[str, _Session] = field(default_factory=dict)
    warned: dict[str, float] = field(default_factory=dict)
    opening: dict[str, int] = field(default_factory=dict)
    """Session-opening requests in flight per client: counted at once, so concurrent requests
    cannot all pass the check before the first session is recorded."""

    def held_by(self, client: str) -> int:
        return sum(1 for session in self.sessions.values() if session.client == client)

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
        client = _client_of(scope, headers)
        self._forget_idle()
        if self.held_by(client) + self.opening.get(client, 0) >= self.per_client:
            # One line a minute per client, not one per refused request: a flood must not fill the log.
            now = self.clock()
            if now - self.warned.get(client, -60.0) >= 60:
                self.warned[client] = now
                log.warning("refused new sessions: a client already holds %d (429 until one closes)", self.per_client)
            await _too_many(self.per_client, self.idle_seconds, send)
            return
        self.opening[client] = self.opening.get(client, 0) + 1
        pending = True

        def settled() -> None:
            nonlocal pending
            if pending:
                pending = False
                self.opening[client] -= 1
                if not self.opening[client]:
                    del self.opening[client]

        async def record(message: Message) -> None:
            if message["type"] == "http.response.start":
                for name, value in message.get("headers", []):
                    if name.lower() == b"mcp-session-id":
                        self.sessions[value.decode("latin-1")] = _Session(client, self.clock())
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
            # Ended by the client (DELETE) or unknown to the server (expired there): forget it.
            if scope["method"] == "DELETE" or status == 404:
                self.sessions.pop(session_id, None)

    def _forget_idle(self) -> None:
        cutoff = self.clock() - self.idle_seconds
        for key in [k for k, s in self.sessions.items() if not s.busy and s.seen < cutoff]:
            del self.sessions[key]


def _client_of(scope: Scope, headers: dict[bytes, bytes]) -> str:
    """The client's address plus a digest of its bearer token (one person's OAuth token, or the
    team's shared one): the token itself is never kept."""
    host = (scope.get("client") or ("unknown", 0))[0]
    token = headers.get(b"authorization", b"")
    digest = hashlib.sha256(token).hexdigest()[:16] if token else "-"
    return f"{host}|{digest}"


async def _too_many(limit: int, idle_seconds: float, send: Send) -> None:
    body = json.dumps(
        {
            "jsonrpc": "2.0",
            "id": None,
            "error": {
                "code": -32000,
                "message": f"This client already holds {limit} open sessions: close one (HTTP DELETE) or let one "
                f"stay idle for {idle_seconds:g} s, then try again.",
            },
        }
    ).encode()
    headers = [(b"content-type", b"application/json"), (b"retry-after", str(int(idle_seconds)).encode())]
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": body})
