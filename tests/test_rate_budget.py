"""The rate budget counts vendor requests, not tool calls: one call that fans out (find_slots) or
pages (`all_pages`) waits for it request by request, so the requests a vendor sees in any second
stay within the burst plus the rate, whatever tools are called.

The bound is one-sided: a slow machine can only send fewer requests per second, never more, so
the assertion cannot fail for timing reasons."""

from __future__ import annotations

import time
from typing import Any

import pytest
from mcp import Client

from agenda_mcp.server.guards.ratelimit import BURST_FACTOR
from agenda_mcp.server.kit.http import VendorHTTP
from agenda_mcp.server.startup.app import build_agenda
from tests.support import sandbox_settings
from tests.support.vendor_cases import REPORT

pytestmark = pytest.mark.anyio
RATE = 10


def busiest_second(times: list[float]) -> int:
    times = sorted(times)
    return max((sum(1 for t in times[i:] if t < start + 1.0) for i, start in enumerate(times)), default=0)


async def test_requests_per_second_stay_within_burst_plus_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: dict[str, list[float]] = {}
    send = VendorHTTP._send

    async def recorded(self: VendorHTTP, *args: Any, **kwargs: Any) -> Any:
        sent.setdefault(self.title, []).append(time.monotonic())
        return await send(self, *args, **kwargs)

    monkeypatch.setattr(VendorHTTP, "_send", recorded)
    agenda = build_agenda(sandbox_settings(rate_limit=RATE, toolsets=("serviceplanner",)))
    async with Client(agenda.server) as client:
        # 50 pages of one client each: more requests than the burst allows at once.
        result = await client.call_tool("sp_list_clients", {"per_page": 1, "all_pages": True})
    times = sent["ServicePlanner"]
    burst = RATE * BURST_FACTOR
    assert len(times) > burst, f"only {len(times)} requests: the budget was never tested"
    assert busiest_second(times) <= burst + RATE, busiest_second(times)
    assert not result.is_error or "Too many ServicePlanner requests" in result.content[0].text  # type: ignore[union-attr]
    REPORT["budget: vendor requests paced within burst + rate"] += len(times)
