"""Shared pytest setup: every async test runs on asyncio through anyio's plugin."""

from collections.abc import AsyncIterator

import pytest
from mcp import Client

from agenda_mcp.server.startup.app import AgendaServer


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many fault, fuzz, leak and concurrency cases the hardening tests ran."""
    from tests.support.vendor_cases import REPORT

    if REPORT:
        terminalreporter.write_sep("-", "hardening cases run")
        for name, count in sorted(REPORT.items()):
            terminalreporter.write_line(f"{name}: {count}")


@pytest.fixture
async def client(agenda: AgendaServer) -> AsyncIterator[Client]:
    """An MCP client of the module's `agenda` fixture (each test module says which server it wants)."""
    async with Client(agenda.server) as connected:
        yield connected
