"""Rate limiting the requests sent to each vendor (the MCP spec asks servers to limit), as a token bucket.

A token is taken for every vendor request, retries included (server/kit/http.py), not per tool
call: a call that fans out (find_slots) or pages (`all_pages`) waits for the budget request by
request. Over the limit a request waits up to a bounded time for a token, then the call fails with
a clear message and nothing more is sent, so a runaway loop cannot hammer a vendor account.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import anyio

from agenda_mcp.server.guards.errors import Refused
from agenda_mcp.server.guards.redaction import get_logger
from agenda_mcp.server.team.shared_state import Budget, SharedStateDown

log = get_logger("agenda_mcp.ratelimit")

MAX_WAIT_SECONDS = 5.0
# An assistant fans out (fifty look-ups at once is normal); a loop that keeps going is not.
BURST_FACTOR = 3
# While the shared budget is unreachable, try it again this often rather than on every call.
RETRY_SHARED_SECONDS = 1.0


class TokenBucket:
    """The budget in this process; with `shared` (server/team/shared_state.py, Redis) one budget for
    every replica under `name`, and this process's own bucket only while Redis is unreachable."""

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        *,
        shared: Budget | None = None,
        name: str = "",
    ) -> None:
        self.rate = rate
        self.capacity = burst if burst is not None else max(1.0, rate * BURST_FACTOR)
        self._tokens = self.capacity
        self._clock = clock
        self._updated = clock()
        self._shared = shared
        self._name = name
        self._shared_down = False
        self._down_since = 0.0

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

    async def _wait(self) -> float:
        if self._shared is None:
            return self.try_take()
        if self._shared_down and self._clock() - self._down_since < RETRY_SHARED_SECONDS:
            return self.try_take()  # not a connection attempt per call while Redis is away
        try:
            wait = await self._shared.take(self._name, self.rate, self.capacity)
        except SharedStateDown as exc:
            # Reads go on without Redis; pacing this process alone is the best it can do.
            if not self._shared_down:
                log.warning("rate budget %s: %s; pacing this process alone until it is back", self._name, exc)
            self._shared_down = True
            self._down_since = self._clock()
            return self.try_take()
        if self._shared_down:
            log.warning("rate budget %s: shared again", self._name)
            self._shared_down = False
        return wait

    async def take(self, who: str, max_wait: float = MAX_WAIT_SECONDS) -> None:
        waited = 0.0
        while (wait := await self._wait()) > 0:
            if waited + wait > max_wait:
                raise Refused(
                    f"Too many {who} requests: agenda-mcp sends at most {self.rate:g} per second, so the rest of this "
                    "call was not sent. Wait a moment, and combine requests where you can (a longer page, a wider "
                    "date range).",
                    "rate-limit",
                )
            await anyio.sleep(wait)
            waited += wait
