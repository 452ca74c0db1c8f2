"""Assembling the MCP server from the enabled vendors.

A vendor is enabled when its credentials are set, or for every vendor in sandbox mode;
`toolsets` narrows the set; read-only mode (applied by the toolkit) wins over everything.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import anyio
import httpx2
from mcp.server.auth.provider import TokenVerifier
from mcp.server.auth.settings import AuthSettings
from mcp.server.context import CallNext, HandlerResult
from mcp.server.mcpserver import MCPServer, RequestStateSecurity
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp.server.mcpserver.resources import Resource
from mcp.server.mcpserver.tools import Tool
from starlette.types import ASGIApp

from agenda_mcp import __version__
from agenda_mcp.server.calendars.service import CalendarService, calendar_service
from agenda_mcp.server.guards.cache import cache_hints
from agenda_mcp.server.guards.redaction import get_logger
from agenda_mcp.server.kit.contract import VendorSpec
from agenda_mcp.server.kit.http import VendorHTTP
from agenda_mcp.server.kit.toolkit import Toolkit
from agenda_mcp.server.slots.picker import app_extension
from agenda_mcp.server.slots.service import SlotService, slot_vendors
from agenda_mcp.server.slots.tools import register as register_slots
from agenda_mcp.server.slots.tools import tools as slot_tools
from agenda_mcp.server.startup import heap
from agenda_mcp.server.startup.config import Settings
from agenda_mcp.server.startup.listing import DeferredResource, DeferredTool, resource_entry, tool_entry
from agenda_mcp.server.startup.listing_cache import ListingCache, Listings
from agenda_mcp.server.startup.registry import VENDOR_NAMES, check_toolsets, load_vendor
from agenda_mcp.server.team.keys import derived_key
from agenda_mcp.server.transport.errors import protocol_errors
from agenda_mcp.server.transport.sandbox import InProcessTransport, SandboxFaults, SandboxLatency

log = get_logger("agenda_mcp.app")


@dataclass
class VendorRuntime:
    spec: VendorSpec
    http: VendorHTTP
    toolkit: Toolkit
    sandbox_app: ASGIApp | None = None
    """The simulator behind this vendor in sandbox mode (its `state.sandbox` is the test hook)."""
    faults: SandboxFaults | None = None
    """Switchable vendor failures in front of the simulator (sandbox mode only)."""


class AgendaServer:
    """The assembled server plus what tests and the demo may look at.

    A vendor's runtime (HTTP client, simulator, tools) is built when the server is assembled,
    or, when its tools were listed from the cache, the first time one of them is used."""

    server: MCPServer
    """Set by build_agenda once the tools are known."""
    calendars: CalendarService | None = None
    """The person's own calendars (server/calendars/), when configured and find_slots is offered."""

    def __init__(
        self, settings: Settings, specs: list[VendorSpec], missing: dict[str, list[str]], cache: ListingCache | None
    ) -> None:
        self.settings = settings
        self.specs = {spec.name: spec for spec in specs}
        self.missing = missing
        """Vendors left out for lack of credentials, with the variables to set."""
        self.vendors: dict[str, VendorRuntime] = {}
        """The vendors built so far (and connected, while the server runs)."""
        self.cache = cache
        cached = cache.load() if cache else None
        self.cached: Listings | None = cached if cached is not None and set(cached) == set(self.specs) else None
        """The listing served instead of building, when the cache held one for this code and these settings."""
        self._lock = anyio.Lock()
        self._holders = 0
        self._open: AsyncExitStack | None = None
        self.listed = anyio.Event()
        """Set once tools/list has been answered: the cue to build the vendors in the background."""
        self.warmed = anyio.Event()
        """Set when the background build has tried every vendor."""
        self._warming = False

    def build(self, name: str) -> VendorRuntime:
        """Import the vendor and register its tools, before the server runs."""
        if name not in self.vendors:
            self.vendors[name] = _registered(self.specs[name], self.settings)
        return self.vendors[name]

    async def runtime(self, name: str) -> VendorRuntime:
        """The vendor, built and connected: what a deferred tool or resource needs before it runs."""
        if (runtime := self.vendors.get(name)) is not None:
            return runtime  # only ever added once connected (or before the server runs)
        async with self._lock:
            if (runtime := self.vendors.get(name)) is not None:
                return runtime
            # Importing a vendor and building its tools is CPU work: off the event loop, so calls
            # to vendors already built (and the listing) go on meanwhile.
            runtime = await anyio.to_thread.run_sync(_registered, self.specs[name], self.settings)
            if self._open is not None:
                await _connect(self._open, runtime)
            self.vendors[name] = runtime
            self._check_cached(runtime)
            return runtime

    async def warm(self) -> None:
        """With a kept tool list nothing is built at start; once the listing is answered, build the
        vendors one by one in the background, so the first tool call costs what later ones do. A
        failure here is only logged: the first call that needs the vendor tries again."""
        await self.listed.wait()
        for name in self.specs:
            try:
                await self.runtime(name)
            except Exception as exc:
                log.warning("building %s in the background failed (%s); the first call will retry", name, exc)
        # On the event loop (a collection holds the GIL wherever it runs), while the model reads the list.
        heap.settle()
        self.warmed.set()

    async def tool(self, vendor: str, name: str) -> Tool:
        runtime = await self.runtime(vendor)
        found = next((tool for tool in runtime.toolkit.tools if tool.name == name), None)
        if found is None:
            raise ToolError(f"{name} is not offered any more; the tool list changed, so reconnect to agenda-mcp.")
        return found

    async def resource(self, vendor: str, uri: str) -> Resource:
        runtime = await self.runtime(vendor)
        found = next((item for item in runtime.toolkit.resources if str(item.uri) == uri), None)
        if found is None:
            raise ResourceError(f"{uri} is not offered any more; the resource list changed, so reconnect.")
        return found

    @asynccontextmanager
    async def opened(self) -> AsyncIterator[dict[str, Any]]:
        """The server lifespan: vendor clients stay open while any session (or test) holds this."""
        async with self._lock:
            if self._holders == 0:
                self._open = AsyncExitStack()
                for runtime in self.vendors.values():
                    await _connect(self._open, runtime)
            self._holders += 1
        try:
            if self._warming or self.warmed.is_set() or self.cached is None:
                yield {}  # nothing to do in the background, or another session does it
            else:
                self._warming = True
                async with anyio.create_task_group() as background:
                    background.start_soon(self.warm)
                    try:
                        yield {}
                    finally:
                        background.cancel_scope.cancel()
                        self._warming = False
        finally:
            async with self._lock:
                self._holders -= 1
                if self._holders == 0 and self._open is not None:
                    stack, self._open = self._open, None
                    await stack.aclose()

    def listings(self) -> Listings:
        return {
            name: {
                "tools": [tool_entry(tool) for tool in runtime.toolkit.tools],
                "resources": [resource_entry(resource) for resource in runtime.toolkit.resources],
            }
            for name, runtime in self.vendors.items()
        }

    def _check_cached(self, runtime: VendorRuntime) -> None:
        """A listing that does not match what was built means the key missed an input: say so and
        drop the file, so the next start builds (and lists) the real thing."""
        if self.cached is None or self.cache is None:
            return
        built = json.loads(json.dumps(self.listings()[runtime.spec.name]))  # as the cache holds it
        if built != self.cached.get(runtime.spec.name):
            log.warning(
                "the cached tool list of %s was out of date; it is rebuilt at the next start", runtime.spec.title
            )
            self.cache.forget()


