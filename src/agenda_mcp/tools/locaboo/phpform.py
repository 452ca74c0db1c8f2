"""PHP-style bracket notation for form bodies, both ways.

Locaboo's POST endpoints describe nested parameters as PHP arrays (``resource_parts``,
``weekly_recurrence``, ``category_fields``, ``inventory``, ...) and do not say which content type
they accept. SAFE CHOICE (reference §1.2 and §4): the client sends
``application/x-www-form-urlencoded`` with bracket keys (``weekly_recurrence[0][day]=mon``); the
sandbox parses the same notation (and JSON). Both directions live here so they cannot drift.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

_KEY = re.compile(r"(?P<name>[^\[\]]+)(?P<path>(?:\[[^\[\]]*\])*)")
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


def encode(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Flatten nested mappings/sequences into ``(bracket_key, value)`` pairs.

    Lists get explicit indices (``a[0][day]``) rather than ``a[][day]``: with ``[]`` PHP would start
    a new element for every key of a list item. ``None`` is left out, booleans become ``1``/``0``.
    Empty containers vanish, which is also how PHP reads an absent array.
    """
    pairs: list[tuple[str, str]] = []
    for key, value in data.items():
        _flatten(str(key), value, pairs)
    return pairs


def _flatten(prefix: str, value: Any, out: list[tuple[str, str]]) -> None:
    if value is None:
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            _flatten(f"{prefix}[{key}]", item, out)
    elif isinstance(value, Sequence) and not isinstance(value, str | bytes):
        for index, item in enumerate(value):
            _flatten(f"{prefix}[{index}]", item, out)
    elif isinstance(value, bool):
        out.append((prefix, "1" if value else "0"))
    else:
        out.append((prefix, str(value)))


def parse(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Rebuild nested dicts from bracket keys, as PHP fills ``$_POST``.

    Every array becomes a dict with string keys (PHP does not distinguish lists); ``[]`` appends
    at the next free integer index. A later duplicate key wins, as in PHP. Use :func:`as_list`
    where a list is expected.
    """
    result: dict[str, Any] = {}
    for raw_key, value in pairs:
        m = _KEY.fullmatch(raw_key)
        keys = [m["name"], *_SEGMENT.findall(m["path"])] if m else [raw_key]
        container = result
        for position, key in enumerate(keys):
            if key == "":
                key = str(_next_index(container))
            if position == len(keys) - 1:
                container[key] = value
                break
            child = container.get(key)
            if not isinstance(child, dict):
                child = {}
                container[key] = child
            container = child
    return result


def _next_index(container: Mapping[str, Any]) -> int:
    indices = [int(k) for k in container if k.lstrip("-").isdigit()]
    return max(indices) + 1 if indices else 0


def as_list(value: Any) -> list[Any] | None:
    """A list as sent either way: a JSON list, or a PHP array read from a form (dict of indices).

    Returns None when ``value`` is neither.
    """
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        if all(isinstance(k, str) and k.isdigit() for k in value):
            return [value[k] for k in sorted(value, key=int)]
        return list(value.values())
    return None
