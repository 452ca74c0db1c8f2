"""The OAuth verifier against a hostile or broken issuer (server/team/oauth.py), each attack over real
loopback HTTP: agenda-mcp (uvicorn) trusting an issuer whose discovery document and JWKS
(tests/support/jwks.py) misbehave, and anonymous callers with tokens naming invented key ids.

- A JWKS trickling a byte a second holds up no valid request beyond the verifier's deadline:
  neither one whose key is known (it waits for nothing) nor one that needs the keys.
- 100 invented key ids against a JWKS answering 500, garbage, a redirect or nothing cause at
  most two fetches each.
- A huge JWKS or discovery document (200 MB, streamed) is refused while the peak memory of the
  process reading it, measured in a fresh process, grows by less than 64 MB.
- Keys come over https only: an https issuer whose discovery names an http jwks_uri, or whose
  JWKS redirects there, does not get an on-path key trusted.
- 100 anonymous requests with 60 KB key ids (and algorithms) leave a few hundred bytes of log."""

from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from agenda_mcp.server.startup.config import ConfigError, HttpSettings
from agenda_mcp.server.team import oauth
from agenda_mcp.server.transport.web import create_app, public_url
from tests.support.jwks import MB, HostileIssuer, hostile_issuer, loopback_tls
from tests.support.loopback import INITIALIZE, MCP_HEADERS, serve_in_thread, serve_loopback
from tests.support.team import agenda_settings, replicas, vendor_on_loopback
from tests.support.vendor_cases import REPORT

ROOT = Path(__file__).resolve().parents[2]
MAX_GROWTH_KB = 64 * 1024


def _stranger() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@asynccontextmanager
async def agenda_trusting(issuer: HostileIssuer) -> AsyncIterator[tuple[str, str]]:
    """One stateless agenda-mcp replica on loopback that trusts `issuer`: its URL and the audience."""
    http = HttpSettings(stateless=True, auth_issuer=issuer.url)
    async with vendor_on_loopback() as (_, vendor_url), replicas(1, vendor_url, http=http) as [url]:
        yield url, public_url(http)


async def initialize(http: httpx2.AsyncClient, url: str, token: str) -> tuple[int, float]:
    """An MCP initialize with `token`: the status, and how long it took in seconds."""
    started = time.perf_counter()
    headers = {**MCP_HEADERS, "Authorization": f"Bearer {token}"}
    response = await http.post(f"{url}/mcp", json=INITIALIZE, headers=headers)
    return response.status_code, time.perf_counter() - started


def caller() -> httpx2.AsyncClient:
    """The test's one HTTP client (one per request would spend its time loading CA certificates)."""
    return httpx2.AsyncClient(timeout=120, limits=httpx2.Limits(max_connections=200))


# -- 1. a slow JWKS ----------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_trickling_jwks_does_not_hold_up_a_valid_token() -> None:
    async with hostile_issuer() as issuer, agenda_trusting(issuer) as (url, audience), caller() as http:
        valid = issuer.token(audience)
        first, _ = await initialize(http, url, valid)  # the keys are fetched and known
        issuer.mode = "trickle"
        invented = issuer.token(audience, key=_stranger(), kid="invented-kid-0001")
        anonymous: list[tuple[int, float]] = []
        served: list[tuple[int, float]] = []
        during = 0
        with anyio.fail_after(30):  # a hang guard: without a deadline the valid requests queued for good
            async with anyio.create_task_group() as tg:

                async def attack() -> None:
                    anonymous.append(await initialize(http, url, invented))

                tg.start_soon(attack)
                await issuer.stalled.wait()  # the key fetch is under way, a byte a second
                for _ in range(10):
                    served.append(await initialize(http, url, valid))
                    during += not anonymous
    deadline = oauth.FETCH_SECONDS
    assert first == 200
    assert [status for status, _ in served] == [200] * 10, served
    slowest = max(seconds for _, seconds in served)
    assert slowest < deadline, f"a valid request waited {slowest:.1f} s (deadline {deadline:g} s)"
    assert during == 10, "the valid requests should have been served while the fetch still trickled"
    [(status, seconds)] = anonymous
    assert status == 401 and seconds < deadline + 3, (status, seconds)
    REPORT["security: trickling JWKS, valid requests served during the key fetch"] += during
    key = f"security: trickling JWKS, slowest valid request in ms (deadline {deadline * 1000:.0f})"
    REPORT[key] = max(REPORT[key], round(slowest * 1000))


