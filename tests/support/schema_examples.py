"""One plausible, schema-valid argument set per tool, made from its published inputSchema alone.

Used where a rule must hold for every tool (tests/test_strict_arguments.py): the values only need
to get past validation, not to name a record the vendor has."""

from __future__ import annotations

from typing import Any

_DAY = "2027-03-02"
# Rules a JSON Schema cannot state (exactly one of two fields): the values a person would write.
NEEDS: dict[str, dict[str, Any]] = {
    "locaboo_customer_address_add": {"address": [{"street": "Hauptstraße 1"}]},
    "sp_add_client_item_attachments": {"attachments": [{"content_base64": "dGVzdA==", "filename": "test.txt"}]},
}


def arguments_for(tool: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {**example(schema), **NEEDS.get(tool, {})}


def example(schema: dict[str, Any], defs: dict[str, Any] | None = None, name: str = "") -> Any:
    defs = schema.get("$defs", {}) if defs is None else defs
    if isinstance(schema.get("$ref"), str):
        schema = {**defs[schema["$ref"].rsplit("/", 1)[-1]], **{k: v for k, v in schema.items() if k != "$ref"}}
    if "default" in schema:
        return schema["default"]
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            branches = [b for b in schema[key] if b.get("type") != "null"]
            return example(branches[0], defs, name)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        return {key: example(sub, defs, key) for key, sub in properties.items() if key in schema.get("required", [])}
    if kind == "array":
        count = max(1, schema.get("minItems", 0)) if schema.get("minItems") else 0
        return [example(schema.get("items", {}), defs, name) for _ in range(count)]
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return max(1.0, float(schema.get("minimum", 1)))
    if kind == "boolean":
        return False
    return _text(schema, name)


def _text(schema: dict[str, Any], name: str) -> str:
    shape = schema.get("format")
    if shape == "date":
        return _DAY
    if shape == "date-time":
        return f"{_DAY}T10:00:00+01:00"
    lowered = name.lower()
    if "email" in lowered:
        return "test@example.nl"
    if "duration" in lowered:
        return "01:00"
    if "time" in lowered or lowered in ("start", "end"):
        return "10:00"
    if "base64" in lowered:
        return "dGVzdA=="
    text = "Test"
    return text * max(1, -(-schema.get("minLength", 1) // len(text)))
