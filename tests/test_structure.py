"""The structural facts behind the performance targets (bench/ measures the times; these pin why):
disabled vendors cost no imports, each vendor keeps one HTTP client across calls, concurrent
calls reach the vendor concurrently, and cached reference data does not call the vendor twice."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from starlette.types import ASGIApp, Receive, Scope, Send

import agenda_mcp.server.guards.cache as cache_module
from agenda_mcp.server.guards.cache import CACHE_ENV, Cached
from agenda_mcp.server.startup.app import build_agenda
from agenda_mcp.server.startup.config import Settings
from agenda_mcp.server.startup.registry import VENDOR_NAMES, load_vendor
from tests.support import call_ok, sandbox_settings

pytestmark = pytest.mark.anyio


# -- lazy imports ----------------------------------------------------------------------------


@pytest.fixture
def fresh_tools() -> Iterator[None]:
    """Forget every imported vendor module for the test and put the originals back after, so
    what the test imports is exactly what building the server imported."""
    saved = {
        name: module
        for name, module in sys.modules.items()
        if name == "agenda_mcp.tools" or name.startswith("agenda_mcp.tools.")
    }
    for name in saved:
        del sys.modules[name]
    try:
        yield
    finally:
        for name in [n for n in sys.modules if n == "agenda_mcp.tools" or n.startswith("agenda_mcp.tools.")]:
            del sys.modules[name]
        sys.modules.update(saved)


def vendor_modules() -> set[str]:
    """Imported modules inside a vendor package (`agenda_mcp.tools.planaday.client`), not the packages."""
    return {name for name in sys.modules if name.startswith("agenda_mcp.tools.") and name.count(".") > 2}


@pytest.mark.parametrize("vendor", VENDOR_NAMES)
@pytest.mark.usefixtures("fresh_tools")
def test_only_the_enabled_vendor_is_imported(vendor: str) -> None:
    build_agenda(sandbox_settings(toolsets=(vendor,)))
    imported = vendor_modules()
    assert any(name.startswith(f"agenda_mcp.tools.{vendor}.") for name in imported)
    others = {name for name in imported if not name.startswith(f"agenda_mcp.tools.{vendor}.")}
    assert others == set(), f"enabling {vendor} imported other vendors' modules"


@pytest.mark.usefixtures("fresh_tools")
def test_a_vendor_without_credentials_is_not_imported() -> None:
    spec = load_vendor("planaday")
    env = {name: "x" for name in spec.credential_env} | {spec.base_url_env: "https://acme.example/v1"}
    agenda = build_agenda(Settings(env=env))
    assert set(agenda.vendors) == {"planaday"}
    assert {name.split(".")[2] for name in vendor_modules()} == {"planaday"}


# -- one HTTP client per vendor --------------------------------------------------------------


@pytest.fixture
def created_clients(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Base URLs of every httpx2.AsyncClient created during the test."""
    created: list[str] = []
    original = httpx2.AsyncClient

    class Counting(original):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            created.append(str(self.base_url))

    monkeypatch.setattr(httpx2, "AsyncClient", Counting)
    return created


async def test_one_client_per_vendor_across_calls_and_sessions(created_clients: list[str]) -> None:
    agenda = build_agenda(sandbox_settings(toolsets=("planaday",)))
    async with Client(agenda.server) as first, Client(agenda.server) as second:
        for client in (first, second, first, second):
            await call_ok(client, "list_planaday_labels")
            await call_ok(client, "ping_planaday")
    assert agenda.vendors["planaday"].http.requests_sent >= 8
    assert len(created_clients) == 1, created_clients


# -- concurrency -----------------------------------------------------------------------------


class InFlight:
    """ASGI wrapper that counts requests in flight and holds each one until `expected` overlap:
    if the server serialised calls, the gate would never open."""

    def __init__(self, app: ASGIApp, expected: int) -> None:
        self.app = app
        self.expected = expected
        self.now = 0
        self.peak = 0
        self.gate = anyio.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.now += 1
        self.peak = max(self.peak, self.now)
        if self.now >= self.expected:
            self.gate.set()
        await self.gate.wait()
        try:
            await self.app(scope, receive, send)
        finally:
            self.now -= 1


