"""`agenda-mcp --transport http` for a team: bearer token, DNS rebinding protection, /healthz,
stateless replicas behind a balancer, and the client's token never reaching a vendor. Every
test serves the real app (server/transport/web.py) with uvicorn on loopback and talks real HTTP to it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from agenda_mcp.server.startup.config import ConfigError, HttpSettings, Settings
from agenda_mcp.server.transport.web import create_app
from agenda_mcp.tools.planaday import sandbox as planaday_sandbox
from tests.support import call_ok, sandbox_settings
from tests.support.loopback import INITIALIZE, MCP_HEADERS, Recorder, RoundRobin, serve_app, serve_loopback

SCRIPT = str(Path(sys.executable).parent / "agenda-mcp")
TOKEN = "team-token-0123456789abcdef"
PUBLIC = "agenda.example.com"


def planaday_only() -> Settings:
    return sandbox_settings(toolsets=("planaday",))


def bearer(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def post_initialize(url: str, **headers: str) -> httpx2.Response:
    async with httpx2.AsyncClient() as http:
        return await http.post(f"{url}/mcp", json=INITIALIZE, headers={**MCP_HEADERS, **headers})


@pytest.mark.anyio
async def test_token_required_with_standard_401_and_health_open() -> None:
    app = create_app(planaday_only(), HttpSettings(token=TOKEN, allowed_hosts=(PUBLIC,)))
    async with serve_app(app) as url:
        missing = await post_initialize(url)
        wrong = await post_initialize(url, **bearer("not-the-team-token-at-all"))
        right = await post_initialize(url, **bearer())
        async with httpx2.AsyncClient() as http:
            health = await http.get(f"{url}/healthz")
            metadata = await http.get(f"{url}/.well-known/oauth-protected-resource/mcp")

    assert missing.status_code == 401 and wrong.status_code == 401
    challenge = missing.headers["www-authenticate"]
    assert challenge.startswith("Bearer ") and 'error="invalid_token"' in challenge
    assert f'resource_metadata="https://{PUBLIC}/.well-known/oauth-protected-resource/mcp"' in challenge
    assert metadata.status_code == 200 and metadata.json()["resource"] == f"https://{PUBLIC}/mcp"
    assert right.status_code == 200 and right.headers.get("mcp-session-id")
    assert health.status_code == 200 and health.json() == {"status": "ok"}


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Host": "evil.example"}, 421),
        ({"Host": "evil.example:8000"}, 421),
        ({"Origin": "http://evil.example"}, 403),
        ({"Origin": "https://agenda.example.com.evil.example"}, 403),
        ({"Host": PUBLIC}, 200),
        ({"Host": PUBLIC, "Origin": f"https://{PUBLIC}"}, 200),
        ({"Origin": "http://localhost:6274"}, 200),
    ],
)
async def test_dns_rebinding_protection_allows_loopback_and_public_names_only(
    headers: dict[str, str], status: int
) -> None:
    app = create_app(planaday_only(), HttpSettings(token=TOKEN, allowed_hosts=(PUBLIC,)))
    async with serve_app(app) as url:
        response = await post_initialize(url, **bearer(), **headers)
    assert response.status_code == status, response.text


@pytest.mark.anyio
async def test_client_token_never_reaches_the_vendor() -> None:
    vendor = Recorder(planaday_sandbox.create_app())
    async with serve_loopback(vendor) as vendor_url:
        env = {**planaday_sandbox.SANDBOX_ENV, "PLANADAY_BASE_URL": f"{vendor_url}/v1"}
        settings = Settings(env=env, retry_backoff=0.0, toolsets=("planaday",))
        app = create_app(settings, HttpSettings(token=TOKEN))
        async with (
            serve_app(app) as url,
            httpx2.AsyncClient(headers=bearer()) as http,
            Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client,
        ):
            labels = await call_ok(client, "list_planaday_labels")
    assert labels["labels"]
    assert vendor.requests, "the tool call never reached the vendor"
    for _, _, headers in vendor.requests:
        assert headers["x-api-key"] == planaday_sandbox.SANDBOX_ENV["PLANADAY_API_KEY"]
        assert "authorization" not in headers
        assert all(TOKEN not in value for value in headers.values())


async def _through_two_replicas(stateless: bool) -> tuple[RoundRobin, list[int], list[dict[str, Any]]]:
    replicas = [create_app(planaday_only(), HttpSettings(stateless=stateless)) for _ in range(2)]
    async with serve_app(replicas[0]) as first, serve_app(replicas[1]) as second:
        ports = [int(first.rsplit(":", 1)[1]), int(second.rsplit(":", 1)[1])]
        balancer = RoundRobin(ports)
        results: list[dict[str, Any]] = []
        async with (
            httpx2.AsyncClient(transport=balancer) as http,
            # The session-based protocol revision, as most clients speak it today.
            Client(streamable_http_client(f"{first}/mcp", http_client=http), mode="legacy") as client,
        ):
            results.append(await call_ok(client, "list_planaday_labels"))
            results.append(await call_ok(client, "get_planaday_course", {"course_id": 102}))
            results.append(await call_ok(client, "list_planaday_course_templates"))
    return balancer, ports, results


@pytest.mark.anyio
async def test_stateless_replicas_answer_the_same_client_alternately() -> None:
    balancer, ports, results = await _through_two_replicas(stateless=True)
    assert results[0]["labels"] and results[1]["id"] == 102 and results[2]
    posts = [(port, status) for port, method, status in balancer.sent if method == "POST"]
    # initialize, initialized and the three calls, sent to the replicas in turn, all answered.
    assert len(posts) >= 5 and {port for port, _ in posts} == set(ports), balancer.sent
    assert all(status < 300 for _, status in posts), balancer.sent


@pytest.mark.anyio
async def test_with_sessions_a_second_replica_does_not_know_the_client() -> None:
    # The same set-up without --stateless fails: that is what the flag is for.
    with pytest.raises(BaseExceptionGroup) as failure:
        await _through_two_replicas(stateless=False)
    assert "Session not found" in [str(error) for error in leaves(failure.value)]


def leaves(error: BaseException) -> list[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in leaves(inner)]
    return [error]


@pytest.mark.parametrize(
    ("env", "overrides", "expected"),
    [
        ({}, {"host": "0.0.0.0"}, "without AGENDA_MCP_HTTP_TOKEN"),
        ({"AGENDA_MCP_HTTP_TOKEN": TOKEN}, {"host": "0.0.0.0"}, "needs AGENDA_MCP_ALLOWED_HOSTS"),
        ({"AGENDA_MCP_HTTP_TOKEN": "short"}, {}, "AGENDA_MCP_HTTP_TOKEN must be at least 16"),
        ({"AGENDA_MCP_HTTP_TOKEN": "has spaces in it, sixteen+"}, {}, "AGENDA_MCP_HTTP_TOKEN must be"),
        ({"AGENDA_MCP_ALLOWED_HOSTS": "https://agenda.example.com/mcp"}, {}, "is not a host name"),
        ({"AGENDA_MCP_STATELESS": "sometimes"}, {}, "AGENDA_MCP_STATELESS must be 1 or 0"),
        ({}, {"port": 70000}, "--port must be between 1 and 65535"),
    ],
)
def test_http_settings_refuse_unsafe_or_malformed_values(
    env: dict[str, str], overrides: dict[str, Any], expected: str
) -> None:
    with pytest.raises(ConfigError, match=expected) as error:
        HttpSettings.from_env(env, **overrides)
    assert "short" not in str(error.value) and "sixteen" not in str(error.value)  # a token is never echoed


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.7"])
def test_loopback_needs_no_token(host: str) -> None:
    settings = HttpSettings.from_env({}, host=host)
    assert settings.loopback and settings.token is None


def test_public_bind_with_token_and_hosts_is_accepted() -> None:
    env = {"AGENDA_MCP_HTTP_TOKEN": TOKEN, "AGENDA_MCP_ALLOWED_HOSTS": "Agenda.Example.com, 10.0.0.5:8443"}
    settings = HttpSettings.from_env({**env, "AGENDA_MCP_STATELESS": "1"}, host="0.0.0.0")
    assert settings.allowed_hosts == (PUBLIC, "10.0.0.5:8443") and settings.stateless
    assert TOKEN not in repr(settings)


def test_cli_refuses_a_public_bind_without_token_and_says_why() -> None:
    result = subprocess.run(
        [SCRIPT, "--sandbox", "--transport", "http", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "refusing to serve on 0.0.0.0 without AGENDA_MCP_HTTP_TOKEN" in lines[0]
