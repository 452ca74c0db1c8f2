"""PHP bracket notation: what the client sends is what the sandbox (and PHP) reads back."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agenda_mcp.tools.locaboo import phpform


@pytest.mark.parametrize(
    ("data", "pairs"),
    [
        (
            {"resource_parts": {"48": [49], "5721": [8795]}},
            [("resource_parts[48][0]", "49"), ("resource_parts[5721][0]", "8795")],
        ),
        (
            {"weekly_recurrence": [{"day": "mon", "full_day": 1}, {"day": "tue", "from": "09:00", "to": "10:00"}]},
            [
                ("weekly_recurrence[0][day]", "mon"),
                ("weekly_recurrence[0][full_day]", "1"),
                ("weekly_recurrence[1][day]", "tue"),
                ("weekly_recurrence[1][from]", "09:00"),
                ("weekly_recurrence[1][to]", "10:00"),
            ],
        ),
        (
            {"category_fields": {48: {52: "21", 58: "B"}}},
            [("category_fields[48][52]", "21"), ("category_fields[48][58]", "B")],
        ),
        (
            {"inventory": {"48": {"1317": {"checked": "on", "quantity": 1}}}},
            [("inventory[48][1317][checked]", "on"), ("inventory[48][1317][quantity]", "1")],
        ),
        (
            {"recurring": 0, "flag": True, "off": False, "skip": None, "empty": []},
            [("recurring", "0"), ("flag", "1"), ("off", "0")],
        ),
    ],
)
def test_encode(data: dict[str, Any], pairs: list[tuple[str, str]]) -> None:
    assert phpform.encode(data) == pairs


def test_parse_reads_php_append_and_duplicates_like_php() -> None:
    parsed = phpform.parse(
        [("resource_parts[48][]", "49"), ("resource_parts[48][]", "50"), ("title", "a"), ("title", "b"), ("plain", "x")]
    )
    assert parsed == {"resource_parts": {"48": {"0": "49", "1": "50"}}, "title": "b", "plain": "x"}


def test_parse_keeps_a_malformed_key_whole() -> None:
    assert phpform.parse([("a[b", "1")]) == {"a[b": "1"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [([1, 2], [1, 2]), ({"1": "b", "0": "a", "10": "c"}, ["a", "b", "c"]), ({"x": 1}, [1]), ("49", None), (None, None)],
)
def test_as_list(value: Any, expected: list[Any] | None) -> None:
    assert phpform.as_list(value) == expected


_keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=6)
_leaves = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8)
_trees = st.recursive(
    _leaves,
    lambda inner: st.lists(inner, min_size=1, max_size=3) | st.dictionaries(_keys, inner, min_size=1, max_size=3),
    max_leaves=12,
)


def _as_php(value: Any) -> Any:
    """What PHP makes of a structure: every array is keyed by strings, lists by their indices."""
    if isinstance(value, list):
        return {str(i): _as_php(v) for i, v in enumerate(value)}
    if isinstance(value, dict):
        return {k: _as_php(v) for k, v in value.items()}
    return value


@given(st.dictionaries(_keys, _trees, min_size=1, max_size=4))
def test_round_trip(data: dict[str, Any]) -> None:
    assert phpform.parse(phpform.encode(data)) == _as_php(data)
