"""The schema leaning that keeps tools/list small: what goes, and what must stay."""

from __future__ import annotations

from typing import Any

import pytest

from agenda_mcp.server.kit.schema import lean_input, lean_output

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
    written_in_place = {**model(), "description": "the a"}
    if lean is lean_output:
        del written_in_place["type"]  # `properties` says it is an object
    assert leaned["properties"]["a"] == written_in_place
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


def test_openapi_discriminators_and_defaults_that_say_nothing_go_but_real_defaults_stay() -> None:
    branch = {"type": "object", "properties": {"type": {"const": "day"}}}
    schema = {
        "type": "object",
        "properties": {
            "repeat": {"oneOf": [branch], "discriminator": {"propertyName": "type", "mapping": {"day": "#/$defs/Day"}}},
            "all_day": {"type": "boolean", "default": False},
            "parts": {"type": "array", "items": {"type": "integer"}, "default": []},
            "notify": {"type": "boolean", "default": True},
            "offset": {"type": "integer", "default": 0},  # 0 == False in Python, but it is a real default
        },
    }
    properties = lean_input(schema)["properties"]
    assert properties["repeat"] == {"oneOf": [branch]}
    assert "default" not in properties["all_day"] and "default" not in properties["parts"]
    assert properties["notify"]["default"] is True
    assert properties["offset"]["default"] == 0


def test_results_keep_type_only_where_nothing_else_shows_the_shape() -> None:
    schema = {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "integer"}}}},
            "extra": {"type": "object", "additionalProperties": True},
            "by_id": {"type": "object", "additionalProperties": {"type": "string"}},
            "tags": {"type": "array"},
        },
    }
    assert lean_output(schema) == {
        "type": "object",  # MCP requires the top of an outputSchema to say it
        "properties": {
            "items": {"items": {"properties": {"id": {"type": "integer"}}}},
            "extra": {"type": "object", "additionalProperties": True},
            "by_id": {"additionalProperties": {"type": "string"}},
            "tags": {"type": "array"},
        },
    }
