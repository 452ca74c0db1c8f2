"""ServicePlanner over real loopback HTTP: the simulator served by uvicorn, SERVICEPLANNER_BASE_URL
pointed at it, and the server in normal (not sandbox) mode, as an operator would run it."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from mcp import Client
from starlette.types import ASGIApp, Receive, Scope, Send

from agenda_mcp.server.startup.app import build_server
from agenda_mcp.server.startup.config import ConfigError, Settings
from agenda_mcp.tools.serviceplanner import sandbox as sp_sandbox
from agenda_mcp.tools.serviceplanner.client import DEFAULT_BASE_URL, connection
from tests.support import call_error, call_ok
from tests.support.loopback import serve_loopback

pytestmark = pytest.mark.anyio
TOKEN = sp_sandbox.SANDBOX_ENV["SERVICEPLANNER_API_TOKEN"]
CONFIRMED_PATHS = "appointment_types=appointment/types, client_items=client/{client_id}/item"


class WireLog:
    """Records each request's method, path and headers as they arrive over the socket."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.requests: list[dict[str, str]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = {key.decode().lower(): value.decode() for key, value in scope["headers"]}
            self.requests.append({**headers, ":method": scope["method"], ":path": scope["path"]})
        await self.app(scope, receive, send)


def settings(url: str, attachments_dir: str | None = None, **extra: str) -> Settings:
    env = {**sp_sandbox.SANDBOX_ENV, "SERVICEPLANNER_BASE_URL": url, **extra}
    return Settings(env=env, retry_backoff=0.0, toolsets=("serviceplanner",), attachments_dir=attachments_dir)


