"""Protocol edges: what a careless or hostile client sends outside the tools' own arguments.

- A line the stdio transport cannot read (JSON nested past the parser's ~200 levels, not JSON, JSON
  that is not JSON-RPC) is answered, with the request's id where it has one, and the server goes
  on serving (the SDK used to drop such lines: the client waited forever). Real console script.
- A name the caller sent (tool, prompt, resource, completion reference) is echoed cut to a few
  dozen characters, without control, bidi or zero-width characters: not 1 MB back for 1 MB sent.
- prompts/get with an unknown prompt, an unknown or a missing argument, and completion/complete
  for an unknown prompt or template, are Invalid params (-32602) with a short message and no
  traceback in the log, on protocol 2025-11-25 and on 2026-07-28 (they were code 0 and -32603)."""

from __future__ import annotations

import json
import logging
import os
import re
import select
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, PromptReference, ResourceTemplateReference

from agenda_mcp.server.guards.arguments import NAME_CHARS
from agenda_mcp.server.startup.app import build_agenda
from tests.support import error_text, sandbox_settings
from tests.support.vendor_cases import REPORT

SCRIPT = str(Path(sys.executable).parent / "agenda-mcp")
WAIT = 20.0
"""Seconds to wait for one answer line: generous, since an unanswered line is exactly the bug."""
MODES = ["legacy", "2026-07-28"]
"""The Python client's handshake (protocol 2025-11-25) and the 2026-07-28 revision."""
HOSTILE = "\u202e\u200b\x1b[31m\u2066"
"""Bidi override, zero-width space, a terminal escape, bidi isolate."""
_UNCLEAN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
BIG = 1024 * 1024


def nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def assert_short_and_clean(text: str, what: str) -> None:
    assert len(text) < NAME_CHARS + 140, f"{what}: {len(text):,} characters echoed: {text[:200]!r}"
    assert not _UNCLEAN.search(text), f"{what}: control, bidi or zero-width characters echoed: {text!r}"


class RawStdio:
    """The console script over stdio, spoken to line by line (the Python client cannot send a line
    nested 200 deep, nor a line that is not JSON)."""

    def __init__(self, process: subprocess.Popen[bytes], stderr: IO[bytes]) -> None:
        self.process = process
        self.stderr = stderr

    def send(self, message: dict[str, Any] | str) -> None:
        line = message if isinstance(message, str) else json.dumps(message)
        assert self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")
        self.process.stdin.flush()

    def receive(self) -> dict[str, Any] | None:
        """The next line the server writes, or None when none comes within WAIT seconds."""
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], WAIT)
        if not ready:
            return None
        line = self.process.stdout.readline()
        return json.loads(line) if line else None

    def request(self, ident: int, method: str, params: dict[str, Any] | None = None) -> dict[str, Any] | None:
        self.send({"jsonrpc": "2.0", "id": ident, "method": method, **({"params": params} if params else {})})
        return self.receive()

    def still_serving(self, ident: int) -> bool:
        answer = self.request(ident, "tools/list")
        return answer is not None and answer.get("id") == ident and bool(answer["result"]["tools"])


