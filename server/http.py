"""The one place where agenda-mcp talks HTTP to a vendor.

One `httpx2.AsyncClient` per vendor, opened with the server's lifespan and shared by every
session and call. Reads are retried on connection errors, 502/503/504 and rate limits, with
backoff that honours the vendor's reset header; writes are sent exactly once. Every failure
leaves as a `ToolError` a model can act on, with the vendor's own code and message and with no
credential in it.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import anyio
import httpx2
from mcp.server.mcpserver.exceptions import ToolError

from server import USER_AGENT
from server.redaction import get_logger, install_log_redaction, redact, register_secrets
from server.vendor import Connection

log = get_logger("agenda_mcp.http")

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RETRYABLE_STATUS = frozenset({429, 502, 503, 504})
# A vendor answer larger than this is refused rather than parsed: no scheduling answer is
# legitimately this big, and parsing it would stall every other call.
MAX_BODY_BYTES = 8 * 1024 * 1024
# Longest we wait for a vendor's rate-limit window before giving up and saying when to retry.
MAX_RATE_LIMIT_WAIT = 10.0


def path_segment(value: object) -> str:
    """An id as one URL path segment: percent-encoded, so `a/b` or `../x` from a model cannot
    change which endpoint is called."""
    text = str(value)
    if text in ("", ".", ".."):
        raise ToolError(f"{text!r} is not a valid id.")
    return urllib.parse.quote(text, safe="")


@dataclass(frozen=True)
class ErrorDetail:
    """What a vendor said about a failure, pulled out of its error body."""

    code: str | None = None
    message: str | None = None


DescribeError = Callable[[httpx2.Response], ErrorDetail]


def default_describe_error(response: httpx2.Response) -> ErrorDetail:
    """Most vendors answer `{"message": ..., "error"|"code": ...}`; take what is there."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return ErrorDetail()
    if not isinstance(body, dict):
        return ErrorDetail()
    code = body.get("error", body.get("code"))
    message = body.get("message") or body.get("error_description")
    return ErrorDetail(
        code=str(code) if isinstance(code, int | str) and code != "" else None,
        message=str(message) if message else None,
    )


