"""Helpers shared by the tests: sandbox settings and calling tools through a real MCP client.

The rest of tests/support/ by what it helps with: `loopback` (real servers on 127.0.0.1), `person`
(answering the consent question), `team` (Redis, replicas, an OAuth issuer), `hostile` (vendors
that garble or stall), `documented` (the vendors' documented answers), `schema_examples`
(arguments made from a tool's schema), `moments` (every datetime carries its offset),
`vendor_cases` (the attack and contract counts the report prints), `onlineafspraken` (its simulator's
demo data and clock)."""

from __future__ import annotations

from typing import Any

from mcp import Client

from agenda_mcp.server.startup.app import AgendaServer
from agenda_mcp.server.startup.config import Settings


def sandbox_settings(**overrides: Any) -> Settings:
    """Sandbox mode with no real environment and no retry backoff (tests must not wait)."""
    return Settings(sandbox=True, retry_backoff=0.0, env={}).with_overrides(**overrides)


def requests_sent(agenda: AgendaServer) -> int:
    """HTTP requests every vendor of `agenda` has sent so far."""
    return sum(runtime.http.requests_sent for runtime in agenda.vendors.values())


async def call_ok(client: Client, name: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
    result = await client.call_tool(name, arguments or {})
    assert not result.is_error, f"{name} failed: {error_text(result)}"
    assert result.structured_content is not None, f"{name} returned no structured content"
    return result.structured_content


async def call_error(client: Client, name: str, arguments: dict[str, Any] | None = None) -> str:
    result = await client.call_tool(name, arguments or {})
    assert result.is_error, f"{name} should have failed but returned {result.structured_content}"
    return error_text(result)


def error_text(result: Any) -> str:
    return " ".join(getattr(block, "text", "") for block in result.content)
