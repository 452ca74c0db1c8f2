"""Strict tool arguments, and validation failures a model can act on.

A misspelled argument that is silently dropped turns "cancel with dry_run" into a real
cancellation and "move appointment 7" into a second booking, so every tool refuses any argument
it does not know, before anything is sent, naming the closest valid one. Other validation
failures become one short line per field in words: no pydantic dumps, no model names, no links,
and a refused value is never repeated at length.

A boolean is JSON `true` or `false`, nothing else: pydantic's lax mode would read "yes", "on", "1",
"false" (a string), 0 and 1 as booleans, so `dry_run: "no"` would quietly become a real run and
`all_pages: "false"` a crawl. `strict_model` makes every boolean, at any depth, strict.
"""

from __future__ import annotations

import difflib
import inspect
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar, cast

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import CoreConfig, CoreSchema, SchemaValidator

from agenda_mcp.server.guards.output import clean

SHOWN_CHARS = 80
"""At most this much of an argument's value is repeated in a validation message."""
ECHO_CHARS = 200
"""Any other message repeats at most this much of one argument value..."""
MAX_MESSAGE_CHARS = 2000
"""...and is at most this long: an error is read by the model, not a way to echo megabytes back."""
MAX_LINES = 8
NAME_CHARS = 48
"""An identifier the caller sent (a tool, prompt or resource name) is echoed back at most this long."""
URI_CHARS = 2048
"""...except a resource URI in an error's data, which the spec (SEP-2164) wants back exactly: up to
this long (the length browsers and proxies accept for a URL) and when nothing in it needs cleaning."""
_SECRET_WORDS = ("password", "secret", "token")


M = TypeVar("M", bound=BaseModel)


def strict_model(model: type[M]) -> type[M]:
    """`model` refusing unknown keys (and saying so in its JSON Schema: additionalProperties false),
    and taking only JSON true/false for every boolean in it, nested models and lists included.

    The booleans are strict in this model's validator alone, built from a copy of its core schema:
    the nested models keep their own (lax) validators for every other use, and the JSON Schema is
    the same."""
    config = ConfigDict(extra="forbid")
    strict: type[M] = type(model.__name__, (model,), {"model_config": config, "__module__": model.__module__})
    strict.__pydantic_validator__ = _strict_validator(strict.__pydantic_core_schema__)
    return strict


_BUILDING = threading.Lock()


def _strict_validator(schema: CoreSchema) -> SchemaValidator:
    """A validator for `schema` with every bool schema in it strict.

    pydantic-core builds the validator of a model node from the model class's own finished
    validator when the class says it is complete (`__pydantic_complete__`), which would bring the
    lax booleans back, for this class and every nested one. So those classes say "not complete"
    while this validator is built, under a lock (vendors may be built in a worker thread), and
    complete again right after; nothing else of theirs changes."""
    copied = _strict_booleans(schema)
    classes = {id(cls): cls for cls in _model_classes(copied)}.values()
    with _BUILDING:
        marked = [cls for cls in classes if cls.__dict__.get("__pydantic_complete__") is True]
        try:
            for cls in marked:
                cls.__pydantic_complete__ = False
            return SchemaValidator(copied, _model_config(copied))
        finally:
            for cls in marked:
                cls.__pydantic_complete__ = True


def _strict_booleans(node: Any) -> Any:
    """A copy of a core schema with `strict` set on every bool schema (model classes, validator
    functions and other leaves are shared, not copied)."""
    if isinstance(node, dict):
        copied = {key: _strict_booleans(value) for key, value in node.items()}
        if copied.get("type") == "bool":
            copied["strict"] = True
        return copied
    if isinstance(node, list):
        return [_strict_booleans(item) for item in node]
    return node


def _model_classes(node: Any) -> Iterator[type[Any]]:
    if isinstance(node, dict):
        if node.get("type") in ("model", "dataclass") and isinstance(node.get("cls"), type):
            yield node["cls"]
        for value in node.values():
            yield from _model_classes(value)
    elif isinstance(node, list):
        for item in node:
            yield from _model_classes(item)


def _model_config(schema: Any) -> CoreConfig | None:
    while isinstance(schema, dict) and schema.get("type") == "definitions":
        schema = schema.get("schema")
    config = schema.get("config") if isinstance(schema, dict) else None
    return cast(CoreConfig, config) if isinstance(config, dict) else None


def shown_name(name: object) -> str:
    """An identifier the caller sent, as an error message may repeat it: without control, bidi or
    zero-width characters, on one line, and at most NAME_CHARS long (a 1 MB tool name is not echoed)."""
    text = str(name)
    cut = len(text) > NAME_CHARS * 4
    text = " ".join(clean(text[: NAME_CHARS * 4]).split())
    if cut or len(text) > NAME_CHARS:
        text = text[: NAME_CHARS - 1] + "…"
    return text


