"""Leaner JSON Schemas for tools/list: every tool's schema is read by the model on every turn.

Pydantic's schemas are written for validators, not for a reader paying per token:

- a `title` on every property, and `default: null` on every optional one;
- optional parameters spelled `anyOf: [X, null]`, though leaving a parameter out already says
  "none" (`required` tells which may be left out; the server still accepts an explicit null);
- a `$defs` entry plus a `$ref` for a model used only once, where writing it in place is shorter
  (models used twice or more stay in `$defs` and are referenced: that is the saving there);
- `discriminator`, an OpenAPI keyword: each branch's `const` already tells the branches apart,
  and its mapping names `$defs` entries that may since have been written in place;
- in parameters: `default: false` / `[]` / `{}`, which say what leaving the parameter out
  already says;
- in results: `anyOf: [X, null]`, `required`, defaults and validation keywords (`pattern`,
  `minLength`, ...). Our results never contain null (ResultModel drops empty fields) and are
  produced by us, so these describe nothing the model can use; the field names and types stay.
  Below the top, `type: object` / `type: array` go where `properties` / `items` already say it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

_NULL = {"type": "null"}
# Keywords whose value is a schema, a list of schemas, or a name -> schema map.
_ONE = ("items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else")
_MANY = ("anyOf", "oneOf", "allOf", "prefixItems")
_MAP = ("properties", "$defs", "patternProperties")
# Keywords that only constrain values; in a result we produced they tell the model nothing.
_OUTPUT_DROPPED = frozenset(
    {
        "required",
        "default",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minItems",
        "maxItems",
        "uniqueItems",
    }
)
_REF_PREFIX = "#/$defs/"


def lean_input(schema: dict[str, Any]) -> dict[str, Any]:
    return _inline_single_use(_lean(schema, output=False))


def lean_output(schema: dict[str, Any]) -> dict[str, Any]:
    lean = _inline_single_use(_lean(schema, output=True))
    # The top stays `type: object`: MCP requires it of an outputSchema.
    return {key: _untyped(value, key) for key, value in lean.items()}


def _lean(node: Any, *, output: bool) -> Any:
    if not isinstance(node, dict):
        return node
    lean: dict[str, Any] = {}
    for key, value in node.items():
        if key == "title" and isinstance(value, str):
            continue
        if key == "default" and (value is None or (not output and _says_nothing(value))):
            continue
        if key == "discriminator" or (output and key in _OUTPUT_DROPPED):
            continue
        if key in _ONE:
            lean[key] = _lean(value, output=output)
        elif key in _MANY and isinstance(value, list):
            lean[key] = [_lean(item, output=output) for item in value]
        elif key in _MAP and isinstance(value, dict):
            lean[key] = {name: _lean(sub, output=output) for name, sub in value.items()}
        else:
            lean[key] = value  # enum, const, examples, required, description: data, not schemas
    if output:
        return _without_null(lean)
    if isinstance(lean.get("properties"), dict):
        required = set(lean.get("required", ()))
        lean["properties"] = {
            name: sub if name in required else _without_null(sub) for name, sub in lean["properties"].items()
        }
    return lean


def _says_nothing(default: Any) -> bool:
    return default is False or default == [] or default == {}


def _untyped(node: Any, key: str | None = None) -> Any:
    """Drop `type` from result subschemas whose `properties` or `items` already show the shape."""
    if isinstance(node, list):
        return [_untyped(item) for item in node]
    if not isinstance(node, dict):
        return node
    if key in _MAP:
        return {name: _untyped(sub) for name, sub in node.items()}
    shaped = (
        node.get("type") == "object" and ("properties" in node or isinstance(node.get("additionalProperties"), dict))
    ) or (node.get("type") == "array" and isinstance(node.get("items"), dict))
    return {k: _untyped(v, k) for k, v in node.items() if not (shaped and k == "type")}


def _without_null(schema: Any) -> Any:
    """`{anyOf: [X, null], description}` -> `{...X, description}`."""
    if not isinstance(schema, dict):
        return schema
    branches = schema.get("anyOf")
    if not isinstance(branches, list) or _NULL not in branches:
        return schema
    rest = [branch for branch in branches if branch != _NULL]
    siblings = {key: value for key, value in schema.items() if key != "anyOf"}
    if len(rest) == 1 and isinstance(rest[0], dict):
        return {**rest[0], **siblings}
    return {"anyOf": rest, **siblings}


def _inline_single_use(schema: dict[str, Any]) -> dict[str, Any]:
    """Write a `$defs` model used exactly once in place of its `$ref` (recursive models stay)."""
    defs = schema.get("$defs")
    if not isinstance(defs, dict) or not defs:
        return schema
    uses = Counter(_refs(schema))
    inline = {
        name: body
        for name, body in defs.items()
        if uses[name] == 1 and not _reaches(name, body, defs, set()) and not _sibling_conflict(schema, name)
    }
    if not inline:
        return schema

    def replace(node: Any) -> Any:
        if isinstance(node, list):
            return [replace(item) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.removeprefix(_REF_PREFIX) in inline and ref.startswith(_REF_PREFIX):
            body = replace(inline[ref.removeprefix(_REF_PREFIX)])
            return {**body, **{key: value for key, value in node.items() if key != "$ref"}}
        return {key: replace(value) for key, value in node.items()}

    kept = {name: replace(body) for name, body in defs.items() if name not in inline}
    lean = {key: replace(value) for key, value in schema.items() if key != "$defs"}
    if kept:
        lean["$defs"] = kept
    return lean


def _refs(node: Any) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
            found.append(ref.removeprefix(_REF_PREFIX))
        for value in node.values():
            found.extend(_refs(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_refs(item))
    return found


def _reaches(target: str, node: Any, defs: dict[str, Any], seen: set[str]) -> bool:
    """Whether `node` refers to `target`, directly or through other definitions."""
    for name in _refs(node):
        if name == target:
            return True
        if name not in seen and name in defs:
            seen.add(name)
            if _reaches(target, defs[name], defs, seen):
                return True
    return False


def _sibling_conflict(schema: dict[str, Any], name: str) -> bool:
    """A `$ref` whose siblings would overwrite keys of the definition (say, two descriptions)
    keeps its `$ref`: merging would silently drop one of them."""

    def check(node: Any) -> bool:
        if isinstance(node, list):
            return any(check(item) for item in node)
        if not isinstance(node, dict):
            return False
        if node.get("$ref") == _REF_PREFIX + name:
            body = schema["$defs"][name]
            return any(key in body and body[key] != value for key, value in node.items() if key != "$ref")
        return any(check(value) for value in node.values())

    return check(schema)


def undeclared(value: Any, schema: dict[str, Any], path: str = "$", defs: dict[str, Any] | None = None) -> list[str]:
    """Paths in `value` that `schema` does not declare. JSON Schema allows extra properties by
    default, so a result whose field names drifted from its outputSchema would still validate;
    this finds such drift. (`truncated`, the size-cap note, is always allowed at the top.)"""
    defs = schema.get("$defs", {}) if defs is None else defs
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        schema = defs.get(ref.rsplit("/", 1)[-1], {})
    if "anyOf" in schema:
        results = [undeclared(value, branch, path, defs) for branch in schema["anyOf"]]
        return min(results, key=len)
    if isinstance(value, dict) and "properties" in schema:
        properties = schema["properties"]
        found: list[str] = []
        for key, item in value.items():
            if key in properties:
                found += undeclared(item, properties[key], f"{path}.{key}", defs)
            elif not (path == "$" and key == "truncated") and not schema.get("additionalProperties"):
                found.append(f"{path}.{key}")
        return found
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [p for i, item in enumerate(value) for p in undeclared(item, schema["items"], f"{path}[{i}]", defs)]
    return []
