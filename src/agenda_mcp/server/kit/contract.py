"""The contract between the server and a vendor package: what a vendor offers, and nothing more.

`server/` never knows a vendor's paths or fields. A vendor package `tools/<name>/` declares a
`VENDOR = VendorSpec(...)` in its `__init__.py` and has these modules, each imported only when
the vendor is enabled and each checked against its `Protocol` below when it is (a module that
lacks a part fails with a message naming it; tests/test_contract.py walks every vendor):

- `client.py`:  `connection(env) -> Connection`, optionally `describe_error(response)`, and the
  typed client class `<Vendor>Client` (one method per vendor operation)          `ClientModule`
- `models.py`:  pydantic models of the vendor's requests and answers
- `tools.py`:   `<Vendor>Tools(VendorTools)` and `register(toolkit)`               `ToolsModule`
- `prompts.py`: `PROMPTS`, prompts for the common jobs                           `PromptsModule`
- `demo.py`:    `async run(step)`, the vendor's part of `agenda-mcp demo`           `DemoModule`
- `slots.py`:   the vendor's part of find_slots and book_slot (server/kit/slots.py);
  optional: a vendor without availability has none                               `SlotsModule`
- `sandbox/`:   the simulator: `app.py` (routes, `create_app`), `state.py` (`<Vendor>Sandbox`,
  the vendor's rules), `data.py` (demo data); its `__init__` names them            `SandboxModule`
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol, cast, runtime_checkable

if TYPE_CHECKING:
    import httpx2
    from mcp.server.mcpserver.prompts import Prompt
    from starlette.types import ASGIApp

    from agenda_mcp.server.kit.http import ErrorDetail
    from agenda_mcp.server.kit.prompts import Workflow
    from agenda_mcp.server.kit.slots import Booked, Customer, Found, Offer, SlotQuery
    from agenda_mcp.server.kit.toolkit import Toolkit


@runtime_checkable
class ClientModule(Protocol):
    def connection(self, env: Mapping[str, str]) -> Connection:
        """How to reach the account the environment names (base URL, credentials)."""
        ...


@runtime_checkable
class ToolsModule(Protocol):
    def register(self, toolkit: Toolkit) -> None:
        """Publish the vendor's tools and resources through `toolkit` (`toolkit.add(<Vendor>Tools(toolkit))`)."""
        ...


@runtime_checkable
class PromptsModule(Protocol):
    PROMPTS: Sequence[Workflow]


@runtime_checkable
class DemoModule(Protocol):
    async def run(self, step: DemoStep) -> None:
        """The vendor's part of `agenda-mcp demo`: a short workflow through `step`."""
        ...


@runtime_checkable
class SlotsModule(Protocol):
    COMPLETES: Mapping[tuple[str, str], str]
    """(prompt, argument) -> the kind of name from `reference` that completes it."""

    async def find(self, kit: Toolkit, query: SlotQuery) -> Found:
        """Free slots matching the question, each with a `ref` (the vendor's ids and wall-clock time)."""
        ...

    async def book(self, kit: Toolkit, offer: Offer, customer: Customer) -> Booked:
        """Book one such offer (as just re-checked) for a customer, found or created as the vendor needs."""
        ...

    async def reference(self, kit: Toolkit) -> dict[str, list[str]]:
        """Names for completions: appointment types, resources, course templates, agendas."""
        ...

    async def existing(self, kit: Toolkit, offer: Offer, customer: Customer) -> Booked | None:
        """The customer's own booking of exactly this offer, or None (none, or the vendor cannot tell)."""
        ...


@runtime_checkable
class SandboxModule(Protocol):
    SANDBOX_BASE_URL: str
    SANDBOX_ENV: Mapping[str, str]
    """The credentials the simulator accepts, under the real variable names."""

    def create_app(self) -> ASGIApp:
        """The simulator as an ASGI app, with fresh demo data."""
        ...


class VendorContractError(ImportError):
    """A vendor module lacks a part of the contract; the message names the module and the part."""


