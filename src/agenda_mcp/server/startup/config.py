"""Typed settings from the environment (and CLI flags, which override it).

The variable names are a public interface (see DESIGN.md); vendor credentials are not parsed
here: each vendor package reads its own variables from `Settings.env`.
"""

from __future__ import annotations

import ipaddress
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, cast, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
ConfirmMode = Literal["auto", "always", "never"]
Locale = Literal["en", "nl", "de"]
"""The languages the person is asked in (AGENDA_MCP_LOCALE; server/kit/wording.py holds the words)."""
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ConfigError(ValueError):
    """A setting has a value we cannot use; the message is one line meant for a person."""


@dataclass(frozen=True)
class Settings:
    sandbox: bool = False
    read_only: bool = False
    toolsets: tuple[str, ...] | None = None
    timezone: str = "Europe/Amsterdam"
    log_level: LogLevel = "INFO"
    # Seconds between read retries grow from this base; tests set 0 to stay fast.
    retry_backoff: float = 0.5
    http_timeout: float = 20.0
    """Seconds one vendor request may take in all (connect, send, wait, read) before it is given up."""
    sandbox_latency_ms: int = 0
    confirm: ConfirmMode = "auto"
    """Ask the person before destructive calls: when the client can (auto), always, or never."""
    locale: Locale = "en"
    """AGENDA_MCP_LOCALE: the language of the questions the person is asked (en, nl, de)."""
    dedup_seconds: float = 120.0
    """An identical create call within this window returns the first result instead of writing again."""
    rate_limit: float = 20.0
    """Tool calls per second per vendor (a token bucket allowing bursts of three times this)."""
    max_result_kb: int = 64
    listing_cache: str | None = None
    """Folder where tool lists are kept between starts (server/startup/listing_cache.py); None: build every start."""
    attachments_dir: str | None = None
    """AGENDA_MCP_ATTACHMENTS_DIR: the one folder local files may be sent from (stdio only)."""
    transport: Literal["stdio", "http"] = "stdio"
    """How the server is reached; over HTTP no tool reads a local file (server/guards/attachments.py)."""
    env: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def with_overrides(self, **changes: Any) -> Settings:
        """Apply CLI flags; `None` means the flag was not given."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        env = dict(os.environ if env is None else env)
        settings = cls(
            sandbox=_flag(env, "AGENDA_MCP_SANDBOX"),
            read_only=_flag(env, "AGENDA_MCP_READ_ONLY"),
            toolsets=parse_toolsets(env.get("AGENDA_MCP_TOOLSETS", "")),
            # An empty value means unset, like everywhere else here: hosts such as Claude Desktop
            # (manifest.json) pass "" for a setting the person left blank.
            timezone=parse_timezone(env.get("AGENDA_MCP_TIMEZONE", "").strip() or "Europe/Amsterdam"),
            log_level=parse_log_level(env.get("AGENDA_MCP_LOG_LEVEL", "").strip() or "INFO"),
            sandbox_latency_ms=_int(env, "AGENDA_MCP_SANDBOX_LATENCY_MS", 0, 0, 60_000),
            http_timeout=_int(env, "AGENDA_MCP_HTTP_TIMEOUT", 20, 1, 300),
            confirm=cast(ConfirmMode, _choice(env, "AGENDA_MCP_CONFIRM", get_args(ConfirmMode), "auto")),
            locale=cast(Locale, _choice(env, "AGENDA_MCP_LOCALE", get_args(Locale), "en")),
            dedup_seconds=_int(env, "AGENDA_MCP_DEDUP_SECONDS", 120, 0, 86_400),
            rate_limit=_int(env, "AGENDA_MCP_RATE_LIMIT", 20, 1, 10_000),
            max_result_kb=_int(env, "AGENDA_MCP_MAX_RESULT_KB", 64, 4, 10_240),
            listing_cache=cache_directory(env),
            attachments_dir=env.get("AGENDA_MCP_ATTACHMENTS_DIR", "").strip() or None,
            env=env,
        )
        return settings.with_overrides(**overrides)


def cache_directory(env: Mapping[str, str]) -> str | None:
    """AGENDA_MCP_CACHE_DIR, `off` for none, else the user's cache folder for agenda-mcp."""
    chosen = env.get("AGENDA_MCP_CACHE_DIR", "").strip()
    if chosen.lower() == "off":
        return None
    if chosen:
        return str(Path(chosen).expanduser())
    if sys.platform == "win32" and env.get("LOCALAPPDATA"):
        return str(Path(env["LOCALAPPDATA"]) / "agenda-mcp" / "Cache")
    base = env.get("XDG_CACHE_HOME", "").strip()
    if base:
        return str(Path(base) / "agenda-mcp")
    try:
        home = Path.home()
    except RuntimeError:  # no home folder (some service accounts): nothing is kept
        return None
    return str(home / ("Library/Caches" if sys.platform == "darwin" else ".cache") / "agenda-mcp")


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ConfigError(f"{name} must be 1 or 0 (got {env[name]!r})")


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    raw = env.get(name, "").strip().lower() or default
    if raw not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)} (got {env[name]!r})")
    return raw


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number (got {raw!r})") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high} (got {value})")
    return value


def parse_toolsets(raw: str) -> tuple[str, ...] | None:
    """The names only; which vendors exist is the registry's to say (server/startup/registry.py
    check_toolsets), so the settings are parsed without knowing any vendor."""
    names = tuple(dict.fromkeys(n.strip().lower() for n in raw.split(",") if n.strip()))
    return names or None


def parse_timezone(raw: str) -> str:
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"AGENDA_MCP_TIMEZONE: unknown time zone {raw!r} (e.g. Europe/Amsterdam)") from None
    return raw


