"""What the team-server tests share: a real Redis server, a recording vendor, agenda-mcp replicas
over loopback HTTP, and a local OAuth issuer whose keys the test makes.

Redis is the real `redis-server` binary (installed by .ci/run from Debian's packages), started on
a free loopback port with its files in a temporary folder; readiness is its own "Ready to accept
connections" line, not a sleep."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from agenda_mcp.server.startup.config import HttpSettings, Settings
from agenda_mcp.server.transport.web import create_app
from agenda_mcp.tools.planaday import sandbox as planaday_sandbox
from tests.support.loopback import free_port, serve_app, serve_loopback

STUDENT = {"first_name": "Sanne", "last_name": "de Vries", "email": "sanne@example.nl"}
BOOKING = {"course_id": 104, "students": [STUDENT]}


# -- Redis ------------------------------------------------------------------------------------


@dataclass
class RedisServer:
    process: subprocess.Popen[str]
    url: str
    folder: tempfile.TemporaryDirectory[str]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def redis_binary() -> str:
    binary = shutil.which("redis-server") or shutil.which("valkey-server")
    if binary is None:
        pytest.skip("redis-server not found: install it (apt-get install redis-server; .ci/run does this)")
    return binary


@contextlib.contextmanager
def redis_server(
    *, appendonly: bool = True, folder: str | None = None, port: int | None = None
) -> Iterator[RedisServer]:
    """A real redis-server on loopback. With `appendonly` (as the README asks of a team's Redis) a
    restart in the same `folder` and on the same `port` keeps what it held."""
    binary = redis_binary()
    kept = tempfile.TemporaryDirectory(prefix="agenda-mcp-redis-")
    port = port or free_port()
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    args += ["--appendonly", "yes" if appendonly else "no", "--appendfsync", "always"]
    args += ["--dir", folder or kept.name, "--logfile", "", "--daemonize", "no"]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    server = RedisServer(process, f"redis://127.0.0.1:{port}/0", kept)
    try:
        assert process.stdout is not None
        seen: list[str] = []
        for line in process.stdout:  # blocks until redis says it is ready (or exits)
            seen.append(line)
            if "Ready to accept connections" in line:
                break
        else:
            pytest.fail("redis-server did not start:\n" + "".join(seen[-10:]))
        yield server
    finally:
        server.stop()
        if process.stdout is not None:
            process.stdout.close()
        kept.cleanup()


# -- the vendor -------------------------------------------------------------------------------


@dataclass
class RecordingVendor:
    """The Planaday simulator behind ASGI middleware that records every request and when it came."""

    app: ASGIApp = field(default_factory=planaday_sandbox.create_app)
    requests: list[tuple[float, str, str]] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.requests.append((time.monotonic(), scope["method"], scope["path"]))
        await self.app(scope, receive, send)

    def count(self, method: str, path_start: str) -> int:
        return sum(1 for _, m, p in self.requests if m == method and p.startswith(path_start))

    @property
    def bookings(self) -> list[Any]:
        return list(self.app.state.sandbox.bookings)  # type: ignore[attr-defined]


def agenda_settings(vendor_url: str, **env: str) -> Settings:
    """From the environment as the CLI reads it (rate limit, Redis, audit log), Planaday only."""
    base = {**planaday_sandbox.SANDBOX_ENV, "PLANADAY_BASE_URL": f"{vendor_url}/v1", "AGENDA_MCP_CACHE_DIR": "off"}
    return Settings.from_env({**base, **env}, retry_backoff=0.0, toolsets=("planaday",))


@asynccontextmanager
async def replicas(
    count: int, vendor_url: str, *, http: HttpSettings | None = None, **env: str
) -> AsyncIterator[list[str]]:
    """`count` stateless agenda-mcp HTTP replicas on loopback, each its own app and state."""
    async with AsyncExitStack() as stack:
        urls = []
        for _ in range(count):
            app = create_app(agenda_settings(vendor_url, **env), http or HttpSettings(stateless=True))
            urls.append(await stack.enter_async_context(serve_app(app)))
        yield urls


@asynccontextmanager
async def mcp_client(url: str, token: str | None = None) -> AsyncIterator[Client]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=30) as http,
        Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client,
    ):
        yield client


@asynccontextmanager
async def vendor_on_loopback() -> AsyncIterator[tuple[RecordingVendor, str]]:
    vendor = RecordingVendor()
    async with serve_loopback(vendor) as url:
        yield vendor, url


# -- a local OAuth issuer ---------------------------------------------------------------------


class Issuer:
    """An OAuth authorization server as far as a resource server sees it: OpenID discovery and a
    JWKS on loopback, and tokens signed with keys made here. `rotate()` swaps the signing key."""

    def __init__(self) -> None:
        self.url = ""
        self.keys: list[tuple[str, rsa.RSAPrivateKey]] = [self._new_key()]
        self.jwks_fetches = 0

    @staticmethod
    def _new_key() -> tuple[str, rsa.RSAPrivateKey]:
        return uuid.uuid4().hex[:12], rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def rotate(self) -> None:
        self.keys = [self._new_key()]

    def app(self) -> Starlette:
        async def discovery(_: Request) -> JSONResponse:
            return JSONResponse({"issuer": self.url, "jwks_uri": f"{self.url}/protocol/openid-connect/certs"})

        async def certs(_: Request) -> JSONResponse:
            self.jwks_fetches += 1
            keys = []
            for kid, key in self.keys:
                jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
                keys.append({**jwk, "kid": kid, "use": "sig", "alg": "RS256"})
            return JSONResponse({"keys": keys})

        return Starlette(
            routes=[
                Route("/realms/team/.well-known/openid-configuration", discovery),
                Route("/realms/team/protocol/openid-connect/certs", certs),
            ]
        )

    def token(
        self,
        audience: str,
        *,
        sub: str = "planner-7f3a",
        scope: str = "agenda:read agenda:write",
        lifetime: int = 300,
        issuer: str | None = None,
        key: rsa.RSAPrivateKey | None = None,
        kid: str | None = None,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        payload = {"iss": issuer or self.url, "aud": audience, "sub": sub, "scope": scope, "iat": now}
        payload |= {"exp": now + lifetime, "azp": "agenda-desk", **claims}
        current_kid, current_key = self.keys[0]
        return jwt.encode(payload, key or current_key, algorithm="RS256", headers={"kid": kid or current_kid})


@asynccontextmanager
async def issuer_on_loopback() -> AsyncIterator[Issuer]:
    issuer = Issuer()
    async with serve_loopback(issuer.app()) as base:
        issuer.url = f"{base}/realms/team"
        yield issuer


def audit_lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
