"""What the team-server tests share: a real Redis server, a recording vendor, agenda-mcp replicas
over loopback HTTP, and a local OAuth issuer whose keys the test makes.

Redis is the real `redis-server` binary (installed by .ci/run from Debian's packages), started on
a free loopback port with its files in a temporary folder; readiness is its own "Ready to accept
connections" line, not a sleep."""

from __future__ import annotations

import collections
import contextlib
import json
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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
from agenda_mcp.server.startup.registry import VENDOR_NAMES, load_vendor
from agenda_mcp.server.transport.web import create_app
from agenda_mcp.tools.planaday import sandbox as planaday_sandbox
from tests.support.loopback import free_port, serve_app, serve_loopback

STUDENT = {"first_name": "Sanne", "last_name": "de Vries", "email": "sanne@example.nl"}
BOOKING = {"course_id": 104, "students": [STUDENT]}


# -- Redis ------------------------------------------------------------------------------------

STARTUP_CEILING_S = 60.0


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
    ready, seen = threading.Event(), collections.deque[str](maxlen=10)

    def read_log() -> None:
        # To its end: redis logs on while the test runs, and a full pipe would stall it.
        assert process.stdout is not None
        for line in process.stdout:
            seen.append(line)
            if "Ready to accept connections" in line:
                ready.set()
        ready.set()  # exited: the wait below ends and says so

    threading.Thread(target=read_log, name="redis-log", daemon=True).start()
    try:
        # A ceiling against a redis that hangs (CI would wait out its 90 minutes), not a timing:
        # readiness is its own line, which comes in milliseconds.
        if not ready.wait(STARTUP_CEILING_S) or process.poll() is not None:
            pytest.fail("redis-server did not start:\n" + "".join(seen))
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


# -- every vendor on loopback, and a Redis that stops and starts again ----------------------------


@dataclass
class RestartableRedis:
    """A redis-server on one loopback port and folder that a test stops and starts again, so the
    replicas keep their AGENDA_MCP_REDIS_URL across the restart. Append-only: a restart keeps what
    it held, and agenda-mcp need not wait out its duplicate window after it (a Redis without an
    append-only file may have forgotten recent writes; server/team/shared_state.py `remembers`)."""

    port: int
    folder: tempfile.TemporaryDirectory[str]
    process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        assert not self.running, "redis-server is already running"
        args = [redis_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        args += ["--appendonly", "yes", "--dir", self.folder.name, "--logfile", "", "--daemonize", "no"]
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert self.process.stdout is not None
        seen: list[str] = []
        for line in self.process.stdout:  # blocks until redis says it is ready (or exits)
            seen.append(line)
            if "Ready to accept connections" in line:
                return
        self.stop()
        pytest.fail("redis-server did not start:\n" + "".join(seen[-10:]))

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


@contextlib.contextmanager
def restartable_redis() -> Iterator[RestartableRedis]:
    redis_binary()  # skips the test when there is none
    server = RestartableRedis(free_port(), tempfile.TemporaryDirectory(prefix="agenda-mcp-redis-"))
    server.start()
    try:
        yield server
    finally:
        server.stop()
        server.folder.cleanup()


def vendor_url(name: str, loopback: str) -> str:
    """The vendor's `*_BASE_URL` for its simulator served at `loopback`: the sandbox base URL's
    path (`/v1`, `/APIREST`, `/api/v2`) on the loopback server."""
    return loopback + urlsplit(load_vendor(name).sandbox().base_url).path


def team_settings(loopbacks: Mapping[str, str], **env: str) -> Settings:
    """Outside sandbox mode, every vendor in `loopbacks` (name -> loopback server of its simulator)
    with its sandbox credentials and its `*_BASE_URL` pointed there: what `agenda_settings` is for
    Planaday alone, for any set of vendors."""
    base = {"AGENDA_MCP_CACHE_DIR": "off"}
    for name, loopback in loopbacks.items():
        spec = load_vendor(name)
        base |= {**spec.sandbox().env, spec.base_url_env: vendor_url(name, loopback)}
    return Settings.from_env({**base, **env}, retry_backoff=0.0, toolsets=tuple(loopbacks))


@asynccontextmanager
async def simulators_on_loopback(
    wrap: Callable[[str, ASGIApp], ASGIApp] = lambda _name, app: app,
    names: Sequence[str] = VENDOR_NAMES,
) -> AsyncIterator[dict[str, tuple[ASGIApp, str]]]:
    """Each vendor's simulator made once (`load_vendor(name).sandbox().create_app()`), `wrap`ped in
    middleware and served on 127.0.0.1: name -> (the wrapped app, its loopback URL). Every replica
    pointed at it shares its state, like replicas in front of one real vendor account."""
    async with AsyncExitStack() as stack:
        served: dict[str, tuple[ASGIApp, str]] = {}
        for name in names:
            app = wrap(name, load_vendor(name).sandbox().create_app())
            served[name] = (app, await stack.enter_async_context(serve_loopback(app)))
        yield served
