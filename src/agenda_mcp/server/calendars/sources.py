"""Which calendars are the person's: AGENDA_MCP_CALENDARS and the variables around it.

    AGENDA_MCP_CALENDARS="family=webcal://p34-caldav.icloud.com/published/2/…,
                          work=caldav:https://dav.example.com/remote.php/dav/calendars/anna/work/"
    AGENDA_MCP_CALENDAR_WORK_USER=anna
    AGENDA_MCP_CALENDAR_WORK_PASSWORD=<an app password>
    AGENDA_MCP_CALENDAR_WRITE=work
    AGENDA_MCP_CALENDAR_CACHE_SECONDS=60

Entries are separated by commas or newlines (a comma inside a URL is written %2C). Each is
`name=URL` or a bare URL (named `calendar`, `calendar2`, …). A URL is an iCalendar feed
(`https://`, `webcal://`), or, after `caldav:`, a CalDAV collection. A name's `_USER` and
`_PASSWORD` (name upper-cased, `-` as `_`) are its login: required for CalDAV, Basic auth for a
feed. `AGENDA_MCP_CALENDAR_WRITE` names the one CalDAV calendar bookings are added to.
`AGENDA_MCP_CALENDARS=off` turns calendars off, the sandbox's demo calendars included.

A wrong value stops the server with one line naming the variable (never its value: a calendar URL
is often a secret itself). Passwords and secret URLs are registered for masking here, before any
request is made.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from agenda_mcp.server.calendars.errors import CalendarUnavailable
from agenda_mcp.server.calendars.fetch import checked_url
from agenda_mcp.server.guards.redaction import install_log_redaction, register_secrets
from agenda_mcp.server.startup.config import ConfigError

CALENDARS_ENV = "AGENDA_MCP_CALENDARS"
WRITE_ENV = "AGENDA_MCP_CALENDAR_WRITE"
CACHE_ENV = "AGENDA_MCP_CALENDAR_CACHE_SECONDS"
DEFAULT_CACHE_SECONDS = 60
"""Long enough for the find_slots calls of one conversation, short enough to see a new appointment soon."""
MAX_CACHE_SECONDS = 3600
MAX_CALENDARS = 10
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,31}")
_CALDAV_PREFIX = "caldav:"
_SECRET_SEGMENT = 16
"""Path segments this long in a feed URL are treated as tokens and masked wherever they show."""


@dataclass(frozen=True)
class CalendarSource:
    """One of the person's calendars; `repr` shows only its name and kind."""

    name: str
    kind: Literal["ics", "caldav"]
    url: str = field(repr=False)
    user: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)

    @property
    def auth(self) -> tuple[str, str] | None:
        if self.user is None:
            return None
        return self.user, self.password or ""


@dataclass(frozen=True)
class CalendarSettings:
    sources: tuple[CalendarSource, ...]
    write: CalendarSource | None = None
    """The CalDAV calendar each booking is added to (AGENDA_MCP_CALENDAR_WRITE), if any."""
    cache_seconds: int = DEFAULT_CACHE_SECONDS
    sandbox: bool = False
    """The demo person's calendars, simulated in-process (server/calendars/sandbox.py)."""

    @property
    def names(self) -> list[str]:
        return [source.name for source in self.sources]


def login_env(name: str, part: Literal["USER", "PASSWORD"]) -> str:
    """`AGENDA_MCP_CALENDAR_<NAME>_USER` / `_PASSWORD` for the calendar `name`."""
    return f"AGENDA_MCP_CALENDAR_{name.upper().replace('-', '_')}_{part}"


