"""Issue 13, item 3: limits hold before work.

- A gzip bomb (about 1 MB of gzip that unpacks to 1 GiB of zeros, built here by streaming zlib,
  never held unpacked) served over real loopback HTTP is refused for a read and for a write (the
  write as "may or may not have happened"), and agenda-mcp's peak resident memory grows by less
  than 64 MB while it does so. agenda-mcp runs in a fresh child process (bomb_child.py) so the
  measurement is its own, not this test runner's.
- A 1 MB argument value comes back as an error of at most a few KB.
- A 9999-12-31 date range is refused in under a second while a concurrent call completes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from starlette.types import Receive, Scope, Send

from agenda_mcp.server.startup.app import build_agenda
from tests.support import call_ok, error_text, sandbox_settings
from tests.support.hostile import assert_reasoned
from tests.support.loopback import serve_in_thread
from tests.support.vendor_cases import REPORT

ROOT = Path(__file__).resolve().parents[2]
GIB = 1 << 30
MAX_GROWTH_KB = 64 * 1024


def gzip_bomb(path: Path, unpacked: int = GIB) -> int:
    """Write a gzip of `unpacked` zero bytes to `path`, 1 MiB at a time; its size."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    with path.open("wb") as out:
        for _ in range(unpacked // len(zeros)):
            out.write(packer.compress(zeros))
        out.write(packer.flush())
    return path.stat().st_size


class BombVendor:
    """Answers every request 200 with the gzip bomb, sent in 64 KB chunks; counts requests."""

    def __init__(self, bomb: bytes) -> None:
        self.bomb = bomb
        self.requests: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        self.requests.append(f"{scope['method']} {scope['path']}")
        headers = [
            (b"content-type", b"application/json"),
            (b"content-encoding", b"gzip"),
            (b"content-length", str(len(self.bomb)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        step = 64 * 1024
        for start in range(0, len(self.bomb), step):
            await send({"type": "http.response.body", "body": self.bomb[start : start + step], "more_body": True})
        await send({"type": "http.response.body", "body": b""})


def test_a_gzip_bomb_is_refused_without_inflating(tmp_path: Path) -> None:
    size = gzip_bomb(tmp_path / "bomb.gz")
    assert size < 2 * 1024 * 1024, f"the bomb is {size} bytes"
    vendor = BombVendor((tmp_path / "bomb.gz").read_bytes())
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with serve_in_thread(vendor) as url:
        child = subprocess.run(
            [sys.executable, "-m", "tests.security.bomb_child", url],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert child.returncode == 0, child.stderr[-3000:]
    report = json.loads(child.stdout.strip().splitlines()[-1])

    read, write = report["read"], report["write"]
    assert read["is_error"] and "more than 8 MB" in read["text"], read["text"]
    assert_reasoned(read["text"], "list_planaday_labels")
    assert write["is_error"] and "may or may not have happened" in write["text"], write["text"]
    assert_reasoned(write["text"], "create_planaday_booking")
    writes = [r for r in vendor.requests if r.startswith("POST")]
    assert len(writes) == 1, f"the write was sent {len(writes)} times: {vendor.requests}"
    control = report["control"]["growth_kb"]
    assert control >= 90 * 1024, f"the meter missed 96 MB held on purpose (saw {control / 1024:.0f} MB)"
    for kind in ("read", "write"):
        growth = report[kind]["growth_kb"]
        assert growth < MAX_GROWTH_KB, f"{kind}: peak resident memory grew by {growth / 1024:.0f} MB"
        REPORT[f"security: gzip bombs refused ({kind})"] += 1
        key = "security: gzip bomb, largest peak RSS growth in MB (limit 64)"
        REPORT[key] = max(REPORT[key], round(growth / 1024))


ONE_MB = 1024 * 1024
BIG_VALUES: list[tuple[str, str, dict[str, Any]]] = [
    ("onlineafspraken", "set_customer", {"email": "a" * ONE_MB + "@example.nl", "first_name": "A", "last_name": "B"}),
    ("locaboo", "locaboo_customer_add", {"customer": {"first_name": "A", "last_name": "B", "email": "x" * ONE_MB}}),
    (
        "planaday",
        "create_planaday_booking",
        {"course_id": 104, "students": [{"first_name": "A" * ONE_MB, "last_name": "B", "email": "b" * ONE_MB}]},
    ),
    ("serviceplanner", "sp_list_clients", {"search": "z" * ONE_MB}),
    ("planaday", "list_planaday_labels", {"x" * ONE_MB: 1}),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("vendor", "tool", "arguments"), BIG_VALUES, ids=[f"{v[1]}" for v in BIG_VALUES])
async def test_a_megabyte_argument_is_not_echoed_back(vendor: str, tool: str, arguments: dict[str, Any]) -> None:
    agenda = build_agenda(sandbox_settings(toolsets=(vendor,)))
    async with Client(agenda.server) as client:
        result = await client.call_tool(tool, arguments)
    text = error_text(result)
    assert result.is_error, f"{tool} accepted a 1 MB value: {str(result.structured_content)[:200]}"
    assert_reasoned(text, tool)
    assert len(text.encode()) <= 4096, f"{tool}: a {len(text.encode()):,}-byte error for a 1 MB argument"
    message = text.removeprefix(f"Error executing tool {tool}: ")
    assert len(message) <= 2000, f"{tool}: a {len(message):,}-character message (at most 2,000)"
    longest = max(len(run) for run in re.findall(r"(a+|b+|x+|z+|A+)", text) or [""])
    assert longest <= 200, f"{tool}: {longest} characters of the value echoed (at most 200)"
    REPORT["security: 1 MB arguments answered in at most 4 KB"] += 1
    key = "security: 1 MB arguments, longest error in bytes"
    REPORT[key] = max(REPORT[key], len(text.encode()))


@pytest.mark.anyio
async def test_a_range_to_the_year_9999_is_refused_at_once_while_others_go_on() -> None:
    agenda = build_agenda(sandbox_settings(toolsets=("locaboo",)))
    far = {"date_from": "2026-12-01", "date_to": "9999-12-31"}
    near = {"date_from": "2026-12-07", "date_to": "2026-12-08"}
    refused: dict[str, Any] = {}
    completed: dict[str, Any] = {}
    async with Client(agenda.server) as client:
        await call_ok(client, "locaboo_resource_list")  # the vendor is connected and warm

        async def attack() -> None:
            started = time.perf_counter()
            result = await client.call_tool("locaboo_availability", far)
            refused.update(seconds=time.perf_counter() - started, result=result)

        async def normal() -> None:
            completed["result"] = await call_ok(client, "locaboo_availability", near)

        with anyio.fail_after(30):  # a hang guard, not the measurement
            async with anyio.create_task_group() as tg:
                tg.start_soon(attack)
                tg.start_soon(normal)
    assert refused["result"].is_error
    text = assert_reasoned(error_text(refused["result"]), "locaboo_availability")
    assert "days" in text and "at most" in text, text
    assert refused["seconds"] < 1.0, f"the refusal took {refused['seconds']:.2f} s"
    assert completed["result"]["resources"], completed  # the concurrent call got its answer
    REPORT["security: 9999-12-31 ranges refused in under 1 s"] += 1
