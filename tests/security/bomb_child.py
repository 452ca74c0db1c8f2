"""Run in a fresh process by test_size_limits.py: agenda-mcp (Planaday, over real loopback HTTP
to the vendor URL given) takes a read and a write through an in-memory MCP client, and reports
for each the outcome and the growth of its peak resident memory.

Peak memory is the kernel's VmHWM. Before each call the peak is reset to the current resident
size (writing 5 to /proc/self/clear_refs), so the growth is the call's own; where the kernel does
not allow the reset, the growth is measured from the current size to the peak so far, which can
only overstate it."""

from __future__ import annotations

import json
import sys

import anyio
from mcp import Client

from agenda_mcp.server.startup.app import build_agenda
from agenda_mcp.server.startup.config import Settings
from tests.support.memory import reset_peak, status_kb

CALLS = {
    "read": ("list_planaday_labels", {}),
    "write": ("create_planaday_booking", {"course_id": 104, "students": [{"first_name": "Bom", "last_name": "Test"}]}),
}


async def main(url: str) -> dict[str, object]:
    env = {"PLANADAY_API_KEY": "bomb-test-planaday-key", "PLANADAY_BASE_URL": f"{url}/v1"}
    settings = Settings(env=env, toolsets=("planaday",), retry_backoff=0.0, rate_limit=10_000, http_timeout=60)
    agenda = build_agenda(settings)
    report: dict[str, object] = {}
    async with Client(agenda.server) as client:
        await client.list_tools()
        for kind, (name, arguments) in CALLS.items():
            reset = reset_peak()
            before = status_kb("VmRSS")
            result = await client.call_tool(name, arguments)
            peak = status_kb("VmHWM")
            report[kind] = {
                "is_error": result.is_error,
                "text": " ".join(getattr(block, "text", "") for block in result.content),
                "growth_kb": peak - before,
                "peak_reset": reset,
            }
        # The meter itself: 96 MB held on purpose must show as about that much growth.
        reset_peak()
        before = status_kb("VmRSS")
        held = bytearray(96 * 1024 * 1024)
        held[::4096] = b"x" * len(held[::4096])
        report["control"] = {"growth_kb": status_kb("VmHWM") - before}
        del held
    return report


if __name__ == "__main__":
    print(json.dumps(anyio.run(main, sys.argv[1])))
