"""Keeping credentials out of logs, errors and results.

Every credential the server uses is registered here once, when its vendor connection is built.
`redact()` scrubs a text; `RedactingFilter` scrubs log records in place, so a record is clean
for every handler that sees it (including pytest's log capture), not only for ours.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

_MASK = "***"
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None
# Query parameters that carry credentials at some vendor; masked in any URL we print even when
# the value was never registered (say, a key typed into a base URL by hand).
_SECRET_PARAMS = re.compile(r"(?i)\b(api_secret_key|api_key|api_signature|token|access_token)=([^&\s\"']+)")


def register_secrets(values: Iterable[str]) -> None:
    global _pattern
    # Very short values would mask innocent text everywhere; real credentials are long.
    new = {v for v in values if v and len(v) >= 6} - _secrets
    if not new:
        return
    _secrets.update(new)
    alternatives = sorted(_secrets, key=len, reverse=True)
    _pattern = re.compile("|".join(re.escape(s) for s in alternatives))


def redact(text: str) -> str:
    if _pattern is not None:
        text = _pattern.sub(_MASK, text)
    return _SECRET_PARAMS.sub(lambda m: f"{m.group(1)}={_MASK}", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_filter = RedactingFilter()
# Loggers that may print request URLs: the HTTP stack's own and ours.
_WATCHED_LOGGERS = ("httpx2", "httpcore", "httpcore2", "agenda_mcp", "mcp", "uvicorn.access", "uvicorn.error")


def install_log_redaction(handlers: Iterable[logging.Handler] = ()) -> None:
    """Attach the filter to the loggers that see URLs and to the given handlers; idempotent."""
    for name in _WATCHED_LOGGERS:
        logger = logging.getLogger(name)
        if _filter not in logger.filters:
            logger.addFilter(_filter)
    for handler in handlers:
        if _filter not in handler.filters:
            handler.addFilter(_filter)


def get_logger(name: str) -> logging.Logger:
    """A project logger whose records are redacted at the source (logger filters do not
    apply to records from child loggers, so every logger we log through gets its own)."""
    logger = logging.getLogger(name)
    if _filter not in logger.filters:
        logger.addFilter(_filter)
    return logger
