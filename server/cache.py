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

from server.config import ConfigError

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

    def __init__(self, fetch: Callable[[], Awaitable[T]], seconds: float) -> None:
        self._fetch = fetch
        self._seconds = seconds
        self._lock = anyio.Lock()
        self._value: T | None = None
        self._expires: float | None = None

    async def __call__(self) -> T:
        if self._seconds <= 0:
            return await self._fetch()
        async with self._lock:
            if self._expires is None or clock() >= self._expires:
                self._value = await self._fetch()
                self._expires = clock() + self._seconds
            return self._value  # type: ignore[return-value]  # set above whenever _expires is
