"""The one place where agenda-mcp talks HTTP to a vendor.

One `httpx2.AsyncClient` per vendor, opened with the server's lifespan and shared by every
session and call. Reads are retried on connection errors, 502/503/504 and rate limits, with
backoff that honours the vendor's reset header; writes are sent exactly once. Every failure
leaves as a `ToolError` a model can act on, with the vendor's own code and message and with no
credential in it. A write whose outcome is unknown (timed out, connection lost, or answered with
something unreadable) raises `UncertainWrite`, which the duplicate guard remembers.

Limits hold before work, not after: a body is read as a stream and refused once its *decoded*
size passes MAX_BODY_BYTES (a small gzip can unpack to gigabytes), and one deadline
(AGENDA_MCP_HTTP_TIMEOUT) bounds all of a tool call's requests, retries and waits included.
"""

from __future__ import annotations

import time
import urllib.parse
import zlib
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import anyio
import httpx2
from mcp.server.mcpserver.exceptions import ToolError

from agenda_mcp import USER_AGENT
from agenda_mcp.server.guards.errors import UncertainWrite
from agenda_mcp.server.guards.redaction import get_logger, install_log_redaction, redact, register_secrets
from agenda_mcp.server.kit.contract import Connection

log = get_logger("agenda_mcp.http")

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RETRYABLE_STATUS = frozenset({429, 502, 503, 504})
# A vendor answer larger than this is refused rather than parsed: no scheduling answer is
# legitimately this big, and parsing it would stall every other call.
MAX_BODY_BYTES = 8 * 1024 * 1024
# Longest we wait for a vendor's rate-limit window before giving up and saying when to retry.
MAX_RATE_LIMIT_WAIT = 10.0
# Only encodings whose decoding we can bound as we go.
ACCEPT_ENCODING = "gzip, deflate"

_call_deadline: ContextVar[float | None] = ContextVar("agenda_mcp_call_deadline", default=None)


@contextmanager
def call_deadline(seconds: float) -> Iterator[None]:
    """Every vendor request in this block (a tool call), retries and waits included, ends within
    `seconds` of entering it; a nested block cannot extend an outer one."""
    deadline = time.monotonic() + seconds
    outer = _call_deadline.get()
    token = _call_deadline.set(deadline if outer is None else min(outer, deadline))
    try:
        yield
    finally:
        _call_deadline.reset(token)


def seconds_left(own: float) -> float:
    """Seconds a request starting now may take: `own`, or what is left of the tool call's
    `call_deadline` if that is sooner (a request never outlives the call it serves)."""
    call = _call_deadline.get()
    return own if call is None else min(own, call - time.monotonic())


