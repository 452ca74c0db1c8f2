"""Issue 13, item 5 (second half): the paths that used to end in a bare "Error executing tool X"
with no reason. Each attack goes through a real MCP client and must come back with a reason the
model can act on; an unexpected failure carries "reference E-xxxx" (the log holds its traceback).

- dates at the edge of the calendar (9999-12-31, offsets that leave year 1..9999), where adding
  a day or a default period overflows;
- naive and aware times mixed in one call;
- vendor answers built to break a parser, served over real loopback HTTP: JSON nested 10^6
  deep, a 50,000-digit integer (in a success and in an error body), OnlineAfspraken XML nested
  10^5 deep and with a 50,000-digit id."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from mcp import Client

from agenda_mcp.server.startup.app import build_agenda
from agenda_mcp.server.startup.config import Settings
from tests.support import error_text, sandbox_settings
from tests.support.documented import VENDOR_ENV, ScriptedVendor, loopback_vendor
from tests.support.hostile import assert_reasoned
from tests.support.vendor_cases import REPORT

pytestmark = pytest.mark.anyio

AGENDA, TYPE, RESOURCE = 3101, 286851, 100  # OnlineAfspraken agenda and type, Locaboo hall (demo data)

# (vendor, tool, arguments): each must fail with a reason (none of these can succeed).
EDGE_DATES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "onlineafspraken",
        "get_bookable_days",
        {"agenda_id": AGENDA, "appointment_type_id": TYPE, "start_date": "9999-12-31"},
    ),
    (
        "onlineafspraken",
        "get_bookable_days",
        {"agenda_id": AGENDA, "appointment_type_id": TYPE, "start_date": "9999-12-20", "end_date": "9999-12-31"},
    ),
    ("onlineafspraken", "get_bookable_times", {"agenda_id": AGENDA, "appointment_type_id": TYPE, "date": "9999-12-31"}),
    (
        "onlineafspraken",
        "get_bookable_blocks",
        {"agenda_id": AGENDA, "appointment_type_id": TYPE, "date": "9999-12-31"},
    ),
    ("onlineafspraken", "get_appointments", {"agenda_id": AGENDA, "start_date": "9999-12-31"}),
    ("onlineafspraken", "get_customers", {"updated_after": "9999-12-31T23:59:59-12:00"}),
    ("onlineafspraken", "get_customers", {"updated_after": "0001-01-01T00:00:00+14:00"}),
    (
        "onlineafspraken",
        "set_appointment",
        {"agenda_id": AGENDA, "appointment_type_id": TYPE, "start_time": "9999-12-31T23:30-12:00"},
    ),
    ("locaboo", "locaboo_availability", {"date_from": "9999-12-31", "date_to": "9999-12-31"}),
    ("locaboo", "locaboo_availability", {"date_from": "2026-12-01", "date_to": "9999-12-31"}),
    (
        "locaboo",
        "locaboo_booking_add",
        {
            "booking_mode": "direct_booking",
            "main_resource": RESOURCE,
            "time_from": "9999-12-31T23:00-12:00",
            "time_to": "9999-12-31T23:59-12:00",
        },
    ),
]

# Naive and aware moments in one call: a refusal with a reason, or a result; never a crash.
MIXED_TIMES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "onlineafspraken",
        "add_availability_block",
        {"agenda_id": AGENDA, "start_time": "2026-12-07T10:00+01:00", "end_time": "11:00"},
    ),
    (
        "onlineafspraken",
        "add_availability_block",
        {"agenda_id": AGENDA, "start_time": "2026-12-07T10:00", "end_time": "2026-12-07T11:00+09:00"},
    ),
    (
        "onlineafspraken",
        "get_appointments",
        {
            "agenda_id": AGENDA,
            "start_date": "2026-12-01",
            "updated_after": "2026-12-01T10:00+05:00",
            "created_after": "2026-11-01T10:00",
        },
    ),
    (
        "onlineafspraken",
        "set_appointment",
        {
            "agenda_id": AGENDA,
            "appointment_type_id": TYPE,
            "customer_id": 1,
            "start_time": "2026-12-07T10:00",
            "end_time": "2026-12-07T11:00Z",
            "booking_mode": "customer",
        },
    ),
    (
        "locaboo",
        "locaboo_booking_add",
        {
            "booking_mode": "direct_booking",
            "main_resource": RESOURCE,
            "time_from": "2026-12-08T10:00+01:00",
            "time_to": "2026-12-08T11:00",
        },
    ),
    (
        "locaboo",
        "locaboo_booking_add",
        {
            "booking_mode": "direct_booking",
            "main_resource": RESOURCE,
            "time_from": "2026-12-09T10:00",
            "time_to": "2026-12-09T11:00-05:00",
        },
    ),
]


def _record(reason: str, kind: str) -> None:
    REPORT[f"security: bare-error paths tried ({kind})"] += 1
    if "reference E-" in reason:
        REPORT["security: bare-error paths ending in an E- reference"] += 1


@pytest.mark.parametrize(
    ("vendor", "tool", "arguments"), EDGE_DATES, ids=[f"{c[1]}-{i}" for i, c in enumerate(EDGE_DATES)]
)
async def test_dates_at_the_edge_of_the_calendar(vendor: str, tool: str, arguments: dict[str, Any]) -> None:
    agenda = build_agenda(sandbox_settings(toolsets=(vendor,)))
    async with Client(agenda.server) as client:
        started = time.perf_counter()
        with anyio.fail_after(30):  # a hang guard
            result = await client.call_tool(tool, arguments)
        seconds = time.perf_counter() - started
    assert result.is_error, f"{tool} accepted {arguments}: {result.structured_content}"
    _record(assert_reasoned(error_text(result), tool), "date overflow")
    # Not a benchmark (the year-9999 range under a second is test_size_limits'): a bound against stalls.
    assert seconds < 5.0, f"{tool} took {seconds:.2f} s to refuse"


@pytest.mark.parametrize(
    ("vendor", "tool", "arguments"), MIXED_TIMES, ids=[f"{c[1]}-{i}" for i, c in enumerate(MIXED_TIMES)]
)
async def test_naive_and_aware_times_in_one_call(vendor: str, tool: str, arguments: dict[str, Any]) -> None:
    agenda = build_agenda(sandbox_settings(toolsets=(vendor,)))
    async with Client(agenda.server) as client:
        result = await client.call_tool(tool, arguments)
    if result.is_error:
        reason = assert_reasoned(error_text(result), tool)
        assert "unexpectedly" not in reason, f"{tool} crashed on mixed times: {reason}"
        _record(reason, "naive/aware times")
    else:
        REPORT["security: bare-error paths tried (naive/aware times)"] += 1


# -- hostile vendor answers over loopback ------------------------------------------------------

DEEP_JSON = "[" * 1_000_000 + "]" * 1_000_000
LONG_NUMBER = "9" * 50_000
XML_STATUS = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Status><APIVersion>1.0</APIVersion>'
    "<Timestamp>{now}</Timestamp><Message></Message><Status>success</Status></Status><Objects>{objects}</Objects></Response>"
)
DEEP_XML_OBJECTS = "<Agenda>" * 100_000 + "</Agenda>" * 100_000
LONG_ID_OBJECTS = f"<Agenda><Id>{LONG_NUMBER}</Id><Name>A</Name><IsDefault>1</IsDefault></Agenda>"

JSON_READS = {"planaday": "list_planaday_labels", "locaboo": "locaboo_resource_list", "serviceplanner": "sp_list_users"}
JSON_BODIES = {
    "JSON nested 10^6 deep": (200, DEEP_JSON),
    "a 50,000-digit integer": (200, f'{{"data": [{{"id": {LONG_NUMBER}, "name": "x"}}], "total": {LONG_NUMBER}}}'),
    "a 50,000-digit integer in an error body": (
        422,
        f'{{"message": "no", "code": {LONG_NUMBER}, "error": {LONG_NUMBER}}}',
    ),
    "JSON nested 10^6 deep in an error body": (400, DEEP_JSON),
}


@pytest.fixture(scope="module")
def vendor() -> Iterator[tuple[str, ScriptedVendor]]:
    with loopback_vendor() as served:
        yield served


def _settings(vendor: str, url: str, dedup_seconds: float = 0) -> Settings:
    env = {name: value.format(url=url) for name, value in VENDOR_ENV[vendor].items()}
    return Settings(env=env, toolsets=(vendor,), retry_backoff=0.0, dedup_seconds=dedup_seconds, rate_limit=10_000)


def _against(vendor: str, url: str) -> Any:
    return build_agenda(_settings(vendor, url))


@pytest.mark.parametrize("body", list(JSON_BODIES))
@pytest.mark.parametrize("name", list(JSON_READS))
async def test_json_built_to_break_the_parser(name: str, body: str, vendor: tuple[str, ScriptedVendor]) -> None:
    url, served = vendor
    status, text = JSON_BODIES[body]
    served.script([{"status": status, "content_type": "application/json", "text": text, "repeat": True}])
    tool = JSON_READS[name]
    async with Client(_against(name, url).server) as client:
        with anyio.fail_after(30):
            result = await client.call_tool(tool, {})
    assert served.requests, "the hostile answer was never asked for"
    assert result.is_error, f"{tool} accepted {body}: {str(result.structured_content)[:200]}"
    reason = assert_reasoned(error_text(result), tool)
    assert LONG_NUMBER[:500] not in reason, "the number was echoed back"
    _record(reason, body)


XML_CASES = {
    "XML nested 10^5 deep": ("get_agendas", {}, DEEP_XML_OBJECTS),
    "XML nested 10^5 deep, to a write": (
        "set_customer",
        {"email": "diep@example.nl", "first_name": "Diep", "last_name": "Test"},
        DEEP_XML_OBJECTS,
    ),
    "a 50,000-digit id in XML": ("get_agendas", {}, LONG_ID_OBJECTS),
}


@pytest.mark.parametrize("case", list(XML_CASES))
async def test_xml_built_to_break_the_parser(case: str, vendor: tuple[str, ScriptedVendor]) -> None:
    url, served = vendor
    tool, arguments, objects = XML_CASES[case]
    body = XML_STATUS.format(now=int(time.time()), objects=objects)
    served.script([{"status": 200, "content_type": "text/xml; charset=UTF-8", "text": body, "repeat": True}])
    agenda = build_agenda(_settings("onlineafspraken", url, dedup_seconds=120))
    async with Client(agenda.server) as client:
        with anyio.fail_after(30):
            result = await client.call_tool(tool, arguments)
        sent = len(served.requests)
        assert sent, "the hostile answer was never asked for"
        assert result.is_error, f"{tool} accepted {case}: {str(result.structured_content)[:200]}"
        reason = assert_reasoned(error_text(result), tool)
        if "write" in case:
            # It crashed after the vendor had the request: uncertain, and its repeat is not sent.
            assert "may or may not have happened" in reason, reason
            repeat = await client.call_tool(tool, arguments)
            assert repeat.is_error and "was not sent" in error_text(repeat), error_text(repeat)
            assert len(served.requests) == sent, "the repeat of an uncertain write was sent"
    _record(reason, case)
