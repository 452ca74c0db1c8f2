"""Protocol errors as the MCP spec words them, whatever the transport or protocol revision.

Server middleware (`MCPServer.middleware`, see mcp/server/context.py), in front of the SDK's handlers:

- A name the caller sent is echoed back cut and clean (server/guards/arguments.py `shown_name`):
  the SDK repeats it in full ("Unknown tool: " + a 1 MB name, bidi controls included), for
  tools/call, prompts/get, resources/read and completion/complete alike (an unknown resource's URI
  stays whole in the error's data when it is clean and URL-sized, as SEP-2164 asks). A tool name
  no tool can have (the spec's 1-128 characters of A-Z a-z 0-9 _ - .) is answered here, before
  the SDK, which would log it in full too.
- prompts/get for an unknown prompt, with an argument the prompt does not have, a required one
  missing or one its function refuses, and completion/complete for an unknown prompt or resource
  template, are Invalid params (-32602) with a short message. The SDK raises a bare ValueError
  there, which goes out as code 0 (2025-11-25) or -32603 (2026-07-28) with a traceback in the log.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pydantic
from mcp.server.context import CallNext, HandlerResult, ServerMiddleware, ServerRequestContext
from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from mcp.shared.tool_name_validation import TOOL_NAME_REGEX
from mcp_types import INVALID_PARAMS, CallToolResult, TextContent

from agenda_mcp.server.guards.arguments import closest, field_lines, shown_name, shown_uri

_ECHOED = {"tools/call": ("name",), "prompts/get": ("name",), "resources/read": ("uri",)}
"""Per method, the params that name what was asked for."""


def protocol_errors(server: MCPServer) -> ServerMiddleware[Any]:
    """The middleware for `server` (it looks up prompts and resource templates there)."""

    async def middleware(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        params: Mapping[str, Any] = ctx.params if isinstance(ctx.params, Mapping) else {}
        echoed = _echoed(ctx.method, params)
        if ctx.method == "tools/call" and isinstance(name := params.get("name"), str):
            if not TOOL_NAME_REGEX.fullmatch(name):
                return CallToolResult(content=[TextContent(type="text", text=_unknown_tool(name))], is_error=True)
        elif ctx.method == "prompts/get":
            await _check_prompt(server, params)
        elif ctx.method == "completion/complete":
            await _check_reference(server, params)
        try:
            result = await call_next(ctx)
        except MCPError as exc:
            message, data = _scrubbed(exc.error.message, echoed), exc.error.data
            if isinstance(data, dict) and isinstance(data.get("uri"), str):
                data = {**data, "uri": shown_uri(data["uri"])}
            if message == exc.error.message and data is exc.error.data:
                raise
            raise MCPError(exc.error.code, message, data) from None
        except ValueError as exc:
            refusal = _refused_arguments(ctx.method, params, exc)
            if refusal is None:
                raise
            raise MCPError(INVALID_PARAMS, refusal) from None
        if echoed and isinstance(result, CallToolResult) and result.is_error:
            for block in result.content:
                if isinstance(block, TextContent):
                    block.text = _scrubbed(block.text, echoed)
        return result

    return middleware


def _unknown_tool(name: str) -> str:
    shown = shown_name(name)
    size = f" ({len(name):,} characters)" if shown.endswith("…") else ""
    return f"Unknown tool: {shown}{size}; tools/list names the tools offered."


def _echoed(method: str, params: Mapping[str, Any]) -> list[str]:
    """What of `params` a message may repeat and `shown_name` would change (most names it does not)."""
    values = [params.get(key) for key in _ECHOED.get(method, ())]
    if method == "completion/complete":
        ref, argument = params.get("ref"), params.get("argument")
        values += [ref.get("name"), ref.get("uri")] if isinstance(ref, Mapping) else []
        values += [argument.get("name")] if isinstance(argument, Mapping) else []
    return sorted({v for v in values if isinstance(v, str) and v and shown_name(v) != v}, key=len, reverse=True)


def _scrubbed(message: str, echoed: list[str]) -> str:
    for value in echoed:
        message = message.replace(value, shown_name(value))
    return message


async def _check_prompt(server: MCPServer, params: Mapping[str, Any]) -> None:
    name, given = params.get("name"), params.get("arguments") or {}
    if not isinstance(name, str) or not isinstance(given, Mapping):
        return  # the SDK's params validation answers that (Invalid params)
    prompt = next((p for p in await server.list_prompts() if p.name == name), None)
    if prompt is None:
        raise MCPError(INVALID_PARAMS, f"Unknown prompt: {shown_name(name)}; prompts/list names the prompts offered.")
    declared = [argument.name for argument in prompt.arguments or []]
    unknown = [key for key in given if key not in declared]
    if unknown:
        guess = closest(unknown[0], declared)
        hint = f" (did you mean {guess}?)" if guess else ""
        valid = ", ".join(declared) or "none"
        raise MCPError(
            INVALID_PARAMS, f"{name}: unknown argument {shown_name(unknown[0])}{hint}. Valid arguments: {valid}."
        )
    missing = [argument.name for argument in prompt.arguments or [] if argument.required and argument.name not in given]
    if missing:
        noun = "argument" if len(missing) == 1 else "arguments"
        raise MCPError(INVALID_PARAMS, f"{name}: missing required {noun} {', '.join(missing)}.")


async def _check_reference(server: MCPServer, params: Mapping[str, Any]) -> None:
    ref = params.get("ref")
    if not isinstance(ref, Mapping):
        return
    if ref.get("type") == "ref/prompt" and isinstance(name := ref.get("name"), str):
        if name not in {prompt.name for prompt in await server.list_prompts()}:
            raise MCPError(
                INVALID_PARAMS, f"Unknown prompt: {shown_name(name)}; prompts/list names the prompts offered."
            )
    elif ref.get("type") == "ref/resource" and isinstance(uri := ref.get("uri"), str):
        templates = {template.uri_template for template in await server.list_resource_templates()}
        if uri not in templates and uri not in {str(resource.uri) for resource in await server.list_resources()}:
            raise MCPError(
                INVALID_PARAMS,
                f"Unknown resource template: {shown_name(uri)}; resources/templates/list names the templates offered.",
            )


def _refused_arguments(method: str, params: Mapping[str, Any], exc: ValueError) -> str | None:
    """For a prompt whose function refused its arguments (pydantic validates them), the refusal
    in words; None for any other failure, which stays an internal error with its traceback."""
    if method != "prompts/get":
        return None
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, pydantic.ValidationError):
        cause = cause.__cause__
    if cause is None:
        return None
    return f"{params.get('name')}: invalid arguments: " + "; ".join(field_lines(cause, {}))
