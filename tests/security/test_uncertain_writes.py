"""Issue 13, item 4: a write the vendor received and answered 200 with garbage or an HTML page is
uncertain, for every vendor: the error says it "may or may not have happened" and names a tool
to check with, and an identical repeat within the window is refused without being sent.

The simulator really makes the write (ActsThenGarbles passes the request on and throws its
answer away), so the test sees what the attack does: the change is there, the model is told it
may be, and a repeat would have made it twice."""

from __future__ import annotations

import pytest
from mcp import Client

from agenda_mcp.server.startup.app import build_agenda
from tests.support import error_text, sandbox_settings
from tests.support.hostile import GARBAGE, HTML, ActsThenGarbles, assert_reasoned
from tests.support.vendor_cases import CASES, REPORT, VendorCase

pytestmark = pytest.mark.anyio
ANSWERS = {"garbage": (GARBAGE, b"application/json"), "html": (HTML, b"text/html")}


@pytest.mark.parametrize("answer", list(ANSWERS))
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.vendor)
async def test_a_garbled_write_is_uncertain_and_its_repeat_is_not_sent(case: VendorCase, answer: str) -> None:
    agenda = build_agenda(sandbox_settings(toolsets=(case.vendor,), dedup_seconds=120))
    faults = agenda.vendors[case.vendor].faults
    assert faults is not None
    vendor = faults.app = ActsThenGarbles(faults.app)
    name, arguments_for = case.write
    arguments = arguments_for(1)
    before = case.writes(agenda)
    async with Client(agenda.server) as client:
        vendor.answer, vendor.content_type = ANSWERS[answer]
        first = await client.call_tool(name, arguments)
        sent = len(vendor.seen)
        assert first.is_error, f"{name}: a garbled answer was taken for a success: {first.structured_content}"
        text = assert_reasoned(error_text(first), name)
        assert "may or may not have happened" in text, text
        assert "try again later" not in text.lower(), text
        assert "check with " in text, f"no tool named to check with: {text}"
        assert case.writes(agenda) == before + 1, "the simulator did not receive the write"

        vendor.answer = None  # the vendor is fine again; the repeat must still not go out
        repeat = await client.call_tool(name, arguments)
        assert repeat.is_error
        refusal = assert_reasoned(error_text(repeat), name)
        assert "may or may not have happened" in refusal and "was not sent" in refusal, refusal
        assert "check with " in refusal, refusal
        assert len(vendor.seen) == sent, f"the repeat reached the vendor: {vendor.seen[sent:]}"
        assert case.writes(agenda) == before + 1, "the repeat was written twice"

        other = await client.call_tool(name, arguments_for(2))  # a different write still goes through
        assert not other.is_error, error_text(other)
    REPORT[f"security: uncertain writes ({answer}) said so"] += 1
    REPORT["security: uncertain repeats refused, not sent"] += 1
