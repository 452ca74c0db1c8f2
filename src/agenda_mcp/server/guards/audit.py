"""Who did what: one JSON line per write, and per refusal of one, to AGENDA_MCP_AUDIT_LOG.

A team server books on shared vendor accounts, so "who booked this?" must have an answer that
does not depend on the vendor. Each line holds the time, the caller (the access token's `sub`,
`static-token` for the shared token, `local` for stdio or an unprotected loopback server), the
tool, the vendor, the ids the call named or got back, and the outcome:

- `done`: the vendor made the change;
- `repeated`: an identical call within the window; the first result was returned, nothing sent;
- `uncertain`: it may or may not have happened (timeout, lost connection, unreadable answer);
- `refused`: not made, with `reason`: `scope` (the token lacks agenda:write), `duplicate`
  (an identical uncertain write is being checked), `shared-state` (Redis unreachable),
  `consent`, `rate-limit`, `vendor` (the vendor or the arguments said no, or book_slot found
  its slot taken);
- `failed`: agenda-mcp failed unexpectedly (the log has the reference).

Ids only: argument and result fields named `id` or ending in `_id`/`_ids`, as numbers or short
tokens. Never names, e-mail addresses, notes or a credential.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any, Literal

import pydantic
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.mcpserver.exceptions import ToolError
from pydantic_core import PydanticSerializationError

from agenda_mcp.server.guards.errors import Refused, UncertainWrite

AUDIT_ENV = "AGENDA_MCP_AUDIT_LOG"
READ_SCOPE = "agenda:read"
WRITE_SCOPE = "agenda:write"
STATIC_SUBJECT = "static-token"

Outcome = Literal["done", "repeated", "uncertain", "refused", "failed"]
_ID_NAME = re.compile(r"(^|_)ids?$")
# An id is a number or a short token; anything longer or with spaces may be a person's data.
_ID_VALUE = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_lock = threading.Lock()
_files: dict[str, IO[str]] = {}


@dataclass(frozen=True)
class Caller:
    subject: str
    scopes: frozenset[str]

    @property
    def may_write(self) -> bool:
        return WRITE_SCOPE in self.scopes


def caller() -> Caller:
    """Who is calling: from the access token the HTTP transport verified, else the local user."""
    token = get_access_token()
    if token is None:
        return Caller("local", frozenset({READ_SCOPE, WRITE_SCOPE}))
    return Caller(token.subject or token.client_id, frozenset(token.scopes))


@dataclass
class Entry:
    """One write being recorded; `outcome` is set when it ends."""

    tool: str
    vendor: str
    subject: str
    ids: dict[str, Any]
    outcome: Outcome = "failed"
    reason: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def finished(self, result: Any, *, repeated: bool, made: bool = True) -> None:
        """`made` is false for an answer that says nothing was changed (book_slot finding its slot
        taken): the vendor said no, in a result rather than an error."""
        if repeated:
            self.outcome = "repeated"
        elif made:
            self.outcome = "done"
        else:
            self.outcome, self.reason = "refused", "vendor"
        self.ids.update(ids_in(_as_json(result)))


@contextmanager
def recorded(env: Mapping[str, str], tool: str, vendor: str, arguments: Mapping[str, Any]) -> Iterator[Entry]:
    """Write one line when the block ends: its outcome, or the refusal it raised."""
    entry = Entry(tool=tool, vendor=vendor, subject=caller().subject, ids=ids_in(_as_json(dict(arguments))))
    try:
        yield entry
    except UncertainWrite:
        entry.outcome = "uncertain"
        raise
    except Refused as exc:
        entry.outcome, entry.reason = "refused", exc.reason
        raise
    except ToolError:
        entry.outcome, entry.reason = "refused", "vendor"  # the vendor, or the arguments, said no
        raise
    except BaseException:
        entry.outcome = "failed"
        raise
    finally:
        write_line(env, entry)


def write_line(env: Mapping[str, str], entry: Entry) -> None:
    line: dict[str, Any] = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "subject": entry.subject,
        "tool": entry.tool,
        "vendor": entry.vendor,
        "ids": entry.ids,
        "outcome": entry.outcome,
    }
    if entry.reason:
        line["reason"] = entry.reason
    # ASCII only: U+2028/U+2029, NEL and bidi controls in a token's `sub` would otherwise split one
    # entry into several for any reader that splits lines on them, or reorder what an auditor sees.
    text = json.dumps(line, ensure_ascii=True, separators=(",", ":")) + "\n"
    path = env.get(AUDIT_ENV, "").strip()
    with _lock:  # one line at a time, from every replica and thread in this process
        out = _open(path) if path else sys.stderr
        out.write(text)
        out.flush()


def _open(path: str) -> IO[str]:
    if path not in _files:
        # Appended to, never truncated: several processes may share the file (O_APPEND lines).
        _files[path] = open(path, "a", encoding="utf-8")  # noqa: SIM115  # kept open for the process
    return _files[path]


def ids_in(data: Any) -> dict[str, Any]:
    """The id fields at the top level of a call's arguments or result (and of `data`/`booking`-
    style single nested objects), as they are: numbers or short tokens only."""
    found: dict[str, Any] = {}
    if not isinstance(data, dict):
        return found
    for key, value in data.items():
        if _ID_NAME.search(key):
            if _is_id(value):
                found[key] = value
            elif isinstance(value, list) and value and all(_is_id(v) for v in value[:50]):
                found[key] = value[:50]
            elif isinstance(value, dict):  # book_slot's `ids`: {"booking_id": ..., "customer_id": ...}
                found.update({inner: v for inner, v in value.items() if _ID_NAME.search(inner) and _is_id(v)})
        elif isinstance(value, dict):
            for inner, inner_value in value.items():
                if _ID_NAME.search(inner) and _is_id(inner_value):
                    found.setdefault(f"{key}.{inner}", inner_value)
    return found


def _is_id(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and _ID_VALUE.fullmatch(value) is not None


def _as_json(value: Any) -> Any:
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    structured = getattr(value, "structured_content", None)
    if structured is not None:
        return structured
    try:
        return pydantic.TypeAdapter(Any).dump_python(value, mode="json")
    except (PydanticSerializationError, ValueError, TypeError):  # not JSON: no ids from it
        return None