def checked(module: ModuleType, protocol: type) -> ModuleType:
    """`module`, if it satisfies `protocol`; else a `VendorContractError` naming what it lacks. (A
    module imported by name is not typed as its protocol: the accessors below say which it is.)"""
    if not isinstance(module, protocol):
        wanted = [name for name in _members(protocol) if not hasattr(module, name)]
        raise VendorContractError(f"{module.__name__} does not offer {', '.join(wanted)} ({protocol.__name__})")
    return module


def _members(protocol: type) -> list[str]:
    names = [n for n in vars(protocol) if not n.startswith("_")]
    return names + [n for n in getattr(protocol, "__annotations__", {}) if n not in names]


class DemoStep(Protocol):
    """`await step("tool_name", {...arguments}, show=["key", ...])` calls a tool through the demo's
    MCP client, prints the call and (the `show` keys of) its result, and returns the result."""

    def __call__(self, name: str, arguments: dict[str, Any], show: Sequence[str] | None = None) -> Awaitable[Any]: ...


@dataclass(frozen=True)
class Connection:
    """How to reach one vendor account: everything the HTTP layer needs, nothing vendor-shaped."""

    base_url: str
    # Not in repr: headers and params carry credentials, and a repr ends up in logs.
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    params: Mapping[str, str] = field(default_factory=dict, repr=False)
    """Query parameters sent on every request (Locaboo's key travels this way)."""
    secrets: tuple[str, ...] = field(default=(), repr=False)
    """Values that must never appear in a log line, an error or a result."""


@dataclass(frozen=True)
class SandboxSpec:
    base_url: str
    env: Mapping[str, str]
    """The credentials the simulator accepts, under the real variable names."""
    create_app: Callable[[], ASGIApp]


@dataclass(frozen=True)
class VendorSpec:
    name: str
    """Toolset name, as used in AGENDA_MCP_TOOLSETS (`planaday`)."""
    title: str
    """How people write the vendor's name (`Planaday`); tool descriptions start with it."""
    package: str
    """The vendor's package (`agenda_mcp.tools.planaday`)."""
    credential_env: tuple[str, ...]
    """Variables that must all be set for the vendor to be enabled outside sandbox mode."""
    base_url_env: str
    """The variable that overrides the base URL; honoured exactly."""

    def configured(self, env: Mapping[str, str]) -> bool:
        return not self.missing(env)

    def missing(self, env: Mapping[str, str]) -> list[str]:
        return [name for name in self.credential_env if not env.get(name, "").strip()]

    def connection(self, env: Mapping[str, str]) -> Connection:
        return self.client().connection(env)

    def describe_error(self) -> Callable[[httpx2.Response], ErrorDetail] | None:
        describe: Callable[[httpx2.Response], ErrorDetail] | None = getattr(self.client(), "describe_error", None)
        return describe

    def client(self) -> ClientModule:
        return cast(ClientModule, checked(self._module("client"), ClientModule))

    def register(self, toolkit: Toolkit) -> None:
        cast(ToolsModule, checked(self._module("tools"), ToolsModule)).register(toolkit)

    def sandbox(self) -> SandboxSpec:
        module = cast(SandboxModule, checked(self._module("sandbox"), SandboxModule))
        return SandboxSpec(base_url=module.SANDBOX_BASE_URL, env=module.SANDBOX_ENV, create_app=module.create_app)

    def demo(self) -> Callable[[DemoStep], Awaitable[None]]:
        return cast(DemoModule, checked(self._module("demo"), DemoModule)).run

    def prompts(self, registered: Collection[str]) -> list[Prompt]:
        """The vendor's prompts whose tools are all among `registered`."""
        workflows = cast(PromptsModule, checked(self._module("prompts"), PromptsModule)).PROMPTS
        return [workflow.prompt for workflow in workflows if workflow.usable(registered)]

    def slots(self) -> SlotsModule | None:
        """The vendor's slots module (server/kit/slots.py), or None when it offers no availability."""
        try:
            module = self._module("slots")
        except VendorContractError:
            return None
        return cast(SlotsModule, checked(module, SlotsModule))

    def _module(self, part: str) -> ModuleType:
        try:
            return importlib.import_module(f"{self.package}.{part}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{self.package}.{part}":
                raise  # the module exists but imports something missing: a real bug
            raise VendorContractError(
                f"{self.package} has no {part} module (see agenda_mcp.server.kit.contract)"
            ) from None