def calendar_settings(env: Mapping[str, str], *, sandbox: bool) -> CalendarSettings | None:
    """The person's calendars from the environment; None when there are none.

    In sandbox mode with AGENDA_MCP_CALENDARS unset, the demo person's calendars.

    Raises:
        ConfigError: one line naming the variable and what to change.
    """
    raw = env.get(CALENDARS_ENV, "").strip()
    cache = _cache_seconds(env)
    if raw.lower() == "off" or (not raw and not sandbox):
        if env.get(WRITE_ENV, "").strip() and raw.lower() != "off":
            raise ConfigError(f"{WRITE_ENV} names a calendar, but {CALENDARS_ENV} lists none; set {CALENDARS_ENV}")
        return None
    if not raw:
        from agenda_mcp.server.calendars.sandbox import SANDBOX_SOURCES, SANDBOX_WRITE

        return CalendarSettings(SANDBOX_SOURCES, _named(SANDBOX_SOURCES, SANDBOX_WRITE), cache, sandbox=True)
    sources = tuple(_parse(raw, env))
    written = env.get(WRITE_ENV, "").strip()
    write = None
    if written:
        write = next((s for s in sources if s.name.lower() == written.lower()), None)
        if write is None:
            raise ConfigError(f"{WRITE_ENV}={written!r} is not one of the names in {CALENDARS_ENV}")
        if write.kind != "caldav":
            raise ConfigError(
                f"{WRITE_ENV}: calendar {write.name} is a feed, which cannot be written to; "
                f"name a CalDAV calendar (caldav:https://…)"
            )
    settings = CalendarSettings(sources, write, cache)
    protect(settings)
    return settings


def protect(settings: CalendarSettings) -> None:
    """Register every password and secret URL for masking in logs, errors and results."""
    secrets: list[str] = []
    for source in settings.sources:
        secrets += [source.password or ""]
        target, url_auth = checked_url(source.url)
        if url_auth is not None:
            secrets.append(url_auth[1])
        secrets += [source.url, target]
        if source.kind == "ics":
            # A feed's URL is its password: its query and its long path segments are tokens.
            parts = urlsplit(target)
            secrets.append(parts.query)
            secrets += [segment for segment in parts.path.split("/") if len(segment) >= _SECRET_SEGMENT]
    register_secrets(secret for secret in secrets if secret)
    install_log_redaction()


def _parse(raw: str, env: Mapping[str, str]) -> list[CalendarSource]:
    entries = [entry.strip() for entry in re.split(r"[,\n]", raw) if entry.strip()]
    if len(entries) > MAX_CALENDARS:
        raise ConfigError(f"{CALENDARS_ENV} lists {len(entries)} calendars; at most {MAX_CALENDARS} are read")
    sources: list[CalendarSource] = []
    for number, entry in enumerate(entries, start=1):
        name, _, value = entry.partition("=")
        if not _NAME.fullmatch(name.strip()):
            name, value = ("calendar" if number == 1 else f"calendar{number}"), entry
        name, value = name.strip(), value.strip()
        if any(s.name.lower() == name.lower() for s in sources):
            raise ConfigError(f"{CALENDARS_ENV}: the name {name!r} is used twice; give each calendar its own name")
        kind: Literal["ics", "caldav"] = "ics"
        if value.lower().startswith(_CALDAV_PREFIX):
            kind, value = "caldav", value[len(_CALDAV_PREFIX) :].strip()
        try:
            checked_url(value)
        except CalendarUnavailable as exc:
            raise ConfigError(
                f"{CALENDARS_ENV}: calendar {name}: {exc.reason} (give name=https://…, webcal://… or "
                "caldav:https://…, separated by commas or newlines; a comma inside a URL is written %2C)"
            ) from None
        user = env.get(login_env(name, "USER"), "").strip() or None
        password = env.get(login_env(name, "PASSWORD"), "") or None
        if (user is None) != (password is None):
            missing = login_env(name, "PASSWORD" if password is None else "USER")
            raise ConfigError(f"calendar {name}: set {missing} as well (a login needs both)")
        if kind == "caldav" and user is None and checked_url(value)[1] is None:
            raise ConfigError(
                f"calendar {name} is CalDAV: set {login_env(name, 'USER')} and {login_env(name, 'PASSWORD')} "
                "(an app password)"
            )
        sources.append(CalendarSource(name, kind, value, user, password))
    return sources


def _named(sources: tuple[CalendarSource, ...], name: str | None) -> CalendarSource | None:
    return next((source for source in sources if source.name == name), None)


def _cache_seconds(env: Mapping[str, str]) -> int:
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
