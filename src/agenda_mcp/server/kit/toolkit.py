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
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, cast
from zoneinfo import ZoneInfo

import pydantic
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.server.mcpserver.resources import FunctionResource, Resource
from mcp.server.mcpserver.tools import Tool
from mcp_types import CallToolResult, ContentBlock, TextContent, ToolAnnotations

from agenda_mcp.server.guards import audit, pipeline
from agenda_mcp.server.guards.arguments import explain, scrub, strict_model, unknown_arguments, with_signature
from agenda_mcp.server.guards.attachments import FilePolicy
from agenda_mcp.server.guards.cache import Cached, cache_seconds
from agenda_mcp.server.guards.consent import Describe, consent_parameter, quoted
from agenda_mcp.server.guards.dedup import RecentWrites
from agenda_mcp.server.guards.output import clean, encode
from agenda_mcp.server.guards.ratelimit import TokenBucket
from agenda_mcp.server.guards.redaction import get_logger
from agenda_mcp.server.kit.contract import VendorSpec
from agenda_mcp.server.kit.http import VendorHTTP
from agenda_mcp.server.kit.schema import lean_input, lean_output
from agenda_mcp.server.kit.wording import CATALOGUE, Question
from agenda_mcp.server.startup.config import Locale, Settings
from agenda_mcp.server.team import shared_state

