"""How a vendor package registers its tools and resources.

Every vendor goes through `Toolkit`, so the rules that hold for all tools are applied once:
annotations (read-only / destructive / idempotent / open world), read-only mode (write tools
are never registered), descriptions that start with the vendor's name, and vendor answers that
do not match our models becoming a clear `ToolError` rather than a crash.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pydantic
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.resources import FunctionResource, Resource
from mcp.server.mcpserver.tools import Tool
from mcp_types import ToolAnnotations

from server.cache import Cached, cache_seconds
from server.config import Settings
from server.http import VendorHTTP
from server.redaction import get_logger
from server.schema import lean_input, lean_output
from server.vendor import VendorSpec

log = get_logger("agenda_mcp.tools")
F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


class Toolkit:
    def __init__(self, spec: VendorSpec, http: VendorHTTP, settings: Settings) -> None:
        self.spec = spec
        self.http = http
        self.settings = settings
        self.tools: list[Tool] = []
        self.resources: list[Resource] = []

    @property
    def sandbox(self) -> bool:
        return self.settings.sandbox

    @property
    def tz(self) -> ZoneInfo:
        return self.settings.tz

    def read(self, name: str, *, title: str | None = None) -> Callable[[F], F]:
        """Register a tool that only reads."""
        return self._register(
            name,
            ToolAnnotations(
                title=title,
                read_only_hint=True,
                destructive_hint=False,
                idempotent_hint=True,
                open_world_hint=True,
            ),
        )

    def write(self, name: str, *, destructive: bool, idempotent: bool, title: str | None = None) -> Callable[[F], F]:
        """Register a tool that changes data; in read-only mode it is not registered at all."""
        if self.settings.read_only:
            return lambda fn: fn
        return self._register(
            name,
            ToolAnnotations(
                title=title,
                read_only_hint=False,
                destructive_hint=destructive,
                idempotent_hint=idempotent,
                open_world_hint=True,
            ),
        )

    def resource(self, uri: str, *, name: str, description: str) -> Callable[[Callable[[], Awaitable[Any]]], Any]:
        """Register read-only reference data as a JSON resource."""

        def decorator(fn: Callable[[], Awaitable[Any]]) -> Any:
            fetch = Cached(fn, cache_seconds(self.settings.env))

            @functools.wraps(fn)
            async def read() -> str:
                value = await self._guard(fetch, uri)
                if isinstance(value, pydantic.BaseModel):
                    return value.model_dump_json(exclude_none=True)
                return json.dumps(value, ensure_ascii=False, default=str)

            self.resources.append(
                FunctionResource.from_function(
                    read, uri=uri, name=name, description=description, mime_type="application/json"
                )
            )
            return fn

        return decorator

    # -- internals ----------------------------------------------------------------------------

    def _register(self, name: str, annotations: ToolAnnotations) -> Callable[[F], F]:
        def decorator(fn: F) -> F:
            description = inspect.cleandoc(fn.__doc__ or "")
            if not description.startswith(self.spec.title):
                raise ValueError(f"tool {name}: description must start with {self.spec.title!r}")

            @functools.wraps(fn)
            async def tool(*args: Any, **kwargs: Any) -> Any:
                result = await self._guard(functools.partial(fn, *args, **kwargs), name)
                return self._mark_sandbox(result)

            registered = Tool.from_function(tool, name=name, description=description, annotations=annotations)
            registered.parameters = lean_input(registered.parameters)
            if registered.fn_metadata.output_schema is not None:
                registered.fn_metadata.output_schema = lean_output(registered.fn_metadata.output_schema)
            self.tools.append(registered)
            return fn

        return decorator

    def _mark_sandbox(self, result: Any) -> Any:
        """Results that record a change carry a `sandbox` field; in sandbox mode it says so, so
        nobody mistakes a demo booking for a real one."""
        if self.sandbox and isinstance(result, pydantic.BaseModel) and "sandbox" in type(result).model_fields:
            return result.model_copy(update={"sandbox": True})
        return result

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
