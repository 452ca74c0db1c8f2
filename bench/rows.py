"""The measurements, one function per row of the table.

Servers run as a client starts them: a process per session, speaking MCP over stdio. Every
timed row is a median over repeated runs divided by the median of its baseline from the same
run; rows that count (tool list tokens) need no baseline.
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import json
import math
import shutil
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bench.stdio import BenchError, Session, agenda_command, bare_command, clean_env

READ_TOOL = "list_planaday_labels"
"""The read call of the call-overhead and fan-out rows: one vendor request, a small answer."""
VENDOR_TITLES = ("OnlineAfspraken.nl", "Planaday", "Locaboo", "ServicePlanner")
"""Every tool description starts with its vendor's title (the toolkit enforces it)."""
PAGING_TOOLS = ("sp_list_clients", "sp_list_addresses", "sp_list_appointments")
"""Preferred tools for the paging row, in order; any read tool with `all_pages` will do."""

# The per-vendor rate limit (AGENDA_MCP_RATE_LIMIT, default 10 calls/s, burst 20) is a policy an
# operator sets, not overhead: the benchmark moves it out of the way so 50 concurrent calls and
# hundreds of sequential ones measure the server, not the bucket.
AGENDA_ENV = {"AGENDA_MCP_RATE_LIMIT": "10000"}


@dataclass(frozen=True)
class Plan:
    """How much to repeat: the full run gives stable medians, the quick one only proves it runs."""

    starts: int = 15
    warmup_calls: int = 30
    calls: int = 300
    rounds: int = 7
    memory_runs: int = 3
    fan_out: int = 50
    latency_ms: int = 50
    pages: int = 20
    memory_calls: int = 100

    @classmethod
    def quick(cls) -> Plan:
        return cls(starts=2, warmup_calls=5, calls=30, rounds=2, memory_runs=1)


@dataclass(frozen=True)
class Row:
    name: str
    measured: str
    baseline: str
    value: float
    """The number held against the target (a ratio, or tokens)."""
    limit: float
    unit: str  # "x" or " tokens"
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.value <= self.limit

    @property
    def shown(self) -> str:
        return f"{self.value:.2f}x" if self.unit == "x" else f"{self.value:,.0f}{self.unit}"

    @property
    def target(self) -> str:
        return f"<= {self.limit:g}x" if self.unit == "x" else f"<= {self.limit:,.0f}{self.unit}"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


