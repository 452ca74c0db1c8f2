"""Logging to stderr (stdout carries the MCP protocol on stdio), with credentials redacted."""

from __future__ import annotations

import logging
import sys

from agenda_mcp.server.guards.redaction import install_log_redaction


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # The HTTP stack logs every request URL at INFO; ours logs the path only, at DEBUG.
    if level != "DEBUG":
        for name in ("httpx2", "httpcore", "httpcore2"):
            logging.getLogger(name).setLevel(logging.WARNING)
    install_log_redaction([handler])
