"""A vendor's tools and resources as listed, and stand-ins that build the real ones on first use.

Building a vendor's tools (importing its package, pydantic generating a schema per parameter
list and result) is most of agenda-mcp's start-up, and a client asks for tools/list at the start
of every session. What tools/list shows depends only on the code and the settings, so it can be
kept (see server/startup/listing_cache.py) and served without building anything. `DeferredTool` and
`DeferredResource` carry exactly what is listed; the first call or read builds that vendor, and
from then on they hand every call to the real tool or resource.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from mcp.server.mcpserver.resources import Resource
from mcp.server.mcpserver.tools import Tool
from mcp.server.mcpserver.utilities.func_metadata import ArgModelBase, FuncMetadata
from mcp_types import ToolAnnotations
from pydantic import Field

Entry = dict[str, Any]
"""One listed tool or resource, as JSON: what tools/list or resources/list shows of it."""
FindTool = Callable[[str, str], Awaitable[Tool]]
"""`await find(vendor, name)`: the vendor's real tool, building the vendor first if need be."""
FindResource = Callable[[str, str], Awaitable[Resource]]


def tool_entry(tool: Tool) -> Entry:
    entry: Entry = {
        "name": tool.name,
        "title": tool.title,
        "description": tool.description,
        "parameters": tool.parameters,
        "output_schema": tool.output_schema,
        "annotations": tool.annotations.model_dump(mode="json", exclude_none=True) if tool.annotations else None,
    }
    return {key: value for key, value in entry.items() if value is not None}


def resource_entry(resource: Resource) -> Entry:
    entry: Entry = {
        "uri": str(resource.uri),
        "name": resource.name,
        "title": resource.title,
        "description": resource.description,
        "mime_type": resource.mime_type,
    }
    return {key: value for key, value in entry.items() if value is not None}


class DeferredTool(Tool):
    """A tool listed from the cache; its vendor is built when it is first called."""

    vendor: str = Field(exclude=True)
    find: FindTool = Field(exclude=True)

    @classmethod
    def listed(cls, entry: Entry, *, vendor: str, find: FindTool) -> DeferredTool:
        # model_construct: the entry was produced from a validated Tool, and validating it again
        # would spend the time this class exists to save.
        annotations = entry.get("annotations")
        return cls.model_construct(
            fn=_not_built,
            name=entry["name"],
            title=entry.get("title"),
            description=entry["description"],
            parameters=entry["parameters"],
            fn_metadata=FuncMetadata.model_construct(arg_model=ArgModelBase, output_schema=entry.get("output_schema")),
            is_async=True,
            context_kwarg=None,
            resolved_params={},
            resolver_plans={},
            annotations=ToolAnnotations.model_validate(annotations) if annotations else None,
            icons=None,
            meta=None,
            vendor=vendor,
            find=find,
        )

    async def run(self, arguments: dict[str, Any], context: Any, convert_result: bool = False) -> Any:
        tool = await self.find(self.vendor, self.name)
        return await tool.run(arguments, context, convert_result=convert_result)


class DeferredResource(Resource):
    """A resource listed from the cache; its vendor is built when it is first read."""

    vendor: str = Field(exclude=True)
    find: FindResource = Field(exclude=True)

    @classmethod
    def listed(cls, entry: Entry, *, vendor: str, find: FindResource) -> DeferredResource:
        return cls(**entry, vendor=vendor, find=find)

    async def read(self) -> str | bytes:
        resource = await self.find(self.vendor, str(self.uri))
        content: str | bytes = await resource.read()
        return content


def _not_built(**_: Any) -> Any:
    raise RuntimeError("a deferred tool runs through the real tool, never its own fn")
