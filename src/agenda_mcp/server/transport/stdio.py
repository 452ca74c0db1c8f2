"""agenda-mcp over stdio: the SDK's transport, with every line it cannot read answered.

The SDK's stdin reader parses each line with pydantic (`jsonrpc_message_adapter.validate_json`).
A line it cannot parse becomes an `Exception` item on the read stream, and the server's dispatcher
drops such items with a debug log line: the client is never answered. That includes valid JSON
nested deeper than the parser's recursion limit (pydantic-core stops at about 200 levels, the
JSON-RPC envelope included: a tool argument `{"a":{"a":...}}` 200 deep), so a client waiting for
that request waits forever, while over HTTP the SDK answers -32700. The limit itself is right
where it is, in the parser, before anything of ours runs (no tool takes arguments that deep); the
fix is the answer. The read stream is wrapped so each unreadable line is answered on stdout:

- valid JSON too deep to read, from a request whose top-level `id` and `method` can be read off
  the line: Invalid params (-32602) for that id, so the client's call ends;
- anything else that is not JSON: Parse error (-32700) with id null (JSON-RPC 2.0, section 5.1);
- JSON that is not a JSON-RPC message: Invalid Request (-32600), with its id when it has a valid one.

A notification, or a response the client sends, is never answered (JSON-RPC forbids it); each
case is logged at WARNING without the line's content. The session goes on with the next line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.stdio import stdio_server
from mcp.shared._stream_protocols import ReadStream, WriteStream
from mcp.shared.message import SessionMessage
from mcp_types import INVALID_PARAMS, INVALID_REQUEST, PARSE_ERROR, ErrorData, JSONRPCError
from pydantic import ValidationError

from agenda_mcp.server.guards.redaction import get_logger

log = get_logger(__name__)

DEEP = 100
"""A line nested deeper than this that failed to parse was refused for its depth, not its syntax."""
OFF_THREAD = 64 * 1024
"""Lines longer than this are scanned for their id on a worker thread, off the event loop."""

# A JSON string (escapes included) or one bracket; everything else on a line is skipped over.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
_VALUE = re.compile(r'\s*:\s*("[^"\\]*(?:\\.[^"\\]*)*"|-?\d+|null|true|false)')


async def serve_stdio(server: MCPServer) -> None:
    """Serve `server` on stdin/stdout until stdin ends, as `MCPServer.run_stdio_async` does, with
    unreadable lines answered. The SDK serves an `MCPServer` on given streams only through its
    `_lowlevel_server`; should that go, this serves the SDK's own way (lines then go unanswered)."""
    lowlevel = getattr(server, "_lowlevel_server", None)
    if lowlevel is None:
        log.warning("this mcp version serves no MCPServer on given streams: unreadable lines go unanswered")
        await server.run_stdio_async()
        return
    async with stdio_server() as (read, write):
        await lowlevel.run(Answering(read, write), write, lowlevel.create_initialization_options())


class Answering:
    """The transport's read stream, minus its `Exception` items: each is answered on `write` (see
    the module's docstring) and the next message is read instead."""

    def __init__(self, inner: ReadStream[SessionMessage | Exception], write: WriteStream[SessionMessage]) -> None:
        self._inner = inner
        self._write = write
        self.answered = 0

    @property
    def last_context(self) -> Any:
        """The sender's context of the last message (the dispatcher runs its handler in it)."""
        return getattr(self._inner, "last_context", None)

    async def receive(self) -> SessionMessage | Exception:
        while True:
            item = await self._inner.receive()
            if not isinstance(item, Exception):
                return item
            await self._answer(item)

    async def _answer(self, exc: Exception) -> None:
        error = await answer(exc)
        if error is None:
            return
        try:
            await self._write.send(SessionMessage(error))
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            return
        self.answered += 1

    async def aclose(self) -> None:
        await self._inner.aclose()

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> SessionMessage | Exception:
        try:
            return await self.receive()
        except anyio.EndOfStream:
            raise StopAsyncIteration from None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc_val: BaseException | None, exc_tb: TracebackType | None
    ) -> bool | None:
        await self.aclose()
        return None