def shown_uri(uri: str) -> str:
    """A resource URI the caller sent, as an error's data may repeat it: exactly, when it is clean and
    at most URI_CHARS long, so a client can match the error to its request; else as `shown_name`."""
    if len(uri) <= URI_CHARS and uri == clean(uri) and not any(c.isspace() for c in uri):
        return uri
    return shown_name(uri)


def unknown_arguments(tool: str, arguments: Mapping[str, Any], known: Sequence[str]) -> str | None:
    """The refusal for arguments the tool does not have, or None when there are none."""
    unknown = [key for key in arguments if key not in known]
    if not unknown:
        return None
    parts = []
    for key in unknown[:5]:
        guess = closest(key, known)
        parts.append(f"{_shown(key)} (did you mean {guess}?)" if guess else _shown(key))
    noun = "argument" if len(unknown) == 1 else "arguments"
    valid = ", ".join(known) if known else "none"
    return f"{tool}: unknown {noun} {', '.join(parts)}; nothing was sent. Valid arguments: {valid}."


def closest(key: str, known: Iterable[str]) -> str | None:
    candidates = list(known)
    lowered = {name.lower().replace("-", "_"): name for name in candidates}
    normal = str(key).lower().replace("-", "_").replace(" ", "_")
    if normal in lowered:
        return lowered[normal]
    found = difflib.get_close_matches(normal, list(lowered), n=1, cutoff=0.6)
    if found:
        return lowered[found[0]]
    # A part of a name (`id` for `appointment_id`) is a guess too, when only one name has it.
    containing = [name for low, name in lowered.items() if normal and (normal in low or low in normal)]
    return containing[0] if len(containing) == 1 else None


def scrub(message: str, arguments: Mapping[str, Any]) -> str:
    """`message` with every long argument value it repeats cut short, and capped in length."""
    for value in _long_strings(arguments):
        if value in message:
            message = message.replace(value, f"{value[:ECHO_CHARS]}… ({len(value):,} characters)")
    if len(message) > MAX_MESSAGE_CHARS:
        message = message[: MAX_MESSAGE_CHARS - 1] + "…"
    return message


def _long_strings(value: Any, depth: int = 0) -> list[str]:
    if isinstance(value, str):
        return [value] if len(value) > ECHO_CHARS else []
    if depth > 4:
        return []
    items = value.values() if isinstance(value, Mapping) else value if isinstance(value, list | tuple) else ()
    return sorted({s for item in items for s in _long_strings(item, depth + 1)}, key=len, reverse=True)


def explain(tool: str, error: ValidationError, schema: Mapping[str, Any]) -> str:
    """`tool: ...` and one line per field, for arguments that failed validation."""
    return f"{tool}: invalid arguments; nothing was sent.\n" + "\n".join(field_lines(error, schema))


def field_lines(error: ValidationError, schema: Mapping[str, Any]) -> list[str]:
    """One line per field in words (at most MAX_LINES and a count of the rest); `schema` is the
    input schema, for the "did you mean" of an unknown nested key."""
    lines: list[str] = []
    for item in error.errors(include_url=False):
        line = _line(item, schema)
        if line not in lines:
            lines.append(line)
    more = len(lines) - MAX_LINES
    return lines[:MAX_LINES] + ([f"... and {more} more"] if more > 0 else [])


def _line(item: Mapping[str, Any], schema: Mapping[str, Any]) -> str:
    raw = list(item.get("loc", ()))
    loc = raw[:1] + [part for part in raw[1:] if not _internal(part)]
    where = ".".join(str(part) for part in loc) or "arguments"
    kind = item.get("type", "")
    context = item.get("ctx") or {}
    value = item.get("input")
    if kind == "missing":
        return f"{where}: required"
    if kind == "extra_forbidden":
        known = _known_at(schema, loc[:-1])
        guess = closest(str(loc[-1]), known) if loc else None
        hint = f" (did you mean {guess}?)" if guess else (f" (known: {', '.join(known)})" if known else "")
        return f"{where}: not a known field{hint}"
    message = _words(kind, str(item.get("msg", "")), context)
    if any(word in where.lower() for word in _SECRET_WORDS):
        return f"{where}: {message}"  # a password is never repeated, not even a wrong one
    if value is None or isinstance(value, dict | list) or kind.startswith("value_error"):
        return f"{where}: {message}"
    return f"{where}: {_shown(value)} {message}"


