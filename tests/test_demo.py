"""`agenda-mcp demo` runs every vendor's workflow through a real MCP client, and checks each
result against the tool's published outputSchema."""

from __future__ import annotations

import io
import re

import pytest

import server.output
from server.demo import run_demo
from server.registry import VENDOR_NAMES, load_vendor
from tests.support import sandbox_settings


@pytest.mark.anyio
async def test_demo_runs_every_vendor_and_results_match_their_schemas() -> None:
    out = io.StringIO()
    await run_demo(sandbox_settings(), out)
    text = out.getvalue()
    for vendor in VENDOR_NAMES:
        assert f"=== {load_vendor(vendor).title} ===" in text
    assert "✗" not in text and text.rstrip().endswith("went through the MCP protocol.")


@pytest.mark.anyio
async def test_every_demo_result_survives_being_cleaned(monkeypatch: pytest.MonkeyPatch) -> None:
    """A result with a control character in it, or over the size cap, goes back as its cleaned
    JSON, which the SDK validates against the tool's result model again. Every vendor model must
    accept its own output then (an OnlineAfspraken appointment once did not: its times are read in
    the vendor's format and written as ISO 8601)."""
    monkeypatch.setattr(server.output, "_CONTROL_IN_JSON", re.compile(""))  # every result looks dirty
    out = io.StringIO()
    await run_demo(sandbox_settings(), out)
    assert "✗" not in out.getvalue() and out.getvalue().rstrip().endswith("went through the MCP protocol.")
