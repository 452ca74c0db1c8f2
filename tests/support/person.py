"""A person answering agenda-mcp's consent question: an MCP elicitation callback."""

from __future__ import annotations

from typing import Any, Literal

import mcp_types


class Person:
    """Answers every question with `action` (accept means yes) and remembers each question it was asked."""

    def __init__(self, action: Literal["accept", "decline", "cancel"] = "accept") -> None:
        self.action = action
        self.asked: list[str] = []

    async def __call__(self, context: Any, params: Any) -> mcp_types.ElicitResult:
        self.asked.append(params.message)
        content = {"confirm": True} if self.action == "accept" else None
        return mcp_types.ElicitResult(action=self.action, content=content)
