"""Credentials never leave the server, under success and failure, for every vendor; and the last
seat or slot goes to exactly one of fifty concurrent bookings."""

from __future__ import annotations

import logging

import anyio
import pytest
from mcp import Client

from agenda_mcp.server.startup.app import build_agenda
from tests.support import error_text, sandbox_settings
from tests.support.vendor_cases import CASES, REPORT, VendorCase

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.vendor)
async def test_no_credential_in_logs_errors_or_results(case: VendorCase, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    agenda = build_agenda(sandbox_settings(toolsets=(case.vendor,), log_level="DEBUG", http_timeout=0.5))
    runtime = agenda.vendors[case.vendor]
    secrets = [s for s in runtime.http.connection.secrets if s]
    assert secrets, "a vendor without credentials would make this test vacuous"
    faults = runtime.faults
    assert faults is not None
    seen: list[str] = []
    async with Client(agenda.server) as client:
        read, arguments = case.read
        write, write_arguments = case.write
        calls = [(read, arguments), (write, write_arguments(1)), (read, {"no_such_argument": 1})]
        for mode in (None, "500", "html", "reset", "lost_response"):
            if mode:
                faults.inject(mode, times=None)  # type: ignore[arg-type]
            for n, (name, args) in enumerate(calls):
                result = await client.call_tool(name, args if name != write else write_arguments(10 + n))
                seen.append(error_text(result) + repr(result.structured_content))
            faults.clear()
    seen += [record.getMessage() for record in caplog.records]
    assert any("->" in record.getMessage() for record in caplog.records), "expected DEBUG request logs"
    for text in seen:
        for secret in secrets:
            assert secret not in text
    REPORT["leak checks (texts scanned)"] += len(seen)


@pytest.mark.parametrize("case", [c for c in CASES if c.last_slot], ids=lambda c: c.vendor)
async def test_fifty_concurrent_bookings_for_the_last_slot(case: VendorCase) -> None:
    agenda = build_agenda(sandbox_settings(toolsets=(case.vendor,)))
    assert case.last_slot is not None
    case.last_slot(agenda)
    before = case.writes(agenda)
    name, arguments_for = case.write
    outcomes: list[tuple[bool, str]] = []
    async with Client(agenda.server) as client:

        async def book(n: int) -> None:
            result = await client.call_tool(name, arguments_for(n))
            outcomes.append((result.is_error, error_text(result)))

        with anyio.fail_after(120):
            async with anyio.create_task_group() as tg:
                for n in range(50):
                    tg.start_soon(book, n)
    successes = [text for failed, text in outcomes if not failed]
    failures = [text for failed, text in outcomes if failed]
    assert len(successes) == 1 and len(failures) == 49
    assert all("no longer available" in text.lower() for text in failures), failures[0]
    assert case.writes(agenda) == before + 1
    REPORT["concurrent last-slot bookings"] += 50
