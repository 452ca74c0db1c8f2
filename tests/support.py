"""Helpers shared by the tests: sandbox settings and calling tools through a real MCP client."""

from __future__ import annotations

from typing import Any

from mcp import Client

from server.config import Settings


def sandbox_settings(**overrides: Any) -> Settings:
    """Sandbox mode with no real environment and no retry backoff (tests must not wait)."""
    return Settings(sandbox=True, retry_backoff=0.0, env={}).with_overrides(**overrides)


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
