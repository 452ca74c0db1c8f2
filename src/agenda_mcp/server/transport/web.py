"""Serving agenda-mcp over streamable HTTP, for a team.

`/mcp` is the SDK's MCP streamable HTTP transport; `/healthz` answers 200 for load balancers and
process managers and needs no token. With a token (AGENDA_MCP_HTTP_TOKEN) every MCP request
must carry it as a bearer token: the SDK's auth middleware answers 401 with the standard
`WWW-Authenticate` header and serves the protected-resource metadata it points to. The token
only admits a client to this server; vendor requests carry the server's own vendor credentials
(server/kit/http.py builds them from the environment), never anything the client sent.

DNS rebinding protection is always on: the Host header must be a loopback name or one of
AGENDA_MCP_ALLOWED_HOSTS, and a browser Origin must match them. `stateless` serves without
sessions, so replicas behind any load balancer can answer any request.

On SIGTERM (or Ctrl-C) uvicorn stops accepting connections and waits for requests in flight;
we also end the idle standalone SSE streams (the GET a client keeps open for server messages),
which would otherwise hold the shutdown until the grace period runs out, and answer 503 to any
request that still arrives on an open connection.
"""

from __future__ import annotations

import hmac
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlunsplit

import anyio
import uvicorn
from mcp.server.auth.provider import AccessToken, TokenVerifier
from mcp.server.auth.routes import create_protected_resource_routes
from mcp.server.auth.settings import AuthSettings
from mcp.server.context import CallNext, HandlerResult
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import AnyHttpUrl, BaseModel
from sse_starlette.sse import AppStatus
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agenda_mcp.server.guards.audit import READ_SCOPE, STATIC_SUBJECT, WRITE_SCOPE, caller
from agenda_mcp.server.guards.redaction import get_logger, register_secrets
from agenda_mcp.server.startup.app import build_agenda
from agenda_mcp.server.startup.config import HttpSettings, Settings
from agenda_mcp.server.team.oauth import JwtVerifier
from agenda_mcp.server.team.sessions import SessionQuota

log = get_logger("agenda_mcp.web")

MCP_PATH = "/mcp"
HEALTH_PATH = "/healthz"
# How long calls in flight may take to finish after SIGTERM before they are cancelled; below
# the 30 s most process managers and container platforms wait before they kill.
GRACE_SECONDS = 25
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


class StaticTokenVerifier:
    """The SDK's `TokenVerifier` for one shared secret: the team's AGENDA_MCP_HTTP_TOKEN."""

    def __init__(self, token: str) -> None:
        self._token = token.encode()

    async def verify_token(self, token: str) -> AccessToken | None:
        if not hmac.compare_digest(token.encode(), self._token):
            return None
        # One principal for everyone holding the token (the simple mode: it may read and write); a
        # session stays with the token that opened it.
        return AccessToken(
            token=token, client_id="agenda-mcp-team", scopes=[READ_SCOPE, WRITE_SCOPE], subject=STATIC_SUBJECT
        )


def public_url(http: HttpSettings) -> str:
    """Where clients reach /mcp: the first allowed public host (behind TLS), else the bind address.

    Used only as the resource identifier in the 401's protected-resource metadata."""
    if http.allowed_hosts:
        return urlunsplit(("https", http.allowed_hosts[0], MCP_PATH, "", ""))
    host = f"[{http.host}]" if ":" in http.host and not http.host.startswith("[") else http.host
    return f"http://{host}:{http.port}{MCP_PATH}"


def auth_settings(http: HttpSettings) -> AuthSettings:
    url = AnyHttpUrl(public_url(http))
    if http.auth_issuer:
        # The protected-resource metadata names the team's identity provider, so an OAuth client
        # that follows the 401 gets its token there. JwtVerifier checks the audience itself.
        return AuthSettings(
            issuer_url=AnyHttpUrl(http.auth_issuer),
            resource_server_url=url,
            required_scopes=[READ_SCOPE],
            validate_token_resource=False,
        )
    # The token is issued by the operator, not by an OAuth server; the issuer is required by the
    # SDK's settings and names this server. The verifier checks the token itself, hence no
    # resource (audience) check.
    return AuthSettings(issuer_url=url, resource_server_url=url, validate_token_resource=False)


def transport_security(http: HttpSettings) -> TransportSecuritySettings:
    hosts = [f"{name}:*" for name in _LOOPBACK_HOSTS]
    origins = [f"http://{name}:*" for name in _LOOPBACK_HOSTS]
    for host in http.allowed_hosts:
        # A Host header carries no port on 80/443; with a port given, only that port is allowed.
        hosts.append(host)
        origins += [f"https://{host}", f"http://{host}"]
        if ":" not in host.rsplit("]", 1)[-1]:
            hosts.append(f"{host}:*")
            origins += [f"https://{host}:*", f"http://{host}:*"]
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins)


