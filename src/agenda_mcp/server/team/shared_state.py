"""State that replicas of agenda-mcp must share: the duplicate guard, the rate budget per vendor
and the reference-data cache.

One process keeps it in memory (`MemoryState`, the default). Several replicas behind a load
balancer share it through Redis or Valkey (`RedisState`, AGENDA_MCP_REDIS_URL): otherwise a
booking repeated on the other replica reaches the vendor twice, and N replicas send N times the
vendor's rate. The logic (what a repeat gets, when a write is refused) lives once, in
server/guards/dedup.py, server/guards/ratelimit.py and server/guards/cache.py; this module only stores.

Every Redis operation is one atomic command or Lua script, never read-then-write, so two
replicas cannot both claim the same write. When Redis cannot be reached, the caller decides:
a write is refused (never sent unguarded), a read goes on (local budget, vendor instead of the
cache); `SharedStateDown` carries that signal.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit, urlunsplit

import anyio
import pydantic
from mcp_types import CallToolResult, TextContent

from agenda_mcp.server.guards.redaction import get_logger, register_secrets
from agenda_mcp.server.startup.config import ConfigError

log = get_logger("agenda_mcp.shared_state")

REDIS_ENV = "AGENDA_MCP_REDIS_URL"
PREFIX = "agenda-mcp:"
"""Every key starts with this; one Redis database per deployment (the vendor accounts it serves)."""
# How often a replica looks again while another replica runs an identical write: short at first
# (a booking takes a few hundred milliseconds), then no more than ten times a second.
_POLL_FIRST, _POLL_MAX = 0.01, 0.1


class SharedStateDown(Exception):
    """The shared store could not be reached; the message names it without any password."""


@dataclass(frozen=True)
class Seen:
    """What is known about a write that another call (here or on another replica) claimed."""

    state: Literal["running", "done", "uncertain"]
    at: float = 0.0
    """When it was recorded, on the store's clock (`WriteStore.now`)."""
    result: Any = None
    """done: the first call's result (as the store keeps it; `WriteStore.load` rebuilds it)."""
    verify_with: str | None = None
    """uncertain: the tool that shows whether the first attempt happened."""


class WriteStore(Protocol):
    """Claims and outcomes of writes, by key (server/guards/dedup.py holds the rules)."""

    def now(self) -> float: ...

    async def claim(self, key: str, ttl: float) -> Seen | None:
        """Claim `key` for a write and return None, or say what is already there. Atomic."""

    async def wait(self, key: str) -> None:
        """Return when the claim on `key` may have changed (done, uncertain, released)."""

    async def done(self, key: str, result: Any, ttl: float) -> None: ...

    async def uncertain(self, key: str, verify_with: str | None, ttl: float) -> None: ...

    async def release(self, key: str) -> None:
        """Forget the claim: the write failed (or needs no memory), an identical one may go out."""

    def load(self, stored: Any, result_type: Any) -> Any:
        """The stored result as the tool returned it."""

    async def remembers(self, seconds: float) -> None:
        """Return if claims of the last `seconds` are surely kept; raise `SharedStateDown` if the store
        may have forgotten them (restarted empty), so the write is refused rather than sent twice."""


class Budget(Protocol):
    async def take(self, name: str, rate: float, capacity: float) -> float:
        """Take a token from the bucket `name` and return 0, or return the seconds until one is free."""


class SharedCache(Protocol):
    async def get(self, key: str) -> tuple[Any, float] | None:
        """The cached JSON value and the seconds it stays fresh, or None."""

    async def put(self, key: str, value: Any, seconds: float) -> None: ...

    async def pop(self, key: str) -> Any:
        """The cached JSON value, removed in the same atomic step (None when there was none)."""


@dataclass(frozen=True)
class SharedState:
    """What one agenda-mcp process uses for all its vendors; `None` parts stay in this process."""

    writes: WriteStore | None = None
    budget: Budget | None = None
    cache: SharedCache | None = None
    describe: str = "memory"

    async def aclose(self) -> None:
        if isinstance(self.writes, RedisState):
            await self.writes.aclose()


def redis_url(env: Mapping[str, str]) -> str | None:
    raw = env.get(REDIS_ENV, "").strip()
    if not raw:
        return None
    if urlsplit(raw).scheme not in ("redis", "rediss", "unix"):
        raise ConfigError(f"{REDIS_ENV} must be a redis:// or rediss:// URL (e.g. redis://redis:6379/0)")
    return raw


