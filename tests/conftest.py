"""Shared pytest setup: every async test runs on asyncio through anyio's plugin."""

import pytest


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
