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

import hashlib
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio

from agenda_mcp.server.guards.errors import Refused, UncertainWrite
from agenda_mcp.server.guards.redaction import get_logger
from agenda_mcp.server.team.shared_state import MemoryWrites, Seen, SharedStateDown, WriteStore

log = get_logger("agenda_mcp.dedup")


class RecentWrites:
    """The rules of the duplicate guard; where claims and outcomes are kept is the store's business
    (server/team/shared_state.py: this process, or Redis shared by every replica)."""

    def __init__(
        self,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        store: WriteStore | None = None,
        *,
        wait_limit: float = 30.0,
    ) -> None:
        self.window = window_seconds
        self._store: WriteStore = store if store is not None else MemoryWrites(clock)
        self._wait_limit = wait_limit
        """How long a repeat waits for an identical write running elsewhere before it is refused."""

    @staticmethod
    def key(tool: str, arguments: dict[str, Any]) -> str:
        # A digest, not the arguments: they hold personal data and passwords (set_customer), and
        # the key may be kept in a shared store.
        text = json.dumps(arguments, sort_keys=True, default=str, ensure_ascii=False)
        return f"{tool}:{hashlib.sha256(text.encode()).hexdigest()}"

    async def run(
        self,
        key: str,
        write: Callable[[], Awaitable[Any]],
        *,
        tool: str = "",
        repeat_result: bool = True,
        result_type: Any = None,
        keep: Callable[[Any], bool] | None = None,
        window: float | None = None,
    ) -> tuple[Any, bool]:
        """The result of `write()`, and whether it is a repeat of an earlier identical call.

        `repeat_result`: an identical call returns the first one's result (creates); otherwise only
        uncertain outcomes are remembered. `keep` says whether a result is worth remembering (a
        booking refused because the slot was taken is not: the same call may succeed later).
        `window` replaces the guard's own for this key (book_slot remembers a booking until its
        slot has passed). `result_type` rebuilds a result kept outside this process. When the
        shared store cannot be reached, nothing is sent: the write is refused."""
        window = self.window if window is None else window
        if window <= 0:
            return await write(), False
        try:
            await self._store.remembers(self.window)
            with anyio.fail_after(self._wait_limit):
                while True:
                    seen = await self._store.claim(key, window)
                    if seen is None:
                        break
                    if seen.state == "uncertain":
                        raise Refused(self._refusal(seen, tool), "duplicate")
                    if seen.state == "done":
                        if repeat_result:
                            return self._store.load(seen.result, result_type), True
                        # Only creates keep results, and a tool is a create or not: never reached,
                        # but looking again would spin.
                        return await write(), False
                    # then look again: done, uncertain, or failed (this one may try)
                    await self._store.wait(key)
        except TimeoutError:
            raise Refused(
                f"{tool or 'this write'}: an identical call is still running (or was interrupted) on agenda-mcp, "
                "so this repeat was not sent. Check in the vendor's system whether it happened before trying again.",
                "duplicate",
            ) from None
        except SharedStateDown as exc:
            raise Refused(_store_down(tool, exc), "shared-state") from None
        try:
            result = await write()
        except UncertainWrite as exc:
            await self._settle(self._store.uncertain(key, exc.verify_with, window), tool)
            raise
        except BaseException:
            await self._settle(self._store.release(key), tool)
            raise
        if repeat_result and (keep is None or keep(result)):
            await self._settle(self._store.done(key, result, window), tool)
        else:
            await self._settle(self._store.release(key), tool)
        return result, False

    async def _settle(self, step: Awaitable[None], tool: str) -> None:
        """Record the outcome even while the call is being cancelled. If the store is gone, the
        claim stays until it expires: identical repeats are refused, never sent twice."""
        with anyio.CancelScope(shield=True):
            try:
                await step
            except SharedStateDown as exc:
                log.warning("%s: the outcome could not be recorded (%s); identical repeats stay refused", tool, exc)

    def _refusal(self, seen: Seen, tool: str) -> str:
        at, verify_with = seen.at, seen.verify_with
        ago = max(0, round(self._store.now() - at))
        check = f"check with {verify_with}" if verify_with else "check in the vendor's system"
        return (
            f"{tool or 'this write'}: an identical call {ago} s ago may or may not have happened, so this repeat "
            f"was not sent. The first attempt may have succeeded: {check} before trying again "
            f"(identical repeats are refused for {self.window:g} s)."
        )


def _store_down(tool: str, exc: SharedStateDown) -> str:
    return (
        f"{tool or 'this write'} was not sent: agenda-mcp keeps its duplicate guard in shared storage, and {exc}. "
        "Writes are refused until it is back, so nothing is booked twice; reads still work. Try again in a minute, "
        "or tell whoever runs agenda-mcp."
    )
