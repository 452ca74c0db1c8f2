"""What the attack tests share: a vendor simulator that acts and then answers with something
unreadable, and the check that an error is reasoned rather than bare."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

GARBAGE = b'{"data": [{"id": 1, "name": "Zaal'
HTML = b"<!DOCTYPE html><html><body><h1>Inloggen</h1></body></html>"


@dataclass
class ActsThenGarbles:
    """ASGI middleware in front of a simulator: every request reaches the simulator (so a write is
    really made there) and is counted; while `answer` is set, the simulator's own reply is thrown
    away and a 200 with `answer` (garbage or HTML) goes back instead."""

    app: ASGIApp
    answer: bytes | None = None
    content_type: bytes = b"application/json"
    seen: list[str] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.seen.append(f"{scope['method']} {scope['path']}")
        if self.answer is None:
            await self.app(scope, receive, send)
            return

        async def discard(message: Message) -> None:
            return None

        await self.app(scope, receive, discard)
        headers = [(b"content-type", self.content_type)]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": self.answer})


def assert_reasoned(text: str, tool: str) -> str:
    """Not the SDK's bare "Error executing tool X": a reason the model can act on, and an unexpected
    failure carries the reference the log holds its traceback under. Returns the reason."""
    bare = f"Error executing tool {tool}"
    assert text.strip() != bare, f"a bare error: {text!r}"
    reason = text.replace(bare + ": ", "", 1).strip()
    assert len(reason) >= 30, f"no reason given: {text!r}"
    if "unexpectedly" in reason:
        assert re.search(r"reference E-[0-9a-f]{4}", reason), f"an unexpected failure without a reference: {text!r}"
    return reason