def shown(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" if parts.username else f":***@{host}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def from_env(env: Mapping[str, str]) -> SharedState:
    """In memory, or through Redis when AGENDA_MCP_REDIS_URL is set."""
    url = redis_url(env)
    if url is None:
        return SharedState()
    password = urlsplit(url).password
    if password:
        register_secrets([password])  # masked in every log line, should a library print the URL
    state = RedisState(url)
    return SharedState(writes=state, budget=state, cache=state, describe=f"Redis at {shown(url)}")


async def check_reachable(env: Mapping[str, str]) -> str | None:
    """At start: None when Redis answers (or is not configured), else one line saying what failed."""
    url = redis_url(env)
    if url is None:
        return None
    state = RedisState(url)
    try:
        await state.ping()
    except SharedStateDown as exc:
        return f"{exc}; start it, or unset {REDIS_ENV} to keep state in this one process"
    finally:
        await state.aclose()
    return None


# -- in memory --------------------------------------------------------------------------------


class MemoryWrites:
    """Claims and outcomes in this process; a waiter wakes when the claim ends."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._known: dict[str, tuple[float, Seen]] = {}  # key -> (expires, what is known)
        self._running: dict[str, anyio.Event] = {}

    def now(self) -> float:
        return self._clock()

    async def claim(self, key: str, ttl: float) -> Seen | None:
        now = self._clock()
        for old in [k for k, (expires, _) in self._known.items() if expires <= now]:
            del self._known[old]
        if key in self._known:
            return self._known[key][1]
        if key in self._running:
            return Seen("running")
        self._running[key] = anyio.Event()
        return None

    async def wait(self, key: str) -> None:
        event = self._running.get(key)
        if event is not None:
            await event.wait()

    async def done(self, key: str, result: Any, ttl: float) -> None:
        self._known[key] = (self._clock() + ttl, Seen("done", self._clock(), result=result))
        await self.release(key)

    async def uncertain(self, key: str, verify_with: str | None, ttl: float) -> None:
        self._known[key] = (self._clock() + ttl, Seen("uncertain", self._clock(), verify_with=verify_with))
        await self.release(key)

    async def release(self, key: str) -> None:
        event = self._running.pop(key, None)
        if event is not None:
            event.set()

    def load(self, stored: Any, result_type: Any) -> Any:
        return stored  # the very object the first call returned

    async def remembers(self, seconds: float) -> None:
        return None  # this process's memory: it forgets only by ending, and ends its calls with it


# -- Redis ------------------------------------------------------------------------------------

# A token bucket kept in one hash per vendor, refilled and taken in one atomic step on Redis's
# own clock, so replicas with skewed clocks still share one budget. Returns the wait as a
# string: Redis turns a Lua number into an integer.
_TAKE = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate * 1000) + 1000)
return tostring(wait)
"""
# Delete a claim only while it is still ours: after a slow write the key may hold another
# replica's claim.
_RELEASE = """
local value = redis.call('GET', KEYS[1])
if value and cjson.decode(value)['owner'] == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisState:
    """Writes, budget and cache in Redis (or Valkey), shared by every replica that uses it."""

    def __init__(self, url: str) -> None:
        try:  # the `team` extra: a single process does not need it
            from redis.asyncio import Redis
            from redis.asyncio.retry import Retry
            from redis.backoff import NoBackoff
        except ImportError:
            raise ConfigError(
                f"{REDIS_ENV} needs the redis client: pip install 'agenda-mcp[team]' (or uvx --with redis)"
            ) from None

        self.url = url
        # Short timeouts and one immediate retry: a call waits on Redis for a second or two at
        # most, then the write is refused or the read goes on without it.
        self._redis = Redis.from_url(
            url,
            socket_connect_timeout=1.0,
            socket_timeout=2.0,
            retry=Retry(NoBackoff(), 1),
            decode_responses=True,
        )
        self._owner = secrets.token_hex(8)
        self._claims: dict[str, str] = {}
        """Redis key -> the owner value of this replica's claim on it, for release."""
        self._take = self._redis.register_script(_TAKE)
        self._release = self._redis.register_script(_RELEASE)

    async def aclose(self) -> None:
        await self._redis.aclose()

    async def ping(self) -> None:
        await self._do(self._redis.ping())

    async def _do(self, command: Any) -> Any:
        from redis.exceptions import RedisError

        try:
            return await command
        except (RedisError, OSError) as exc:
            # The exception text can carry the URL; name the server without its password.
            raise SharedStateDown(f"cannot reach Redis at {shown(self.url)} ({type(exc).__name__})") from None

    # writes

    def now(self) -> float:
        return time.time()  # one clock for all replicas: the "ago" in a refusal is read across them

    def _key(self, key: str) -> str:
        # A hash: the key is the tool plus its arguments, which may hold a customer's name.
        return PREFIX + "write:" + hashlib.sha256(key.encode()).hexdigest()

    async def claim(self, key: str, ttl: float) -> Seen | None:
        # The running claim lives as long as the window: if this replica dies mid-write, the
        # outcome is unknown, and identical repeats stay refused rather than sent again.
        owner = f"{self._owner}:{secrets.token_hex(4)}"
        claim = json.dumps({"state": "running", "owner": owner})
        name = self._key(key)
        while True:
            if await self._do(self._redis.set(name, claim, nx=True, px=max(1, int(ttl * 1000)))):
                self._claims[name] = owner
                return None
            raw = await self._do(self._redis.get(name))
            if raw is None:
                continue  # it expired or was released between the two commands: claim again
            entry = json.loads(raw)
            if entry["state"] == "running":
                if entry.get("owner") == owner:
                    self._claims[name] = owner  # our SET went through, its answer was lost and retried
                    return None
                return Seen("running")
            return Seen(entry["state"], entry["at"], result=entry.get("result"), verify_with=entry.get("verify_with"))

    async def wait(self, key: str) -> None:
        # Another replica holds the claim; Redis has no wake-up for it, so look again shortly.
        name, delay = self._key(key), _POLL_FIRST
        while True:
            await anyio.sleep(delay)
            raw = await self._do(self._redis.get(name))
            if raw is None or json.loads(raw)["state"] != "running":
                return
            delay = min(_POLL_MAX, delay * 2)

    async def done(self, key: str, result: Any, ttl: float) -> None:
        entry = {"state": "done", "at": self.now(), "result": _dumped(result)}
        self._claims.pop(self._key(key), None)
        await self._do(self._redis.set(self._key(key), json.dumps(entry), px=max(1, int(ttl * 1000))))

    async def uncertain(self, key: str, verify_with: str | None, ttl: float) -> None:
        entry = {"state": "uncertain", "at": self.now(), "verify_with": verify_with}
        self._claims.pop(self._key(key), None)
        await self._do(self._redis.set(self._key(key), json.dumps(entry), px=max(1, int(ttl * 1000))))

    async def release(self, key: str) -> None:
        name = self._key(key)
        owner = self._claims.pop(name, None)
        if owner is not None:
            await self._do(self._release(keys=[name], args=[owner]))

    def load(self, stored: Any, result_type: Any) -> Any:
        return _loaded(stored, result_type)

    async def remembers(self, seconds: float) -> None:
        # A Redis without an append-only file that restarted within the window has lost the claims
        # of the writes just before (an RDB snapshot is minutes old): refuse until the window has
        # passed since the restart, when there is nothing left it should remember.
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.info("server")
            pipe.info("persistence")
            server, persistence = await self._do(pipe.execute())
        if int(persistence.get("aof_enabled", 0)) == 1:
            return
        uptime = int(server.get("uptime_in_seconds", 0))
        if uptime < seconds:
            raise SharedStateDown(
                f"Redis at {shown(self.url)} started {uptime} s ago without an append-only file, so it may have "
                f"forgotten writes made just before; writes wait until it has been up {seconds:g} s "
                "(or run Redis with appendonly yes)"
            )

    # budget

    async def take(self, name: str, rate: float, capacity: float) -> float:
        wait = await self._do(self._take(keys=[PREFIX + "rate:" + name], args=[rate, capacity]))
        return float(wait)

    # cache

    async def get(self, key: str) -> tuple[Any, float] | None:
        name = PREFIX + "cache:" + key
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.get(name)
            pipe.pttl(name)
            raw, ttl_ms = await self._do(pipe.execute())
        if raw is None or ttl_ms <= 0:
            return None
        return json.loads(raw), ttl_ms / 1000

    async def put(self, key: str, value: Any, seconds: float) -> None:
        text = pydantic.TypeAdapter(Any).dump_json(value).decode()
        await self._do(self._redis.set(PREFIX + "cache:" + key, text, px=max(1, int(seconds * 1000))))

    async def pop(self, key: str) -> Any:
        # GETDEL (Redis 6.2, Valkey): one replica alone gets a value that is used once (a booking's
        # calendar event, removed when the booking is cancelled).
        raw = await self._do(self._redis.getdel(PREFIX + "cache:" + key))
        return None if raw is None else json.loads(raw)


def _dumped(result: Any) -> dict[str, Any]:
    """A tool's result as JSON: the structured result the client saw (aliases, ISO moments)."""
    if isinstance(result, pydantic.BaseModel):
        return {"model": result.model_dump(mode="json", by_alias=True)}
    if isinstance(result, CallToolResult):
        return {"call": result.model_dump(mode="json", by_alias=True)}
    return {"value": pydantic.TypeAdapter(Any).dump_python(result, mode="json")}


def _loaded(stored: dict[str, Any], result_type: Any) -> Any:
    """Rebuild what `_dumped` kept: the tool's own result model when it validates again (the
    toolkit then marks it `repeated`), else the same structured result as sent the first time."""
    if "call" in stored:
        return CallToolResult.model_validate(stored["call"])
    data = stored.get("model", stored.get("value"))
    if result_type is not None and "model" in stored:
        try:
            return pydantic.TypeAdapter(result_type).validate_python(data, by_alias=True, by_name=True)
        except pydantic.ValidationError:
            log.warning("a stored result no longer matches its model; returning it as stored")
    text = json.dumps(data, ensure_ascii=False, indent=2)
    structured = data if isinstance(data, dict) else None
    if isinstance(structured, dict) and "repeated" in structured:
        structured = {**structured, "repeated": True}
        text = json.dumps(structured, ensure_ascii=False, indent=2)
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)