def parse_log_level(raw: str) -> LogLevel:
    level = raw.strip().upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ConfigError(f"AGENDA_MCP_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR (got {raw!r})")
    return cast(LogLevel, level)  # checked against the same names just above


# -- serving over HTTP (`--transport http`) --------------------------------------------------

# RFC 6750 b64token: what may follow "Bearer " in an Authorization header.
_TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]{16,}=*")
_HOST = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(:[0-9]{1,5})?")


@dataclass(frozen=True)
class HttpSettings:
    """How `agenda-mcp --transport http` serves: where it binds, who may call, whether it keeps sessions."""

    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = field(default=None, repr=False)
    """AGENDA_MCP_HTTP_TOKEN: every MCP request must carry `Authorization: Bearer <token>`."""
    allowed_hosts: tuple[str, ...] = ()
    """AGENDA_MCP_ALLOWED_HOSTS: public host names accepted in the Host header, besides loopback."""
    stateless: bool = False
    """AGENDA_MCP_STATELESS / --stateless: no sessions, so any replica can answer any request."""
    sessions_per_client: int = 100
    """AGENDA_MCP_SESSIONS_PER_CLIENT: open sessions one client (address + verified principal) may hold."""
    sessions_per_address: int | None = None
    """AGENDA_MCP_SESSIONS_PER_ADDRESS: open sessions all clients at one address may hold together;
    None: four times sessions_per_client."""
    session_idle_seconds: int = 600
    """AGENDA_MCP_SESSION_IDLE_SECONDS: a session unused this long is closed."""
    auth_issuer: str | None = None
    """AGENDA_MCP_AUTH_ISSUER: accept JWT access tokens of this OAuth issuer (server/team/oauth.py)."""
    auth_audience: str | None = None
    """AGENDA_MCP_AUTH_AUDIENCE: the `aud` tokens must carry; default the public /mcp URL."""
    auth_jwks_url: str | None = None
    """AGENDA_MCP_AUTH_JWKS_URL: the issuer's keys, when its metadata does not name them."""

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> HttpSettings:
        env = dict(os.environ if env is None else env)
        settings = cls(
            token=parse_http_token(env.get("AGENDA_MCP_HTTP_TOKEN", "")),
            allowed_hosts=parse_allowed_hosts(env.get("AGENDA_MCP_ALLOWED_HOSTS", "")),
            stateless=_flag(env, "AGENDA_MCP_STATELESS"),
            sessions_per_client=_int(env, "AGENDA_MCP_SESSIONS_PER_CLIENT", 100, 1, 10_000),
            sessions_per_address=_int(env, "AGENDA_MCP_SESSIONS_PER_ADDRESS", 0, 1, 40_000) or None,
            session_idle_seconds=_int(env, "AGENDA_MCP_SESSION_IDLE_SECONDS", 600, 10, 86_400),
            auth_issuer=_url(env, "AGENDA_MCP_AUTH_ISSUER"),
            auth_audience=env.get("AGENDA_MCP_AUTH_AUDIENCE", "").strip() or None,
            auth_jwks_url=_url(env, "AGENDA_MCP_AUTH_JWKS_URL"),
        )
        settings = replace(settings, **{k: v for k, v in overrides.items() if v is not None})
        settings.check()
        return settings

    def check(self) -> None:
        if not 1 <= self.port <= 65535:
            raise ConfigError(f"--port must be between 1 and 65535 (got {self.port})")
        if self.loopback:
            return
        # Off loopback anyone who reaches the address could drive the vendor accounts.
        if self.token is None and self.auth_issuer is None:
            raise ConfigError(
                f"refusing to serve on {self.host} without AGENDA_MCP_HTTP_TOKEN or AGENDA_MCP_AUTH_ISSUER: anyone "
                "who can reach it could use your vendor accounts (set one, or keep --host 127.0.0.1)"
            )
        if not self.allowed_hosts:
            raise ConfigError(
                f"serving on {self.host} needs AGENDA_MCP_ALLOWED_HOSTS, the host names clients use "
                "(e.g. agenda.example.com): DNS rebinding protection refuses any other Host header"
            )


def is_loopback(host: str) -> bool:
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _url(env: Mapping[str, str], name: str) -> str | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", raw):
        raise ConfigError(f"{name} must be an http(s) URL without query, e.g. https://sso.example.com/realms/team")
    if raw.startswith("http://") and not is_loopback(raw.split("/")[2].rsplit(":", 1)[0]):
        # Keys fetched over plain HTTP could be swapped on the way: anyone could mint tokens.
        raise ConfigError(f"{name} must use https (plain http only for a loopback issuer in tests)")
    return raw


def parse_http_token(raw: str) -> str | None:
    token = raw.strip()
    if not token:
        return None
    if not _TOKEN.fullmatch(token):
        # Never echo the value: it is a credential.
        raise ConfigError(
            "AGENDA_MCP_HTTP_TOKEN must be at least 16 characters of A-Z a-z 0-9 - . _ ~ + / "
            "(e.g. the output of `openssl rand -hex 32`)"
        )
    return token


def parse_allowed_hosts(raw: str) -> tuple[str, ...]:
    hosts = tuple(dict.fromkeys(h.strip().lower() for h in raw.split(",") if h.strip()))
    for host in hosts:
        if not _HOST.fullmatch(host):
            raise ConfigError(
                f"AGENDA_MCP_ALLOWED_HOSTS: {host!r} is not a host name "
                "(give names like agenda.example.com or agenda.example.com:8443, without scheme or path)"
            )
    return hosts
