"""Every tool, as tools/list shows it, refuses an argument it does not have before anything is sent.

A careless model misspells (`dryrun`, `apointment_id`); a silently dropped argument turns a dry run
into a cancellation and a move into a second booking. For every tool of every vendor: call it with
schema-valid arguments plus one misspelled or unknown key, and assert the error names the key, that
no request reached the vendor, and that the simulator's state did not change. Then the same call
without the extra key must pass validation, so the arguments were otherwise valid."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from agenda_mcp.server.startup.app import AgendaServer, build_agenda
from tests.support import error_text, requests_sent, sandbox_settings
from tests.support.schema_examples import arguments_for
from tests.support.vendor_cases import REPORT

pytestmark = pytest.mark.anyio


def misspelled(schema: dict[str, Any]) -> tuple[str, str | None]:
    """A careless model's key: a real parameter with a letter dropped, or an unknown flag."""
    names = [name for name in schema.get("properties", {}) if len(name) > 3]
    if not names:
        return "verbose", None
    name = names[-1]
    return name[:2] + name[3:], name


def state(agenda: AgendaServer) -> str:
    """What every simulator holds, as text (clocks and other callables left out)."""
    parts = []
    for name, runtime in sorted(agenda.vendors.items()):
        sandbox = runtime.sandbox_app.state.sandbox  # type: ignore[union-attr]
        parts.append(f"{name}: {sorted((k, repr(v)) for k, v in vars(sandbox).items() if not callable(v))}")
    return "\n".join(parts)


async def test_every_tool_refuses_an_unknown_argument_and_sends_nothing() -> None:
    agenda = build_agenda(sandbox_settings())
    checked = 0
    unproven: list[str] = []
    async with Client(agenda.server) as client:
        tools = (await client.list_tools()).tools
        assert len(tools) >= 81
        for tool in tools:
            schema = tool.input_schema
            assert schema.get("additionalProperties") is False, f"{tool.name}: schema allows unknown arguments"
            arguments = arguments_for(tool.name, schema)
            key, meant = misspelled(schema)
            before_sent, before_state = requests_sent(agenda), state(agenda)
            result = await client.call_tool(tool.name, {**arguments, key: arguments.get(meant, True)})
            text = error_text(result)
            assert result.is_error, f"{tool.name} accepted the unknown argument {key!r}"
            assert repr(key) in text and "nothing was sent" in text, f"{tool.name}: {text}"
            if meant is not None:
                assert f"did you mean {meant}?" in text, f"{tool.name}: {text}"
            assert requests_sent(agenda) == before_sent, f"{tool.name} sent a request despite the unknown argument"
            assert state(agenda) == before_state, f"{tool.name} changed the simulator despite the unknown argument"

            control = await client.call_tool(tool.name, arguments)
            reason = error_text(control) if control.is_error else ""
            if "invalid arguments" in reason or "unknown argument" in reason:
                unproven.append(f"{tool.name} {arguments}: {reason}")
            checked += 1
    # Arguments that fail validation by themselves would make the check above prove nothing.
    assert not unproven, "generated arguments are not valid:\n" + "\n".join(unproven)
    REPORT["tools checked for unknown arguments"] += checked
    assert checked == len(tools)
