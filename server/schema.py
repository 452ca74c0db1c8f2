"""Leaner JSON Schemas for tools/list: every tool's schema is read by the model on every turn.

Pydantic's schemas carry a `title` on every property and spell optional output fields as
`anyOf: [X, null]` with `default: null`. Our results never contain null (ResultModel drops
empty fields), so for outputs the null branch is noise; for inputs, `required` already says
what is optional.
"""

from __future__ import annotations

from typing import Any


def lean_input(schema: dict[str, Any]) -> dict[str, Any]:
    return _walk(schema, output=False)


def lean_output(schema: dict[str, Any]) -> dict[str, Any]:
    return _walk(schema, output=True)


def _walk(node: Any, *, output: bool) -> Any:
    if isinstance(node, list):
        return [_walk(item, output=output) for item in node]
    if not isinstance(node, dict):
        return node
    lean: dict[str, Any] = {}
    for key, value in node.items():
        if key == "title" and isinstance(value, str):
            continue  # a schema keyword; a property *named* title has a dict value and stays
        if key == "default" and value is None:
            continue
        if output and key == "default":
            continue  # defaults describe inputs; in a result the value is simply there or not
        if key in ("properties", "$defs"):
            lean[key] = {name: _walk(sub, output=output) for name, sub in value.items()}
        else:
            lean[key] = _walk(value, output=output)
    if output:
        branches = lean.get("anyOf")
        if isinstance(branches, list) and len(branches) == 2 and {"type": "null"} in branches:
            (kept,) = [b for b in branches if b != {"type": "null"}]
            del lean["anyOf"]
            lean = {**kept, **lean}
    return lean
