"""The per-client session quota cannot be dodged (server/team/sessions.py), over real loopback HTTP.

- 64 spellings of `Bearer` (upper and lower case, all accepted by the SDK) with the team's token
  are one client, and so are 64 made-up tokens when the server asks for none.
- One person's 20 access tokens are one client (their verified subject, not the token text), and
  20 people's tokens from one address meet AGENDA_MCP_SESSIONS_PER_ADDRESS, while an honest
  planner from another address opens a session and calls a tool.
- A DELETE the server refused (here: a forged Host header, 421) frees no place in the quota."""

from __future__ import annotations

from collections import Counter

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from agenda_mcp.server.startup.config import HttpSettings
from agenda_mcp.server.transport.web import create_app, public_url
from tests.support import call_ok, sandbox_settings
from tests.support.loopback import INITIALIZE, MCP_HEADERS, serve_app
from tests.support.team import agenda_settings, issuer_on_loopback, vendor_on_loopback
from tests.support.vendor_cases import REPORT

pytestmark = pytest.mark.anyio
TEAM_TOKEN = "team-token-0123456789abcdef"
SPELLINGS = ["".join(c.upper() if n >> i & 1 else c for i, c in enumerate("bearer")) for n in range(64)]


async def initialize(http: httpx2.AsyncClient, url: str, authorization: str | None) -> httpx2.Response:
    headers = {**MCP_HEADERS, **({"Authorization": authorization} if authorization else {})}
    return await http.post(f"{url}/mcp", json=INITIALIZE, headers=headers)


@pytest.mark.parametrize("mode", ["team token", "no token"])
async def test_sixty_four_spellings_of_bearer_are_one_client(mode: str) -> None:
    per_client = 5
    http = HttpSettings(token=TEAM_TOKEN if mode == "team token" else None, sessions_per_client=per_client)
    app = create_app(sandbox_settings(toolsets=("planaday",)), http)
    statuses: Counter[int] = Counter()
    async with serve_app(app) as url, httpx2.AsyncClient(timeout=30) as client:
        for spelling in SPELLINGS:
            # With no token required, the header is the attacker's to invent: a new one each time.
            token = TEAM_TOKEN if mode == "team token" else f"made-up-{spelling}-0123456789"
            for _ in range(2):
                statuses[(await initialize(client, url, f"{spelling} {token}")).status_code] += 1
    assert len(set(SPELLINGS)) == 64
    assert statuses == {200: per_client, 429: 2 * 64 - per_client}, statuses
    REPORT[f"security: session requests under 64 spellings of Bearer ({mode})"] += 2 * 64
    REPORT[f"security: ...sessions they got ({mode}, quota {per_client})"] += statuses[200]


async def test_many_tokens_from_one_address_meet_the_per_address_ceiling() -> None:
    per_client, per_address = 3, 10
    async with issuer_on_loopback() as issuer, vendor_on_loopback() as (_, vendor_url):
        http = HttpSettings(auth_issuer=issuer.url, sessions_per_client=per_client, sessions_per_address=per_address)
        audience = public_url(http)
        app = create_app(agenda_settings(vendor_url), http)
        async with serve_app(app) as url, httpx2.AsyncClient(timeout=30) as client:
            # One person, twenty fresh access tokens.
            one_person = [
                await initialize(client, url, f"Bearer {issuer.token(audience, sub='mallory', jti=f't{n}')}")
                for n in range(20)
            ]
            # Twenty subjects, one address.
            many = [
                await initialize(client, url, f"Bearer {issuer.token(audience, sub=f'mallory-{n}')}") for n in range(20)
            ]
            # An honest planner from another address is still served.
            honest = issuer.token(audience, sub="planner-7f3a")
            transport = httpx2.AsyncHTTPTransport(local_address="127.0.0.2")
            async with (
                httpx2.AsyncClient(transport=transport, timeout=30, headers={"Authorization": f"Bearer {honest}"}) as h,
                Client(streamable_http_client(f"{url}/mcp", http_client=h)) as planner,
            ):
                labels = await call_ok(planner, "list_planaday_labels")
    first = Counter(r.status_code for r in one_person)
    second = Counter(r.status_code for r in many)
    assert first == {200: per_client, 429: 20 - per_client}, first
    assert second == {200: per_address - per_client, 429: 20 - (per_address - per_client)}, second
    refusal = next(r for r in many if r.status_code == 429)
    assert f"This address already holds {per_address} open sessions" in refusal.json()["error"]["message"]
    assert labels["labels"]
    REPORT["security: access tokens of one person, sessions they got (quota 3 of 20 asked)"] += first[200]
    REPORT["security: subjects at one address, sessions they got (ceiling 10 with the 3 above)"] += second[200]
    REPORT["security: honest planner from another address served"] += 1


async def test_a_refused_delete_frees_no_place() -> None:
    per_client = 3
    app = create_app(sandbox_settings(toolsets=("planaday",)), HttpSettings(sessions_per_client=per_client))
    async with serve_app(app) as url, httpx2.AsyncClient(timeout=30) as client:
        held = [(await initialize(client, url, None)).headers["mcp-session-id"] for _ in range(per_client)]
        forged = [
            await client.delete(f"{url}/mcp", headers={**MCP_HEADERS, "mcp-session-id": sid, "Host": "evil.example"})
            for sid in held
        ]
        after_forged = await initialize(client, url, None)
        closed = await client.delete(f"{url}/mcp", headers={**MCP_HEADERS, "mcp-session-id": held[0]})
        after_closed = await initialize(client, url, None)
    assert {r.status_code for r in forged} == {421}, [r.status_code for r in forged]
    assert after_forged.status_code == 429, "a refused DELETE freed a place"
    assert closed.status_code in (200, 204) and after_closed.status_code == 200
    REPORT["security: refused DELETEs tried against the quota (none freed a place)"] += len(forged)
