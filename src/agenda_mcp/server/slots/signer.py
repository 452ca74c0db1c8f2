"""The slot token: everything book_slot needs to book exactly what find_slots offered, signed so a
model cannot edit it into another booking."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError

_WALL = "%Y%m%d%H%M%z"


@dataclass(frozen=True)
class Token:
    """An opened slot token: the vendor, the start on its wall clock with the offset, the length,
    and the vendor's own ids (`ref`, opaque to the server)."""

    vendor: str
    start: datetime
    minutes: int
    ref: dict[str, int | None]

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.minutes)


class SlotSigner:
    """`locaboo:202612101800+0100:120:m120:p:MAC`: the vendor, the start on its wall clock with
    the offset, the length in minutes, the vendor's ids (one letter, a whole number or nothing
    each), and an HMAC that makes any change to them (another time, resource or course) fail
    book_slot. Short, because a model reads every token of every slot it is shown."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def sign(self, vendor: str, start: datetime, minutes: int, ref: dict[str, Any]) -> str:
        ids = (f"{k}{'' if v is None else int(v)}" for k, v in ref.items())
        body = ":".join([vendor, start.strftime(_WALL), str(minutes), *ids])
        return f"{body}:{self._mac(body)}"

    def open(self, token: str) -> Token:
        body, _, mac = token.strip().rpartition(":")
        if not body or not hmac.compare_digest(mac, self._mac(body)):
            raise ToolError(
                "book_slot: that slot token is not one find_slots gave (or it was changed, or the server "
                "restarted); call find_slots again and pass a slot's token exactly as it is."
            )
        try:
            vendor, start, minutes, *ref = body.split(":")
            refs = {part[0]: int(part[1:]) if part[1:] else None for part in ref}
            return Token(vendor, datetime.strptime(start, _WALL), int(minutes), refs)
        except ValueError:  # signed by us, so only a token of an older format gets here
            raise ToolError("book_slot: that slot token is out of date; call find_slots again.") from None

    def _mac(self, body: str) -> str:
        # 72 bits: far beyond guessing through a tool call, and 12 characters instead of 44.
        digest = hmac.new(self._key, body.encode(), hashlib.sha256).digest()[:9]
        return base64.urlsafe_b64encode(digest).decode()


def same_ref(a: dict[str, Any], b: dict[str, int | None]) -> bool:
    """Whether a vendor's ref names the same thing as a token's (ids compare as the token spells them)."""
    return {k: None if v is None else int(v) for k, v in a.items()} == b
