"""`agenda-mcp demo` runs every vendor's workflow through a real MCP client, and checks each
result against the tool's published outputSchema and the time rule (tests/support/moments.py)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

import agenda_mcp.server.guards.output as output_module
from agenda_mcp.server.startup.app import build_agenda
from agenda_mcp.server.startup.demo import DemoFailed, run_demo
from agenda_mcp.server.startup.registry import VENDOR_NAMES, load_vendor
from tests.support import sandbox_settings
from tests.support.moments import check_moments
from tests.support.schemas import output_schemas, validated
from tests.support.vendor_cases import REPORT

SCRIPT = str(Path(sys.executable).parent / "agenda-mcp")


@pytest.mark.anyio
async def test_demo_runs_every_vendor_and_results_match_their_schemas() -> None:
    out = io.StringIO()
    results: list[tuple[str, Any]] = []
    await run_demo(sandbox_settings(), out, seen=lambda name, result: results.append((name, result)))
    text = out.getvalue()
    for vendor in VENDOR_NAMES:
        assert f"=== {load_vendor(vendor).title} ===" in text
    assert "✗" not in text and text.rstrip().endswith("went through the MCP protocol.")
    checked = sum(check_moments(result, where=f"demo {name}") for name, result in results)
    REPORT["datetime values checked (demo)"] += checked
    assert checked > 0
    async with Client(build_agenda(sandbox_settings()).server) as client:
        schemas = await output_schemas(client)
    valid = sum(validated(schemas, name, result) for name, result in results if result is not None)
    REPORT["results validated against their outputSchema, formats checked (demo)"] += valid
    assert valid == len([r for _, r in results if r is not None])


@pytest.mark.anyio
async def test_every_demo_result_survives_being_cleaned(monkeypatch: pytest.MonkeyPatch) -> None:
    """A result with a control character in it, or over the size cap, goes back as its cleaned
    JSON, which the SDK validates against the tool's result model again. Every vendor model must
    accept its own output then (an OnlineAfspraken appointment once did not: its times are read in
    the vendor's format and written as ISO 8601)."""
    monkeypatch.setattr(output_module, "_CONTROL_IN_JSON", re.compile(""))  # every result looks dirty
    out = io.StringIO()
    await run_demo(sandbox_settings(), out)
    assert "✗" not in out.getvalue() and out.getvalue().rstrip().endswith("went through the MCP protocol.")


@pytest.mark.anyio
async def test_a_vendor_part_that_makes_no_call_fails_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    async def nothing(step: Any) -> None:
        return None

    spec = load_vendor("planaday")
    monkeypatch.setattr(type(spec), "demo", lambda self: nothing if self.name == "planaday" else None)
    with pytest.raises(DemoFailed, match="Planaday part of the demo made no call"):
        await run_demo(sandbox_settings(toolsets=("planaday",)), io.StringIO())


def _normalised(transcript: str) -> str:
    """A transcript without what differs between runs: ids, dates, times, counts."""
    return re.sub(r"\d+", "N", transcript)


@pytest.mark.slow
def test_demo_twice_with_a_kept_tool_list_gives_the_same_transcript(tmp_path: Path) -> None:
    """The second run lists tools from the kept file and builds each vendor on first use; it must
    still run every step (it once printed its header and 'Demo finished' with no call at all)."""
    env = {"PATH": os.environ.get("PATH", ""), "AGENDA_MCP_CACHE_DIR": str(tmp_path), "HOME": str(tmp_path)}
    runs = [subprocess.run([SCRIPT, "demo"], env=env, capture_output=True, text=True, timeout=300) for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stderr
    assert list(tmp_path.glob("listing-*.json")), "the first run kept no tool list"
    first, second = (_normalised(run.stdout) for run in runs)
    assert first == second
    for vendor in VENDOR_NAMES:
        assert second.count("→ ") > 10 and f"=== {load_vendor(vendor).title} ===" in second
