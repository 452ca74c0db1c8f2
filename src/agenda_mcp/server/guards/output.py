"""Output hygiene for tool results: control and invisible characters out, operator credentials
masked, size capped with a paging hint."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel

from agenda_mcp.server.guards.redaction import has_secret, redact

# C0 and C1 control characters except tab and newline, bidi controls (which reorder what a person
# sees) and zero-width characters (which hide text in plain sight): vendor free text should not
# smuggle terminal escapes, reordered words or invisible instructions into the model's context.
_INVISIBLE = "\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_CONTROL = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{_INVISIBLE}]")
# The same characters as JSON text shows them (json.dumps(ensure_ascii=False) and pydantic's
# model_dump_json agree): C0 escaped (\b, \f, \r by name), C1 as they are. A match may be a
# false alarm (an escaped backslash before "b"); that only costs a clean() that changes nothing.
_CONTROL_IN_JSON = re.compile(f"\\\\u00[01][0-9a-fA-F]|\\\\[bfr]|[\\x7f-\\x9f{_INVISIBLE}]")
_C0_ESCAPE = re.compile(r"\\u00[01][0-9a-fA-F]")
_RAW_CONTROL = re.compile(f"[\\x7f-\\x9f{_INVISIBLE}]")


def encode(result: BaseModel, max_bytes: int) -> tuple[dict[str, Any], str]:
    """A result as the client gets it, in one pass: encoded once by pydantic (empty fields dropped
    there), that compact JSON is the text block, and its parse the structured content. Only a
    result with control characters or a credential in it, or over the cap, takes a second look."""
    text = result.model_dump_json(by_alias=True)
    data = json.loads(text)
    if untouched(text, max_bytes):
        return data, text
    return finished(data, max_bytes, text)


def untouched(text: str, max_bytes: int) -> bool:
    """Whether a result, as compact JSON, needs neither cleaning, masking nor cutting (most do not).

    Asked of every result, so the common answer is found with the cheapest scans: substring tests
    for the escapes, and the character class only when the text is not plain ASCII."""
    ascii_only = text.isascii()
    if (len(text) if ascii_only else len(text.encode())) > max_bytes:
        return False
    if ("\\u00" in text and _C0_ESCAPE.search(text)) or "\\b" in text or "\\f" in text or "\\r" in text:
        return False
    if not ascii_only and _RAW_CONTROL.search(text):
        return False
    return not has_secret(text)


def finished(data: dict[str, Any], max_bytes: int, text: str | None = None) -> tuple[dict[str, Any], str]:
    """A tool result as the client gets it, and its JSON text: control characters out, within the
    size cap (for results `untouched` turned down; `text`, when given, is `data` encoded)."""
    text = as_json(data) if text is None else text
    if _CONTROL_IN_JSON.search(text) or has_secret(text):
        data = clean(data)
        text = as_json(data)
    if len(text.encode()) > max_bytes:
        data = cap(data, max_bytes)
        text = as_json(data)
    return data, text


def as_json(value: Any) -> str:
    """Compact JSON: the model reads every character of a result."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def clean(value: Any) -> Any:
    """Vendor data as the model may see it: no control or invisible characters, no credential
    (a vendor may echo one in a description or a profile)."""
    if isinstance(value, str):
        return redact(_CONTROL.sub("", value))
    if isinstance(value, list):
        return [clean(item) for item in value]
    if isinstance(value, dict):
        return {key: clean(item) for key, item in value.items()}
    return value


def size_of(value: Any) -> int:
    return len(as_json(value).encode())


def cap(data: dict[str, Any], max_bytes: int) -> dict[str, Any]:
    """Cut the longest list in `data` (top level or one level down) so the result fits, and say so
    in a `truncated` note the model can act on. Items are encoded one at a time and encoding stops
    at the cap: a 5,000-record answer costs what fits, not what was sent."""
    if size_of(data) <= max_bytes:
        return data
    found = _longest_list(data)
    if found is None:
        return data
    path, items = found
    note = _truncated_note(len(items), len(items), path, max_bytes)
    # What stays when the list is empty, plus the note (its counts written at full width).
    room = max_bytes - size_of({**_with(data, path, []), "truncated": note})
    keep, used = 0, 0
    for item in items:
        cost = len(as_json(item).encode()) + (1 if keep else 0)  # and a comma before all but the first
        if used + cost > room:
            break
        keep, used = keep + 1, used + cost
    trimmed = _with(data, path, items[:keep])
    trimmed["truncated"] = _truncated_note(keep, len(items), path, max_bytes)
    return trimmed


def _truncated_note(keep: int, total: int, path: list[str], max_bytes: int) -> str:
    return (
        f"Showing {keep} of {total} items in '{'.'.join(path)}': the result was cut at {max_bytes // 1024} KB. "
        "Ask for a smaller page or a narrower filter (limit/offset, page/per_page, a shorter date range)."
    )


def _longest_list(data: dict[str, Any]) -> tuple[list[str], list[Any]] | None:
    candidates: list[tuple[list[str], list[Any]]] = []
    for key, value in data.items():
        if isinstance(value, list):
            candidates.append(([key], value))
        elif isinstance(value, dict):
            candidates += [([key, sub], v) for sub, v in value.items() if isinstance(v, list)]
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0]
    return max(candidates, key=lambda c: size_of(c[1]))


def _with(data: dict[str, Any], path: list[str], items: list[Any]) -> dict[str, Any]:
    copy = dict(data)
    if len(path) == 1:
        copy[path[0]] = items
    else:
        copy[path[0]] = {**copy[path[0]], path[1]: items}
    return copy