def _internal(part: Any) -> bool:
    # Below the argument's own name, pydantic names union branches and validators in error
    # locations (`int`, `function-before[...]`, `list[int]`); the model knows its arguments, not those.
    text = str(part)
    return "[" in text or text in {"str", "int", "float", "bool", "date", "datetime", "time", "dict", "list"}


_WORDS = {
    "int_parsing": "is not a whole number",
    "int_type": "is not a whole number",
    "int_from_float": "is not a whole number",
    "float_parsing": "is not a number",
    "float_type": "is not a number",
    "bool_parsing": "is not a boolean; use JSON true or false (no quotes, not 1 or 0)",
    "bool_type": "is not a boolean; use JSON true or false (no quotes, not 1 or 0)",
    "string_type": "is not text",
    "date_parsing": "is not a date; use YYYY-MM-DD",
    "date_from_datetime_parsing": "is not a date; use YYYY-MM-DD",
    "date_from_datetime_inexact": "is a datetime; give the date alone (YYYY-MM-DD)",
    "date_type": "is not a date; use YYYY-MM-DD",
    "datetime_parsing": "is not a datetime; use ISO 8601 (YYYY-MM-DDTHH:MM, with an offset or local)",
    "datetime_from_date_parsing": "is not a datetime; use ISO 8601 (YYYY-MM-DDTHH:MM)",
    "datetime_type": "is not a datetime; use ISO 8601 (YYYY-MM-DDTHH:MM)",
    "time_parsing": "is not a time; use HH:MM",
    "time_type": "is not a time; use HH:MM",
    "list_type": "is not a list",
    "dict_type": "is not an object",
    "model_type": "is not an object",
    "model_attributes_type": "is not an object",
    "string_pattern_mismatch": "has characters or a shape this field does not accept",
}


def _words(kind: str, message: str, context: Mapping[str, Any]) -> str:
    if kind in _WORDS:
        return _WORDS[kind]
    if kind == "literal_error" or kind == "enum":
        return f"is not one of {context.get('expected', 'the allowed values')}"
    bounds = {
        "greater_than_equal": ("must be at least", "ge"),
        "greater_than": ("must be more than", "gt"),
        "less_than_equal": ("must be at most", "le"),
        "less_than": ("must be less than", "lt"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        return f"{words} {context.get(key)}"
    if kind == "too_short":
        return f"needs at least {context.get('min_length')} item(s)"
    if kind == "too_long":
        return f"has more than {context.get('max_length')} items"
    if kind == "string_too_short":
        shortest = context.get("min_length")
        return "is empty" if shortest == 1 else f"is shorter than {shortest} characters"
    if kind == "string_too_long":
        return f"is longer than {context.get('max_length')} characters"
    if kind.startswith("value_error") or kind == "assertion_error":
        return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return message[:1].lower() + message[1:] if message else "is not valid"


def _known_at(schema: Mapping[str, Any], loc: Sequence[Any]) -> list[str]:
    """The property names the (lean) input schema allows at `loc`, for a "did you mean"."""
    node: Any = schema
    defs = schema.get("$defs", {})
    for part in loc:
        node = _deref(node, defs)
        if isinstance(part, int) or (isinstance(part, str) and part.isdigit()):
            node = node.get("items", {}) if isinstance(node, dict) else {}
            continue
        properties = node.get("properties") if isinstance(node, dict) else None
        if not isinstance(properties, dict):
            branches = [_deref(b, defs) for b in node.get("anyOf", [])] if isinstance(node, dict) else []
            properties = next((b["properties"] for b in branches if isinstance(b.get("properties"), dict)), {})
        node = properties.get(str(part), {})
    node = _deref(node, defs)
    if isinstance(node, dict) and "items" in node and "properties" not in node:
        node = _deref(node["items"], defs)
    if isinstance(node, dict) and isinstance(node.get("properties"), dict):
        return list(node["properties"])
    for branch in node.get("anyOf", []) if isinstance(node, dict) else []:
        branch = _deref(branch, defs)
        if isinstance(branch.get("properties"), dict):
            return list(branch["properties"])
    return []


def _deref(node: Any, defs: Mapping[str, Any]) -> Any:
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        return defs.get(node["$ref"].rsplit("/", 1)[-1], {})
    return node


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(str(text).split())
    if len(text) > SHOWN_CHARS:
        text = text[: SHOWN_CHARS - 1] + "…"
    return repr(text) if isinstance(value, str) else text


def with_signature(fn: Callable[..., Any], signature: inspect.Signature) -> None:
    """Give `fn` the signature the SDK builds its tool or resolver from (`inspect.signature` honours
    `__signature__`): a published tool's parameters, a resolver's tool arguments by name."""
    fn.__signature__ = signature  # type: ignore[attr-defined]  # any function takes it; `Callable` cannot say so
