"""all_pages stops fetching once the result cap is reached, instead of fetching pages it then cuts."""

from __future__ import annotations

import pytest
from mcp import Client

from agenda_mcp.server.kit.paging import ENVELOPE_BYTES, pages_within
from agenda_mcp.server.startup.app import build_agenda
from tests.support import call_ok, sandbox_settings

pytestmark = pytest.mark.anyio


def test_pages_within_the_cap() -> None:
    assert pages_within(None, 500) is None
    assert pages_within(64 * 1024, 1000) == -(-(64 * 1024 * 9 // 10 - ENVELOPE_BYTES) // 1000)
    assert pages_within(4096, 10_000) == 1  # the first page is always there


@pytest.mark.parametrize(
    ("tool", "rows"),
    [("sp_list_clients", "clients"), ("sp_list_addresses", "addresses"), ("sp_list_items", "items")],
)
async def test_all_pages_fetches_what_fits_and_says_where_to_go_on(tool: str, rows: str) -> None:
    agenda = build_agenda(sandbox_settings(toolsets=("serviceplanner",), max_result_kb=4))
    async with Client(agenda.server) as client:
        faults = agenda.vendors["serviceplanner"].faults
        assert faults is not None
        before = faults.passed
        result = await client.call_tool(tool, {"per_page": 1, "all_pages": True})
        asked = faults.passed - before
    data = result.structured_content
    assert data is not None and "truncated" not in data  # nothing fetched only to be cut
    assert len(data[rows]) == asked < 50  # 50 would be MAX_PAGES: the cap stopped it
    assert data["page"]["next_page"] == asked + 1  # and the model is told where to continue
    assert len(result.content[0].text.encode()) <= 4 * 1024  # type: ignore[union-attr]


async def test_all_pages_within_the_default_cap_still_fetches_every_page() -> None:
    agenda = build_agenda(sandbox_settings(toolsets=("serviceplanner",)))
    async with Client(agenda.server) as client:
        found = await call_ok(client, "sp_list_clients", {"per_page": 50, "all_pages": True})
    assert len(found["clients"]) == found["page"]["total"] and "next_page" not in found["page"]
