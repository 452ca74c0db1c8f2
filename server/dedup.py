"""No double writes: an identical create call within a window returns the first result.

An assistant retries and repeats itself; a second identical booking is never what the person
wanted. The key is the tool plus its arguments; a concurrent duplicate waits for the first call
and gets its result. Failed calls are not remembered, so a corrected retry goes through.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio


class RecentWrites:
    def __init__(self, window_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window_seconds
        self._clock = clock
        self._done: dict[str, tuple[float, Any]] = {}
        self._running: dict[str, anyio.Event] = {}

    @staticmethod
    def key(tool: str, arguments: dict[str, Any]) -> str:
        return tool + json.dumps(arguments, sort_keys=True, default=str, ensure_ascii=False)

    async def run(self, key: str, write: Callable[[], Awaitable[Any]]) -> tuple[Any, bool]:
        """The result of `write()`, and whether it is a repeat of an earlier identical call."""
        if self.window <= 0:
            return await write(), False
        while True:
            self._forget_old()
            if key in self._done:
                return self._done[key][1], True
            running = self._running.get(key)
            if running is None:
                break
            await running.wait()
            if key not in self._done:  # the first call failed: this one may try
                continue
        event = self._running[key] = anyio.Event()
        try:
            result = await write()
            self._done[key] = (self._clock(), result)
            return result, False
        finally:
            del self._running[key]
            event.set()

    def _forget_old(self) -> None:
        cutoff = self._clock() - self.window
        for key in [k for k, (at, _) in self._done.items() if at < cutoff]:
            del self._done[key]