@contextmanager
def raw_stdio(tmp_path: Path) -> Iterator[RawStdio]:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    with (tmp_path / "stderr.log").open("w+b") as stderr:
        process = subprocess.Popen(
            [SCRIPT, "--sandbox", "--toolsets", "planaday"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env,
        )
        try:
            server = RawStdio(process, stderr)
            hello = {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}
            assert (server.request(0, "initialize", hello) or {}).get("result"), "no initialize answer"
            server.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
            yield server
        finally:
            assert process.stdin is not None
            process.stdin.close()
            try:
                process.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            assert process.stdout is not None
            process.stdout.close()


def tools_call(ident: str, value: str, *, id_last: bool = False) -> str:
    """A tools/call line with `value` as an argument, its id (JSON text) first or last."""
    params = '{"name":"list_planaday_labels","arguments":{"x":' + value + "}}"
    if id_last:
        return '{"jsonrpc":"2.0","method":"tools/call","params":' + params + ',"id":' + ident + "}"
    return '{"jsonrpc":"2.0","id":' + ident + ',"method":"tools/call","params":' + params + "}"


def test_stdio_answers_every_line_it_cannot_read_and_goes_on(tmp_path: Path) -> None:
    # (what, line, the id the answer must carry, its code)
    lines: list[tuple[str, str, int | str | None, int]] = [
        ("argument nested 200 deep", tools_call("2", nested(200)), 2, INVALID_PARAMS),
        ("argument nested 1,000 deep", tools_call('"call-3"', nested(1000)), "call-3", INVALID_PARAMS),
        ("nested 100,000 deep, id after params", tools_call("4", nested(100_000), id_last=True), 4, INVALID_PARAMS),
        ("arrays nested 5,000 deep", tools_call("5", "[" * 5000 + "]" * 5000), 5, INVALID_PARAMS),
        ("a line cut short", '{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":', None, -32700),
        ("not JSON at all", "hello agenda-mcp", None, -32700),
        ("JSON but not JSON-RPC", '{"hello": "world"}', None, -32600),
    ]
    answered = 0
    with raw_stdio(tmp_path) as server:
        for number, (what, line, ident, code) in enumerate(lines, start=100):
            server.send(line)
            answer = server.receive()
            assert answer is not None, f"{what}: never answered"
            assert answer.get("id") == ident and answer["error"]["code"] == code, f"{what}: {answer}"
            assert_short_and_clean(answer["error"]["message"], what)
            assert server.still_serving(number), f"{what}: the server stopped serving"
            answered += 1
        # A notification is never answered, however deep: the next answer is the next request's.
        server.send('{"jsonrpc":"2.0","method":"notifications/progress","params":{"x":' + nested(300) + "}}")
        assert server.still_serving(200), "a deep notification was answered or stopped the server"
        # Over stdio too, a 1 MB tool name (with bidi controls) is not echoed back.
        result = (server.request(201, "tools/call", {"name": HOSTILE + "n" * BIG, "arguments": {}}) or {})["result"]
        assert result["isError"] and "Unknown tool" in result["content"][0]["text"]
        assert_short_and_clean(result["content"][0]["text"], "tools/call over stdio")
        # ...and a prompt that does not exist, or lacks an argument, is Invalid params.
        for number, params in enumerate([{"name": "no_such_prompt"}, {"name": "enrol_student"}], start=202):
            answer = server.request(number, "prompts/get", params) or {}
            assert answer.get("error", {}).get("code") == INVALID_PARAMS, answer
        assert server.still_serving(300)
    log = (tmp_path / "stderr.log").read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
    REPORT["security: unreadable stdio lines answered, server still serving"] += answered


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_names_are_echoed_cut_and_clean(mode: str) -> None:
    agenda = build_agenda(sandbox_settings())
    checked = 0
    async with Client(agenda.server, mode=mode) as client:
        # Names outside the spec's tool-name alphabet are answered before the SDK: no tool has one.
        tools = [tool.name for tool in (await client.list_tools()).tools]
        assert len(tools) > 80 and all(re.fullmatch(r"[A-Za-z0-9._-]{1,48}", name) for name in tools), tools
        for name in [HOSTILE + "x" * BIG, "y" * BIG, "z" * 128, "list_planaday_labels" + HOSTILE]:
            result = await client.call_tool(name, {})
            assert result.is_error and "Unknown tool" in error_text(result), error_text(result)
            assert_short_and_clean(error_text(result), f"tools/call {name[:30]!r}")
            checked += 1
        calls: dict[str, Callable[[str], Awaitable[Any]]] = {
            "prompts/get": lambda name: client.get_prompt(name, {}),
            "resources/read": lambda name: client.read_resource(f"planaday://{name}"),
            "completion (prompt)": lambda name: client.complete(
                PromptReference(type="ref/prompt", name=name), {"name": "course", "value": "b"}
            ),
            "completion (template)": lambda name: client.complete(
                ResourceTemplateReference(type="ref/resource", uri=f"agenda://{name}/{{what}}"),
                {"name": "what", "value": "b"},
            ),
        }
        for what, call in calls.items():
            with pytest.raises(MCPError) as raised:
                await call(HOSTILE + "q" * BIG)
            assert raised.value.error.code == INVALID_PARAMS, f"{what}: {raised.value.error}"
            assert_short_and_clean(raised.value.error.message, what)
            assert_short_and_clean(json.dumps(raised.value.error.data or "", ensure_ascii=False), f"{what} data")
            checked += 1
        # An unknown resource's URI that is clean and URL-sized comes back whole in the error's data
        # (SEP-2164: a client matches the error to its request), though the message cuts it.
        for uri in ["planaday://no-such-list", "test://" + "nonexistent-resource-" * 90]:
            with pytest.raises(MCPError) as raised:
                await client.read_resource(uri)
            assert raised.value.error.code == INVALID_PARAMS, raised.value.error
            assert (raised.value.error.data or {}).get("uri") == uri, raised.value.error.data
            assert_short_and_clean(raised.value.error.message, f"resources/read {uri[:30]}")
            checked += 1
    REPORT[f"security: unknown names echoed cut and clean ({mode})"] += checked


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_prompt_and_completion_mistakes_are_invalid_params_without_a_traceback(
    mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    agenda = build_agenda(sandbox_settings(toolsets=("planaday",)))
    mistakes = 0
    async with Client(agenda.server, mode=mode) as client:
        prompts = {prompt.name: prompt for prompt in (await client.list_prompts()).prompts}
        enrol = prompts["enrol_student"]
        required = {argument.name: "x" for argument in enrol.arguments or [] if argument.required}
        assert len(required) >= 2
        first, *_ = required
        cases: dict[str, Callable[[], Awaitable[Any]]] = {
            "unknown prompt": lambda: client.get_prompt("no_such_prompt", {}),
            "no arguments": lambda: client.get_prompt("enrol_student", {}),
            "a required argument missing": lambda: client.get_prompt(
                "enrol_student", {k: v for k, v in required.items() if k != first}
            ),
            "an argument the prompt does not have": lambda: client.get_prompt(
                "enrol_student", {**required, "cours": "BHV"}
            ),
            "completion for an unknown prompt": lambda: client.complete(
                PromptReference(type="ref/prompt", name="no_such_prompt"), {"name": "x", "value": "a"}
            ),
            "completion for an unknown template": lambda: client.complete(
                ResourceTemplateReference(type="ref/resource", uri="agenda://nothing/{what}"),
                {"name": "what", "value": "a"},
            ),
        }
        for what, call in cases.items():
            with pytest.raises(MCPError) as raised:
                await call()
            error = raised.value.error
            assert error.code == INVALID_PARAMS, f"{what} ({mode}): code {error.code}: {error.message}"
            assert 10 < len(error.message) < 200 and "\n" not in error.message, f"{what}: {error.message!r}"
            mistakes += 1
        missing = await _message(client.get_prompt("enrol_student", {}))
        assert all(name in missing for name in required), missing
        unknown = await _message(client.get_prompt("enrol_student", {**required, "cours": "BHV"}))
        assert "'cours'" in unknown or "cours " in unknown, unknown
        # The right arguments still render.
        rendered = await client.get_prompt("enrol_student", required)
        assert rendered.messages
    for record in caplog.records:
        assert record.exc_info is None and record.levelno < logging.ERROR, f"logged: {record.getMessage()}"
    REPORT[f"security: prompt and completion mistakes answered -32602 ({mode})"] += mistakes


async def _message(call: Any) -> str:
    try:
        await call
    except MCPError as exc:
        return exc.error.message
    raise AssertionError("no error")


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_prompt_mistakes_over_stdio_are_invalid_params(mode: str, tmp_path: Path) -> None:
    """The same through the console script and the Python client, on both protocol revisions."""
    params = StdioServerParameters(
        command=SCRIPT,
        args=["--sandbox", "--toolsets", "planaday"],
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)},
    )
    with (tmp_path / "stderr.log").open("w") as errlog:
        async with Client(stdio_client(params, errlog=errlog), mode=mode) as client:
            codes = []
            for call in (
                client.get_prompt("no_such_prompt", {}),
                client.get_prompt("enrol_student", {}),
                client.complete(PromptReference(type="ref/prompt", name="nope"), {"name": "x", "value": "a"}),
            ):
                with pytest.raises(MCPError) as raised:
                    await call
                codes.append(raised.value.error.code)
    assert codes == [INVALID_PARAMS] * 3, codes
    assert "Traceback" not in (tmp_path / "stderr.log").read_text()
    REPORT[f"security: prompt mistakes over stdio answered -32602 ({mode})"] += len(codes)
