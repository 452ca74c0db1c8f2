"""No double writes: an identical create call within a window returns the first result, and an
identical repeat of any write whose outcome was uncertain is refused.

An assistant retries and repeats itself; a second identical booking is never what the person
wanted. The key is the tool plus its arguments; a concurrent duplicate waits for the first call
and gets its result. Failed calls are not remembered, so a corrected retry goes through, except
a write that may or may not have reached the vendor (it timed out, lost its connection, or got an
answer nobody can read): its repeat within the window is refused, naming the tool that shows
whether the first attempt happened.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from mcp.server.mcpserver.exceptions import ToolError

from server.http import UncertainWrite

UNCERTAIN_WORDS = "may or may not have happened"
_CHECK_WITH = re.compile(r"check with (.{1,120}?) (?:before|whether)")


class RecentWrites:
    def __init__(self, window_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window_seconds
        self._clock = clock
        self._done: dict[str, tuple[float, Any]] = {}
        self._uncertain: dict[str, tuple[float, str | None]] = {}
        self._running: dict[str, anyio.Event] = {}

    @staticmethod
    def key(tool: str, arguments: dict[str, Any]) -> str:
        return tool + json.dumps(arguments, sort_keys=True, default=str, ensure_ascii=False)

    async def run(
        self, key: str, write: Callable[[], Awaitable[Any]], *, tool: str = "", repeat_result: bool = True
    ) -> tuple[Any, bool]:
        """The result of `write()`, and whether it is a repeat of an earlier identical call.

        `repeat_result`: an identical call returns the first one's result (creates); otherwise only
        uncertain outcomes are remembered."""
        if self.window <= 0:
            return await write(), False
        while True:
            self._forget_old()
            if key in self._uncertain:
                raise ToolError(self._refusal(key, tool))
            if repeat_result and key in self._done:
                return self._done[key][1], True
            running = self._running.get(key)
            if running is None:
                break
            await running.wait()  # then look again: done, uncertain, or failed (this one may try)
        event = self._running[key] = anyio.Event()
        try:
            result = await write()
            if repeat_result:
                self._done[key] = (self._clock(), result)
            return result, False
        except UncertainWrite as exc:
            self._uncertain[key] = (self._clock(), exc.verify_with)
            raise
        except ToolError as exc:
            # A tool that words its own uncertain outcome (rather than raising UncertainWrite) has
            # told the model the write may have happened: its repeat is just as dangerous.
            said = str(exc)
            if UNCERTAIN_WORDS in said:
                found = _CHECK_WITH.search(said)
                self._uncertain[key] = (self._clock(), found.group(1) if found else None)
            raise
        finally:
            del self._running[key]
            event.set()

    def _refusal(self, key: str, tool: str) -> str:
        at, verify_with = self._uncertain[key]
        ago = max(0, round(self._clock() - at))
        check = f"check with {verify_with}" if verify_with else "check in the vendor's system"
        return (
            f"{tool or 'this write'}: an identical call {ago} s ago may or may not have happened, so this repeat "
            f"was not sent. The first attempt may have succeeded: {check} before trying again "
            f"(identical repeats are refused for {self.window:g} s)."
        )

    def _forget_old(self) -> None:
        cutoff = self._clock() - self.window
        for store in (self._done, self._uncertain):
            for key in [k for k, (at, _) in store.items() if at < cutoff]:
                del store[key]
