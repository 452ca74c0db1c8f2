"""The shared vendor HTTP layer: retries only for reads, errors a model can act on, no secrets."""

from __future__ import annotations

import logging
import time
from collections import Counter

import httpx2
import pytest
from mcp.server.mcpserver.exceptions import ToolError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from agenda_mcp.server.kit.contract import Connection
from agenda_mcp.server.kit.http import VendorHTTP, path_segment

SECRET = "s3cr3t-key-value-123"
pytestmark = pytest.mark.anyio


class FlakyVendor:
    """Answers each path with a scripted sequence of responses and counts what it received."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.seen_headers: list[dict[str, str]] = []
        self.app = Starlette(routes=[Route("/api/{name:path}", self.handle, methods=["GET", "POST", "DELETE"])])

    async def handle(self, request: Request) -> Response:
        name = request.path_params["name"]
        self.hits[name] += 1
        self.seen_headers.append(dict(request.headers))
        n = self.hits[name]
        match name:
            case "ok":
                return JSONResponse({"fine": True, "query": str(request.url.query)})
            case "flaky":  # two 503s, then fine
                return JSONResponse({"fine": True}) if n > 2 else JSONResponse({"message": "busy"}, status_code=503)
            case "down":
                return JSONResponse({"message": "bad gateway"}, status_code=502)
            case "limited":  # rate limited with a reset one second away, then fine
                if n == 1:
                    headers = {"X-RateLimit-Reset": str(int(time.time()) + 1)}
                    return JSONResponse({"message": "Rate Limit Reached"}, status_code=503, headers=headers)
                return JSONResponse({"fine": True})
            case "limited-long":
                headers = {"X-RateLimit-Reset": str(int(time.time()) + 3600)}
                return JSONResponse({"message": "Rate Limit Reached"}, status_code=503, headers=headers)
            case "coded":
                return JSONResponse({"error": 416, "message": f"bad daypart, key was {SECRET}"}, status_code=400)
            case "html":
                return HTMLResponse("<!DOCTYPE html><html><body>Login</body></html>")
            case "redirect":
                return Response(status_code=302, headers={"Location": "/login"})
            case "garbage":
                return Response(b"{not json", media_type="application/json")
            case "unauthorized":
                return JSONResponse({"message": "No Access Right"}, status_code=401)
        return JSONResponse({"message": "not found"}, status_code=404)


def make_http(vendor: FlakyVendor, **kwargs: object) -> VendorHTTP:
    return VendorHTTP(
        title="Acme",
        connection=Connection(
            base_url="http://acme.test/api", headers={"X-Api-Key": SECRET}, params={"key": SECRET}, secrets=(SECRET,)
        ),
        auth_hint="ACME_API_KEY",
        base_url_env="ACME_BASE_URL",
        transport=httpx2.ASGITransport(app=vendor.app),
        backoff=0.0,
        **kwargs,  # type: ignore[arg-type]
    )


async def test_reads_retry_on_503_and_succeed() -> None:
    vendor = FlakyVendor()
    async with make_http(vendor).opened() as http:
        body = await http.json("GET", "flaky")
    assert body == {"fine": True}
    assert vendor.hits["flaky"] == 3


async def test_reads_give_up_after_bounded_attempts() -> None:
    vendor = FlakyVendor()
    async with make_http(vendor, read_retries=2).opened() as http:
        with pytest.raises(ToolError) as err:
            await http.json("GET", "down")
    assert vendor.hits["down"] == 3
    assert "HTTP 502" in str(err.value) and "try again" in str(err.value)


@pytest.mark.parametrize("method", ["POST", "DELETE"])
async def test_writes_are_never_retried(method: str) -> None:
    vendor = FlakyVendor()
    async with make_http(vendor).opened() as http:
        with pytest.raises(ToolError) as err:
            await http.request(method, "flaky", verify_with="list_acme_things")
    assert vendor.hits["flaky"] == 1
    assert "list_acme_things" in str(err.value)


async def test_a_get_that_writes_is_not_retried() -> None:
    vendor = FlakyVendor()
    async with make_http(vendor).opened() as http:
        with pytest.raises(ToolError):
            await http.request("GET", "flaky", write=True)
    assert vendor.hits["flaky"] == 1


async def test_rate_limit_reset_is_honoured_when_short() -> None:
    vendor = FlakyVendor()
    async with make_http(vendor).opened() as http:
        assert await http.json("GET", "limited") == {"fine": True}
    assert vendor.hits["limited"] == 2


async def test_rate_limit_far_away_fails_at_once_with_the_reset_time() -> None:
    vendor = FlakyVendor()
    async with make_http(vendor).opened() as http:
        with pytest.raises(ToolError) as err:
            await http.json("GET", "limited-long")
    assert vendor.hits["limited-long"] == 1
    assert "Rate limit reached; try again after" in str(err.value)


async def test_vendor_code_and_message_are_named_and_secrets_masked() -> None:
    vendor = FlakyVendor()
    async with make_http(vendor).opened() as http:
        with pytest.raises(ToolError) as err:
            await http.json("POST", "coded", action="create thing")
    text = str(err.value)
    assert "Acme: create thing failed (HTTP 400) — error 416: bad daypart" in text
    assert SECRET not in text and "***" in text


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("html", "HTML page instead of JSON"),
        ("redirect", "redirected instead of answering"),
        ("garbage", "not valid JSON"),
        ("unauthorized", "check ACME_API_KEY"),
        ("missing", "Check the id"),
    ],
)
async def test_unusable_answers_become_clear_errors(path: str, expected: str) -> None:
    vendor = FlakyVendor()
    async with make_http(vendor).opened() as http:
        with pytest.raises(ToolError) as err:
            await http.json("GET", path)
    assert expected in str(err.value)


async def test_connection_params_and_headers_reach_the_vendor() -> None:
    vendor = FlakyVendor()
    async with make_http(vendor).opened() as http:
        body = await http.json("GET", "ok", params={"a": 1, "skip": None})
    assert body["query"] == f"key={SECRET}&a=1"
    assert vendor.seen_headers[0]["x-api-key"] == SECRET
    assert vendor.seen_headers[0]["user-agent"].startswith("agenda-mcp/")


async def test_connection_errors_on_writes_say_nothing_was_sent() -> None:
    http = VendorHTTP(
        title="Acme",
        connection=Connection(base_url="http://127.0.0.1:9/api"),
        auth_hint="ACME_API_KEY",
        base_url_env="ACME_BASE_URL",
        backoff=0.0,
        timeout=2.0,
    )
    async with http.opened():
        with pytest.raises(ToolError) as err:
            await http.request("POST", "things")
    assert "nothing was sent" in str(err.value)


async def test_no_secret_in_logs_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    vendor = FlakyVendor()
    caplog.set_level(logging.DEBUG)
    async with make_http(vendor).opened() as http:
        await http.json("GET", "ok")
        with pytest.raises(ToolError):
            await http.json("GET", "coded")
    assert caplog.records, "expected the HTTP layer and httpx2 to log at DEBUG"
    for record in caplog.records:
        assert SECRET not in record.getMessage()


async def test_one_client_shared_by_overlapping_holders() -> None:
    http = make_http(FlakyVendor())
    async with http.opened():
        first = http.client
        async with http.opened():
            assert http.client is first
        assert http.client is first
    with pytest.raises(RuntimeError):
        _ = http.client


@pytest.mark.parametrize("path", ["things/../admin", "things/%2e%2e/admin", "./ok", "things/\x1fbad"])
async def test_paths_that_climb_or_cannot_be_built_are_refused_unsent(path: str) -> None:
    vendor = FlakyVendor()
    async with make_http(vendor).opened() as http:
        with pytest.raises(ToolError) as err:
            await http.request("DELETE", path)
    assert "refused" in str(err.value)
    assert sum(vendor.hits.values()) == 0


@pytest.mark.parametrize(
    ("value", "expected"), [("API5ce.1", "API5ce.1"), ("a/b", "a%2Fb"), ("../x", "..%2Fx"), (42, "42")]
)
def test_path_segment_keeps_an_id_in_one_segment(value: object, expected: str) -> None:
    assert path_segment(value) == expected


@pytest.mark.parametrize("value", ["", ".", ".."])
def test_path_segment_refuses_empty_and_dots(value: str) -> None:
    with pytest.raises(ToolError):
        path_segment(value)
