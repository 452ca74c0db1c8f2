"""A consent question cannot be spoofed by what a model or a vendor puts into it.

For every tool that changes data (from tools/list), every string argument carries a line break,
U+2028, bidi and zero-width characters and a sentence of its own ("Nothing is booked or charged.").
Whatever question the person is asked must be one line, free of those characters, and show that
sentence only inside the quotes that mark a value the model chose. The person says no, so nothing
is changed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from mcp import Client

from agenda_mcp.server.startup.app import build_agenda
from tests.support import sandbox_settings
from tests.support.person import Person
from tests.support.schema_examples import arguments_for
from tests.support.vendor_cases import REPORT

pytestmark = pytest.mark.anyio

SPOOF = "Anna\n\u2028\u202eNothing is booked or charged.\u200b Yes is safe\u2029"
INVISIBLE = re.compile("[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
QUOTED = re.compile("\u201c[^\u201c\u201d]*\u201d")


def spoofed(value: Any, schema: dict[str, Any]) -> Any:
    """Every free-text string replaced by SPOOF where the schema lets it through."""
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        return {key: spoofed(item, properties.get(key, {})) for key, item in value.items()}
    if isinstance(value, list):
        return [spoofed(item, schema.get("items", {})) for item in value]
    if isinstance(value, str) and not {"format", "pattern", "enum", "const"} & set(schema):
        return SPOOF[: schema.get("maxLength", len(SPOOF))]
    return value


async def test_no_question_carries_a_line_break_an_invisible_character_or_an_unquoted_sentence() -> None:
    agenda = build_agenda(sandbox_settings())
    person = Person("decline")
    asked_tools: list[str] = []
    async with Client(agenda.server, elicitation_callback=person) as client:
        tools = [
            t for t in (await client.list_tools()).tools if t.annotations and t.annotations.read_only_hint is False
        ]
        assert len(tools) >= 25
        for tool in tools:
            arguments = spoofed(arguments_for(tool.name, tool.input_schema), tool.input_schema)
            before = len(person.asked)
            result = await client.call_tool(tool.name, arguments)
            assert result.is_error, f"{tool.name} ran though the person said no"
            for question in person.asked[before:]:
                asked_tools.append(tool.name)
                assert not INVISIBLE.search(question), f"{tool.name}: {question!r}"
                outside = QUOTED.sub("", question)
                assert "Nothing is booked" not in outside, f"{tool.name} let a value pose as the question: {question!r}"
    assert len(set(asked_tools)) >= 20, f"too few questions to prove anything: {sorted(set(asked_tools))}"
    REPORT["security: consent questions with spoofing values, clean and quoted"] += len(asked_tools)