def wrap_sandbox(monkeypatch: pytest.MonkeyPatch, vendor: str, wrap: Callable[[ASGIApp], ASGIApp]) -> None:
    module = importlib.import_module(f"agenda_mcp.tools.{vendor}.sandbox")
    create_app = module.create_app
    monkeypatch.setattr(module, "create_app", lambda **kwargs: wrap(create_app(**kwargs)))


async def test_concurrent_calls_reach_the_vendor_concurrently(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 12
    gates: list[InFlight] = []

    def gated(app: ASGIApp) -> ASGIApp:
        gates.append(InFlight(app, calls))
        return gates[-1]

    wrap_sandbox(monkeypatch, "planaday", gated)
    agenda = build_agenda(sandbox_settings(toolsets=("planaday",)))
    results: list[dict[str, Any]] = []

    async def one(client: Client) -> None:
        results.append(await call_ok(client, "list_planaday_labels"))

    async with Client(agenda.server) as client:
        # A safety net against a hang, not a timing assertion: serialised calls never open the gate.
        with anyio.fail_after(30):
            async with anyio.create_task_group() as tg:
                for _ in range(calls):
                    tg.start_soon(one, client)
    assert len(results) == calls
    assert gates[0].peak == calls


# -- resource cache --------------------------------------------------------------------------


class Counter:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.paths: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.paths.append(scope["path"])
        await self.app(scope, receive, send)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[Counter]:
    counters: list[Counter] = []

    def count(app: ASGIApp) -> ASGIApp:
        counters.append(Counter(app))
        return counters[-1]

    wrap_sandbox(monkeypatch, "planaday", count)
    return counters


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The cache's clock, moved by the test (no sleeping)."""
    now = [1000.0]
    monkeypatch.setattr(cache_module, "clock", lambda: now[0])
    return now


async def read_labels(client: Client) -> list[Any]:
    result = await client.read_resource("planaday://labels")
    return json.loads(result.contents[0].text)["labels"]  # type: ignore[union-attr]


async def test_a_cached_resource_calls_the_vendor_once_within_its_ttl(
    counted: list[Counter], clock: list[float]
) -> None:
    agenda = build_agenda(sandbox_settings(toolsets=("planaday",), env={CACHE_ENV: "60"}))
    # cache=None: the MCP client honours the hint with a cache of its own; here only ours counts.
    async with Client(agenda.server, cache=None) as client:
        first = await read_labels(client)
        clock[0] += 59
        assert await read_labels(client) == first
        assert len(counted[0].paths) == 1
        clock[0] += 2  # past the TTL: ask the vendor again
        assert await read_labels(client) == first
        assert len(counted[0].paths) == 2
        result = await client.read_resource("planaday://labels")
    assert result.ttl_ms == 60_000  # the cache hint tells the client the same TTL


async def test_tools_and_uncached_resources_always_ask_the_vendor(counted: list[Counter], clock: list[float]) -> None:
    agenda = build_agenda(sandbox_settings(toolsets=("planaday",), env={CACHE_ENV: "0"}))
    async with Client(agenda.server, cache=None) as client:
        await read_labels(client)
        await read_labels(client)
        await call_ok(client, "list_planaday_labels")
        await call_ok(client, "list_planaday_labels")
    assert len(counted[0].paths) == 4


async def test_concurrent_cold_reads_share_one_fetch_and_failures_are_not_kept(clock: list[float]) -> None:
    calls = 0
    release = anyio.Event()

    async def fetch() -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("vendor down")
        await release.wait()
        return calls

    cache = Cached(fetch, 60)
    with pytest.raises(RuntimeError):
        await cache()
    results: list[int] = []

    async def read() -> None:
        results.append(await cache())

    async with anyio.create_task_group() as tg:
        for _ in range(5):
            tg.start_soon(read)
        await anyio.wait_all_tasks_blocked()
        release.set()
    assert results == [2] * 5 and calls == 2


@pytest.mark.parametrize("raw", ["-1", "soon", "100000"])
def test_a_bad_cache_setting_is_refused(raw: str) -> None:
    with pytest.raises(ValueError, match=CACHE_ENV):
        build_agenda(sandbox_settings(toolsets=("planaday",), env={CACHE_ENV: raw}))
