"""Results are what they were, byte for byte, however they are encoded.

The result path is tuned for speed (one validation, one encoding: see server/kit/toolkit.py and the
bench's result-size rows), and such tuning must not change a single byte the model reads. This
pins the structured content of every documented-answer case (deterministic: the vendors' own
examples) and the shape of every step of the demo (digits masked and lists cut to two items: ids,
dates and the number of free times move with the clock) against tests/snapshots/results.json,
recorded before the result path was tuned; and that the text block is the compact JSON of the
same content.

After an intended change of a result's shape: `UPDATE_SNAPSHOTS=1 pytest tests/test_result_encoding.py`.
"""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from agenda_mcp.server.startup.demo import run_demo
from tests.documented.test_documented_answers import agenda_for
from tests.support import error_text, sandbox_settings
from tests.support.documented import cases, loopback_vendor

GOLDEN = Path(__file__).parent / "snapshots" / "results.json"
pytestmark = pytest.mark.anyio


def _masked(value: Any) -> str:
    """A demo result's shape and spelling: digits masked and lists cut to two items, since ids,
    dates and how many times are still free today move with the clock."""
    return re.sub(r"\d", "N", json.dumps(_cut(value), ensure_ascii=False, separators=(",", ":")))


def _cut(value: Any) -> Any:
    if isinstance(value, list):
        return [_cut(item) for item in value[:2]]
    if isinstance(value, dict):
        return {key: _cut(item) for key, item in value.items()}
    return value


async def _recorded() -> dict[str, Any]:
    recorded: dict[str, Any] = {"documented": {}, "demo": []}
    with loopback_vendor() as (url, served):
        for case in cases():
            if "error" in case.spec:
                continue
            served.script(case.spec["answers"])
            async with Client(agenda_for(case.vendor, url).server) as client:
                for name, arguments in case.spec.get("calls", []):
                    await client.call_tool(name, arguments)
                result = await client.call_tool(case.spec["tool"], case.spec.get("arguments", {}))
            assert not result.is_error, f"{case.id}: {error_text(result)}"
            compact = json.dumps(result.structured_content, ensure_ascii=False, separators=(",", ":"))
            assert error_text(result) == compact, f"{case.id}: the text block is not the compact structured content"
            recorded["documented"][case.id] = compact
    steps: list[str] = []

    def seen(name: str, result: Any) -> None:
        steps.append(f"{name} {_masked(result)}")

    await run_demo(sandbox_settings(), io.StringIO(), seen=seen)
    recorded["demo"] = steps
    return recorded


async def test_results_are_byte_identical_to_the_recorded_ones() -> None:
    current = await _recorded()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1" or not GOLDEN.exists():
        GOLDEN.write_text(json.dumps(current, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    golden = json.loads(GOLDEN.read_text())
    assert current["documented"].keys() == golden["documented"].keys()
    for case, text in current["documented"].items():
        assert text == golden["documented"][case], f"{case}: the result changed"
    assert current["demo"] == golden["demo"], "a demo step's result changed (digits masked)"
