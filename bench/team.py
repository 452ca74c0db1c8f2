"""The team rows: N stateless `agenda-mcp --transport http` replicas (1, 2, 4) sharing one Redis, in
front of one loopback Planaday simulator with latency, driven by many concurrent MCP clients.

Throughput and p99 of a read (one vendor request each) with the rate budget out of the way, and
then the budget at its default (AGENDA_MCP_RATE_LIMIT=20) with all replicas pushing: the vendor
must see one budget (the burst plus the rate), not one per replica. Every replica is its own
process, as it is deployed; they share this machine's cores with the clients and the vendor, so
the figures say what the replicas add on this machine, not on one core each.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import httpx2
import uvicorn
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from starlette.types import ASGIApp, Receive, Scope, Send

from agenda_mcp.server.transport.sandbox import SandboxLatency
from agenda_mcp.tools.planaday import sandbox as planaday_sandbox
from bench.rows import READ_TOOL, Plan, Row, kept_listings, ms
from bench.stdio import BenchError, agenda_command, clean_env

REPLICAS = (1, 2, 4)
CLIENTS = 32
BUDGET = 20
"""AGENDA_MCP_RATE_LIMIT's default: the budget the vendor must see, whatever the replicas."""


@dataclass
class CountingVendor:
    app: ASGIApp
    times: list[float] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.times.append(time.monotonic())
        await self.app(scope, receive, send)

    def peak_per_second(self) -> int:
        """The most requests in any one-second window."""
        times, peak, start = sorted(self.times), 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= 1.0:
                start += 1
            peak = max(peak, end - start + 1)
        return peak


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    binary = shutil.which("redis-server") or shutil.which("valkey-server")
    if binary is None:
        raise BenchError("redis-server is not installed (apt-get install redis-server)")
    folder = tempfile.mkdtemp(prefix="agenda-mcp-bench-redis-")
    port = _free_port()
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder]
    process = subprocess.Popen([*args, "--logfile", ""], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if "Ready to accept connections" in line:
                break
        else:
            raise BenchError("redis-server did not start")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.asynccontextmanager
async def vendor(latency_ms: int) -> AsyncIterator[tuple[CountingVendor, str]]:
    counting = CountingVendor(SandboxLatency(planaday_sandbox.create_app(hourly_quota=10**9), latency_ms))
    # Bound and listening before uvicorn runs: connections wait in the backlog, no start-up race.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(512)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(counting, log_level="warning"))
    task = asyncio.create_task(server.serve([sock]))
    try:
        yield counting, f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@contextlib.asynccontextmanager
async def replicas(count: int, vendor_url: str, redis_url: str, rate: int) -> AsyncIterator[list[str]]:
    env = clean_env(
        {
            **planaday_sandbox.SANDBOX_ENV,
            "PLANADAY_BASE_URL": f"{vendor_url}/v1",
            "AGENDA_MCP_TOOLSETS": "planaday",
            "AGENDA_MCP_REDIS_URL": redis_url,
            "AGENDA_MCP_RATE_LIMIT": str(rate),
            "AGENDA_MCP_CACHE_DIR": kept_listings(),  # replicas start from the kept tool list
            "AGENDA_MCP_LOG_LEVEL": "WARNING",
            "AGENDA_MCP_AUDIT_LOG": "/dev/null",
        }
    )
    ports = [_free_port() for _ in range(count)]
    processes = [
        await asyncio.create_subprocess_exec(
            *agenda_command(), "--transport", "http", "--stateless", "--port", str(port), env=env
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        async with httpx2.AsyncClient() as http:
            for url, process in zip(urls, processes, strict=True):
                for _ in range(600):  # a replica starts in about a second; a benchmark may poll
                    if process.returncode is not None:
                        raise BenchError(f"replica at {url} exited with {process.returncode}")
                    with contextlib.suppress(httpx2.TransportError):
                        if (await http.get(f"{url}/healthz")).status_code == 200:
                            break
                    await asyncio.sleep(0.05)
                else:
                    raise BenchError(f"replica at {url} did not start")
        yield urls
    finally:
        for process in processes:
            if process.returncode is None:
                process.terminate()
        for process in processes:
            await process.wait()


async def drive(urls: list[str], calls: int, clients: int = CLIENTS) -> tuple[float, list[float]]:
    """`clients` MCP clients, spread over the replicas like a balancer spreads connections, making
    `calls` reads in all; returns the seconds it took and every call's latency."""
    latencies: list[float] = []
    connected = asyncio.Barrier(clients + 1)
    done = asyncio.Event()

    async def client(index: int, share: int) -> None:
        url = urls[index % len(urls)]
        async with (
            httpx2.AsyncClient(timeout=60) as http,
            Client(streamable_http_client(f"{url}/mcp", http_client=http)) as session,
        ):
            await connected.wait()  # connecting is not what is measured
            for _ in range(share):
                started = time.perf_counter()
                result = await session.call_tool(READ_TOOL, {})
                latencies.append(time.perf_counter() - started)
                if result.is_error:
                    raise BenchError(f"{READ_TOOL} failed: {result.content}")
            await done.wait()

    shares = [calls // clients + (1 if i < calls % clients else 0) for i in range(clients)]
    tasks = [asyncio.create_task(client(i, share)) for i, share in enumerate(shares)]
    await connected.wait()
    started = time.perf_counter()
    while len(latencies) < calls:
        finished, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION, timeout=0.05)
        for task in finished:
            task.result()  # a failed client ends the benchmark with its error
    elapsed = time.perf_counter() - started
    done.set()
    await asyncio.gather(*tasks)
    return elapsed, latencies


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if len(values) >= 2 else values[0]


async def team_rows(plan: Plan) -> list[Row]:
    quick = plan.calls < 100
    calls, clients = (60, 8) if quick else (plan.calls * 4, CLIENTS)
    # Quick proves the rows run (CI): two replica counts, not three; every start costs seconds.
    counts = REPLICAS[:2] if quick else REPLICAS
    with redis_server() as redis_url:
        async with vendor(plan.latency_ms) as (counting, vendor_url):
            figures: dict[int, tuple[float, float]] = {}
            for count in counts:
                async with replicas(count, vendor_url, redis_url, rate=10_000) as urls:
                    await drive(urls, clients, clients)  # warm up: imports, connections
                    seconds, latencies = await drive(urls, calls, clients)
                figures[count] = (calls / seconds, p99(latencies))
            budget_calls = BUDGET * 3 + BUDGET * (1 if quick else 4)  # the burst, then paced
            async with replicas(counts[-1], vendor_url, redis_url, rate=BUDGET) as urls:
                counting.times.clear()
                seconds, _ = await drive(urls, budget_calls, clients=16)
                peak = counting.peak_per_second()
    allowed = BUDGET * 4  # the burst (3x) plus one second's refill
    one, most, n = figures[counts[0]], figures[counts[-1]], counts[-1]
    shown = "; ".join(f"{n}: {rate:.0f} calls/s, p99 {ms(tail)}" for n, (rate, tail) in figures.items())
    return [
        Row(
            name=f"team: p99, {n} replicas + Redis",
            measured=f"{n} replicas: {most[0]:.0f} calls/s, p99 {ms(most[1])}",
            baseline=f"1 replica: {one[0]:.0f} calls/s, p99 {ms(one[1])}",
            value=most[1] / one[1],
            limit=1.5,
            unit="x",
            note=f"{shown}; {clients} clients, {calls} `{READ_TOOL}` calls, {plan.latency_ms} ms vendor latency, "
            f"duplicate guard and budget in Redis; the replicas share this machine's {os.cpu_count()} CPUs "
            "with the clients, so more replicas add processes here, not cores",
        ),
        Row(
            name=f"team: one rate budget for {n} replicas",
            measured=f"peak {peak} vendor requests/s",
            baseline=f"allowed {allowed}/s",
            value=peak / allowed,
            limit=1.0,
            unit="x",
            note=f"AGENDA_MCP_RATE_LIMIT={BUDGET} (burst {BUDGET * 3}) shared by {n} replicas: {budget_calls} calls "
            f"took {seconds:.1f} s; a budget per replica would let the vendor see up to {allowed * n}/s",
        ),
    ]


def run_team(plan: Plan) -> list[Row]:
    return asyncio.run(team_rows(plan))


if __name__ == "__main__":
    import sys

    quick = "--quick" in sys.argv
    rows = run_team(Plan.quick() if quick else Plan())
    for row in rows:
        print(row.name, "|", row.measured, "|", row.baseline, "|", row.shown, "|", row.note)
