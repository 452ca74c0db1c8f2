"""`agenda-mcp demo` runs every vendor's workflow through a real MCP client, and checks each
result against the tool's published outputSchema."""

from __future__ import annotations

import io

import pytest

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
