"""Assembling the MCP server from the enabled vendors.

A vendor is enabled when its credentials are set, or for every vendor in sandbox mode;
`toolsets` narrows the set; read-only mode (applied by the toolkit) wins over everything.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx2
from mcp.server.auth.provider import TokenVerifier
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import MCPServer
from starlette.types import ASGIApp

from server import __version__
from server.cache import cache_hints
from server.config import Settings
from server.http import VendorHTTP
from server.redaction import get_logger
from server.registry import VENDOR_NAMES, load_vendor
from server.sandbox import SandboxFaults, SandboxLatency
from server.toolkit import Toolkit
from server.vendor import VendorSpec

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


@dataclass
class Agenda:
    """The assembled server plus what tests and the demo may look at."""

    server: MCPServer
    settings: Settings
    vendors: dict[str, VendorRuntime] = field(default_factory=dict)
    missing: dict[str, list[str]] = field(default_factory=dict)
    """Vendors left out for lack of credentials, with the variables to set."""


def build_server(
    settings: Settings, *, auth: AuthSettings | None = None, token_verifier: TokenVerifier | None = None
) -> MCPServer:
    return build_agenda(settings, auth=auth, token_verifier=token_verifier).server


def build_agenda(
    settings: Settings, *, auth: AuthSettings | None = None, token_verifier: TokenVerifier | None = None
) -> Agenda:
    """`auth` and `token_verifier` protect the HTTP transport (see server/web.py); stdio has none."""
    wanted = settings.toolsets or VENDOR_NAMES
    specs: list[VendorSpec] = []
    missing: dict[str, list[str]] = {}
    for name in wanted:
        spec = load_vendor(name)
        if settings.sandbox or spec.configured(settings.env):
            specs.append(spec)
        else:
            missing[spec.title] = spec.missing(settings.env)

    runtimes: list[VendorRuntime] = []

    @asynccontextmanager
    async def lifespan(_: MCPServer) -> AsyncIterator[dict[str, Any]]:
        async with AsyncExitStack() as stack:
            for runtime in runtimes:
                await stack.enter_async_context(runtime.http.opened())
            yield {}

    for spec in specs:
        runtime = _runtime(spec, settings)
        spec.register(runtime.toolkit)
        runtimes.append(runtime)

    server = MCPServer(
        name="agenda-mcp",
        title="agenda-mcp",
        version=__version__,
        instructions=_instructions(settings, specs, missing),
        log_level=settings.log_level,
        lifespan=lifespan,
        cache_hints=cache_hints(settings.env),
        tools=[tool for runtime in runtimes for tool in runtime.toolkit.tools],
        resources=[resource for runtime in runtimes for resource in runtime.toolkit.resources],
        auth=auth,
        token_verifier=token_verifier,
    )
    for runtime in runtimes:
        for prompt in runtime.spec.prompts({tool.name for tool in runtime.toolkit.tools}):
            server.add_prompt(prompt)
    agenda = Agenda(
        server=server,
        settings=settings,
        vendors={runtime.spec.name: runtime for runtime in runtimes},
        missing=missing,
    )

    if not specs:
        log.warning("no vendor is configured: %s", _how_to_configure(missing))
    for title, names in missing.items():
        if settings.toolsets:
            log.warning("%s is not enabled: set %s", title, " and ".join(names))
    return agenda


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
        transport = httpx2.ASGITransport(app=faults)
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
            f"agenda-mcp gives tools for {titles}. Dates are ISO 8601 (YYYY-MM-DD), times HH:MM; "
            f"times without an offset are in {settings.timezone}. Look things up before you book, "
            "and confirm bookings and cancellations with the person first."
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