class VendorHTTP:
    """A vendor's HTTP client: shared, bounded, safe to retry only where that is safe."""

    def __init__(
        self,
        *,
        title: str,
        connection: Connection,
        auth_hint: str,
        base_url_env: str,
        transport: httpx2.AsyncBaseTransport | None = None,
        timeout: float = 20.0,
        read_retries: int = 2,
        backoff: float = 0.5,
        describe_error: DescribeError | None = None,
    ) -> None:
        self.title = title
        self.connection = connection
        self.auth_hint = auth_hint
        self.base_url_env = base_url_env
        self._transport = transport
        self._timeout = httpx2.Timeout(timeout, connect=min(timeout, 10.0))
        # httpx's timeouts are per operation (a slow trickle of bytes resets them, and an
        # in-process transport enforces none): one deadline bounds the whole attempt.
        self._deadline = timeout
        self._read_retries = read_retries
        self._backoff = backoff
        self._describe_error = describe_error or default_describe_error
        self._base_url = connection.base_url.rstrip("/") + "/"
        self._client: httpx2.AsyncClient | None = None
        self._users = 0
        self._lock = anyio.Lock()
        self.requests_sent = 0
        register_secrets(connection.secrets)
        install_log_redaction()

    @asynccontextmanager
    async def opened(self) -> Any:
        """Hold the client open; the first holder creates it and the last one closes it, so
        concurrent sessions (HTTP transport, tests) share one connection pool."""
        async with self._lock:
            if self._client is None:
                self._client = httpx2.AsyncClient(
                    base_url=self._base_url,
                    headers={"User-Agent": USER_AGENT, **self.connection.headers},
                    params=dict(self.connection.params) or None,
                    timeout=self._timeout,
                    transport=self._transport,
                    follow_redirects=False,
                    # Vendor URLs come from our settings only, never from proxy variables.
                    trust_env=False,
                )
            self._users += 1
        try:
            yield self
        finally:
            async with self._lock:
                self._users -= 1
                if self._users == 0 and self._client is not None:
                    await self._client.aclose()
                    self._client = None

    @property
    def client(self) -> httpx2.AsyncClient:
        if self._client is None:
            raise RuntimeError(f"{self.title} HTTP client used outside the server lifespan")
        return self._client

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
        write: bool | None = None,
        action: str | None = None,
        verify_with: str | None = None,
        hints: Mapping[int, str] | None = None,
    ) -> httpx2.Response:
        """Send one request and return the 2xx response, or raise a `ToolError`.

        `write` defaults to "anything but GET/HEAD/OPTIONS"; pass `write=True` for a GET that
        changes data. `action` names the operation in errors ("create booking");
        `verify_with` names the tool that shows whether an uncertain write happened; `hints`
        replaces the generic advice for a status where the operation knows better (a 404 on a
        booking can mean "full", not "no such id").
        """
        method = method.upper()
        is_write = method not in READ_METHODS if write is None else write
        action = action or f"{method} {path.split('?')[0]}"
        # Second line of defence behind path_segment(): no path may climb out of the base URL.
        if any(urllib.parse.unquote(part) in (".", "..") for part in path.split("?")[0].split("/")):
            raise ToolError(f"{self.title}: {action} refused: an argument contains a '..' path segment.")
        attempts = 1 if is_write else 1 + self._read_retries
        clean_params = {k: v for k, v in (params or {}).items() if v is not None}
        response: httpx2.Response | None = None
        for attempt in range(1, attempts + 1):
            started = time.perf_counter()
            try:
                self.requests_sent += 1
                with anyio.fail_after(self._deadline):
                    response = await self.client.request(
                        method,
                        self._url(path),
                        params=clean_params or None,
                        json=json_body,
                        data=data,
                        files=files,
                        headers=headers,
                    )
            except (httpx2.TimeoutException, TimeoutError) as exc:
                self._log(method, path, f"timed out ({type(exc).__name__})", started, attempt)
                if is_write:
                    raise ToolError(self._uncertain_write(action, "timed out", verify_with)) from None
                if attempt == attempts:
                    raise ToolError(
                        f"{self.title}: {action} timed out after {attempts} attempts. "
                        "The service is slow or unreachable; try again in a minute."
                    ) from None
                await anyio.sleep(self._delay(attempt))
                continue
            except (httpx2.InvalidURL, httpx2.UnsupportedProtocol) as exc:
                # Nothing was sent: the URL could not even be built (say, a control character in an id).
                reason = _clip(redact(str(exc)), 120)
                raise ToolError(
                    f"{self.title}: {action} refused: an argument cannot be used in a URL ({reason})."
                ) from None
            except httpx2.TransportError as exc:
                self._log(method, path, f"failed ({type(exc).__name__})", started, attempt)
                if is_write:
                    if isinstance(exc, httpx2.ConnectError):
                        raise ToolError(
                            f"{self.title}: {action} failed: could not connect, so nothing was sent. "
                            f"Check {self.base_url_env} and the network, then try again."
                        ) from None
                    raise ToolError(self._uncertain_write(action, "lost its connection", verify_with)) from None
                if attempt == attempts:
                    raise ToolError(
                        f"{self.title}: {action} failed: could not reach the service "
                        f"({type(exc).__name__}). Check {self.base_url_env} and the network."
                    ) from None
                await anyio.sleep(self._delay(attempt))
                continue

            self._log(method, path, str(response.status_code), started, attempt)
            if response.status_code in RETRYABLE_STATUS and not is_write and attempt < attempts:
                wait = self._retry_wait(response, attempt)
                if wait is not None:
                    await anyio.sleep(wait)
                    continue
            break
        assert response is not None
        if len(response.content) > MAX_BODY_BYTES:
            raise ToolError(
                f"{self.title}: {action} returned {len(response.content) // 1024} KB, more than agenda-mcp "
                "accepts; narrow the request (a shorter date range or a smaller page)."
            )
        if 200 <= response.status_code < 300:
            return response
        raise ToolError(self._failure(response, action, is_write, verify_with, hints or {}))

    def _url(self, path: str) -> httpx2.URL:
        """`path` under the base URL, joined as httpx joins it with `base_url` but without parsing
        the base again on every request; an absolute URL stays as it is."""
        if path.startswith(("http://", "https://")):
            return httpx2.URL(path)
        return httpx2.URL(self._base_url + path.lstrip("/"))

    async def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """`request()` for JSON APIs: the decoded body, or a clear error when it is not JSON."""
        response = await self.request(method, path, **kwargs)
        return self.decode_json(response, kwargs.get("action") or f"{method.upper()} {path}")

    def decode_json(self, response: httpx2.Response, action: str) -> Any:
        if not response.content.strip():
            return None
        if _looks_like_html(response):
            raise ToolError(
                f"{self.title}: {action} answered with an HTML page instead of JSON, which usually means a "
                f"wrong {self.base_url_env} or a login page; check it and {self.auth_hint}."
            )
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ToolError(
                f"{self.title}: {action} answered with something that is not valid JSON "
                f"(HTTP {response.status_code}); the service may be having trouble, try again later."
            ) from None

    # -- internals ----------------------------------------------------------------------------

    def _delay(self, attempt: int) -> float:
        return self._backoff * (2 ** (attempt - 1))

    def _retry_wait(self, response: httpx2.Response, attempt: int) -> float | None:
        """Seconds to wait before retrying a read, or None when waiting is pointless."""
        reset = _reset_in(response)
        if reset is None:
            return self._delay(attempt)
        if reset > MAX_RATE_LIMIT_WAIT:
            return None
        return max(reset, self._delay(attempt))

    def _failure(
        self,
        response: httpx2.Response,
        action: str,
        is_write: bool,
        verify_with: str | None,
        hints: Mapping[int, str],
    ) -> str:
        status = response.status_code
        detail = ErrorDetail() if _looks_like_html(response) else self._describe_error(response)
        said = ""
        if detail.code or detail.message:
            code = f"error {detail.code}: " if detail.code else ""
            said = f" — {code}{_clip(detail.message or '')}".rstrip(": ")
        head = f"{self.title}: {action} failed (HTTP {status}){said}."
        if status in hints:
            hint = hints[status]
        elif 300 <= status < 400:
            hint = (
                f"The service redirected instead of answering, which usually means a wrong "
                f"{self.base_url_env} or an expired credential; check {self.auth_hint}."
            )
        elif status == 401:
            hint = f"The credentials were refused: check {self.auth_hint}."
        elif status == 403:
            hint = f"The account is not allowed to do this; check the rights behind {self.auth_hint}."
        elif status == 404:
            hint = "Check the id; the list tools show valid ones."
        elif status in (429, 503) and _reset_in(response) is not None:
            hint = f"Rate limit reached; try again after {_reset_clock(response)}."
        elif status >= 500:
            hint = _uncertain_tail(verify_with) if is_write else "The service is having trouble; try again in a minute."
        elif status in (406, 415):
            hint = "The service refused the request format; this is a bug in agenda-mcp, please report it."
        else:
            hint = "Correct the arguments and try again."
        return redact(f"{head} {hint}")

    def uncertain_write(self, action: str, what: str, verify_with: str | None = None) -> ToolError:
        """The error for a write whose outcome is unknown (say, a success with an unusable answer)."""
        return ToolError(self._uncertain_write(action, what, verify_with))

    def _uncertain_write(self, action: str, what: str, verify_with: str | None) -> str:
        return redact(f"{self.title}: {action} {what}; it may or may not have happened. {_uncertain_tail(verify_with)}")

    def _log(self, method: str, path: str, outcome: str, started: float, attempt: int) -> None:
        # Only the path: query strings can carry credentials (Locaboo) and personal data.
        ms = (time.perf_counter() - started) * 1000
        log.debug(
            "%s %s %s -> %s in %.0f ms (attempt %d)", self.title, method, path.split("?")[0], outcome, ms, attempt
        )


def _uncertain_tail(verify_with: str | None) -> str:
    where = f"with {verify_with}" if verify_with else "first"
    return f"Do not simply repeat it: check {where} whether the change was made before trying again."


def _looks_like_html(response: httpx2.Response) -> bool:
    content_type = response.headers.get("content-type", "").lower()
    if "html" in content_type:
        return True
    return response.content.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html"))


def _reset_in(response: httpx2.Response) -> float | None:
    """Seconds until the vendor's rate-limit window resets, from X-RateLimit-Reset (a Unix
    time) or Retry-After (seconds)."""
    reset = response.headers.get("x-ratelimit-reset")
    if reset is not None:
        try:
            return max(0.0, float(reset) - time.time())
        except ValueError:
            return None
    retry_after = response.headers.get("retry-after")
    if retry_after is not None:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            return None
    return None


def _reset_clock(response: httpx2.Response) -> str:
    seconds = _reset_in(response) or 0.0
    return datetime.fromtimestamp(time.time() + seconds, UTC).strftime("%H:%M:%S UTC")


def _clip(text: str, limit: int = 500) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
