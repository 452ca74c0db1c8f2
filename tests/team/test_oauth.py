"""Issue 15: agenda-mcp as an OAuth 2.1 resource server, against a local issuer whose keys the test
makes (OpenID discovery and JWKS served on loopback). A valid token works; an expired one, one for
another audience or issuer, a bad signature, `alg: none` and an unknown key id each get 401; a
read-scope token sees no write tools and cannot write; the issuer's key rotation is picked up
without a restart."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx2
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from agenda_mcp.server.guards.audit import AUDIT_ENV
from agenda_mcp.server.startup.config import HttpSettings
from agenda_mcp.server.transport.web import public_url
from tests.support import call_error, call_ok
from tests.support.loopback import INITIALIZE, MCP_HEADERS
from tests.support.team import (
    BOOKING,
    Issuer,
    audit_lines,
    issuer_on_loopback,
    mcp_client,
    replicas,
    vendor_on_loopback,
)
from tests.support.vendor_cases import REPORT

pytestmark = pytest.mark.anyio
WRITE_TOOLS = {"create_planaday_booking", "delete_planaday_booking"}


@asynccontextmanager
async def protected(tmp_path: Path, stateless: bool = True) -> AsyncIterator[tuple[Issuer, str, str, object]]:
    """An issuer, one agenda-mcp replica that trusts it, and the audience its tokens must name."""
    async with issuer_on_loopback() as issuer, vendor_on_loopback() as (vendor, vendor_url):
        http = HttpSettings(stateless=stateless, auth_issuer=issuer.url)
        env = {AUDIT_ENV: str(tmp_path / "audit.log")}
        async with replicas(1, vendor_url, http=http, **env) as [url]:
            yield issuer, url, public_url(http), vendor


async def initialize(url: str, token: str) -> httpx2.Response:
    async with httpx2.AsyncClient() as http:
        headers = {**MCP_HEADERS, "Authorization": f"Bearer {token}"}
        return await http.post(f"{url}/mcp", json=INITIALIZE, headers=headers)


async def test_a_valid_token_works_and_the_metadata_names_the_issuer(tmp_path: Path) -> None:
    async with protected(tmp_path) as (issuer, url, audience, _):
        token = issuer.token(audience)
        async with mcp_client(url, token) as client:
            names = {tool.name for tool in (await client.list_tools()).tools}
            labels = await call_ok(client, "list_planaday_labels")
        async with httpx2.AsyncClient() as http:
            missing = await http.post(f"{url}/mcp", json=INITIALIZE, headers=MCP_HEADERS)
            metadata = (await http.get(f"{url}/.well-known/oauth-protected-resource/mcp")).json()
    assert names >= WRITE_TOOLS and labels["labels"]
    assert missing.status_code == 401 and "resource_metadata=" in missing.headers["www-authenticate"]
    assert metadata["authorization_servers"] == [issuer.url]
    assert metadata["resource"] == audience and metadata["scopes_supported"] == ["agenda:read", "agenda:write"]


def _alg_none(issuer: Issuer, audience: str) -> str:
    token = issuer.token(audience)
    claims = jwt.decode(token, options={"verify_signature": False})
    return jwt.encode(claims, None, algorithm="none", headers={"kid": issuer.keys[0][0]})


def _stranger() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


BAD_TOKENS: dict[str, Callable[[Issuer, str], str]] = {
    "expired": lambda issuer, audience: issuer.token(audience, lifetime=-600),
    "wrong audience": lambda issuer, audience: issuer.token("https://other.example.com/mcp"),
    "wrong issuer": lambda issuer, audience: issuer.token(audience, issuer=issuer.url + "-evil"),
    "bad signature": lambda issuer, audience: issuer.token(audience, key=_stranger()),
    "alg none": _alg_none,
    "unknown kid": lambda issuer, audience: issuer.token(audience, key=_stranger(), kid="not-a-key-of-ours"),
    "not a jwt": lambda issuer, audience: "definitely-not-a-jwt-0123456789",
}


@pytest.mark.parametrize("kind", list(BAD_TOKENS))
async def test_a_bad_token_gets_401(tmp_path: Path, kind: str) -> None:
    async with protected(tmp_path) as (issuer, url, audience, _):
        response = await initialize(url, BAD_TOKENS[kind](issuer, audience))
        good = await initialize(url, issuer.token(audience))
    assert response.status_code == 401, kind
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert good.status_code == 200


@pytest.mark.parametrize("stateless", [True, False], ids=["stateless", "sessions"])
async def test_a_read_scope_token_lists_no_write_tools_and_cannot_write(tmp_path: Path, stateless: bool) -> None:
    async with protected(tmp_path, stateless) as (issuer, url, audience, vendor):
        token = issuer.token(audience, sub="frontdesk-21", scope="agenda:read")
        async with mcp_client(url, token) as client:
            names = {tool.name for tool in (await client.list_tools()).tools}
            refused = await call_error(client, "create_planaday_booking", BOOKING)
            labels = await call_ok(client, "list_planaday_labels")
        no_scope = await initialize(url, issuer.token(audience, scope="profile email"))
    assert names and not names & WRITE_TOOLS and "list_planaday_labels" in names
    assert "read-only" in refused and "agenda:write" in refused
    assert vendor.count("POST", "/v1/booking") == 0 and labels["labels"]  # type: ignore[attr-defined]
    [line] = audit_lines(tmp_path / "audit.log")
    assert line["subject"] == "frontdesk-21" and line["outcome"] == "refused" and line["reason"] == "scope"
    assert no_scope.status_code == 403  # neither agenda scope: insufficient_scope


async def test_key_rotation_at_the_issuer_is_picked_up_without_restart(tmp_path: Path) -> None:
    async with protected(tmp_path) as (issuer, url, audience, _):
        before = await initialize(url, issuer.token(audience))
        old_key = issuer.keys[0]
        issuer.rotate()
        after = await initialize(url, issuer.token(audience))
        retired = await initialize(url, issuer.token(audience, key=old_key[1], kid=old_key[0]))
        fetches = issuer.jwks_fetches
    assert before.status_code == 200 and after.status_code == 200
    assert retired.status_code == 401  # the issuer no longer publishes it
    assert fetches == 3  # first use, the new kid, the retired kid: not once per request


@pytest.mark.parametrize(("ago", "status"), [(10, 200), (60, 401)], ids=["10 s ago", "60 s ago"])
async def test_the_clock_skew_allowance_applies_to_expiry(tmp_path: Path, ago: int, status: int) -> None:
    """LEEWAY_SECONDS (30) is real: the SDK's own expiry check must not refuse what it allows."""
    async with protected(tmp_path) as (issuer, url, audience, _):
        response = await initialize(url, issuer.token(audience, lifetime=-ago))
    assert response.status_code == status, (ago, response.status_code)
    REPORT[f"security: tokens expired {ago} s ago (clock-skew allowance 30 s), answered {status}"] += 1