def build_server(
    settings: Settings, *, auth: AuthSettings | None = None, token_verifier: TokenVerifier | None = None
) -> MCPServer:
    return build_agenda(settings, auth=auth, token_verifier=token_verifier).server


def build_agenda(
    settings: Settings, *, auth: AuthSettings | None = None, token_verifier: TokenVerifier | None = None
) -> AgendaServer:
    """`auth` and `token_verifier` protect the HTTP transport (see server/transport/web.py); stdio has none.

    With `settings.listing_cache`, tools and resources are listed from the cache when it holds
    this code's and these settings' listing, and vendors are built on first use; otherwise every
    enabled vendor is built now (and the listing kept for the next start)."""
    check_toolsets(settings.toolsets)
    wanted = settings.toolsets or VENDOR_NAMES
    specs: list[VendorSpec] = []
    missing: dict[str, list[str]] = {}
    for name in wanted:
        spec = load_vendor(name)
        if settings.sandbox or spec.configured(settings.env):
            specs.append(spec)
        else:
            missing[spec.title] = spec.missing(settings.env)

    agenda = AgendaServer(settings, specs, missing, ListingCache.for_settings(settings, specs))
    tools: list[Tool] = []
    resources: list[Resource] = []
    if agenda.cached is None:
        for spec in specs:
            runtime = agenda.build(spec.name)
            tools += runtime.toolkit.tools
            resources += runtime.toolkit.resources
        if agenda.cache is not None:
            agenda.cache.save(agenda.listings())
        listings = agenda.listings()
    else:
        listings = agenda.cached
        for name, listing in listings.items():
            tools += [DeferredTool.listed(entry, vendor=name, find=agenda.tool) for entry in listing["tools"]]
            resources += [
                DeferredResource.listed(entry, vendor=name, find=agenda.resource) for entry in listing["resources"]
            ]

    # find_slots / book_slot span the vendors that have availability (server/slots/service.py).
    with_slots = slot_vendors(specs)
    # ... and, with the person's calendars (server/calendars/), only when they and the vendors are free.
    calendars = agenda.calendars = calendar_service(settings, agenda) if with_slots else None
    slot_service = SlotService(agenda, with_slots, calendars) if with_slots else None
    if slot_service is not None:
        tools += slot_tools(slot_service, read_only=settings.read_only)

    agenda.server = MCPServer(
        name="agenda-mcp",
        title="agenda-mcp",
        version=__version__,
        instructions=_instructions(settings, specs, missing),
        log_level=settings.log_level,
        lifespan=lambda _: agenda.opened(),
        cache_hints=cache_hints(settings.env),
        tools=tools,
        resources=resources,
        extensions=[app_extension()] if slot_service is not None else None,
        auth=auth,
        token_verifier=token_verifier,
        # A question asked over MCP 2026-07-28 comes back as sealed requestState, perhaps to another
        # replica: every replica configured alike seals and opens it with the same key.
        request_state_security=RequestStateSecurity(keys=[derived_key(settings, specs, "request state")]),
    )
    if slot_service is not None:
        register_slots(slot_service, agenda.server)
    _signal_listing(agenda)
    agenda.server.middleware.append(protocol_errors(agenda.server))  # spec error codes, names echoed cut
    for spec in specs:
        for prompt in spec.prompts({entry["name"] for entry in listings[spec.name]["tools"]}):
            agenda.server.add_prompt(prompt)

    if not specs:
        log.warning("no vendor is configured: %s", _how_to_configure(missing))
    for title, names in missing.items():
        if settings.toolsets:
            log.warning("%s is not enabled: set %s", title, " and ".join(names))
    if agenda.cached is None:
        heap.settle()  # everything is built, and nothing is served yet (else AgendaServer.warm does it)
    return agenda


