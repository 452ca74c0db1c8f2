"""A short-lived cache for read-only reference data (labels, appointment types, resource lists).

A model reads such a resource again and again in one conversation while the data behind it
changes rarely, so a resource answers from memory for `AGENDA_MCP_CACHE_SECONDS` (default 300;
0 turns caching off) before asking the vendor again. The same time is stated to clients as the
`resources/read` cache hint, so a client cache and ours agree on how fresh the data is.
Tools are never cached: they are how a model looks at live data.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Generic, TypeVar

import anyio
from mcp.server.caching import CacheableMethod, CacheHint

from agenda_mcp.server.guards.redaction import get_logger
from agenda_mcp.server.startup.config import ConfigError
from agenda_mcp.server.team.shared_state import SharedCache, SharedStateDown

log = get_logger("agenda_mcp.cache")

T = TypeVar("T")

CACHE_ENV = "AGENDA_MCP_CACHE_SECONDS"
DEFAULT_CACHE_SECONDS = 300
MAX_CACHE_SECONDS = 86_400

clock: Callable[[], float] = time.monotonic
"""Looked up on every read, so tests can move time without sleeping."""


def cache_seconds(env: Mapping[str, str]) -> int:
    raw = env.get(CACHE_ENV, "").strip()
    if not raw:
        return DEFAULT_CACHE_SECONDS
    try:
        seconds = int(raw)
    except ValueError:
        raise ConfigError(f"{CACHE_ENV} must be a whole number of seconds (got {raw!r})") from None
    if not 0 <= seconds <= MAX_CACHE_SECONDS:
        raise ConfigError(f"{CACHE_ENV} must be between 0 and {MAX_CACHE_SECONDS} (got {seconds})")
    return seconds


def cache_hints(env: Mapping[str, str]) -> dict[CacheableMethod, CacheHint]:
    """Every resource is reference data cached for the same time, so one server-wide hint is exact.
    Private: the data belongs to the vendor account behind this server's credentials."""
    return {"resources/read": CacheHint(ttl_ms=cache_seconds(env) * 1000, scope="private")}


class Cached(Generic[T]):
    """`fetch`, answered from memory for `seconds` after a successful call.

    Concurrent reads of a cold entry share one vendor call. Failures are not cached: the next
    read asks the vendor again."""

    def __init__(
        self,
        fetch: Callable[[], Awaitable[T]],
        seconds: float,
        *,
        shared: SharedCache | None = None,
        key: str = "",
    ) -> None:
        self._fetch = fetch
        self._seconds = seconds
        self._lock = anyio.Lock()
        self._kept: tuple[T, float] | None = None
        """The value and when it stops being fresh."""
        self._shared = shared
        """Redis shared by the replicas (server/team/shared_state.py): one vendor call per entry for all."""
        self._key = key

    async def __call__(self) -> T:
        if self._seconds <= 0:
            return await self._fetch()
        async with self._lock:
            if self._kept is None or clock() >= self._kept[1]:
                value, fresh_for = await self._load()
                self._kept = (value, clock() + fresh_for)
            return self._kept[0]

    async def _load(self) -> tuple[T, float]:
        """From the shared cache for as long as it stays fresh there, else from the vendor. Without
        Redis the vendor answers: reads go on, a little slower."""
        if self._shared is not None:
            try:
                hit = await self._shared.get(self._key)
            except SharedStateDown as exc:
                log.info("reference cache %s: %s; asking the vendor", self._key, exc)
                return await self._fetch(), self._seconds
            if hit is not None:
                return hit[0], min(hit[1], self._seconds)
        value = await self._fetch()
        if self._shared is not None:
            try:
                await self._shared.put(self._key, value, self._seconds)
            except SharedStateDown as exc:
                log.info("reference cache %s: %s; not shared this time", self._key, exc)
        return value, self._seconds
