"""Rate limiting tool calls per vendor (the MCP spec asks servers to), as a token bucket.

Over the limit a call waits up to a bounded time for a token, then fails with a clear message,
so a runaway loop in the assistant cannot hammer a vendor account.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import anyio
from mcp.server.mcpserver.exceptions import ToolError

MAX_WAIT_SECONDS = 5.0
# An assistant fans out (fifty look-ups at once is normal); a loop that keeps going is not.
BURST_FACTOR = 3


class TokenBucket:
    def __init__(self, rate: float, burst: float | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.capacity = burst if burst is not None else max(1.0, rate * BURST_FACTOR)
        self._tokens = self.capacity
        self._clock = clock
        self._updated = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + max(0.0, now - self._updated) * self.rate)
        self._updated = now

    def try_take(self) -> float:
        """Take a token and return 0, or return the seconds until one is free."""
        self._refill()
        if self._tokens >= 1:
            self._tokens -= 1
            return 0.0
        return (1 - self._tokens) / self.rate

    async def take(self, who: str, max_wait: float = MAX_WAIT_SECONDS) -> None:
        waited = 0.0
        while (wait := self.try_take()) > 0:
            if waited + wait > max_wait:
                raise ToolError(
                    f"Too many {who} calls: at most {self.rate:g} per second. Wait a moment, and "
                    "combine requests where you can (a longer page, a wider date range)."
                )
            await anyio.sleep(wait)
            waited += wait
