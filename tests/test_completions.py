"""completion/complete: prompt and resource-template arguments that name vendor things are completed
from the vendors' reference data (cached), accent- and case-insensitively."""

from __future__ import annotations

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, PromptReference, ResourceTemplateReference

from agenda_mcp.server.slots.service import TEMPLATE_URI
from agenda_mcp.server.startup.app import build_agenda
from tests.support import sandbox_settings

pytestmark = pytest.mark.anyio


async def complete(client: Client, ref: object, argument: str, value: str) -> list[str]:
    result = await client.complete(ref, {"name": argument, "value": value})  # type: ignore[arg-type]
    return result.completion.values


@pytest.mark.parametrize(
    ("prompt", "argument", "typed", "expected", "not_expected"),
    [
        # OnlineAfspraken.nl appointment types
        ("book_appointment", "service", "knip", {"Knippen heren", "Knippen dames", "Knippen en föhnen"}, "Baard"),
        ("book_appointment", "service", "FOHN", {"Knippen en föhnen"}, "Knippen heren"),
        # Locaboo rooms, halls and their parts (German names, typed without ß)
        ("find_free_room", "need", "gross", {"Großer Saal"}, "Seminarraum Linde"),
        ("book_room", "need", "saal", {"Großer Saal", "Saal Rhein", "Saal Main"}, "Gymnastikraum"),
        # Planaday course templates
        ("enrol_student", "course", "bhv", {"BHV Basis", "BHV Herhaling"}, "VCA Basis (B-VCA)"),
        # the cross-vendor prompt: every kind, every vendor (types, rooms, courses, agendas, staff)
        ("find_and_book", "what", "k", {"Knippen dames", "Kapsalon Knipoog Utrecht", "Konferenzraum Panorama"}, None),
    ],
)
async def test_prompt_arguments_complete_from_reference_data(
    prompt: str, argument: str, typed: str, expected: set[str], not_expected: str | None
) -> None:
    async with Client(build_agenda(sandbox_settings()).server) as client:
        values = await complete(client, PromptReference(type="ref/prompt", name=prompt), argument, typed)
    assert expected <= set(values), values
    assert not_expected not in values
    # Prefix matches first: what the person is typing leads.
    starts = [v for v in values if v.casefold().startswith(typed.casefold())]
    assert values[: len(starts)] == starts or not starts


async def test_the_slots_template_completes_what_across_vendors() -> None:
    async with Client(build_agenda(sandbox_settings()).server) as client:
        templates = (await client.list_resource_templates()).resource_templates
        assert TEMPLATE_URI in {t.uri_template for t in templates}
        ref = ResourceTemplateReference(type="ref/resource", uri=TEMPLATE_URI)
        values = await complete(client, ref, "what", "ehbo")
        read = await client.read_resource("agenda://slots/knippen")
    assert "EHBO Basis met reanimatie en AED" in values
    assert '"slots":[' in read.contents[0].text  # type: ignore[union-attr]


async def test_arguments_that_name_no_vendor_thing_get_nothing() -> None:
    async with Client(build_agenda(sandbox_settings()).server) as client:
        when = await complete(client, PromptReference(type="ref/prompt", name="book_appointment"), "when", "di")
        with pytest.raises(MCPError) as unknown:
            await complete(client, PromptReference(type="ref/prompt", name="no_such_prompt"), "x", "a")
    assert when == [] and unknown.value.error.code == INVALID_PARAMS


async def test_completions_come_from_the_cache() -> None:
    """A second completion asks no vendor: the reference data is kept (AGENDA_MCP_CACHE_SECONDS)."""
    agenda = build_agenda(sandbox_settings())
    ref = PromptReference(type="ref/prompt", name="enrol_student")
    async with Client(agenda.server) as client:
        await complete(client, ref, "course", "b")
        faults = agenda.vendors["planaday"].faults
        assert faults is not None
        asked = faults.passed
        faults.inject("500", times=None)  # Planaday is down now
        values = await complete(client, ref, "course", "heft")
    assert values == ["Heftruckchauffeur"] and faults.passed == asked and faults.faulted == 0


async def test_a_vendor_that_is_down_completes_nothing_instead_of_failing() -> None:
    agenda = build_agenda(sandbox_settings(env={"AGENDA_MCP_CACHE_SECONDS": "0"}))
    ref = PromptReference(type="ref/prompt", name="enrol_student")
    async with Client(agenda.server) as client:
        await complete(client, ref, "course", "b")  # builds the vendor
        agenda.vendors["planaday"].faults.inject("500", times=None)  # type: ignore[union-attr]
        assert await complete(client, ref, "course", "b") == []
