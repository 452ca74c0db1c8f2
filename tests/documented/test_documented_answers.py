"""Every example answer in the vendors' documentation, served over loopback HTTP to the tool that
reads it: it must parse, and its meaningful fields (ids another call needs, times, names,
statuses) must reach the result; a documented error must come back as a clear tool error.
See tests/support/documented.py for the fixture format."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from mcp import Client

from agenda_mcp.server.startup.app import AgendaServer, build_agenda
from agenda_mcp.server.startup.config import Settings
from tests.support import error_text
from tests.support.documented import VENDOR_ENV, Case, ScriptedVendor, at, cases, loopback_vendor
from tests.support.moments import check_moments
from tests.support.schemas import output_schemas, validated
from tests.support.vendor_cases import REPORT

CASES = cases()


@pytest.fixture(scope="module")
def vendor() -> Iterator[tuple[str, ScriptedVendor]]:
    with loopback_vendor() as served:
        yield served


_agendas: dict[tuple[str, str], AgendaServer] = {}


def agenda_for(vendor: str, url: str) -> AgendaServer:
    """One server per vendor for the module: answers differ per case, the server does not."""
    if (vendor, url) not in _agendas:
        env = {name: value.format(url=url) for name, value in VENDOR_ENV[vendor].items()}
        settings = Settings(env=env, toolsets=(vendor,), retry_backoff=0.0, dedup_seconds=0, rate_limit=10_000)
        _agendas[(vendor, url)] = build_agenda(settings)
    return _agendas[(vendor, url)]


@pytest.mark.anyio
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
async def test_documented_answer(case: Case, vendor: tuple[str, ScriptedVendor]) -> None:
    url, served = vendor
    spec = case.spec
    served.script(spec["answers"])
    agenda = agenda_for(case.vendor, url)
    async with Client(agenda.server) as client:
        schemas = await output_schemas(client)
        for name, arguments in spec.get("calls", []):
            await client.call_tool(name, arguments)
        result = await client.call_tool(spec["tool"], spec.get("arguments", {}))
    assert not served.unmatched, f"{case.id}: requests without a scripted answer: {served.unmatched}"
    REPORT["documented answers served"] += 1
    if "error" in spec:
        text = error_text(result)
        assert result.is_error, f"{case.id}: a documented failure was taken for a success: {result.structured_content}"
        for expected in spec["error"]:
            assert expected.lower() in text.lower(), f"{case.id}: {expected!r} not in {text!r}"
        assert "Error executing tool" not in text.replace(f"Error executing tool {spec['tool']}: ", "", 1)
        return
    assert not result.is_error, f"{case.id}: {error_text(result)}"
    structured: Any = result.structured_content
    for path, expected in spec.get("expect", {}).items():
        try:
            found = at(structured, path)
        except (KeyError, IndexError):
            pytest.fail(f"{case.id}: {path} is missing from the result: {structured}")
        assert found == expected, f"{case.id}: {path} is {found!r}, expected {expected!r}"
    REPORT["datetime values checked (documented answers)"] += check_moments(structured, where=case.id)
    REPORT["results validated against their outputSchema, formats checked (documented answers)"] += validated(
        schemas, spec["tool"], structured
    )


def test_every_vendor_has_documented_answers() -> None:
    counts = {name: len(cases(name)) for name in VENDOR_ENV}
    assert all(counts.values()), counts
