"""The schema leaning that keeps tools/list small: what goes, and what must stay."""

from __future__ import annotations

from typing import Any

import pytest

from server.schema import lean_input, lean_output

NULLABLE_INT = {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None, "title": "Limit"}


def test_an_optional_parameter_loses_its_null_branch_a_required_one_keeps_it() -> None:
    schema = {
        "type": "object",
        "properties": {"limit": NULLABLE_INT, "must": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
        "required": ["must"],
    }
    assert lean_input(schema) == {
        "type": "object",
        "properties": {"limit": {"type": "integer"}, "must": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
        "required": ["must"],
    }


def test_results_lose_what_only_validates_and_keep_names_types_and_descriptions() -> None:
    schema = {
        "type": "object",
        "properties": {
            "start": {"anyOf": [{"type": "string", "pattern": "^\\d{2}:\\d{2}$"}, {"type": "null"}], "default": None},
            "seats": {"type": "integer", "minimum": 0, "description": "free seats"},
            "required": {"type": "boolean", "title": "Required"},  # a field *named* required stays
        },
        "required": ["seats"],
    }
    assert lean_output(schema) == {
        "type": "object",
        "properties": {
            "start": {"type": "string"},
            "seats": {"type": "integer", "description": "free seats"},
            "required": {"type": "boolean"},
        },
    }


def model(description: str | None = None, **properties: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "object", "properties": properties or {"id": {"type": "integer"}}}
    return {**body, "description": description} if description else body


@pytest.mark.parametrize("lean", [lean_input, lean_output])
def test_a_model_used_once_is_written_in_place_and_one_used_twice_stays_shared(lean: Any) -> None:
    schema = {
        "type": "object",
        "$defs": {"Once": model(), "Twice": model()},
        "properties": {
            "a": {"$ref": "#/$defs/Once", "description": "the a"},
            "b": {"$ref": "#/$defs/Twice"},
            "c": {"items": {"$ref": "#/$defs/Twice"}, "type": "array"},
        },
        "required": ["a", "b", "c"],
    }
    leaned = lean(schema)
    assert leaned["properties"]["a"] == {**model(), "description": "the a"}
    assert leaned["properties"]["b"] == {"$ref": "#/$defs/Twice"}
    assert set(leaned["$defs"]) == {"Twice"}


def test_recursive_models_and_clashing_descriptions_keep_their_reference() -> None:
    tree = model(children={"items": {"$ref": "#/$defs/Node"}, "type": "array"})
    schema = {
        "type": "object",
        "$defs": {"Node": tree, "Person": model("someone who takes a seat")},
        "properties": {
            "root": {"$ref": "#/$defs/Node"},
            "student": {"$ref": "#/$defs/Person", "description": "the student"},
        },
    }
    leaned = lean_input(schema)
    assert leaned["properties"] == schema["properties"]
    assert set(leaned["$defs"]) == {"Node", "Person"}
