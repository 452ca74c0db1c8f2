"""How a vendor package registers its tools and resources.

A vendor's tools are the methods of one `VendorTools` class, marked `@read(...)`, `@write(...)`
or `@resource(...)`: each can be named, imported and called alone (`PlanadayTools.get_planaday_course`),
and `Toolkit.add` publishes them all. Every vendor goes through `Toolkit`, so the rules that
hold for all tools are applied once:
annotations (read-only / destructive / idempotent / open world), read-only mode (write tools
are never registered), descriptions that start with the vendor's name, consent before
destructive calls, no double creates, a rate limit per vendor, results without control
characters and within a size cap, and vendor answers that do not match our models becoming a
clear `ToolError` rather than a crash.
"""

from __future__ import annotations

import functools
import inspect
import json
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo

import pydantic
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.server.mcpserver.resources import FunctionResource, Resource
from mcp.server.mcpserver.tools import Tool
from mcp_types import CallToolResult, TextContent, ToolAnnotations

from agenda_mcp.server.guards import audit
from agenda_mcp.server.guards.arguments import explain, scrub, strict_model, unknown_arguments
from agenda_mcp.server.guards.attachments import FilePolicy
from agenda_mcp.server.guards.cache import Cached, cache_seconds
from agenda_mcp.server.guards.consent import Describe, consent_parameter, require_consent
from agenda_mcp.server.guards.dedup import RecentWrites
from agenda_mcp.server.guards.output import clean, encode
from agenda_mcp.server.guards.ratelimit import TokenBucket
from agenda_mcp.server.guards.redaction import get_logger, redact
from agenda_mcp.server.kit.contract import VendorSpec
from agenda_mcp.server.kit.http import UncertainWrite, VendorHTTP, call_deadline
from agenda_mcp.server.kit.schema import lean_input, lean_output
from agenda_mcp.server.startup.config import Settings
from agenda_mcp.server.team import shared_state

log = get_logger("agenda_mcp.tools")
F = TypeVar("F", bound=Callable[..., Awaitable[Any]])
_MARK = "__agenda_mcp_tool__"


@dataclass(frozen=True)
class ToolMark:
    """What `@read` / `@write` say about a `VendorTools` method."""

    name: str
    kind: Literal["read", "write"]
    title: str | None = None
    destructive: bool = False
    idempotent: bool = True
    confirm: Callable[..., Awaitable[str | None]] | None = None
    """A method of the same class that words the consent question (see server/guards/consent.py)."""


@dataclass(frozen=True)
class ResourceMark:
    uri: str
    name: str
    description: str


def read(name: str, *, title: str | None = None) -> Callable[[F], F]:
    """Mark a `VendorTools` method as a tool that only reads."""
    return _marked(ToolMark(name, "read", title))


def write(
    name: str,
    *,
    destructive: bool,
    idempotent: bool,
    title: str | None = None,
    confirm: Callable[..., Awaitable[str | None]] | None = None,
) -> Callable[[F], F]:
    """Mark a `VendorTools` method as a tool that changes data (see `Toolkit.write`)."""
    return _marked(ToolMark(name, "write", title, destructive, idempotent, confirm))


def resource(uri: str, *, name: str, description: str) -> Callable[[F], F]:
    """Mark a `VendorTools` method as read-only reference data (see `Toolkit.resource`)."""
    return _marked(ResourceMark(uri, name, description))


def _marked(mark: ToolMark | ResourceMark) -> Callable[[F], F]:
    def decorator(fn: F) -> F:
        setattr(fn, _MARK, mark)
        return fn

    return decorator


class VendorTools:
    """A vendor's tools: one method per tool or resource, marked with `read`, `write` or `resource`.

    A subclass keeps what its tools share (the vendor client, what this server booked) on `self`;
    `Toolkit.add` binds and publishes the marked methods in the order they are defined."""

    def __init__(self, kit: Toolkit) -> None:
        self.kit = kit

    @classmethod
    def marks(cls) -> list[tuple[str, ToolMark | ResourceMark]]:
        """The marked methods, by attribute name, in definition order (base classes first)."""
        found: dict[str, ToolMark | ResourceMark] = {}
        for klass in reversed(cls.__mro__):
            for attribute, value in vars(klass).items():
                mark = getattr(value, _MARK, None)
                if isinstance(mark, ToolMark | ResourceMark):
                    found[attribute] = mark
        return list(found.items())


