"""What every vendor simulator shares: serving it in-process, with optional injected latency.

The vendor sandboxes themselves live in their packages; this wrapper adds behaviour that is the
same for all of them, so no vendor writes it again.
"""

from __future__ import annotations

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send


class SandboxLatency:
    """Delays every HTTP answer by a fixed time, to make a simulator feel like a remote API
    (AGENDA_MCP_SANDBOX_LATENCY_MS; the benchmark uses it to show calls overlap)."""

    def __init__(self, app: ASGIApp, latency_ms: int) -> None:
        self.app = app
        self.delay = latency_ms / 1000

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.delay:
            await anyio.sleep(self.delay)
        await self.app(scope, receive, send)
