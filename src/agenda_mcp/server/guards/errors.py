"""A guard's "no": a `ToolError` that says which guard refused, so the audit log records the reason
from the exception itself, never by reading its English."""

from __future__ import annotations

from typing import Literal

from mcp.server.mcpserver.exceptions import ToolError

Reason = Literal["scope", "duplicate", "shared-state", "consent", "rate-limit"]


class Refused(ToolError):
    """Nothing was sent: a guard refused the call before it reached the vendor."""

    def __init__(self, message: str, reason: Reason) -> None:
        super().__init__(message)
        self.reason: Reason = reason