class Toolkit:
    def __init__(self, spec: VendorSpec, http: VendorHTTP, settings: Settings) -> None:
        self.spec = spec
        self.http = http
        self.settings = settings
        self.tools: list[Tool] = []
        self.resources: list[Resource] = []
        # In this process, or through Redis for replicas (AGENDA_MCP_REDIS_URL, server/team/shared_state.py).
        self.shared = shared_state.from_env(settings.env)
        self.bucket = TokenBucket(settings.rate_limit, shared=self.shared.budget, name=spec.name)
        self.recent_writes = RecentWrites(
            settings.dedup_seconds, store=self.shared.writes, wait_limit=settings.http_timeout + 10
        )

    @property
    def sandbox(self) -> bool:
        return self.settings.sandbox

    @property
    def tz(self) -> ZoneInfo:
        return self.settings.tz

    @property
    def files(self) -> FilePolicy:
        """Where a tool may read a local file it sends to the vendor (server/guards/attachments.py)."""
        return FilePolicy.from_settings(self.settings.attachments_dir, transport=self.settings.transport)

    def add(self, tools: VendorTools) -> None:
        """Publish every marked method of `tools` (see `VendorTools`)."""
        for attribute, mark in tools.marks():
            method = getattr(tools, attribute)
            if isinstance(mark, ResourceMark):
                self.resource(mark.uri, name=mark.name, description=mark.description)(method)
            elif mark.kind == "read":
                self.read(mark.name, title=mark.title)(method)
            else:
                confirm = mark.confirm.__get__(tools) if mark.confirm is not None else None
                self.write(
                    mark.name,
                    destructive=mark.destructive,
                    idempotent=mark.idempotent,
                    title=mark.title,
                    confirm=confirm,
                )(method)

    def read(self, name: str, *, title: str | None = None) -> Callable[[F], F]:
        """Register a tool that only reads."""
        annotations = ToolAnnotations(
            title=title, read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True
        )
        return self._register(name, annotations)

    def write(
        self,
        name: str,
        *,
        destructive: bool,
        idempotent: bool,
        title: str | None = None,
        confirm: Describe | None = None,
    ) -> Callable[[F], F]:
        """Register a tool that changes data; in read-only mode it is not registered at all.

        A destructive tool asks the person first (see server/guards/consent.py); `confirm` names what
        will be lost, fetching details where the tool only has an id. A create (neither
        destructive nor idempotent) is deduplicated: an identical call within the window
        returns the first result with `repeated: true`. Any write whose outcome was uncertain
        refuses an identical repeat within the window (server/guards/dedup.py)."""
        if self.settings.read_only:
            return lambda fn: fn
        annotations = ToolAnnotations(
            title=title,
            read_only_hint=False,
            destructive_hint=destructive,
            idempotent_hint=idempotent,
            open_world_hint=True,
        )
        if destructive and confirm is None:
            confirm = self._plain_description(name)
        confirm = confirm if destructive else None
        return self._register(name, annotations, confirm=confirm, write=True, create=not (destructive or idempotent))

    def resource(self, uri: str, *, name: str, description: str) -> Callable[[Callable[[], Awaitable[Any]]], Any]:
        """Register read-only reference data as a JSON resource."""

        def decorator(fn: Callable[[], Awaitable[Any]]) -> Any:
            async def from_vendor() -> Any:
                await self.bucket.take(self.spec.title)  # only reads that reach the vendor count
                return await fn()

            fetch = Cached(from_vendor, cache_seconds(self.settings.env), shared=self.shared.cache, key=uri)

            @functools.wraps(fn)
            async def read() -> str:
                value = await self._guard(fetch, uri)
                if isinstance(value, pydantic.BaseModel):
                    value = value.model_dump(mode="json")
                return json.dumps(clean(value), ensure_ascii=False, default=str)

            self.resources.append(
                FunctionResource.from_function(
                    read, uri=uri, name=name, description=description, mime_type="application/json"
                )
            )
            return fn

        return decorator

    # -- internals ----------------------------------------------------------------------------

    def _register(
        self,
        name: str,
        annotations: ToolAnnotations,
        *,
        confirm: Describe | None = None,
        write: bool = False,
        create: bool = False,
    ) -> Callable[[F], F]:
        def decorator(fn: F) -> F:
            description = inspect.cleandoc(fn.__doc__ or "")
            if not description.startswith(self.spec.title):
                raise ValueError(f"tool {name}: description must start with {self.spec.title!r}")
            signature = inspect.signature(fn, eval_str=True)

            @functools.wraps(fn)
            async def tool(**kwargs: Any) -> Any:
                if not write:
                    return await run(kwargs)
                # Every write and every refusal of one: a line in the audit log (server/guards/audit.py).
                arguments = {k: v for k, v in kwargs.items() if not isinstance(v, Context) and k != "consent"}
                with audit.recorded(self.settings.env, name, self.spec.name, arguments) as entry:
                    result = await run(kwargs, entry)
                    return result

            async def run(kwargs: dict[str, Any], entry: audit.Entry | None = None) -> Any:
                if confirm is not None:
                    require_consent(name, kwargs.pop("consent", None))
                await self.bucket.take(self.spec.title)
                call = functools.partial(self._guard, functools.partial(fn, **kwargs), name)
                if write:
                    call = functools.partial(self._uncertain_on_crash, call, name)
                    arguments = {k: v for k, v in kwargs.items() if not isinstance(v, Context)}
                    key = RecentWrites.key(name, pydantic.TypeAdapter(dict).dump_python(arguments, mode="json"))
                    with call_deadline(self.settings.http_timeout):
                        result, repeated = await self.recent_writes.run(
                            key, call, tool=name, repeat_result=create, result_type=signature.return_annotation
                        )
                    if entry is not None:
                        entry.finished(result, repeated=repeated)
                    if repeated:
                        log.info(
                            "%s: identical call within %ss; returning the first result",
                            name,
                            self.settings.dedup_seconds,
                        )
                        result = _updated(result, repeated=True)
                else:
                    with call_deadline(self.settings.http_timeout):
                        result = await call()
                if self.sandbox:
                    result = _updated(result, sandbox=True)
                return self._finish(result)

            if confirm is not None:
                ask_first(tool, name, signature, confirm, self.settings.confirm)
            registered = strict_tool(tool, name=name, description=description, annotations=annotations)
            registered.vendor, registered.audit_env = self.spec.name, self.settings.env
            self.tools.append(registered)
            return fn

        return decorator

    def _finish(self, result: Any) -> Any:
        """The tool's result in one pass (server/guards/output.py `encode`): control characters out,
        credentials masked, size capped, compact JSON as the text block (the SDK's indented text
        costs ~1.46x the tokens)."""
        return tool_result(result, self.settings.max_result_kb * 1024)

    def _plain_description(self, name: str) -> Describe:
        async def describe(**arguments: Any) -> str:
            shown = ", ".join(f"{k}={v!r}" for k, v in arguments.items() if v is not None)
            return redact(f"{self.spec.title}: {name}({shown}). This cannot be undone. Go ahead?")

        return describe

    async def _uncertain_on_crash(self, call: Callable[[], Awaitable[Any]], name: str) -> Any:
        """A write that crashes inside agenda-mcp (say, on an answer nested too deeply to read) may
        have reached the vendor first: it is uncertain, so the duplicate guard refuses its repeat,
        and the traceback is logged under the reference the message gives."""
        try:
            return await call()
        except ToolError:
            raise
        except Exception as exc:
            reference = f"E-{secrets.token_hex(2)}"
            log.error("%s crashed (reference %s)", name, reference, exc_info=exc)
            raise UncertainWrite(
                f"{name}: agenda-mcp failed unexpectedly ({_what_failed(exc)}), possibly after {self.spec.title} "
                f"received the request, so it may or may not have happened. Check in {self.spec.title} before "
                f"trying again; reference {reference}."
            ) from None

    async def _guard(self, call: Callable[[], Awaitable[Any]], what: str) -> Any:
        try:
            return await call()
        except pydantic.ValidationError as exc:
            # Our arguments were validated before the call, so this is the vendor's answer not
            # matching our model of it: say so instead of "Error executing tool".
            fields = ", ".join(".".join(str(p) for p in err["loc"]) for err in exc.errors()[:5])
            log.warning("%s: unexpected answer shape from %s (%s)", what, self.spec.title, fields)
            raise ToolError(
                f"{self.spec.title} answered {what} in a shape agenda-mcp does not understand "
                f"(fields: {fields}). Try again; if it persists, report it."
            ) from None


