"""What a guard raises: a refusal (nothing was sent) or a write whose outcome is unknown. The audit
log records the outcome from the exception itself, never by reading its English."""

from __future__ import annotations

from typing import Literal

from mcp.server.mcpserver.exceptions import ToolError

Reason = Literal["scope", "duplicate", "shared-state", "consent", "rate-limit"]


class Refused(ToolError):
    """Nothing was sent: a guard refused the call before it reached the vendor."""

    def __init__(self, message: str, reason: Reason) -> None:
        super().__init__(message)
        self.reason: Reason = reason


class UncertainWrite(ToolError):
    """A write that may or may not have reached the vendor. `verify_with` names the tool that shows
    whether it happened; the duplicate guard refuses an identical repeat for a while."""

    def __init__(self, message: str, verify_with: str | None = None) -> None:
        super().__init__(message)
        self.verify_with = verify_with