async def timed(action: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    await action()
    return time.perf_counter() - started


async def alternate(
    first: Callable[[], Awaitable[Any]], second: Callable[[], Awaitable[Any]], rounds: int
) -> tuple[list[float], list[float]]:
    """Time both, taking turns, so a busy moment on the machine falls on both."""
    a: list[float] = []
    b: list[float] = []
    for _ in range(rounds):
        a.append(await timed(first))
        b.append(await timed(second))
    return a, b


@functools.cache
def kept_listings() -> str:
    """The benchmark's own listing cache (server/startup/listing_cache.py), so runs do not depend on, or
    write into, the user's cache folder."""
    folder = tempfile.mkdtemp(prefix="agenda-mcp-bench-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def agenda(latency_ms: int = 0, *, keep_listing: bool = True) -> tuple[list[str], dict[str, str]]:
    extra = {**AGENDA_ENV, "AGENDA_MCP_CACHE_DIR": kept_listings() if keep_listing else "off"}
    if latency_ms:
        extra["AGENDA_MCP_SANDBOX_LATENCY_MS"] = str(latency_ms)
    return [*agenda_command(), "--sandbox"], clean_env(extra)


def bare() -> tuple[list[str], dict[str, str]]:
    return bare_command(), clean_env()


# -- cold start ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Start:
    seconds: float
    cpu: float | None
    tools: list[dict[str, Any]]


async def start_and_list(command: tuple[list[str], dict[str, str]]) -> Start:
    started = time.perf_counter()
    async with Session.spawn(*command) as session:
        await session.handshake()
        tools = await session.list_tools()
        elapsed = time.perf_counter() - started
        cpu = session.cpu_seconds()
    return Start(elapsed, cpu, tools)


def median_ratio(ours: Sequence[float | None], floor: Sequence[float | None]) -> float | None:
    if None in ours or None in floor:
        return None
    return statistics.median(ours) / statistics.median(floor)  # type: ignore[arg-type]


async def cold_start(plan: Plan) -> tuple[Row, list[dict[str, Any]]]:
    """Spawn -> initialize -> first tools/list answered; the servers take turns, after one untimed
    start each (so all find their files in the OS cache and their bytecode compiled, and
    agenda-mcp has kept its tool list, as after its first start on a machine). Starts that build
    every tool, as the first one after an install or upgrade does, are measured alongside."""
    await start_and_list(bare())
    tools = (await start_and_list(agenda())).tools
    ours: list[Start] = []
    floor: list[Start] = []
    building: list[Start] = []
    for _ in range(plan.starts):
        floor.append(await start_and_list(bare()))
        ours.append(await start_and_list(agenda()))
        building.append(await start_and_list(agenda(keep_listing=False)))
    for start in ours + building:
        if start.tools != tools:
            changed = sorted({t["name"] for t in start.tools} ^ {t["name"] for t in tools}) or [
                new["name"] for new, old in zip(start.tools, tools, strict=False) if new != old
            ]
            raise BenchError(
                f"a start listed other tools than the first one ({', '.join(changed[:5])}); was the code edited?"
            )
    cpu = median_ratio([s.cpu for s in ours], [s.cpu for s in floor])
    first = statistics.median(s.seconds for s in building) / statistics.median(s.seconds for s in floor)
    row = Row(
        "cold start",
        ms(statistics.median(s.seconds for s in ours)),
        ms(statistics.median(s.seconds for s in floor)),
        statistics.median(s.seconds for s in ours) / statistics.median(s.seconds for s in floor),
        1.25,
        "x",
        f"`agenda-mcp --sandbox` ({len(tools)} tools) vs a bare MCPServer with one tool; spawn to tools/list"
        + (f"; CPU time {cpu:.2f}x" if cpu is not None else "")
        + f"; building every tool (first start after an install or upgrade) {first:.2f}x",
    )
    return row, tools


# -- call overhead ---------------------------------------------------------------------------


async def call_overhead(plan: Plan) -> Row:
    """Both servers run side by side and take turns, one call each, so a busy moment on a shared
    machine lands on both sides of the ratio."""
    echo = ("echo", {"text": "hello"})
    read = (READ_TOOL, {})
    async with Session.spawn(*bare()) as floor_session, Session.spawn(*agenda()) as our_session:
        await floor_session.handshake()
        await our_session.handshake()
        for _ in range(plan.warmup_calls):
            await floor_session.call(*echo)
            await our_session.call(*read)
        floor: list[float] = []
        ours: list[float] = []
        for _ in range(plan.calls):
            floor.append(await timed(lambda: floor_session.call(*echo)))
            ours.append(await timed(lambda: our_session.call(*read)))
    return Row(
        "call overhead",
        ms(statistics.median(ours)),
        ms(statistics.median(floor)),
        statistics.median(ours) / statistics.median(floor),
        1.5,
        "x",
        f"`{READ_TOOL}` against the sandbox vs the bare echo tool; median of {plan.calls} calls each, taking turns",
    )


# -- fan-out and paging (sandbox latency injected) ---------------------------------------------


async def fan_out(session: Session, plan: Plan) -> Row:
    async def one() -> None:
        await session.call(READ_TOOL, {})

    async def many() -> None:
        await asyncio.gather(*(session.call(READ_TOOL, {}) for _ in range(plan.fan_out)))

    await many()  # warm-up
    singles, batches = await alternate(one, many, plan.rounds)
    single, batch = statistics.median(singles), statistics.median(batches)
    return Row(
        "fan-out",
        ms(batch),
        ms(single),
        batch / single,
        3,
        "x",
        f"{plan.fan_out} concurrent `{READ_TOOL}` calls in one session vs one, {plan.latency_ms} ms sandbox latency",
    )


def paging_tool(tools: Sequence[Mapping[str, Any]]) -> str | None:
    candidates = [
        tool["name"]
        for tool in tools
        if {"all_pages", "per_page"} <= set(tool.get("inputSchema", {}).get("properties", {}))
        and not tool.get("inputSchema", {}).get("required")
    ]
    preferred = [name for name in PAGING_TOOLS if name in candidates]
    return (preferred or candidates or [None])[0]


def page_info(structured: Mapping[str, Any]) -> Mapping[str, Any]:
    """The paging facts of a list result (`{"clients": [...], "page": {"total": ...}}`)."""
    for value in structured.values():
        if isinstance(value, Mapping) and "total" in value:
            return value
    raise BenchError(f"no paging facts in {sorted(structured)}")


def records(structured: Mapping[str, Any]) -> int:
    """How many records a list result holds (its one list field: `clients`, `addresses`, ...)."""
    lists = [value for value in structured.values() if isinstance(value, list)]
    if len(lists) != 1:
        raise BenchError(f"expected one list in {sorted(structured)}")
    return len(lists[0])


async def paging(session: Session, tools: Sequence[Mapping[str, Any]], plan: Plan) -> Row:
    name = paging_tool(tools)
    if name is None:
        return await synthetic_paging(plan)
    total = page_info((await session.call(name, {"per_page": 1}))["structuredContent"])["total"]
    per_page = max(1, math.ceil(total / plan.pages))
    pages = math.ceil(total / per_page)
    first = {"per_page": per_page}
    every = {"per_page": per_page, "all_pages": True}
    fetched = records((await session.call(name, every))["structuredContent"])
    if fetched != total:
        raise BenchError(f"{name} with all_pages returned {fetched} of {total} records")
    singles, wholes = await alternate(lambda: session.call(name, first), lambda: session.call(name, every), plan.rounds)
    single, whole = statistics.median(singles), statistics.median(wholes)
    return Row(
        "paging",
        ms(whole),
        ms(single),
        whole / single,
        5,
        "x",
        f"`{name}` with all_pages over {pages} pages vs one page, {plan.latency_ms} ms a page",
    )


async def synthetic_paging(plan: Plan) -> Row:
    """Until a vendor offers all_pages: the shared page fetcher itself, on pages that take the
    sandbox latency each (the first page must come back before the others can be asked for)."""
    from agenda_mcp.server.kit.paging import fetch_pages

    async def fetch(page: int) -> int:
        await asyncio.sleep(plan.latency_ms / 1000)
        return page

    async def everything() -> None:
        await fetch(1)
        await fetch_pages(fetch, range(2, plan.pages + 1))

    singles, wholes = await alternate(lambda: fetch(1), everything, plan.rounds)
    single, whole = statistics.median(singles), statistics.median(wholes)
    return Row(
        "paging",
        ms(whole),
        ms(single),
        whole / single,
        5,
        "x",
        f"SYNTHETIC: server.paging over {plan.pages} pages vs one, {plan.latency_ms} ms a page "
        "(no all_pages tool registered yet)",
    )


async def latency_rows(plan: Plan) -> list[Row]:
    async with Session.spawn(*agenda(plan.latency_ms)) as session:
        await session.handshake()
        tools = await session.list_tools()
        return [await fan_out(session, plan), await paging(session, tools, plan)]


# -- tool list -------------------------------------------------------------------------------


def tokens(tool: Mapping[str, Any]) -> float:
    """The usual rough estimate: a token per four characters of the compact JSON on the wire."""
    return len(json.dumps(tool, separators=(",", ":"), ensure_ascii=False)) / 4


def vendor_of(tool: Mapping[str, Any]) -> str:
    description = str(tool.get("description", ""))
    return next((title for title in VENDOR_TITLES if description.startswith(title)), "other")


def tool_list(tools: Sequence[Mapping[str, Any]]) -> list[Row]:
    rows = []
    total = sum(tokens(tool) for tool in tools)
    rows.append(
        Row(
            "tool list, all vendors",
            f"{total:,.0f} tokens, {len(tools)} tools",
            "",
            total / max(1, len(tools)),
            300,
            " tokens",
            "tokens per tool on average (JSON chars / 4)",
        )
    )
    by_vendor: dict[str, list[Mapping[str, Any]]] = {}
    for tool in tools:
        by_vendor.setdefault(vendor_of(tool), []).append(tool)
    for vendor in sorted(by_vendor):
        group = by_vendor[vendor]
        size = sum(tokens(tool) for tool in group)
        heaviest = max(group, key=tokens)
        rows.append(
            Row(
                f"tool list, {vendor}",
                f"{size:,.0f} tokens, {len(group)} tools",
                "",
                size,
                8000,
                " tokens",
                f"{size / len(group):,.0f} per tool; largest `{heaviest['name']}` {tokens(heaviest):,.0f}",
            )
        )
    return rows


# -- memory ----------------------------------------------------------------------------------


def simple_reads(tools: Sequence[Mapping[str, Any]]) -> list[str]:
    """Read tools that need no arguments: one of each vendor's kind gets called in turn."""
    return [
        tool["name"]
        for tool in tools
        if (tool.get("annotations") or {}).get("readOnlyHint") and not tool.get("inputSchema", {}).get("required")
    ]


async def peak_after_calls(
    command: tuple[list[str], dict[str, str]], calls: Sequence[tuple[str, Mapping[str, Any]]]
) -> int | None:
    async with Session.spawn(*command) as session:
        await session.handshake()
        await session.list_tools()
        for name, arguments in calls:
            # An error answer is still a call served; memory is what is measured here.
            await session.request("tools/call", {"name": name, "arguments": dict(arguments)})
        return session.peak_rss_kb()


async def memory(tools: Sequence[Mapping[str, Any]], plan: Plan) -> Row | None:
    reads = simple_reads(tools) or [READ_TOOL]
    ours_calls = [(reads[i % len(reads)], {}) for i in range(plan.memory_calls)]
    floor_calls = [("echo", {"text": "hello"})] * plan.memory_calls
    ours: list[int] = []
    floor: list[int] = []
    for _ in range(plan.memory_runs):
        bare_peak = await peak_after_calls(bare(), floor_calls)
        our_peak = await peak_after_calls(agenda(), ours_calls)
        if bare_peak is None or our_peak is None:
            return None  # no /proc: nothing to read the peak from
        floor.append(bare_peak)
        ours.append(our_peak)
    return Row(
        "memory",
        f"{statistics.median(ours) / 1024:.1f} MB",
        f"{statistics.median(floor) / 1024:.1f} MB",
        statistics.median(ours) / statistics.median(floor),
        1.3,
        "x",
        f"peak RSS after start and {plan.memory_calls} calls ({len(reads)} no-argument read tools in turn)",
    )


# -- the rate budget ----------------------------------------------------------------------------

BUDGET_RATE = 10
"""AGENDA_MCP_RATE_LIMIT for the budget row: low, so the calls below need more than the burst."""


async def budget_row() -> Row:
    """The budget counts vendor requests: calls that fan out (find_slots asks every vendor, and
    some vendors several times) and page (`all_pages` with one record a page), all sent at once,
    must show each vendor at most the burst plus the rate in any one second."""
    from mcp import Client

    from agenda_mcp.server.guards.ratelimit import BURST_FACTOR
    from agenda_mcp.server.kit.http import VendorHTTP
    from agenda_mcp.server.startup.app import build_agenda
    from agenda_mcp.server.startup.config import Settings

    sent: dict[str, list[float]] = {}
    send = VendorHTTP._send

    async def recorded(self: VendorHTTP, *args: Any, **kwargs: Any) -> Any:
        sent.setdefault(self.title, []).append(time.monotonic())
        return await send(self, *args, **kwargs)

    VendorHTTP._send = recorded  # type: ignore[method-assign]
    try:
        settings = Settings(sandbox=True, rate_limit=BUDGET_RATE, retry_backoff=0.0, listing_cache=None, env={})
        async with Client(build_agenda(settings).server) as client:
            calls = [client.call_tool("find_slots", {"limit": 3}) for _ in range(4)]
            calls += [client.call_tool("sp_list_clients", {"per_page": 1, "all_pages": True})]
            await asyncio.gather(*calls)
    finally:
        VendorHTTP._send = send  # type: ignore[method-assign]
    allowed = BUDGET_RATE * BURST_FACTOR + BUDGET_RATE
    peaks = {title: _peak_per_second(times) for title, times in sent.items()}
    busiest = max(peaks, key=lambda title: peaks[title])
    total = sum(len(times) for times in sent.values())
    return Row(
        "rate budget: requests, not calls",
        f"peak {peaks[busiest]} {busiest} requests/s",
        f"allowed {allowed}/s",
        peaks[busiest] / allowed,
        1.0,
        "x",
        f"AGENDA_MCP_RATE_LIMIT={BUDGET_RATE} (burst {BUDGET_RATE * BURST_FACTOR}): 4 find_slots and a 50-page "
        f"sp_list_clients at once, {total} vendor requests; "
        + ", ".join(f"{title} {peak}/s" for title, peak in sorted(peaks.items())),
    )


def _peak_per_second(times: list[float]) -> int:
    ordered, peak, start = sorted(times), 0, 0
    for end, at in enumerate(ordered):
        while at - ordered[start] >= 1.0:
            start += 1
        peak = max(peak, end - start + 1)
    return peak