@pytest.mark.anyio
async def test_a_jwks_trickling_from_the_start_is_given_up_at_the_deadline() -> None:
    """No keys yet: the requests that need them wait for one fetch, and no longer than its deadline."""
    async with hostile_issuer() as issuer, agenda_trusting(issuer) as (url, audience), caller() as http:
        issuer.mode = "trickle"
        valid = issuer.token(audience)
        results: list[tuple[int, float]] = []
        with anyio.fail_after(30):  # a hang guard

            async def one() -> None:
                results.append(await initialize(http, url, valid))

            async with anyio.create_task_group() as tg:
                for _ in range(20):
                    tg.start_soon(one)
        fetches = issuer.jwks_fetches
    deadline = oauth.FETCH_SECONDS
    assert [status for status, _ in results] == [401] * 20, results
    slowest = max(seconds for _, seconds in results)
    assert slowest < deadline + 3, f"a request waited {slowest:.1f} s (deadline {deadline:g} s)"
    assert fetches == 1, f"{fetches} fetches for 20 requests"
    REPORT["security: JWKS trickling from the start, requests answered within the deadline"] += len(results)


# -- 2. the refetch storm ----------------------------------------------------------------------

FAILURES = ["500", "garbage", "redirect", "timeout"]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", FAILURES)
async def test_invented_key_ids_against_a_failing_jwks_cause_at_most_two_fetches(kind: str) -> None:
    async with hostile_issuer() as issuer, agenda_trusting(issuer) as (url, audience), caller() as http:
        first, _ = await initialize(http, url, issuer.token(audience))
        before = issuer.jwks_fetches
        issuer.mode = kind  # type: ignore[assignment]
        stranger = _stranger()
        tokens = [issuer.token(audience, key=stranger, kid=f"invented-{n:03}") for n in range(100)]
        statuses: Counter[int] = Counter()
        with anyio.fail_after(60):  # a hang guard
            # Half at once (they meet a fetch under way), half one after another (they meet the guard).
            async with anyio.create_task_group() as tg:
                for token in tokens[:50]:

                    async def one(token: str = token) -> None:
                        statuses[(await initialize(http, url, token))[0]] += 1

                    tg.start_soon(one)
            for token in tokens[50:]:
                statuses[(await initialize(http, url, token))[0]] += 1
        fetches = issuer.jwks_fetches - before
        issuer.mode = "ok"
        still, _ = await initialize(http, url, issuer.token(audience))  # the known key still works
    assert first == 200 and still == 200
    assert statuses == {401: 100}, statuses
    assert fetches <= 2, f"100 invented key ids caused {fetches} JWKS fetches ({kind})"
    assert issuer.elsewhere_fetches == 0, "a redirect was followed"
    REPORT[f"security: invented key ids against a failing JWKS ({kind})"] += 100
    REPORT[f"security: ...JWKS fetches they caused ({kind}, at most 2)"] += fetches


# -- 3. a huge JWKS ----------------------------------------------------------------------------


