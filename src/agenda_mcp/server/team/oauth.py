"""agenda-mcp as an OAuth 2.1 resource server: JWT access tokens from the team's identity provider.

With AGENDA_MCP_AUTH_ISSUER set, a bearer token is accepted when it is a JWT signed by one of
the issuer's keys (its JWKS, found through the issuer's metadata or AGENDA_MCP_AUTH_JWKS_URL),
issued by that issuer, for this server (`aud` = AGENDA_MCP_AUTH_AUDIENCE, by default the public
/mcp URL) and not expired. Only asymmetric algorithms are accepted: never `none`, never an HMAC
(whose "key" would be the public JWKS). The SDK's auth middleware answers anything else with 401.

Keys are fetched once and kept; a token naming a key id we do not know makes us fetch the JWKS
again (the issuer rotated its keys), at most once per `REFETCH_SECONDS` while the id stays
unknown, so a stream of made-up ids cannot turn us into a flood against the issuer.

Scopes: `agenda:read` to use the server at all, `agenda:write` to change data (it implies read).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import anyio
import httpx2
import jwt
from mcp.server.auth.provider import AccessToken

from agenda_mcp.server.guards.audit import READ_SCOPE, WRITE_SCOPE
from agenda_mcp.server.guards.redaction import get_logger

log = get_logger("agenda_mcp.oauth")

ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
LEEWAY_SECONDS = 30
"""Clock skew allowed between the issuer and this server, for `exp`, `nbf` and `iat`."""
REFETCH_SECONDS = 10.0
MAX_KEY_AGE_SECONDS = 3600.0
"""Keys are fetched again after this long even without an unknown id, so removed keys go too."""


class JwtVerifier:
    """The SDK's `TokenVerifier` for JWT access tokens of one issuer."""

    def __init__(
        self,
        issuer: str,
        audience: str,
        jwks_url: str | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self._jwks_url = jwks_url
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched: float | None = None
        self._unknown_refetch: float | None = None
        self._lock = anyio.Lock()

    async def verify_token(self, token: str) -> AccessToken | None:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            return None
        algorithm, kid = header.get("alg"), header.get("kid")
        if algorithm not in ALGORITHMS or not isinstance(kid, str):
            log.info("access token refused: algorithm %r or key id missing", algorithm)
            return None
        key = await self._key(kid)
        if key is None:
            log.info("access token refused: the issuer has no key %r", kid)
            return None
        if key.algorithm_name and key.algorithm_name != algorithm and "alg" in getattr(key, "_jwk_data", {}):
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
            log.info("access token refused: %s", type(exc).__name__)
            return None
        scopes = set(_scopes(claims))
        if WRITE_SCOPE in scopes:
            scopes.add(READ_SCOPE)
        return AccessToken(
            token=token,
            client_id=str(claims.get("azp") or claims.get("client_id") or claims["sub"]),
            scopes=sorted(scopes),
            expires_at=int(claims["exp"]),
            resource=self.audience,
            subject=str(claims["sub"]),
            claims={"iss": claims["iss"]},
        )

    async def _key(self, kid: str) -> jwt.PyJWK | None:
        async with self._lock:
            now = self._clock()
            stale = self._fetched is None or now - self._fetched > MAX_KEY_AGE_SECONDS
            unknown = kid not in self._keys
            may_refetch = self._unknown_refetch is None or now - self._unknown_refetch >= REFETCH_SECONDS
            if stale or (unknown and may_refetch):
                try:
                    await self._fetch()
                except (httpx2.HTTPError, ValueError, jwt.PyJWTError) as exc:
                    log.warning("cannot fetch the signing keys of %s: %s", self.issuer, exc)
                    return self._keys.get(kid)
                if kid not in self._keys:
                    self._unknown_refetch = now
            return self._keys.get(kid)

    async def _fetch(self) -> None:
        async with httpx2.AsyncClient(timeout=5.0, follow_redirects=False) as http:
            if self._jwks_url is None:
                self._jwks_url = await _discover_jwks(http, self.issuer)
            response = await http.get(self._jwks_url)
            response.raise_for_status()
            keys = jwt.PyJWKSet.from_dict(response.json())
        self._keys = {key.key_id: key for key in keys.keys if key.key_id and _for_signing(key)}
        self._fetched = self._clock()
        log.info("signing keys of %s: %s", self.issuer, ", ".join(sorted(self._keys)) or "none")


async def _discover_jwks(http: httpx2.AsyncClient, issuer: str) -> str:
    """`jwks_uri` from the issuer's metadata: OpenID Connect discovery (Keycloak, Auth0, Entra),
    then RFC 8414 (the well-known path inserted before the issuer's path)."""
    parts = urlsplit(issuer)
    candidates = [
        issuer.rstrip("/") + "/.well-known/openid-configuration",
        urlunsplit((parts.scheme, parts.netloc, "/.well-known/oauth-authorization-server" + parts.path, "", "")),
    ]
    for url in candidates:
        response = await http.get(url)
        if response.status_code != 200:
            continue
        metadata = response.json()
        if metadata.get("issuer") != issuer:
            raise ValueError(f"the metadata at {url} names issuer {metadata.get('issuer')!r}, not {issuer!r}")
        jwks_uri = metadata.get("jwks_uri")
        if isinstance(jwks_uri, str) and jwks_uri:
            return jwks_uri
    raise ValueError(f"no jwks_uri in the metadata of {issuer} (set AGENDA_MCP_AUTH_JWKS_URL)")


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
