"""Every boolean parameter of every tool, as tools/list shows it, takes JSON true or false only.

pydantic's lax mode reads "yes", "on", "1", "false" (text), 1 and 0 as booleans: `dry_run: "no"`
would become a real cancellation's opposite of what was meant, `all_pages: "false"` a crawl. For
every boolean in every input schema (nested in objects and lists too): each lax value is refused
in one line that names the field and says what to send, before any request is sent; JSON true
and false pass validation."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from mcp import Client

from agenda_mcp.server.startup.app import build_agenda
from tests.support import error_text, requests_sent, sandbox_settings
from tests.support.person import Person
from tests.support.schema_examples import arguments_for, example
from tests.support.vendor_cases import REPORT

pytestmark = pytest.mark.anyio

LAX = ["yes", "no", "true", "false", "on", "1", 1, 0, "True"]
"""What lax mode would take for a boolean."""
WORDS = "is not a boolean; use JSON true or false"

Path = tuple[str | int, ...]


def boolean_paths(schema: dict[str, Any]) -> list[tuple[Path, list[dict[str, Any]]]]:
    """Each boolean in `schema` by its path (a key, or 0 for a list's first item), with the schemas
    along the way (to make the objects and items that hold it)."""
    defs = schema.get("$defs", {})
    found: list[tuple[Path, list[dict[str, Any]]]] = []

    def walk(node: dict[str, Any], path: Path, trail: list[dict[str, Any]]) -> None:
        if isinstance(node.get("$ref"), str):
            node = {**defs[node["$ref"].rsplit("/", 1)[-1]], **{k: v for k, v in node.items() if k != "$ref"}}
        kinds = node.get("type")
        if kinds == "boolean" or (isinstance(kinds, list) and "boolean" in kinds):
            found.append((path, trail))
        for branch in node.get("anyOf", []) + node.get("oneOf", []):
            walk(branch, path, trail)
        if isinstance(node.get("items"), dict):
            walk(node["items"], (*path, 0), [*trail, node["items"]])
        for key, sub in node.get("properties", {}).items():
            walk(sub, (*path, key), [*trail, sub])

    walk(schema, (), [])
    return found


def with_value(arguments: dict[str, Any], path: Path, trail: list[dict[str, Any]], value: Any, defs: Any) -> Any:
    """`arguments` with `value` at `path`, making the objects and list items on the way from their schemas."""
    data = copy.deepcopy(arguments)
    node: Any = data
    for depth, step in enumerate(path[:-1]):
        following = path[depth + 1]
        holder = example(_deref(trail[depth], defs), defs)
        if isinstance(step, int):
            if not node:
                node.append(holder if holder not in (None, "Test") else ({} if isinstance(following, str) else []))
        elif node.get(step) in (None, [], "Test") or not isinstance(node.get(step), dict | list):
            node[step] = holder if isinstance(holder, dict | list) else ({} if isinstance(following, str) else [])
        node = node[step]
    node[path[-1]] = value
    return data


def _deref(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    if isinstance(node.get("$ref"), str):
        return {**defs[node["$ref"].rsplit("/", 1)[-1]], **{k: v for k, v in node.items() if k != "$ref"}}
    branches = [b for b in node.get("anyOf", []) if b.get("type") != "null"]
    return {**node, **_deref(branches[0], defs)} if branches and "type" not in node else node


async def test_every_boolean_parameter_takes_json_true_or_false_only() -> None:
    agenda = build_agenda(sandbox_settings())
    refused = 0
    checked: list[str] = []
    async with Client(agenda.server, elicitation_callback=Person("decline")) as client:
        for tool in (await client.list_tools()).tools:
            schema = tool.input_schema
            defs = schema.get("$defs", {})
            for path, trail in boolean_paths(schema):
                where = ".".join(str(step) for step in path)
                base = arguments_for(tool.name, schema)
                for value in LAX:
                    before = requests_sent(agenda)
                    result = await client.call_tool(tool.name, with_value(base, path, trail, value, defs))
                    text = error_text(result)
                    assert result.is_error, f"{tool.name}: {where}={value!r} was accepted"
                    line = next((line for line in text.splitlines() if line.startswith(f"{where}: ")), "")
                    assert WORDS in line, f"{tool.name}: {where}={value!r}: {text}"
                    assert requests_sent(agenda) == before, f"{tool.name}: {where}={value!r} reached the vendor"
                    refused += 1
                for value in (True, False):
                    result = await client.call_tool(tool.name, with_value(base, path, trail, value, defs))
                    text = error_text(result) if result.is_error else ""
                    assert "invalid arguments" not in text, f"{tool.name}: {where}={value!r}: {text}"
                checked.append(f"{tool.name}.{where}")
    # Booleans at the top level and inside objects and lists, across the vendors.
    assert len(checked) >= 20, checked
    assert any(".0." in name for name in checked) and any(name.count(".") >= 2 for name in checked), checked
    REPORT["boolean parameters checked (tool.field)"] += len(checked)
    REPORT["lax booleans refused (field x value)"] += refused