log = get_logger("agenda_mcp.tools")
F = TypeVar("F", bound=Callable[..., Awaitable[Any]])
_MARK = "__agenda_mcp_tool__"
NOTE_SECONDS = 30 * 86_400
"""How long `Toolkit.remember` keeps a note in shared state: a booking request is usually accepted or
dropped sooner. Notes name people: they go no further than the deployment's own Redis, and not for longer."""
MAX_NOTES = 10_000


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
    """One vendor's registration desk: its tools and resources, published through the one
    pipeline every call takes (server/guards/pipeline.py)."""

    def __init__(self, spec: VendorSpec, http: VendorHTTP, settings: Settings) -> None:
        self.spec = spec
        self.http = http
        self.settings = settings
        self.tools: list[Tool] = []
        self.resources: list[Resource] = []
        # In this process, or through Redis for replicas (AGENDA_MCP_REDIS_URL, server/team/shared_state.py).
        self.shared = shared_state.from_env(settings.env)
        # The budget is taken per vendor request (server/kit/http.py), not per tool call: a call that
        # fans out or pages waits for it request by request.
        self.bucket = TokenBucket(settings.rate_limit, shared=self.shared.budget, name=spec.name)
        http.pace = functools.partial(self.bucket.take, spec.title)
        self.recent_writes = RecentWrites(
            settings.dedup_seconds, store=self.shared.writes, wait_limit=settings.http_timeout + 10
        )
        self.vendor = pipeline.Vendor(spec.name, spec.title, self.recent_writes)
        self._notes: dict[str, str] = {}

    async def remember(self, name: str, value: str) -> None:
        """Keep something this server learned and a later question names (what it booked, where the
        vendor cannot be asked) where every replica reads it: the question a person answers must read
        the same on whichever replica asks it (2026-07-28 re-asks a question whose words changed)."""
        key = f"{self.spec.name}:note:{name}"
        if self.shared.cache is not None:
            try:
                await self.shared.cache.put(key, value, NOTE_SECONDS)
                return
            except shared_state.SharedStateDown as exc:
                log.warning("%s: a note could not be shared (%s); kept in this process", self.spec.title, exc)
        self._notes[key] = value
        while len(self._notes) > MAX_NOTES:
            del self._notes[next(iter(self._notes))]  # the oldest: a bounded memory, not a ledger

    async def recall(self, name: str) -> str | None:
        """What `remember` kept under `name`, here or on another replica; None when nothing was."""
        key = f"{self.spec.name}:note:{name}"
        if self.shared.cache is not None:
            try:
                found = await self.shared.cache.get(key)
            except shared_state.SharedStateDown:
                found = None
            if found is not None and isinstance(found[0], str):
                return found[0]
        return self._notes.get(key)

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

        Every write asks the person first (server/guards/consent.py): `confirm` words the question
        (what will change, for whom, when), fetching details where the tool only has an id; without
        it the question names the tool and its arguments. A create (neither destructive nor
        idempotent) is deduplicated: an identical call within the window returns the first result
        with `repeated: true`. Any write whose outcome was uncertain refuses an identical repeat
        within the window (server/guards/dedup.py)."""
        if self.settings.read_only:
            return lambda fn: fn
        annotations = ToolAnnotations(
            title=title,
            read_only_hint=False,
            destructive_hint=destructive,
            idempotent_hint=idempotent,
            open_world_hint=True,
        )
        question = confirm or plain_question(
            self.spec.title, title or name, destructive=destructive, locale=self.settings.locale
        )
        return self._register(name, annotations, confirm=question, create=not (destructive or idempotent))

    def resource(self, uri: str, *, name: str, description: str) -> Callable[[Callable[[], Awaitable[Any]]], Any]:
        """Register read-only reference data as a JSON resource."""

        def decorator(fn: Callable[[], Awaitable[Any]]) -> Any:
            fetch = Cached(fn, cache_seconds(self.settings.env), shared=self.shared.cache, key=uri)

            @functools.wraps(fn)
            async def read() -> str:
                value = await pipeline.read(self.settings, self.vendor, uri, fetch)
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
        create: bool = False,
    ) -> Callable[[F], F]:
        def decorator(fn: F) -> F:
            description = inspect.cleandoc(fn.__doc__ or "")
            if not description.startswith(self.spec.title):
                raise ValueError(f"tool {name}: description must start with {self.spec.title!r}")
            signature = inspect.signature(fn, eval_str=True)

            @functools.wraps(fn)
            async def tool(**kwargs: Any) -> Any:
                if confirm is None:
                    result = await pipeline.read(self.settings, self.vendor, name, functools.partial(fn, **kwargs))
                else:
                    consent = kwargs.pop("consent", None)
                    arguments = {k: v for k, v in kwargs.items() if not isinstance(v, Context)}
                    result, repeated = await pipeline.write(
                        self.settings,
                        self.vendor,
                        name,
                        functools.partial(fn, **kwargs),
                        consent=consent,
                        key=RecentWrites.key(name, pydantic.TypeAdapter(dict).dump_python(arguments, mode="json")),
                        audited=arguments,
                        create=create,
                        result_type=signature.return_annotation,
                    )
                    if repeated:
                        result = updated(result, repeated=True)
                if self.sandbox:
                    result = updated(result, sandbox=True)
                return tool_result(result, self.settings.max_result_kb * 1024)

            if confirm is not None:
                ask_first(tool, name, signature, confirm, self.settings.confirm)
            registered = strict_tool(tool, name=name, description=description, annotations=annotations)
            registered.vendor, registered.audit_env = self.spec.name, self.settings.env
            self.tools.append(registered)
            return fn

        return decorator


def plain_question(vendor: str, what: str, *, destructive: bool, locale: Locale = "en") -> Describe:
    """The consent question of a write that words none of its own, in the person's language
    (server/kit/wording.py): the vendor, what the tool does (its title), and each argument given by
    its name, its value quoted (server/guards/consent.py `quoted`)."""
    # A title is in the catalogue (tests/test_question_languages.py); a tool without one is named as it is.
    doing: str = Question(what) if what in CATALOGUE else what

    async def describe(**arguments: Any) -> str:
        shown = ", ".join(
            f"{key} {'***' if _secret(key) else quoted(_plain(value))}"
            for key, value in arguments.items()
            if value not in (None, [], {}, "")
        )
        if not shown:
            return Question(
                "{vendor}: {what}. This cannot be undone. Go ahead?" if destructive else "{vendor}: {what}. Go ahead?",
                locale=locale,
                vendor=vendor,
                what=doing,
            )
        return Question(
            "{vendor}: {what} ({arguments}). This cannot be undone. Go ahead?"
            if destructive
            else "{vendor}: {what} ({arguments}). Go ahead?",
            locale=locale,
            vendor=vendor,
            what=doing,
            arguments=shown,
        )

    return describe


def _secret(name: str) -> bool:
    return any(word in name.lower() for word in ("password", "secret", "token"))


def _plain(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(pydantic.TypeAdapter(Any).dump_python(value, mode="json"), ensure_ascii=False)


def ask_first(tool: Callable[..., Any], name: str, signature: inspect.Signature, confirm: Describe, mode: Any) -> None:
    """Give `tool` the consent parameter the SDK fills by asking the person (server/guards/consent.py)."""
    consent = consent_parameter(name, signature, confirm, mode)
    with_signature(tool, signature.replace(parameters=[*signature.parameters.values(), consent]))
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
    made = StrictTool.from_function(tool, name=name, description=description, annotations=annotations, meta=meta)
    registered = cast(StrictTool, made)  # from_function builds `cls`, though the SDK annotates it `Tool`
    arguments = strict_model(registered.fn_metadata.arg_model)
    registered.fn_metadata.arg_model = arguments
    registered.parameters = lean_input(arguments.model_json_schema(by_alias=True))
    if registered.fn_metadata.output_schema is not None:
        registered.fn_metadata.output_schema = lean_output(registered.fn_metadata.output_schema)
        # The result model validated the answer once; tool_result hands the SDK the encoded
        # result, which it would otherwise validate a second time, record by record.
        registered.fn_metadata.output_model = None
    return registered


def tool_result(result: Any, max_bytes: int, extra: Sequence[ContentBlock] = ()) -> Any:
    """A result model as the client gets it (server/guards/output.py `encode`): cleaned, masked, capped,
    compact JSON as the text block (the SDK's indented text costs ~1.4x the tokens). `extra` blocks
    follow the text (book_slot's iCalendar event); the text block stays first."""
    if not isinstance(result, pydantic.BaseModel):
        return result
    data, text = encode(result, max_bytes)
    return CallToolResult(content=[TextContent(type="text", text=text), *extra], structured_content=data)


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
                f"{self.name}: agenda-mcp failed unexpectedly ({pipeline.what_failed(cause)}); reference {reference}. "
                "This is a bug, not your input: do not retry the same call; report the reference."
            ) from None
        except ToolError as exc:
            # Only argument validation raises a ToolError caused by a ValidationError: the
            # tool's own failures arrive as ToolErrors, and a bad vendor answer is _guard's.
            if isinstance(exc.__cause__, pydantic.ValidationError):
                # A validator's own message may repeat the value (a 1 MB e-mail): cut it like any other.
                message = scrub(explain(self.name, exc.__cause__, self.parameters), arguments)
                raise ToolError(message) from exc.__cause__
            # The SDK puts "Error executing tool <name>: " before a tool's own message. Ours name
            # the tool or the vendor already ("book_slot: book_slot: that slot token ..."), and the
            # result is marked as an error, so the model reads the message as the tool wrote it,
            # as it reads a refusal of unknown arguments above. clean(): masked, and without the
            # control, bidi and zero-width characters a vendor's message may carry.
            message = scrub(clean(str(exc).removeprefix(f"Error executing tool {self.name}: ")), arguments)
            if message == str(exc):
                raise
            raise ToolError(message) from exc.__cause__


def updated(result: Any, **changes: Any) -> Any:
    """Set result fields that the model declares (`sandbox`, `repeated`); others are left alone."""
    if not isinstance(result, pydantic.BaseModel):
        return result
    fields = type(result).model_fields
    applicable = {k: v for k, v in changes.items() if k in fields}
    return result.model_copy(update=applicable) if applicable else result
