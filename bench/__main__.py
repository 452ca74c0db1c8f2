"""`python -m bench [--quick] [--check]`: run every row and print one Markdown table."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import platform
import sys
import time

from bench.results import early_calls_row, first_call_row, result_size_rows
from bench.rows import Plan, Row, budget_row, call_overhead, cold_start, latency_rows, memory, tool_list
from bench.slots import slot_rows
from bench.stdio import BenchError
from bench.team import team_rows


def _progress(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)


async def run(plan: Plan) -> list[Row]:
    _progress("cold start")
    start_row, tools = await cold_start(plan)
    rows = [start_row]
    _progress("call overhead")
    rows.append(await call_overhead(plan))
    _progress("result size, the first call after a start, early calls")
    rows.extend(await result_size_rows(plan))
    rows.append(await first_call_row(plan))
    rows.append(await early_calls_row(plan, tools))
    _progress("fan-out and paging")
    rows.extend(await latency_rows(plan))
    rows.extend(tool_list(tools))
    _progress("rate budget")
    rows.append(await budget_row())
    _progress("question to booking: vendor tools vs find_slots + book_slot")
    rows.extend(await slot_rows())
    _progress("team: replicas + Redis")
    try:
        rows.extend(await team_rows(plan))
    except BenchError as exc:
        _progress(f"team: skipped, {exc}")
    _progress("memory")
    memory_row = await memory(tools, plan)
    if memory_row is not None:
        rows.append(memory_row)
    else:
        _progress("memory: skipped, this system has no /proc/<pid>/status")
    return rows


def table(rows: list[Row]) -> str:
    lines = [
        "| row | measured | baseline | result | target | | what |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        verdict = "ok" if row.ok else "**over**"
        cells = [row.name, row.measured, row.baseline or "—", row.shown, row.target, verdict, row.note]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _quiet() -> None:
    """Rows that run servers in this process (question to booking, team) would print every vendor
    request at INFO; the table is the output."""
    logging.basicConfig(level=logging.WARNING)
    for name in ("httpx2", "httpcore", "httpcore2", "mcp", "uvicorn", "agenda_mcp"):
        logging.getLogger(name).setLevel(logging.WARNING)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few repetitions: proves the suite runs (CI)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a row is over its target")
    args = parser.parse_args()
    _quiet()
    plan = Plan.quick() if args.quick else Plan()
    started = time.perf_counter()
    rows = asyncio.run(run(plan))
    from agenda_mcp import __version__

    print(
        f"agenda-mcp {__version__}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"{'quick' if args.quick else 'full'} run in {time.perf_counter() - started:.0f} s\n"
    )
    print(table(rows))
    if args.check and not all(row.ok for row in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