def create_app(settings: Settings, http: HttpSettings) -> Starlette:
    """The whole HTTP service: /mcp and /healthz. `app.state.agenda` is the assembled server."""
    settings = settings.with_overrides(transport="http")
    verifier: TokenVerifier | None = None
    if http.auth_issuer:
        audience = http.auth_audience or public_url(http)
        verifier = JwtVerifier(http.auth_issuer, audience, http.auth_jwks_url)
    elif http.token:
        register_secrets([http.token])
        verifier = StaticTokenVerifier(http.token)
    if verifier is not None:
        agenda = build_agenda(settings, auth=auth_settings(http), token_verifier=verifier)
    else:
        agenda = build_agenda(settings)
    server = agenda.server
    # A token without agenda:write does not see the tools it may not use (StrictTool refuses them).
    server.middleware.append(hide_write_tools)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    server.custom_route(HEALTH_PATH, methods=["GET"], include_in_schema=False)(healthz)
    app = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        stateless_http=http.stateless,
        transport_security=transport_security(http),
        host=http.host,
        session_idle_timeout=http.session_idle_seconds,
    )
    app.state.agenda = agenda
    app.state.token_verifier = verifier
    if http.auth_issuer:
        _list_both_scopes(app, http)
    if not http.stateless:
        # Innermost, after the SDK's authentication middleware: the quota counts sessions under the
        # principal the token was verified as, not under whatever the Authorization header says
        # (add_middleware would put it outermost, before authentication has run).
        quota = Middleware(
            SessionQuota,
            path=MCP_PATH,
            per_client=http.sessions_per_client,
            per_address=http.sessions_per_address,
            idle_seconds=http.session_idle_seconds,
        )
        app.user_middleware.append(quota)
    return app


async def hide_write_tools(ctx: Any, call_next: CallNext) -> HandlerResult:
    """tools/list for a caller without agenda:write: the read-only tools only."""
    result = await call_next(ctx)
    if ctx.method != "tools/list" or caller().may_write:
        return result
    listed = result.model_dump(by_alias=True, exclude_none=True) if isinstance(result, BaseModel) else result
    if not isinstance(listed, dict):
        return result
    tools = [tool for tool in listed.get("tools", []) if (tool.get("annotations") or {}).get("readOnlyHint") is True]
    return {**listed, "tools": tools}


def _list_both_scopes(app: Starlette, http: HttpSettings) -> None:
    """The SDK lists only the required scope (agenda:read) as supported; list agenda:write too, so
    a client can ask for the scope a planner needs."""
    url = AnyHttpUrl(public_url(http))
    [metadata] = create_protected_resource_routes(
        resource_url=url,
        authorization_servers=[AnyHttpUrl(http.auth_issuer or "")],
        scopes_supported=[READ_SCOPE, WRITE_SCOPE],
    )
    app.router.routes[:] = [
        metadata if getattr(route, "path", None) == getattr(metadata, "path", "") else route
        for route in app.router.routes
    ]


class Drain:
    """ASGI middleware for graceful shutdown. After `start()`: requests that arrive get 503, and
    standalone SSE streams (GET /mcp, idle by nature) are ended cleanly; POSTs in flight, i.e.
    tool calls, run to the end."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.draining = False
        self._streams: set[anyio.CancelScope] = set()

    def start(self) -> None:
        self.draining = True
        for stream in list(self._streams):
            stream.cancel()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.draining:
            await _shutting_down(scope, receive, send)
            return
        if scope["method"] != "GET" or scope["path"] != MCP_PATH:
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        with anyio.CancelScope() as stream:
            self._streams.add(stream)
            try:
                await self.app(scope, receive, watch)
            finally:
                self._streams.discard(stream)
        if stream.cancelled_caught:
            # End the chunked SSE body properly, so the client sees a closed stream, not an error.
            if started:
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            else:
                await _shutting_down(scope, receive, send)


async def _shutting_down(scope: Scope, receive: Receive, send: Send) -> None:
    response = JSONResponse({"error": "agenda-mcp is shutting down; retry"}, status_code=503)
    response.headers["Retry-After"] = "1"
    response.headers["Connection"] = "close"
    await response(scope, receive, send)


class _GracefulServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, drain: Drain) -> None:
        super().__init__(config)
        self.drain = drain

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.drain.start()
        await super().shutdown(sockets=sockets)


def serve(app: Starlette, settings: Settings, http: HttpSettings) -> None:
    """Serve `create_app`'s app until SIGTERM or SIGINT; returns after calls in flight have finished."""
    # sse-starlette (the SDK's SSE responses) ends every open stream the moment uvicorn is told to
    # exit, which would cut off tool calls in flight along with the idle streams; `Drain` ends
    # only the idle ones.
    # (sse-starlette leaves it unannotated; this is the shape it has.)
    disable_drain: Callable[[], None] = AppStatus.disable_automatic_graceful_drain
    disable_drain()
    drain = Drain(app)
    config = uvicorn.Config(
        drain,
        host=http.host,
        port=http.port,
        # Our logging setup (stderr, redaction) applies to uvicorn's loggers too.
        log_config=None,
        log_level=settings.log_level.lower(),
        timeout_graceful_shutdown=GRACE_SECONDS,
    )
    mode = "stateless" if http.stateless else "sessions"
    auth = "bearer token required" if http.token else "no token (loopback only)"
    log.info("serving MCP at http://%s:%s%s (%s, %s)", http.host, http.port, MCP_PATH, mode, auth)
    _GracefulServer(config, drain).run()
