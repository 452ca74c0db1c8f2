"""Keeping credentials out of logs, errors and results.

Two kinds of secret, kept apart:

- The operator's: the credentials a vendor connection is built from and the HTTP token. They are
  registered while the server is assembled, each with the forms it can take on the way out
  (percent-encoded in a URL or a form body, base64 in a Basic header), and the list is then fixed:
  nothing a caller sends can add to it.
- A caller's (a customer password given to `login_customer`): masked only inside the one call that
  carries it (`call_secrets`), through a context variable, so it never becomes a server-wide mask
  that changes what other sessions read, and never grows a list with every attempt.

`redact()` scrubs a text; `RedactingFilter` scrubs log records in place, so a record is clean for
every handler that sees it (including pytest's log capture), not only for ours.
"""

from __future__ import annotations

import base64
import logging
import re
import urllib.parse
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_MASK = "***"
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None
_call_secrets: ContextVar[tuple[str, ...]] = ContextVar("agenda_mcp_call_secrets", default=())
# Query parameters that carry credentials at some vendor; masked in any URL we print even when
# the value was never registered (say, a key typed into a base URL by hand).
_SECRET_PARAMS = re.compile(r"(?i)\b(api_secret_key|api_key|api_signature|token|access_token|password)=([^&\s\"']+)")
MIN_SECRET_LENGTH = 6
"""Very short values would mask innocent text everywhere; real credentials are long."""


def forms(value: str) -> set[str]:
    """A secret as it may appear in text: as is, percent-encoded (URL, form body; both spellings of
    a space), and base64 (alone, and as user:password in a Basic header with an empty user)."""
    found = {value, urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value, safe="")}
    for raw in (value, f":{value}", f"{value}:"):
        encoded = base64.b64encode(raw.encode()).decode()
        found.update({encoded, encoded.rstrip("=")})
    return {form for form in found if len(form) >= MIN_SECRET_LENGTH}


def register_secrets(values: Iterable[str]) -> None:
    """Register the operator's credentials (at start-up, from the environment). Never pass
    anything a caller sent: use `call_secrets` for that."""
    global _pattern
    new: set[str] = set()
    for value in values:
        if value and len(value) >= MIN_SECRET_LENGTH:
            new |= forms(value)
    new -= _secrets
    if not new:
        return
    _secrets.update(new)
    _pattern = _compile(_secrets)


def _compile(values: Iterable[str]) -> re.Pattern[str]:
    alternatives = sorted(values, key=len, reverse=True)
    return re.compile("|".join(re.escape(s) for s in alternatives))


@contextmanager
def call_secrets(values: Iterable[str]) -> Iterator[None]:
    """Mask `values` (a caller's password) in every text redacted inside this block, in this task
    and the tasks it starts, and nowhere else."""
    # The raw value is masked from 3 characters on: inside its own call it is known to be a
    # secret, while masking every "a" of a one-letter password would only garble the message.
    extra = tuple(form for value in values if value for form in forms(value) | ({value} if len(value) >= 3 else set()))
    token = _call_secrets.set(_call_secrets.get() + extra)
    try:
        yield
    finally:
        _call_secrets.reset(token)


def redact(text: str) -> str:
    if _pattern is not None:
        text = _pattern.sub(_MASK, text)
    extra = _call_secrets.get()
    if extra:
        for value in sorted(set(extra), key=len, reverse=True):
            text = text.replace(value, _MASK)
    return _SECRET_PARAMS.sub(lambda m: f"{m.group(1)}={_MASK}", text)


def has_secret(text: str) -> bool:
    """Whether `text` holds an operator credential (the cheap test every result goes through).

    Plain substring tests: CPython's search for one literal is several times faster than the
    regex engine trying an alternation of them at every position."""
    return any(value in text for value in _secrets) or any(value in text for value in _call_secrets.get())


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