class BodyTooLarge(Exception):
    """An answer whose decoded body passed the size limit while it was read (`read_decoded`)."""


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
    except (ValueError, RecursionError):  # not JSON, too deep, or a number too long to read
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
        self.pace: Callable[[], Awaitable[None]] | None = None
        """Waits for the vendor's rate budget (server/guards/ratelimit.py), once per request sent:
        set by the vendor's toolkit."""
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
                    headers={"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING, **self.connection.headers},
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
        deadline = self._deadline_from_now()
        response: httpx2.Response | None = None
        for attempt in range(1, attempts + 1):
            if self.pace is not None:
                await self.pace()  # before anything is sent: over budget, nothing goes out
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ToolError(self._out_of_time(action, attempt - 1))
            # A read that may still be retried gets half of what is left, so one slow answer does
            # not use up the time a retry needs; a write or a last attempt gets all of it.
            budget = remaining if is_write or attempt == attempts else remaining / 2
            started = time.perf_counter()
            try:
                self.requests_sent += 1
                with anyio.fail_after(budget):
                    response = await self._send(method, path, clean_params, json_body, data, files, headers)
            except BodyTooLarge:
                self._log(method, path, "answer over the size limit", started, attempt)
                if is_write:
                    what = "was answered with more than agenda-mcp reads"
                    raise self.uncertain_write(action, what, verify_with) from None
                raise ToolError(
                    f"{self.title}: {action} answered with more than {MAX_BODY_BYTES // (1024 * 1024)} MB, more "
                    "than agenda-mcp accepts; narrow the request (a shorter date range or a smaller page)."
                ) from None
            except (httpx2.TimeoutException, TimeoutError) as exc:
                self._log(method, path, f"timed out ({type(exc).__name__})", started, attempt)
                if is_write:
                    raise self.uncertain_write(action, "timed out", verify_with) from None
                if attempt == attempts or not await self._pause(self._delay(attempt), deadline):
                    raise ToolError(self._out_of_time(action, attempt)) from None
                continue
            except (httpx2.InvalidURL, httpx2.UnsupportedProtocol) as exc:
                # Nothing was sent: the URL could not even be built (say, a control character in an id).
                reason = _clip(redact(str(exc)), 120)
                raise ToolError(
                    f"{self.title}: {action} refused: an argument cannot be used in a URL ({reason})."
                ) from None
            except httpx2.DecodingError:
                self._log(method, path, "answer could not be decoded", started, attempt)
                if is_write:
                    what = "was answered with a body that could not be decoded"
                    raise self.uncertain_write(action, what, verify_with) from None
                raise ToolError(
                    f"{self.title}: {action} answered with a body that could not be decoded; the service may be "
                    "having trouble, try again in a minute."
                ) from None
            except httpx2.TransportError as exc:
                self._log(method, path, f"failed ({type(exc).__name__})", started, attempt)
                if is_write:
                    if isinstance(exc, httpx2.ConnectError):
                        raise ToolError(
                            f"{self.title}: {action} failed: could not connect, so nothing was sent. "
                            f"Check {self.base_url_env} and the network, then try again."
                        ) from None
                    raise self.uncertain_write(action, "lost its connection", verify_with) from None
                if attempt == attempts or not await self._pause(self._delay(attempt), deadline):
                    raise ToolError(
                        f"{self.title}: {action} failed: could not reach the service "
                        f"({type(exc).__name__}). Check {self.base_url_env} and the network."
                    ) from None
                continue

            self._log(method, path, str(response.status_code), started, attempt)
            if response.status_code in RETRYABLE_STATUS and not is_write and attempt < attempts:
                wait = self._retry_wait(response, attempt)
                if wait is not None and await self._pause(wait, deadline):
                    continue
            break
        assert response is not None
        if 200 <= response.status_code < 300:
            return response
        message = self._failure(response, action, is_write, verify_with, hints or {})
        if is_write and _may_have_acted(response, hints or {}):
            # A 5xx may come from a proxy or a crash after the vendor acted: the write is uncertain,
            # so the duplicate guard refuses its repeat instead of forgetting it.
            raise UncertainWrite(message, verify_with)
        raise ToolError(message)

    async def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any],
        json_body: Any,
        data: Mapping[str, Any] | None,
        files: Any,
        headers: Mapping[str, str] | None,
    ) -> httpx2.Response:
        """One exchange, the answer read as a stream and decoded here, within MAX_BODY_BYTES."""
        request = self.client.build_request(
            method, self._url(path), params=params or None, json=json_body, data=data, files=files, headers=headers
        )
        streamed = await self.client.send(request, stream=True)
        try:
            body = await read_decoded(streamed, MAX_BODY_BYTES)
        finally:
            await streamed.aclose()
        kept = [(k, v) for k, v in streamed.headers.multi_items() if k.lower() not in _DECODED_HEADERS]
        return httpx2.Response(streamed.status_code, headers=kept, content=body, request=request)

    def _deadline_from_now(self) -> float:
        """When this request must be over: its own timeout, or the tool call's deadline if sooner."""
        return time.monotonic() + seconds_left(self._deadline)

    @staticmethod
    async def _pause(seconds: float, deadline: float) -> bool:
        """Wait before a retry, unless the wait would end past the deadline (then: False)."""
        if time.monotonic() + seconds >= deadline:
            return False
        await anyio.sleep(seconds)
        return True

    def _out_of_time(self, action: str, attempts: int) -> str:
        tried = f"after {attempts} attempt{'s' if attempts != 1 else ''}" if attempts else "before it was sent"
        return (
            f"{self.title}: {action} ran out of time {tried} (AGENDA_MCP_HTTP_TIMEOUT, {self._deadline:g} s for the "
            "whole call). The service is slow or unreachable; try again in a minute."
        )

    def _url(self, path: str) -> httpx2.URL:
        """`path` under the base URL, joined as httpx joins it with `base_url` but without parsing
        the base again on every request; an absolute URL stays as it is."""
        if path.startswith(("http://", "https://")):
            return httpx2.URL(path)
        return httpx2.URL(self._base_url + path.lstrip("/"))

    async def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """`request()` for JSON APIs: the decoded body, or a clear error when it is not JSON."""
        response = await self.request(method, path, **kwargs)
        write = kwargs.get("write")
        is_write = method.upper() not in READ_METHODS if write is None else bool(write)
        action = kwargs.get("action") or f"{method.upper()} {path}"
        return self.decode_json(response, action, write=is_write, verify_with=kwargs.get("verify_with"))

    def decode_json(
        self, response: httpx2.Response, action: str, *, write: bool = False, verify_with: str | None = None
    ) -> Any:
        """The JSON body of a 2xx answer. For a write, an answer that cannot be read means the vendor
        did receive the request: its outcome is uncertain, not "try again"."""
        if not response.content.strip():
            return None
        if _looks_like_html(response):
            if write:
                raise self.uncertain_write(action, "was answered with an HTML page instead of JSON", verify_with)
            raise ToolError(
                f"{self.title}: {action} answered with an HTML page instead of JSON, which usually means a "
                f"wrong {self.base_url_env} or a login page; check it and {self.auth_hint}."
            )
        try:
            return response.json()
        except (ValueError, RecursionError) as exc:  # not JSON, nested too deep, or an over-long number
            what = "nested too deeply" if isinstance(exc, RecursionError) else "not valid JSON"
            if write:
                raise self.uncertain_write(action, f"was answered with something {what}", verify_with) from None
            raise ToolError(
                f"{self.title}: {action} answered with something {what} (HTTP {response.status_code}); the "
                "service may be having trouble, try again later."
            ) from None

    # -- internals ----------------------------------------------------------------------------

    def _delay(self, attempt: int) -> float:
        return self._backoff * 2.0 ** (attempt - 1)

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
        try:
            detail = ErrorDetail() if _looks_like_html(response) else self._describe_error(response)
        except (ValueError, RecursionError):  # a vendor's reader met JSON too deep or a number too long
            detail = ErrorDetail()
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

    def uncertain_write(self, action: str, what: str, verify_with: str | None = None) -> UncertainWrite:
        """The error for a write whose outcome is unknown (say, a success with an unusable answer)."""
        return UncertainWrite(self._uncertain_write(action, what, verify_with), verify_with)

    def _uncertain_write(self, action: str, what: str, verify_with: str | None) -> str:
        return redact(f"{self.title}: {action} {what}; it may or may not have happened. {_uncertain_tail(verify_with)}")

    def _log(self, method: str, path: str, outcome: str, started: float, attempt: int) -> None:
        # Only the path: query strings can carry credentials (Locaboo) and personal data.
        ms = (time.perf_counter() - started) * 1000
        log.debug(
            "%s %s %s -> %s in %.0f ms (attempt %d)", self.title, method, path.split("?")[0], outcome, ms, attempt
        )