async def answer(exc: Exception) -> JSONRPCError | None:
    """The error answer for a line the transport could not read (`exc` is what it raised), or None
    when nothing may be answered (a notification, a response)."""
    errors = exc.errors(include_url=False) if isinstance(exc, ValidationError) else []
    line = next((e["input"] for e in errors if e.get("type") == "json_invalid" and isinstance(e["input"], str)), None)
    if line is not None:
        if len(line) > OFF_THREAD:
            top, depth, balanced = await anyio.to_thread.run_sync(scan, line)
        else:
            top, depth, balanced = scan(line)
        if balanced and depth > DEEP:
            return _deep(top, depth)
        log.warning("a line on stdin is not JSON; answered with Parse error")
        return _error(None, PARSE_ERROR, "Parse error: the line is not valid JSON; send one JSON-RPC message per line.")
    if errors:
        message = next((e["input"] for e in errors if isinstance(e.get("input"), Mapping)), None)
        if isinstance(message, Mapping) and "method" not in message and ("result" in message or "error" in message):
            log.warning("a response on stdin that is not valid JSON-RPC was dropped")
            return None
        if isinstance(message, Mapping) and "method" in message and "id" not in message:
            log.warning("a notification on stdin that is not valid JSON-RPC was dropped")
            return None
        ident = message.get("id") if isinstance(message, Mapping) else None
        log.warning("a message on stdin is not valid JSON-RPC; answered with Invalid Request")
        return _error(
            _valid_id(ident), INVALID_REQUEST, "Invalid Request: the line is JSON but not a JSON-RPC message."
        )
    log.warning("a line on stdin could not be read (%s); answered with Parse error", type(exc).__name__)
    return _error(None, PARSE_ERROR, "Parse error: the line could not be read.")


def _deep(top: Mapping[str, Any], depth: int) -> JSONRPCError | None:
    ident, method = _valid_id(top.get("id")), top.get("method")
    if method is not None and "id" not in top:
        log.warning("a notification on stdin nested %d levels deep was dropped", depth)
        return None
    if method is None and "id" in top:
        log.warning("a response on stdin nested %d levels deep was dropped", depth)
        return None
    log.warning("a message on stdin nested %d levels deep was refused", depth)
    if ident is None or not isinstance(method, str):
        return _error(None, PARSE_ERROR, f"Parse error: JSON nested {depth} levels deep is more than can be read.")
    return _error(
        ident,
        INVALID_PARAMS,
        f"Invalid params: this {method} request is nested {depth} levels deep, more than agenda-mcp reads "
        "(the JSON parser stops at about 200); no tool takes arguments nested that deep.",
    )


def scan(line: str) -> tuple[dict[str, Any], int, bool]:
    """The top-level members `id` and `method` of a JSON object on one line, its deepest nesting,
    and whether its brackets balance, read without parsing it (so at any depth): strings are
    skipped whole, brackets counted."""
    top: dict[str, Any] = {}
    depth = deepest = 0
    for token in _TOKEN.finditer(line):
        text = token.group()
        if text in "{[":
            depth += 1
            deepest = max(deepest, depth)
        elif text in "}]":
            depth -= 1
            if depth < 0:
                return top, deepest, False
        elif depth == 1 and text in ('"id"', '"method"') and text[1:-1] not in top:
            value = _VALUE.match(line, token.end())
            if value is not None:
                top[text[1:-1]] = json.loads(value.group(1))
    return top, deepest, depth == 0


def _valid_id(value: Any) -> str | int | None:
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    return None


def _error(ident: str | int | None, code: int, message: str) -> JSONRPCError:
    return JSONRPCError(jsonrpc="2.0", id=ident, error=ErrorData(code=code, message=message))
