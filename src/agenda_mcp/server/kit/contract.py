"""The small interface every vendor package offers to the server core.

`server/` never knows a vendor's paths or fields. A vendor package `tools/<name>/` declares a
`VENDOR = VendorSpec(...)` in its `__init__.py` and, by convention, has these modules, imported
only when the vendor is enabled:

- `client.py`:  `connection(env) -> Connection`, and optionally `describe_error(response)`
- `tools.py`:   `register(toolkit)`
- `sandbox.py`: `SANDBOX_BASE_URL`, `SANDBOX_ENV`, `create_app()`
- `demo.py`:    `async run(step)` (optional), the vendor's part of `agenda-mcp demo`
- `prompts.py`: `PROMPTS: list[server.prompts.Workflow]` (optional), prompts for the common jobs
- `slots.py`:   `find`, `book`, `reference`, `COMPLETES` (optional), the vendor's part of find_slots
  and book_slot (see server/kit/slots.py); a vendor without availability has none
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import httpx2
    from mcp.server.mcpserver.prompts import Prompt
    from starlette.types import ASGIApp

    from agenda_mcp.server.kit.http import ErrorDetail
    from agenda_mcp.server.kit.prompts import Workflow
    from agenda_mcp.server.kit.toolkit import Toolkit


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
        connection: Connection = self._module("client").connection(env)
        return connection

    def describe_error(self) -> Callable[[httpx2.Response], ErrorDetail] | None:
        return getattr(self._module("client"), "describe_error", None)

    def register(self, toolkit: Toolkit) -> None:
        self._module("tools").register(toolkit)

    def sandbox(self) -> SandboxSpec:
        module = self._module("sandbox")
        return SandboxSpec(base_url=module.SANDBOX_BASE_URL, env=module.SANDBOX_ENV, create_app=module.create_app)

    def demo(self) -> Callable[[DemoStep], Awaitable[None]] | None:
        try:
            module = self._module("demo")
        except ModuleNotFoundError:
            return None
        run: Callable[[DemoStep], Awaitable[None]] = module.run
        return run

    def prompts(self, registered: Collection[str]) -> list[Prompt]:
        """The vendor's prompts whose tools are all among `registered` ([] without a prompts.py)."""
        try:
            module = self._module("prompts")
        except ModuleNotFoundError as exc:
            if exc.name != f"{self.package}.prompts":
                raise  # prompts.py exists but imports something missing: a real bug
            return []
        workflows: Sequence[Workflow] = module.PROMPTS
        return [workflow.prompt for workflow in workflows if workflow.usable(registered)]

    def slots(self) -> Any | None:
        """The vendor's slots module (server/kit/slots.py), or None when it offers no availability."""
        try:
            return self._module("slots")
        except ModuleNotFoundError as exc:
            if exc.name != f"{self.package}.slots":
                raise  # slots.py exists but imports something missing: a real bug
            return None

    def _module(self, part: str) -> Any:
        return importlib.import_module(f"{self.package}.{part}")
