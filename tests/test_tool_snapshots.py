"""The tools/list contract, per vendor: names, descriptions, schemas and annotations are checked
in, so an accidental change to what the model sees fails here. After an intended change run
`UPDATE_SNAPSHOTS=1 pytest tests/test_tool_snapshots.py` and commit the new snapshot."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from mcp import Client

from agenda_mcp.server.startup.app import build_server
from agenda_mcp.server.startup.registry import VENDOR_NAMES, load_vendor
from tests.support import sandbox_settings

SNAPSHOTS = Path(__file__).parent / "snapshots"
pytestmark = pytest.mark.anyio
CROSS_VENDOR = ("find_slots", "book_slot")
"""Tools over every vendor with availability (server/slots/service.py): their own snapshot, `agenda.json`."""


async def tools_of(vendor: str) -> list[dict[str, object]]:
    async with Client(build_server(sandbox_settings(toolsets=(vendor,)))) as client:
        tools = (await client.list_tools()).tools
    dumped = [tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in tools]
    return [tool for tool in dumped if tool["name"] not in CROSS_VENDOR]


async def cross_vendor_tools() -> list[dict[str, object]]:
    async with Client(build_server(sandbox_settings())) as client:
        tools = (await client.list_tools()).tools
    dumped = [tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in tools]
    return sorted((tool for tool in dumped if tool["name"] in CROSS_VENDOR), key=lambda tool: str(tool["name"]))


async def test_cross_vendor_tools_match_snapshot() -> None:
    current = await cross_vendor_tools()
    assert [tool["name"] for tool in current] == sorted(CROSS_VENDOR)
    path = SNAPSHOTS / "agenda.json"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1" or not path.exists():
        path.write_text(json.dumps(current, indent=2, ensure_ascii=False) + "\n")
    assert current == json.loads(path.read_text()), "tools/list of find_slots/book_slot changed; see module docstring"
    for tool in current:
        assert str(tool["description"]).startswith("agenda-mcp"), tool["name"]
        for param, schema in tool["inputSchema"].get("properties", {}).items():  # type: ignore[attr-defined]
            assert "description" in schema, f"{tool['name']}.{param} has no description"


@pytest.mark.parametrize("vendor", VENDOR_NAMES)
async def test_tools_list_matches_snapshot(vendor: str) -> None:
    current = sorted(await tools_of(vendor), key=lambda tool: str(tool["name"]))
    path = SNAPSHOTS / f"{vendor}.json"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1" or not path.exists():
        path.write_text(json.dumps(current, indent=2, ensure_ascii=False) + "\n")
    assert current == json.loads(path.read_text()), f"tools/list of {vendor} changed; see module docstring"


@pytest.mark.parametrize("vendor", VENDOR_NAMES)
async def test_every_tool_is_complete(vendor: str) -> None:
    title = load_vendor(vendor).title
    for tool in await tools_of(vendor):
        name = tool["name"]
        assert str(tool.get("description", "")).startswith(title), name
        assert tool["inputSchema"]["type"] == "object", name  # type: ignore[index]
        assert tool.get("outputSchema", {}).get("type") == "object", f"{name} has no output schema"
        annotations = tool.get("annotations") or {}
        for hint in ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"):
            assert isinstance(annotations.get(hint), bool), f"{name} lacks {hint}"
        assert annotations["openWorldHint"] is True
        if annotations["readOnlyHint"]:
            assert annotations["destructiveHint"] is False, name
        for param, schema in tool["inputSchema"].get("properties", {}).items():  # type: ignore[union-attr]
            assert "description" in schema, f"{name}.{param} has no description"
