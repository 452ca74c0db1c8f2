"""agenda-mcp as an OAuth 2.1 resource server: JWT access tokens from the team's identity provider.

With AGENDA_MCP_AUTH_ISSUER set, a bearer token is accepted when it is a JWT signed by one of
the issuer's keys (its JWKS, found through the issuer's metadata or AGENDA_MCP_AUTH_JWKS_URL),
issued by that issuer, for this server (`aud` = AGENDA_MCP_AUTH_AUDIENCE, by default the public
/mcp URL) and not expired. Only asymmetric algorithms are accepted: never `none`, never an HMAC
(whose "key" would be the public JWKS). The SDK's auth middleware answers anything else with 401.

Keys are fetched once and kept; a token naming a key id we do not know makes us fetch the JWKS
again (the issuer rotated its keys). What an anonymous caller can make us do is bounded:

- A token whose key id we know is checked against the keys we hold and never waits for a fetch.
- At most one fetch runs at a time, and it has `FETCH_SECONDS` in all (discovery included), however
  slowly the issuer answers; a request that needs its result waits for it, never longer.
- After a fetch that failed (error status, redirect, garbage, too large, too slow) or that did not
  bring the key id asked for, no fetch starts for `REFETCH_SECONDS`: made-up ids cannot turn us
  into a flood against the issuer.
- Discovery and JWKS answers are read up to `MAX_DOCUMENT_BYTES`, over https only (plain http only
  when the issuer itself is a loopback http issuer, for tests), and redirects are not followed:
  keys that could be swapped on the way would let anyone mint tokens.
- Refusals are logged as one line per reason per `LOG_EVERY_SECONDS`, with what the token claimed
  (its key id, its algorithm) cut short and cleaned of control characters.

Scopes: `agenda:read` to use the server at all, `agenda:write` to change data (it implies read).
"""

from __future__ import annotations

import json
import logging
import time
import zlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import anyio
import httpx2
import jwt
from mcp.server.auth.provider import AccessToken

from agenda_mcp.server.guards.audit import READ_SCOPE, WRITE_SCOPE
from agenda_mcp.server.guards.redaction import get_logger
from agenda_mcp.server.startup.config import ConfigError, is_loopback

log = get_logger("agenda_mcp.oauth")

ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
LEEWAY_SECONDS = 30
"""Clock skew allowed between the issuer and this server, for `exp`, `nbf` and `iat`."""
REFETCH_SECONDS = 10.0
"""After a failed fetch, or one that did not bring the key id asked for, no fetch for this long."""
MAX_KEY_AGE_SECONDS = 3600.0
"""Keys are fetched again after this long even without an unknown id, so removed keys go too."""
FETCH_SECONDS = 5.0
"""One fetch of the keys (discovery and JWKS together) is given up after this long."""
MAX_DOCUMENT_BYTES = 1024 * 1024
"""Discovery documents and JWKS larger than this are refused (a real JWKS is a few KB)."""
LOG_EVERY_SECONDS = 60.0
"""Refusals are logged at most once per reason in this time; the next line counts the others."""
SHOWN_CHARS = 16
"""How much of a value from an unverified token (key id, algorithm) a log line shows."""


