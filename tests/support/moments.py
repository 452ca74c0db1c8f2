"""The time rule every result obeys: a moment the model sees is an ISO 8601 datetime with its offset.

`check_moments(structured)` walks a structured result and fails on a datetime without an offset,
or a bare clock time (`09:00`) in an object that also holds a bare date (`2026-03-02`): that pair
is a moment whose zone the model would have to guess. Returns how many datetime values it checked.
(Clock times on their own, such as weekly opening hours, are not moments and pass.)"""

from __future__ import annotations

import re
from typing import Any

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_OFFSET = re.compile(r"(Z|[+-]\d{2}:\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CLOCK = re.compile(r"^\d{2}:\d{2}(:\d{2})?$")


def check_moments(value: Any, *, where: str = "result", path: str = "$") -> int:
    checked = 0
    if isinstance(value, dict):
        dates = [key for key, item in value.items() if isinstance(item, str) and _DATE.match(item)]
        clocks = [key for key, item in value.items() if isinstance(item, str) and _CLOCK.match(item)]
        assert not (dates and clocks), (
            f"{where}: {path} pairs a bare date ({dates[0]}) with a bare clock time ({clocks[0]}); "
            "give the moment as an ISO 8601 datetime with its offset"
        )
        for key, item in value.items():
            checked += check_moments(item, where=where, path=f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            checked += check_moments(item, where=where, path=f"{path}[{index}]")
    elif isinstance(value, str) and _DATETIME.match(value):
        assert _OFFSET.search(value), f"{where}: {path} = {value!r} is a datetime without an offset"
        checked += 1
    return checked
