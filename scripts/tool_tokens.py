"""Print the tools/list token estimate (JSON characters / 4, as bench/rows.py counts) per vendor,
from a live sandbox server: `python scripts/tool_tokens.py [vendor ...]`."""

from __future__ import annotations

import json
import sys

import anyio
from mcp import Client

from agenda_mcp.server.startup.app import build_server
from agenda_mcp.server.startup.config import Settings
from agenda_mcp.server.startup.registry import VENDOR_NAMES


async def main(vendors: list[str]) -> None:
    total, count = 0.0, 0
    for vendor in vendors:
        settings = Settings(sandbox=True, env={}, toolsets=(vendor,))
        async with Client(build_server(settings)) as client:
            tools = (await client.list_tools()).tools
        dumped = [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in tools]
        size = sum(len(json.dumps(t, separators=(",", ":"), ensure_ascii=False)) / 4 for t in dumped)
        heaviest = max(dumped, key=lambda t: len(json.dumps(t)))
        print(f"{vendor}: {size:,.0f} tokens, {len(tools)} tools (largest {heaviest['name']})")
        total, count = total + size, count + len(tools)
    print(f"all: {total:,.0f} tokens, {count} tools, {total / max(count, 1):,.0f} a tool")


if __name__ == "__main__":
    anyio.run(main, sys.argv[1:] or list(VENDOR_NAMES))