def ask_first(tool: Callable[..., Any], name: str, signature: inspect.Signature, confirm: Describe, mode: Any) -> None:
    """Give `tool` the consent parameter the SDK fills by asking the person (server/guards/consent.py)."""
    consent = consent_parameter(name, signature, confirm, mode)
    tool.__signature__ = signature.replace(parameters=[*signature.parameters.values(), consent])  # type: ignore[attr-defined]
    tool.__annotations__ = {**tool.__annotations__, "consent": consent.annotation}


def strict_tool(
    tool: Callable[..., Any],
    *,
    name: str,
    description: str,
    annotations: ToolAnnotations,
    meta: dict[str, Any] | None = None,
) -> StrictTool:
    """`tool` as every agenda-mcp tool is published: unknown arguments refused (and the schema
    saying so), lean input and output schemas, and its result encoded once by `tool_result`."""
    registered = StrictTool.from_function(tool, name=name, description=description, annotations=annotations, meta=meta)
    arguments = strict_model(registered.fn_metadata.arg_model)
    registered.fn_metadata.arg_model = arguments  # type: ignore[assignment]
    registered.parameters = lean_input(arguments.model_json_schema(by_alias=True))
    if registered.fn_metadata.output_schema is not None:
        registered.fn_metadata.output_schema = lean_output(registered.fn_metadata.output_schema)
        # The result model validated the answer once; tool_result hands the SDK the encoded
        # result, which it would otherwise validate a second time, record by record.
        registered.fn_metadata.output_model = None
    return registered