class JwtVerifier:
    """The SDK's `TokenVerifier` for JWT access tokens of one issuer."""

    def __init__(
        self,
        issuer: str,
        audience: str,
        jwks_url: str | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        deadline: float | None = None,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.deadline = FETCH_SECONDS if deadline is None else deadline
        """The longest any request waits for the issuer's keys."""
        _check_source(issuer, issuer, "AGENDA_MCP_AUTH_ISSUER")
        if jwks_url is not None:
            _check_source(jwks_url, issuer, "AGENDA_MCP_AUTH_JWKS_URL")
        self._jwks_url = jwks_url
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched: float | None = None
        self._refetch_after: float | None = None
        self._fetching: anyio.Event | None = None
        self.fetches = 0
        """Fetches started (successful or not), for tests and diagnostics."""
        self._log = _Throttled(log, LOG_EVERY_SECONDS, clock)

    async def verify_token(self, token: str) -> AccessToken | None:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            return None
        algorithm, kid = header.get("alg"), header.get("kid")
        if algorithm not in ALGORITHMS or not isinstance(kid, str):
            self._log.info("algorithm", "access token refused: algorithm %s or key id missing", shown(algorithm))
            return None
        key = await self._key(kid)
        if key is None:
            self._log.info("kid", "access token refused: the issuer has no key %s", shown(kid))
            return None
        if key.algorithm_name and key.algorithm_name != algorithm and "alg" in getattr(key, "_jwk_data", {}):
            self._log.info("pinned", "access token refused: key %s is for another algorithm", shown(kid))
            return None  # the JWK pins its algorithm
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            # The reason only (expired, audience, signature): never the token.
            reason = type(exc).__name__
            self._log.info(reason, "access token refused: %s", reason)
            return None
        scopes = set(_scopes(claims))
        if WRITE_SCOPE in scopes:
            scopes.add(READ_SCOPE)
        return AccessToken(
            token=token,
            client_id=str(claims.get("azp") or claims.get("client_id") or claims["sub"]),
            scopes=sorted(scopes),
            # The SDK's bearer middleware refuses a token whose `expires_at` has passed, with no
            # allowance of its own; `exp` was checked above with the leeway, so the SDK is told the
            # moment the leeway runs out, or the allowance would never apply.
            expires_at=int(claims["exp"]) + LEEWAY_SECONDS,
            resource=self.audience,
            subject=str(claims["sub"]),
            claims={"iss": claims["iss"]},
        )

    async def _key(self, kid: str) -> jwt.PyJWK | None:
        """The key named `kid`. No lock: a request whose key we hold never waits for a fetch."""
        now = self._clock()
        known = self._keys.get(kid)
        stale = self._fetched is None or now - self._fetched > MAX_KEY_AGE_SECONDS
        if known is not None and (not stale or self._fetching is not None):
            return known  # the keys we hold (a refresh already under way does not hold it up)
        if self._fetching is not None:
            # Someone else's fetch is under way: its result, within its deadline.
            with anyio.move_on_after(self.deadline):
                await self._fetching.wait()
            return self._keys.get(kid)
        if self._refetch_after is not None and now < self._refetch_after:
            return known
        await self._refetch(kid)
        return self._keys.get(kid)

    async def _refetch(self, kid: str) -> None:
        done = anyio.Event()
        self._fetching = done
        self.fetches += 1
        found = False
        try:
            with anyio.fail_after(self.deadline):
                await self._fetch()
            found = kid in self._keys
        except Exception as exc:
            what = "took too long" if isinstance(exc, TimeoutError) else _cleaned(str(exc) or type(exc).__name__, 200)
            self._log.warning("fetch", "cannot fetch the signing keys of %s: %s", self.issuer, what)
        finally:
            if not found:
                # Failed, cancelled or still unknown: no fetch for a while, whatever caused it.
                self._refetch_after = self._clock() + REFETCH_SECONDS
            self._fetching = None
            done.set()

    async def _fetch(self) -> None:
        headers = {"Accept": "application/json", "Accept-Encoding": "gzip, identity"}
        async with httpx2.AsyncClient(timeout=self.deadline, follow_redirects=False, headers=headers) as http:
            if self._jwks_url is None:
                self._jwks_url = _check_source(await _discover_jwks(http, self.issuer), self.issuer, "jwks_uri")
            status, document = await _get_json(http, self._jwks_url)
            if status != 200:
                raise ValueError(f"the JWKS at {self._jwks_url} answered HTTP {status}")
            if not isinstance(document, dict):
                raise ValueError(f"the JWKS at {self._jwks_url} is not a JSON object")
            keys = jwt.PyJWKSet.from_dict(document)
        self._keys = {key.key_id: key for key in keys.keys if key.key_id and _for_signing(key)}
        self._fetched = self._clock()
        self._refetch_after = None
        names = sorted(self._keys)
        listed = ", ".join(shown(name) for name in names[:10]) + (
            f" and {len(names) - 10} more" if len(names) > 10 else ""
        )
        log.info("signing keys of %s: %s", self.issuer, listed or "none")


async def _discover_jwks(http: httpx2.AsyncClient, issuer: str) -> str:
    """`jwks_uri` from the issuer's metadata: OpenID Connect discovery (Keycloak, Auth0, Entra),
    then RFC 8414 (the well-known path inserted before the issuer's path)."""
    parts = urlsplit(issuer)
    candidates = [
        issuer.rstrip("/") + "/.well-known/openid-configuration",
        urlunsplit((parts.scheme, parts.netloc, "/.well-known/oauth-authorization-server" + parts.path, "", "")),
    ]
    for url in candidates:
        status, metadata = await _get_json(http, url)
        if status != 200:
            continue  # not there (a redirect is not followed either)
        if not isinstance(metadata, dict):
            raise ValueError(f"the metadata at {url} is not a JSON object")
        if metadata.get("issuer") != issuer:
            raise ValueError(f"the metadata at {url} names issuer {shown(metadata.get('issuer'))}, not {issuer!r}")
        jwks_uri = metadata.get("jwks_uri")
        if isinstance(jwks_uri, str) and jwks_uri:
            return jwks_uri
    raise ValueError(f"no jwks_uri in the metadata of {issuer} (set AGENDA_MCP_AUTH_JWKS_URL)")


async def _get_json(http: httpx2.AsyncClient, url: str) -> tuple[int, Any]:
    """GET `url`: its status, and for a 200 its JSON, read as it arrives and refused past
    `MAX_DOCUMENT_BYTES` (decoded), so a huge or endless answer is never held."""
    async with http.stream("GET", url) as response:
        if response.status_code != 200:
            return response.status_code, None
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_DOCUMENT_BYTES:
            raise ValueError(f"{url} answered {int(declared):,} bytes (at most {MAX_DOCUMENT_BYTES:,})")
        body = await _read_capped(response, url)
    try:
        return 200, json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError(f"{url} did not answer JSON") from None


async def _read_capped(response: httpx2.Response, url: str) -> bytes:
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("gzip", "x-gzip"):
        decoder: Any = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding in ("", "identity"):
        decoder = None
    else:
        raise ValueError(f"{url} answered in an unsupported content-encoding")
    body = bytearray()
    async for chunk in response.aiter_raw():
        pending = chunk
        while pending:
            if decoder is None:
                body += pending
                pending = b""
            else:
                try:
                    body += decoder.decompress(pending, MAX_DOCUMENT_BYTES + 1 - len(body))
                except zlib.error:
                    raise ValueError(f"{url} sent a broken gzip body") from None
                pending = decoder.unconsumed_tail
            if len(body) > MAX_DOCUMENT_BYTES:
                raise ValueError(f"{url} answered more than {MAX_DOCUMENT_BYTES:,} bytes")
    return bytes(body)


def _check_source(url: str, issuer: str, what: str) -> str:
    """`url` if keys may be fetched from it: https, or plain http on loopback when the issuer
    itself is a plain-http loopback issuer (a test's). Anything else could be swapped on the way."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    issuer_parts = urlsplit(issuer)
    loopback_issuer = issuer_parts.scheme == "http" and is_loopback(issuer_parts.hostname or "")
    if parts.scheme == "http" and loopback_issuer and is_loopback(parts.hostname or ""):
        return url
    raise ConfigError(
        f"{what}: refusing {_cleaned(url, 200)!r}: the issuer's keys are fetched over https only "
        "(plain http only from a loopback issuer that is itself plain http, in tests)"
    )


def _for_signing(key: jwt.PyJWK) -> bool:
    use = getattr(key, "_jwk_data", {}).get("use")
    return use in (None, "sig")


def _scopes(claims: dict[str, Any]) -> list[str]:
    """RFC 9068 `scope` (space-separated; Keycloak, Auth0), or `scp` (Entra, Okta: a string or list)."""
    found: list[str] = []
    for name in ("scope", "scp"):
        value = claims.get(name)
        if isinstance(value, str):
            found += value.split()
        elif isinstance(value, list):
            found += [v for v in value if isinstance(v, str)]
    return found


def _cleaned(text: str, limit: int) -> str:
    """At most `limit` characters of `text`, control and format characters replaced by `?`."""
    cut = "".join(c if c.isprintable() else "?" for c in text[:limit])
    return cut + (f"...(+{len(text) - limit} characters)" if len(text) > limit else "")


def shown(value: object) -> str:
    """A value from an unverified token as a log line shows it: quoted, cut short, cleaned."""
    if isinstance(value, str):
        text = value
    else:
        text = repr(value) if isinstance(value, int | float | bool | type(None)) else f"<{type(value).__name__}>"
    head = "".join(c if c.isprintable() else "?" for c in text[:SHOWN_CHARS])
    return repr(head) + (f"...(+{len(text) - SHOWN_CHARS} characters)" if len(text) > SHOWN_CHARS else "")


class _Throttled:
    """A logger that writes one line per reason per `every` seconds; a line says how many like it
    were held back since the last one. The reasons are a small fixed set, so nothing grows."""

    def __init__(self, logger: logging.Logger, every: float, clock: Callable[[], float]) -> None:
        self._logger = logger
        self._every = every
        self._clock = clock
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def info(self, reason: str, message: str, *args: object) -> None:
        self._write(logging.INFO, reason, message, args)

    def warning(self, reason: str, message: str, *args: object) -> None:
        self._write(logging.WARNING, reason, message, args)

    def _write(self, level: int, reason: str, message: str, args: tuple[object, ...]) -> None:
        if not self._logger.isEnabledFor(level):
            return
        now = self._clock()
        last = self._last.get(reason)
        if last is not None and now - last < self._every:
            self._held[reason] = self._held.get(reason, 0) + 1
            return
        self._last[reason] = now
        held = self._held.pop(reason, 0)
        if held:
            message += f" ({held} more like it in the last {self._every:g} s not logged)"
        self._logger.log(level, message, *args)