_DECODED_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


async def read_decoded(response: httpx2.Response, limit: int) -> bytes:
    """The body, decoded (gzip, deflate), never holding much more than `limit` decoded bytes: each
    raw chunk is unpacked at most up to what is still allowed, so a bomb is refused, not inflated.

    Raises `BodyTooLarge` past `limit`, `httpx2.DecodingError` for a broken or unknown encoding.
    Public for the other HTTP path that must obey the same cap (server/calendars/fetch.py)."""
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    decoder: Any = None
    if encoding in ("gzip", "x-gzip"):
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        decoder = _Deflate()
    elif encoding not in ("", "identity"):
        raise httpx2.DecodingError(f"unsupported content-encoding {encoding[:40]!r}")
    body = bytearray()
    if response.is_stream_consumed:  # a transport that hands over a finished answer
        return _within(response.content, limit)
    async for chunk in response.aiter_raw():
        if decoder is None:
            body += chunk
        else:
            pending = chunk
            while pending:
                try:
                    body += decoder.decompress(pending, limit + 1 - len(body))
                except zlib.error as exc:
                    raise httpx2.DecodingError(str(exc)) from None
                if len(body) > limit:
                    raise BodyTooLarge
                pending = decoder.unconsumed_tail
        if len(body) > limit:
            raise BodyTooLarge
    return bytes(body)


def _within(body: bytes, limit: int) -> bytes:
    if len(body) > limit:
        raise BodyTooLarge
    return body


class _Deflate:
    """`deflate` as servers send it: zlib-wrapped, or (some) raw."""

    def __init__(self) -> None:
        self._decoder = zlib.decompressobj()
        self._first = True

    @property
    def unconsumed_tail(self) -> bytes:
        return self._decoder.unconsumed_tail

    def decompress(self, data: bytes, max_length: int) -> bytes:
        if self._first:
            self._first = False
            try:
                return self._decoder.decompress(data, max_length)
            except zlib.error:
                self._decoder = zlib.decompressobj(-zlib.MAX_WBITS)
        return self._decoder.decompress(data, max_length)


def _may_have_acted(response: httpx2.Response, hints: Mapping[int, str]) -> bool:
    """Whether a failed write's answer leaves open that the vendor made the change: a server error
    (not 501, which says it did nothing; not a rate limit, which is refused before any work; not a
    status the operation explains itself)."""
    status = response.status_code
    if status < 500 or status == 501 or status in hints:
        return False
    return not (status == 503 and _reset_in(response) is not None)


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
