"""Vendor faults, for a read and a write of every vendor: each call ends (no hang), reads retry
and then succeed or fail clearly, writes are never retried, the next call works, and the
simulator holds exactly the writes that were meant. The counts are printed in the report."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from mcp import Client

from agenda_mcp.server.startup.app import AgendaServer, build_agenda
from agenda_mcp.server.transport.sandbox import FAULT_MODES
from tests.support import error_text, sandbox_settings
from tests.support.vendor_cases import CASES, REPORT, VendorCase

pytestmark = pytest.mark.anyio
TIMEOUT = 0.5
RETRIED = {"502", "503", "504", "reset", "slow"}  # what a read tries again (3 attempts in all)


def _agenda(vendor: str) -> AgendaServer:
    return build_agenda(sandbox_settings(toolsets=(vendor,), http_timeout=TIMEOUT))


async def _call(client: Client, name: str, arguments: dict[str, Any]) -> Any:
    # The guard is generous: it catches a hang, it does not time anything.
    with anyio.fail_after(TIMEOUT * 3 + 10):
        return await client.call_tool(name, arguments)


def _assert_clear_error(result: Any, name: str) -> str:
    assert result.is_error, f"{name} should have failed"
    text = error_text(result)
    assert text.strip() != f"Error executing tool {name}", "a crash, not an explained error"
    assert len(text) > len(f"Error executing tool {name}: ") + 20
    return text


@pytest.mark.parametrize("mode", FAULT_MODES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.vendor)
async def test_a_read_under_a_persistent_fault(case: VendorCase, mode: str) -> None:
    agenda = _agenda(case.vendor)
    faults = agenda.vendors[case.vendor].faults
    assert faults is not None
    name, arguments = case.read
    async with Client(agenda.server) as client:
        faults.inject(mode, times=None)  # type: ignore[arg-type]
        result = await _call(client, name, arguments)
        if mode == "lost_response":
            assert faults.faulted == 3  # a lost answer to a read is just another failed attempt
        else:
            assert faults.faulted == (3 if mode in RETRIED else 1), f"attempts for {mode}"
        _assert_clear_error(result, name)
        faults.clear()
        after = await _call(client, name, arguments)
        assert not after.is_error, "the next call must work normally"
    REPORT["fault cases (read)"] += 1


@pytest.mark.parametrize("mode", sorted(RETRIED))
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.vendor)
async def test_a_read_recovers_from_one_fault(case: VendorCase, mode: str) -> None:
    agenda = _agenda(case.vendor)
    faults = agenda.vendors[case.vendor].faults
    assert faults is not None
    name, arguments = case.read
    async with Client(agenda.server) as client:
        faults.inject(mode, times=1)  # type: ignore[arg-type]
        result = await _call(client, name, arguments)
    assert not result.is_error and faults.faulted == 1 and faults.passed == 1
    REPORT["fault cases (read recovers)"] += 1


@pytest.mark.parametrize("mode", FAULT_MODES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.vendor)
async def test_a_write_under_a_fault_is_sent_once(case: VendorCase, mode: str) -> None:
    agenda = _agenda(case.vendor)
    faults = agenda.vendors[case.vendor].faults
    assert faults is not None
    name, arguments_for = case.write
    async with Client(agenda.server) as client:
        before = case.writes(agenda)
        faults.inject(mode, times=None)  # type: ignore[arg-type]
        result = await _call(client, name, arguments_for(1))
        assert faults.faulted == 1, "a write must never be retried"
        expected = 1 if mode == "lost_response" else 0
        text = _assert_clear_error(result, name)
        if mode in ("reset", "lost_response", "slow"):
            assert "may or may not" in text and "Do not simply repeat it" in text
        assert case.writes(agenda) == before + expected, "the simulator must hold exactly the intended writes"
        faults.clear()
        after = await _call(client, name, arguments_for(2))
        assert not after.is_error, f"the next call must work normally: {error_text(after)}"
        assert case.writes(agenda) == before + expected + 1
    REPORT["fault cases (write)"] += 1