async def _connect(stack: AsyncExitStack, runtime: VendorRuntime) -> None:
    """Open the vendor's HTTP client for as long as the server runs, and close its shared state
    (the Redis connections of a team server) with it."""
    await stack.enter_async_context(runtime.http.opened())
    stack.push_async_callback(runtime.toolkit.shared.aclose)


def _signal_listing(agenda: AgendaServer) -> None:
    """Tell the agenda when a client has its tool list (see AgendaServer.warm)."""

    async def listed(ctx: Any, call_next: CallNext) -> HandlerResult:
        result = await call_next(ctx)
        if ctx.method == "tools/list":
            agenda.listed.set()
        return result

    agenda.server.middleware.append(listed)


def _registered(spec: VendorSpec, settings: Settings) -> VendorRuntime:
    runtime = _runtime(spec, settings)
    spec.register(runtime.toolkit)
    return runtime


def _runtime(spec: VendorSpec, settings: Settings) -> VendorRuntime:
    env: Mapping[str, str] = settings.env
    transport: httpx2.AsyncBaseTransport | None = None
    sandbox_app: ASGIApp | None = None
    faults: SandboxFaults | None = None
    if settings.sandbox:
        sandbox = spec.sandbox()
        env = {**env, **sandbox.env, spec.base_url_env: sandbox.base_url}
        sandbox_app = sandbox.create_app()
        served: ASGIApp = sandbox_app
        if settings.sandbox_latency_ms:
            served = SandboxLatency(sandbox_app, settings.sandbox_latency_ms)
        faults = SandboxFaults(served)
        transport = InProcessTransport(faults)
    connection = spec.connection(env)
    http = VendorHTTP(
        title=spec.title,
        connection=connection,
        auth_hint=" and ".join(spec.credential_env),
        base_url_env=spec.base_url_env,
        transport=transport,
        backoff=settings.retry_backoff,
        timeout=settings.http_timeout,
        describe_error=spec.describe_error(),
    )
    toolkit = Toolkit(spec, http, settings)
    return VendorRuntime(spec=spec, http=http, toolkit=toolkit, sandbox_app=sandbox_app, faults=faults)


def _how_to_configure(missing: Mapping[str, list[str]]) -> str:
    parts = [f"{' and '.join(names)} for {title}" for title, names in missing.items()]
    return "set " + "; ".join(parts) + " (or start with --sandbox to try the built-in simulators)"


def _instructions(settings: Settings, specs: list[VendorSpec], missing: Mapping[str, list[str]]) -> str:
    lines: list[str] = []
    if specs:
        titles = ", ".join(spec.title for spec in specs)
        lines.append(
            f"agenda-mcp gives tools for {titles}. Dates are ISO 8601 (YYYY-MM-DD). A time with an offset "
            "or Z is converted to the vendor's zone; one without (HH:MM) is the vendor's own wall-clock time. "
            "Every moment a tool returns carries its offset; pass a returned start/end on to a booking tool "
            "as it is. Look things up before you book, and confirm bookings and cancellations with the person first."
        )
    else:
        lines.append(
            f"agenda-mcp has no vendor configured, so it offers no vendor tools: {_how_to_configure(missing)}."
        )
    if settings.sandbox:
        lines.append(
            "SANDBOX MODE: every vendor is a built-in simulator with demo data; nothing is booked for "
            'real and results say "sandbox": true where they record a change.'
        )
    if settings.read_only:
        lines.append("Read-only mode: no tool that changes data is available.")
    return "\n".join(lines)