async def test_serviceplanner_over_loopback_http(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    app = sp_sandbox.create_app()
    wire = WireLog(app)
    async with serve_loopback(wire) as url:
        async with Client(build_server(settings(url))) as client:
            assert "SANDBOX" not in (client.instructions or "")
            found = await call_ok(client, "sp_list_clients", {"search": "utrecht", "per_page": 5, "all_pages": True})
            assert len(found["clients"]) == found["page"]["total"] > 5
            created = await call_ok(
                client,
                "sp_create_client",
                {
                    "company_name": "Bakkerij Het Anker",
                    "invoice_address": {
                        "street": "Langestraat",
                        "house_number": "1",
                        "zipcode": "3811 AA",
                        "city": "Amersfoort",
                    },
                },
            )
            assert created["sandbox"] is False  # a real server as far as agenda-mcp knows
            assert created["addresses"][0]["type"] == "invoice"
            shown = await call_ok(client, "sp_get_client", {"client_id": created["id"]})
            # Only an invoice address: visits happen there (the vendor's flag says so; the tool shows the list).
            assert [(a["type"], a["address"]) for a in shown["addresses"]] == [
                ("invoice", "Langestraat 1, 3811 AA Amersfoort")
            ]
            assert app.state.sandbox.clients[created["id"]]["work_address_same_as_invoice_address"] == 1
            await call_ok(client, "sp_delete_client", {"client_id": created["id"]})
            assert "HTTP 404" in await call_error(client, "sp_get_client", {"client_id": created["id"]})

            # Not printed in the vendor's docs: refused against a real account, nothing sent.
            before = len(wire.requests)
            refused = await call_error(client, "sp_list_appointment_types")
            assert "SERVICEPLANNER_PATHS" in refused and "appointment_types=appointment/types" in refused
            assert len(wire.requests) == before

        # The bearer token, and Accept: application/json, are on every request on the wire.
        assert wire.requests
        assert {request["authorization"] for request in wire.requests} == {f"Bearer {TOKEN}"}
        assert {request["accept"] for request in wire.requests} == {"application/json"}
        posted = next(r for r in wire.requests if r[":method"] == "POST" and r[":path"] == "/client")
        assert posted["content-type"] == "application/json"
        assert app.state.sandbox.clients[created["id"]]["deleted_at"] is not None

        # The operator confirms the undocumented paths; now they are used.
        async with Client(build_server(settings(url, SERVICEPLANNER_PATHS=CONFIRMED_PATHS))) as client:
            types = await call_ok(client, "sp_list_appointment_types")
            assert "Onderhoud cv-ketel" in {t["name"] for t in types["appointment_types"]}
            owner = next(iter(app.state.sandbox.items.values()))["client_id"]
            items = await call_ok(client, "sp_list_client_items", {"client_id": owner})
            assert items["items"]
            still = await call_error(client, "sp_get_client_item", {"client_id": owner, "item_id": 1})
            assert "client_item=" in still  # confirmed one by one

        wrong = {"SERVICEPLANNER_API_TOKEN": "definitely-the-wrong-token"}
        async with Client(build_server(settings(url, **wrong))) as client:
            text = await call_error(client, "sp_list_users")
        assert "HTTP 401" in text and "check SERVICEPLANNER_API_TOKEN" in text
        assert "definitely-the-wrong-token" not in text
    for record in caplog.records:
        assert "definitely-the-wrong-token" not in record.getMessage()
        assert TOKEN not in record.getMessage()


async def test_attachments_travel_as_multipart_over_http(tmp_path: Any) -> None:
    app = sp_sandbox.create_app()
    wire = WireLog(app)
    item = next(iter(app.state.sandbox.items.values()))
    werkbon = tmp_path / "werkbon.pdf"
    werkbon.write_bytes(b"%PDF-1.4 onderhoudsrapport")
    paths = "client_item_attachments=client/{client_id}/item/{item_id}/attachments"
    arguments = {"client_id": item["client_id"], "item_id": item["id"], "attachments": [{"file_path": "werkbon.pdf"}]}
    served = settings(url="", attachments_dir=str(tmp_path), SERVICEPLANNER_PATHS=paths)
    async with serve_loopback(wire) as url, Client(build_server(_at(served, url))) as client:
        result = await call_ok(client, "sp_add_client_item_attachments", arguments)
    assert [a["name"] for a in result["attachments"]] == ["werkbon.pdf"]
    upload = next(r for r in wire.requests if r[":path"].endswith("/attachments"))
    assert upload["content-type"].startswith("multipart/form-data; boundary=")
    assert upload["authorization"] == f"Bearer {TOKEN}"
    stored = item["attachments"][0]["id"]
    assert app.state.sandbox.attachment_content[stored] == b"%PDF-1.4 onderhoudsrapport"


def _at(base: Settings, url: str) -> Settings:
    return base.with_overrides(env={**base.env, "SERVICEPLANNER_BASE_URL": url})


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"SERVICEPLANNER_PATHS": "appointment_types"}, "expected name=path"),
        ({"SERVICEPLANNER_PATHS": "afspraken=appointment/types"}, "expected name=path"),
        ({"SERVICEPLANNER_PATHS": "client_item=client/{client_id}/items"}, "must contain {client_id}, {item_id}"),
        ({"SERVICEPLANNER_BASE_URL": "api.service-planner.nl"}, "must be a URL"),
    ],
    ids=["no-path", "unknown-name", "missing-placeholder", "base-url"],
)
def test_malformed_configuration_is_one_clear_line(env: dict[str, str], expected: str) -> None:
    full = {"SERVICEPLANNER_API_TOKEN": "token", **env}
    with pytest.raises(ConfigError) as error:
        build_server(Settings(env=full, toolsets=("serviceplanner",)))
    assert expected in str(error.value) and "\n" not in str(error.value)


def test_the_default_base_url_and_the_headers() -> None:
    made = connection({"SERVICEPLANNER_API_TOKEN": " secret-token "})
    assert made.base_url == DEFAULT_BASE_URL == "https://api.service-planner.nl"
    assert made.headers == {"Authorization": "Bearer secret-token", "Accept": "application/json"}
    assert made.secrets == ("secret-token",)
