"""The one path every tool call takes once its arguments are checked: a vendor tool's, and
book_slot's, which reaches whichever vendor its slot names.

A read: one deadline for all its vendor requests, and a vendor answer that does not fit our model
becomes a clear `ToolError`. A write, in this order:

1. an audit line, whatever happens next (server/guards/audit.py);
2. the person's yes, asked before the tool ran (server/guards/consent.py): without it, nothing;
3. the duplicate guard, shared by replicas through Redis (server/guards/dedup.py): an identical
   create returns the first result, a repeat of an uncertain write is refused, and with the shared
   store unreachable nothing is sent;
4. one deadline for all of the call's vendor requests (server/kit/http.py `call_deadline`);
5. a crash inside agenda-mcp after the request may have gone out is an uncertain write, never a
   "failed" that invites a retry;
6. once it is done, the watchers of this server's writes are told (`watch_writes`), by the write's
   key (the tool and its arguments): a cancellation that undoes something they made (the calendar
   event of a booking, server/calendars/service.py) lets them undo their part. They cannot change
   or fail the write.

The rate budget is taken per vendor request, in the HTTP layer, so a tool that fans out or pages
waits for it request by request.
"""

from __future__ import annotations

import secrets
import weakref
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import pydantic
from mcp.server.mcpserver.exceptions import ToolError

from agenda_mcp.server.guards import audit
from agenda_mcp.server.guards.consent import require_consent
from agenda_mcp.server.guards.dedup import RecentWrites
from agenda_mcp.server.guards.errors import UncertainWrite
from agenda_mcp.server.guards.redaction import get_logger
from agenda_mcp.server.kit.http import call_deadline
from agenda_mcp.server.startup.config import Settings

log = get_logger("agenda_mcp.tools")


@dataclass(frozen=True)
class Vendor:
    """What a call knows of the vendor it reaches: its toolset name (the audit log's `vendor`), how
    people write it, and its duplicate guard (this process, or Redis shared by every replica)."""

    name: str
    title: str
    writes: RecentWrites


class WriteWatcher(Protocol):
    """Told of every write of one server (its `settings`) that was done; see `watch_writes`."""

    settings: Settings

    async def write_done(self, vendor: Vendor, tool: str, key: str) -> None:
        """`key` is the write's duplicate-guard key: `RecentWrites.key(tool, arguments as JSON)`."""


_watchers: weakref.WeakSet[Any] = weakref.WeakSet()
"""Weak: a server that is gone (tests build many) stops being told without unregistering."""


def watch_writes(watcher: WriteWatcher) -> None:
    """Tell `watcher` of each write of its server (the same `settings` object) once it is done."""
    _watchers.add(watcher)


async def read(settings: Settings, vendor: Vendor, tool: str, call: Callable[[], Awaitable[Any]]) -> Any:
    with call_deadline(settings.http_timeout):
        return await answer_shape(vendor.title, tool, call)


async def write(
    settings: Settings,
    vendor: Vendor,
    tool: str,
    call: Callable[[], Awaitable[Any]],
    *,
    consent: Any,
    key: str,
    audited: Mapping[str, Any],
    create: bool,
    result_type: Any = None,
    keep: Callable[[Any], bool] | None = None,
    window: float | None = None,
) -> tuple[Any, bool]:
    """The result of `call()` and whether it repeats an earlier identical write (see the module
    docstring for the steps). `consent` is what the person answered; `key` identifies the write for
    the duplicate guard; `audited` holds the arguments whose ids the audit line names. `keep` says
    whether a result is a change made (book_slot's `booked: false` is not): only those are
    remembered by the duplicate guard and audited `done`."""
    with audit.recorded(settings.env, tool, vendor.name, audited) as entry:
        require_consent(tool, consent)
        guarded = _uncertain_on_crash(vendor.title, tool, lambda: answer_shape(vendor.title, tool, call))
        with call_deadline(settings.http_timeout):
            result, repeated = await vendor.writes.run(
                key, guarded, tool=tool, repeat_result=create, result_type=result_type, keep=keep, window=window
            )
            await _tell_watchers(settings, vendor, tool, key)
        entry.finished(result, repeated=repeated, made=keep is None or keep(result))
    if repeated:
        log.info("%s: identical call within the window; returning the first result", tool)
    return result, repeated


async def _tell_watchers(settings: Settings, vendor: Vendor, tool: str, key: str) -> None:
    """After a write is done: a watcher's failure is logged, never the write's."""
    for watcher in [w for w in _watchers if w.settings is settings]:
        try:
            await watcher.write_done(vendor, tool, key)
        except Exception as exc:
            log.warning("%s: a follow-up of the write failed (%s)", tool, what_failed(exc))


async def answer_shape(title: str, what: str, call: Callable[[], Awaitable[Any]]) -> Any:
    """`call()`, with a vendor answer that does not match our model said in words."""
    try:
        return await call()
    except pydantic.ValidationError as exc:
        # Our arguments were validated before the call, so this is the vendor's answer not
        # matching our model of it: say so instead of "Error executing tool".
        fields = ", ".join(".".join(str(p) for p in err["loc"]) for err in exc.errors()[:5])
        log.warning("%s: unexpected answer shape from %s (%s)", what, title, fields)
        raise ToolError(
            f"{title} answered {what} in a shape agenda-mcp does not understand "
            f"(fields: {fields}). Try again; if it persists, report it."
        ) from None


def _uncertain_on_crash(title: str, tool: str, call: Callable[[], Awaitable[Any]]) -> Callable[[], Awaitable[Any]]:
    """A write that crashes inside agenda-mcp (say, on an answer nested too deeply to read) may
    have reached the vendor first: it is uncertain, so the duplicate guard refuses its repeat,
    and the traceback is logged under the reference the message gives."""

    async def guarded() -> Any:
        try:
            return await call()
        except ToolError:
            raise
        except Exception as exc:
            reference = f"E-{secrets.token_hex(2)}"
            log.error("%s crashed (reference %s)", tool, reference, exc_info=exc)
            raise UncertainWrite(
                f"{tool}: agenda-mcp failed unexpectedly ({what_failed(exc)}), possibly after {title} "
                f"received the request, so it may or may not have happened. Check in {title} before "
                f"trying again; reference {reference}."
            ) from None

    return guarded


def what_failed(exc: BaseException) -> str:
    """A few words on where it broke, for the model and the person it tells."""
    if isinstance(exc, RecursionError):
        return "an answer nested too deeply to read"
    if isinstance(exc, OverflowError):
        return "a date or number out of range"
    if isinstance(exc, MemoryError):
        return "an answer too large to hold"
    return type(exc).__name__
