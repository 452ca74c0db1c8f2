"""`agenda-mcp demo`: a scripted scheduling workflow, through a real MCP client, against the
sandbox. Each vendor scripts its own part (`tools/<vendor>/demo.py`); this drives and prints.

It cannot pass empty: every enabled vendor's script runs (whether its tools were built at start
or listed from the kept tool list and built on first use), and a vendor whose script made no
call, or any failed step, ends the demo with DemoFailed (the CLI exits 1)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

import jsonschema
from mcp import Client

from agenda_mcp.server.kit.schema import undeclared
from agenda_mcp.server.startup.app import build_agenda
from agenda_mcp.server.startup.config import Settings

MAX_LINES = 14


class DemoFailed(RuntimeError):
    pass


Seen = Callable[[str, Any], None]
"""`seen(tool, structured_content)`, told of every result (tests check each one)."""


async def run_demo(settings: Settings, out: TextIO = sys.stdout, seen: Seen | None = None) -> None:
    agenda = build_agenda(settings.with_overrides(sandbox=True))
    calls = 0
    failure: DemoFailed | None = None
    async with Client(agenda.server) as client:
        tools = await client.list_tools()
        schemas = {tool.name: tool.output_schema for tool in tools.tools if tool.output_schema is not None}
        resources = await client.list_resources()
        out.write(
            f"agenda-mcp demo: {len(tools.tools)} tools and {len(resources.resources)} resources "
            "over MCP, every vendor against its built-in simulator (nothing is booked for real).\n"
        )

        async def step(name: str, arguments: dict[str, Any], show: Sequence[str] | None = None) -> Any:
            nonlocal calls
            out.write(f"\n→ {name}({_compact(arguments)})\n")
            calls += 1
            result = await client.call_tool(name, arguments)
            if result.is_error:
                text = " ".join(getattr(c, "text", "") for c in result.content)
                out.write(f"  ✗ {text}\n")
                raise DemoFailed(f"{name} failed: {text}")
            # What the model is promised in tools/list must be what it gets.
            if (schema := schemas.get(name)) is not None:
                if result.structured_content is None:
                    raise DemoFailed(f"{name} returned no structured content though it declares an outputSchema")
                try:
                    jsonschema.validate(result.structured_content, schema)
                except jsonschema.ValidationError as exc:
                    raise DemoFailed(f"{name} returned what its outputSchema does not allow: {exc.message}") from None
                if extra := undeclared(result.structured_content, schema):
                    raise DemoFailed(f"{name} returned fields its outputSchema does not declare: {extra[:5]}")
            if seen is not None:
                seen(name, result.structured_content)
            shown = result.structured_content
            if show is not None and isinstance(shown, dict):
                shown = {key: shown[key] for key in show if key in shown}
            out.write(_render(shown))
            return result.structured_content

        # The specs, not the vendors built so far: with a kept tool list none is built yet.
        for spec in agenda.specs.values():
            script = spec.demo()
            out.write(f"\n=== {spec.title} ===\n")
            before = calls
            try:
                await script(step)
            except DemoFailed as exc:
                failure = exc
            except Exception as exc:  # a vendor script's own check (seats, slots) did not hold
                failure = DemoFailed(f"the {spec.title} part: {exc}")
            if failure is None and calls == before:
                failure = DemoFailed(f"the {spec.title} part of the demo made no call")
            if failure is not None:
                break  # raised outside the client, which would wrap it in an exception group
    if failure is not None:
        raise failure
    if calls == 0:
        raise DemoFailed("the demo made no call: no vendor is enabled")
    out.write("\nDemo finished: every call above went through the MCP protocol.\n")


def _compact(arguments: dict[str, Any]) -> str:
    text = json.dumps(arguments, ensure_ascii=False, default=str)
    return text if len(text) <= 160 else text[:157] + "..."


def _render(value: Any) -> str:
    lines = json.dumps(value, ensure_ascii=False, indent=2, default=str).splitlines()
    if len(lines) > MAX_LINES:
        lines = [*lines[:MAX_LINES], f"  … ({len(lines) - MAX_LINES} more lines)"]
    return "".join(f"  {line}\n" for line in lines)