@pytest.mark.parametrize("what", ["jwks", "discovery"])
def test_a_huge_key_document_is_refused_without_being_held(what: str) -> None:
    issuer = HostileIssuer()
    issuer.huge_bytes = 200 * MB
    with serve_in_thread(issuer.app()) as base:
        issuer.url = f"{base}/realms/team"
        if what == "jwks":
            issuer.mode = "huge"
        else:
            issuer.discovery_mode = "huge"
        audience = "https://agenda.example.com/mcp"
        token = issuer.token(audience)
        child = subprocess.run(
            [sys.executable, "-m", "tests.support.jwks", issuer.url, audience, token],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert child.returncode == 0, child.stderr[-3000:]
    report = json.loads(child.stdout.strip().splitlines()[-1])
    assert not report["accepted"]
    assert report["control_kb"] >= 90 * 1024, f"the meter missed 96 MB held on purpose: {report}"
    growth = report["growth_kb"]
    assert growth < MAX_GROWTH_KB, f"{what}: peak resident memory grew by {growth / 1024:.0f} MB"
    assert issuer.sent_bytes < issuer.huge_bytes, "the whole document was read"
    REPORT[f"security: 200 MB {what} refused"] += 1
    key = "security: huge JWKS/discovery, largest peak RSS growth in MB (limit 64)"
    REPORT[key] = max(REPORT[key], round(growth / 1024))


# -- 4. keys over https only -------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("route", ["https jwks_uri", "http jwks_uri", "redirect to http"])
async def test_keys_come_over_https_only(route: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tls = loopback_tls(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(tls.ca))  # the verifier trusts the test's CA, nothing else changes
    async with hostile_issuer(**tls.server()) as issuer, hostile_issuer() as on_path:
        assert issuer.url.startswith("https://")
        on_path_jwks = f"{on_path.url}/protocol/openid-connect/certs"
        if route == "http jwks_uri":
            issuer.jwks_uri = on_path_jwks
        elif route == "redirect to http":
            issuer.mode, issuer.redirect_to = "redirect", on_path_jwks
        async with agenda_trusting(issuer) as (url, audience), caller() as http:
            # Signed with the on-path key, naming the https issuer, asking for everything.
            forged, _ = await initialize(http, url, on_path.token(audience, issuer=issuer.url))
            genuine, _ = await initialize(http, url, issuer.token(audience))
    if route == "https jwks_uri":
        assert genuine == 200 and forged == 401  # TLS on loopback works: the refusals below are not TLS failures
    else:
        assert forged == 401, f"{route}: a token signed with an on-path key was accepted"
        assert on_path.jwks_fetches == 0, f"{route}: the on-path JWKS was fetched"
        REPORT["security: on-path keys refused (http jwks_uri, redirect)"] += 1


def test_a_plain_http_jwks_url_for_an_https_issuer_is_refused_at_start() -> None:
    http = HttpSettings(
        auth_issuer="https://sso.example.com/realms/team", auth_jwks_url="http://127.0.0.1:9/realms/team/certs"
    )
    with pytest.raises(ConfigError, match="https"):
        create_app(agenda_settings("http://127.0.0.1:9"), http)
    REPORT["security: on-path keys refused (http jwks_uri, redirect)"] += 1


# -- 5. the log --------------------------------------------------------------------------------


def _unsigned(header: dict[str, Any], audience: str) -> str:
    """A token with any header at all (an algorithm nobody has), and a signature of nothing."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part({'aud': audience, 'sub': 'x', 'exp': 2_000_000_000})}.c2lnbmF0dXJl"


@pytest.mark.anyio
async def test_huge_key_ids_from_anonymous_callers_leave_a_small_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.INFO, logger="agenda_mcp")
    junk = "\x1b[2J\r\nINFO forged log line \u202e"
    async with hostile_issuer() as issuer, vendor_on_loopback() as (_, vendor_url):
        settings = HttpSettings(stateless=True, auth_issuer=issuer.url)
        audience = public_url(settings)
        app = create_app(agenda_settings(vendor_url), settings)
        # Header limits as with uvicorn's httptools parser (h11 would refuse 60 KB headers itself).
        async with (
            serve_loopback(app, lifespan=True, force_exit=True, h11_max_incomplete_event_size=MB) as url,
            caller() as http,
        ):
            first, _ = await initialize(http, url, issuer.token(audience))
            caplog.clear()
            stranger = _stranger()
            statuses: Counter[int] = Counter()
            for n in range(100):
                huge = f"{junk}{n:03}" + "K" * 60_000
                if n % 2:
                    token = issuer.token(audience, key=stranger, kid=huge)
                else:
                    token = _unsigned({"alg": huge, "kid": "k", "typ": "JWT"}, audience)
                statuses[(await initialize(http, url, token))[0]] += 1
    lines = [record.getMessage() for record in caplog.records if record.name.startswith("agenda_mcp")]
    logged = sum(len(line.encode()) + 1 for line in lines)
    assert first == 200 and statuses == {401: 100}, statuses
    assert logged < 2048, f"100 requests with 60 KB key ids logged {logged:,} bytes:\n" + "\n".join(lines)[:2000]
    assert lines, "the refusals should still be logged, once"
    for line in lines:
        assert "K" * 40 not in line and not any(c in line for c in "\x1b\r\n\u202e"), repr(line[:300])
    REPORT["security: anonymous requests with 60 KB key ids or algorithms"] += 100
    REPORT["security: ...bytes of log they caused"] += logged
