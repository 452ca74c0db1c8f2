"""Shared pytest setup: every async test runs on asyncio through anyio's plugin."""

import logging
from collections.abc import AsyncIterator, Iterator

import pytest
from mcp import Client

from agenda_mcp.server.startup.app import AgendaServer


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def logging_as_it_was() -> Iterator[None]:
    """A test that runs the command line in-process (`cli.main`) configures logging for the whole
    process: a handler on that test's captured stderr, closed after it, and the HTTP stack's loggers
    quietened. Put back, so a later test's log assertions do not depend on which ran before."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    quiet = {name: logging.getLogger(name).level for name in ("httpx2", "httpcore", "httpcore2")}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, was in quiet.items():
        logging.getLogger(name).setLevel(was)


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