def tool_result(result: Any, max_bytes: int) -> Any:
    """A result model as the client gets it (server/guards/output.py `encode`): cleaned, masked, capped,
    compact JSON as the text block (the SDK's indented text costs ~1.4x the tokens)."""
    if not isinstance(result, pydantic.BaseModel):
        return result
    data, text = encode(result, max_bytes)
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=data)


class StrictTool(Tool):
    """A tool that refuses unknown arguments by name, before anything runs, explains invalid ones
    one field per line (see server/guards/arguments.py), never lets a failure out bare, long or with a
    credential in it."""

    vendor: str = pydantic.Field(default="", exclude=True)
    """The vendor package that registered the tool, and where its audit lines go (server/guards/audit.py)."""
    audit_env: Mapping[str, str] = pydantic.Field(default_factory=dict, exclude=True)

    async def run(self, arguments: dict[str, Any], context: Any, convert_result: bool = False) -> Any:
        if self.annotations is not None and self.annotations.read_only_hint is False and not audit.caller().may_write:
            # Before anything else, consent included: nobody is asked to confirm what will be refused.
            who = audit.caller().subject
            audit.write_line(self.audit_env, audit.Entry(self.name, self.vendor, who, {}, "refused", "scope"))
            raise ToolError(
                f"{self.name} was not run: your access to agenda-mcp is read-only (the token lacks the "
                f"{audit.WRITE_SCOPE} scope). Ask the person to make this change themselves, or to ask "
                "their administrator for write access."
            )
        refusal = unknown_arguments(self.name, arguments, list(self.parameters.get("properties", {})))
        if refusal is not None:
            raise ToolError(scrub(refusal, arguments))
        try:
            return await super().run(arguments, context, convert_result=convert_result)
        except UnexpectedToolError as exc:
            reference = f"E-{secrets.token_hex(2)}"
            cause = exc.__cause__ or exc
            if isinstance(cause, OverflowError) and self.annotations and self.annotations.read_only_hint:
                # Date arithmetic past year 9999 (a far end_date, a week added to 9999-12-31): the
                # arguments' fault, not ours, and nothing was changed.
                log.info("%s: a date out of range (reference %s)", self.name, reference, exc_info=cause)
                raise ToolError(
                    f"{self.name}: a date in the arguments is too far in the past or future to work with; "
                    f"give a nearer date (reference {reference})."
                ) from None
            # The traceback stays here, under the reference the model can quote to whoever runs us.
            trace = (type(cause), cause, cause.__traceback__)
            log.error("%s crashed (reference %s)", self.name, reference, exc_info=trace)
            raise ToolError(
                f"{self.name}: agenda-mcp failed unexpectedly ({_what_failed(cause)}); reference {reference}. "
                "This is a bug, not your input: do not retry the same call; report the reference."
            ) from None
        except ToolError as exc:
            # Only argument validation raises a ToolError caused by a ValidationError: the
            # tool's own failures arrive as ToolErrors, and a bad vendor answer is _guard's.
            if isinstance(exc.__cause__, pydantic.ValidationError):
                # A validator's own message may repeat the value (a 1 MB e-mail): cut it like any other.
                message = scrub(explain(self.name, exc.__cause__, self.parameters), arguments)
                raise ToolError(message) from exc.__cause__
            # clean(): masked, and without the control, bidi and zero-width characters a vendor's message may carry.
            message = scrub(clean(str(exc)), arguments)
            if message == str(exc):
                raise
            raise ToolError(message) from exc.__cause__


def _what_failed(exc: BaseException) -> str:
    """A few words on where it broke, for the model and the person it tells."""
    if isinstance(exc, RecursionError):
        return "an answer nested too deeply to read"
    if isinstance(exc, OverflowError):
        return "a date or number out of range"
    if isinstance(exc, MemoryError):
        return "an answer too large to hold"
    return type(exc).__name__


def _updated(result: Any, **changes: Any) -> Any:
    """Set result fields that the model declares (`sandbox`, `repeated`); others are left alone."""
    if not isinstance(result, pydantic.BaseModel):
        return result
    fields = type(result).model_fields
    applicable = {k: v for k, v in changes.items() if k in fields}
    return result.model_copy(update=applicable) if applicable else result
