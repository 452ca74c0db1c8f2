"""Locaboo over real loopback HTTP, with LOCABOO_BASE_URL pointed at a served sandbox: the path an
operator uses. The key travels in the query string, so the logs are checked for it."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from mcp import Client

from agenda_mcp.server.startup.app import build_server
from agenda_mcp.server.startup.config import Settings
from agenda_mcp.tools.locaboo import sandbox as locaboo_sandbox
from tests.support import call_error, call_ok
from tests.support.loopback import serve_loopback

pytestmark = pytest.mark.anyio
KEY = locaboo_sandbox.SANDBOX_ENV["LOCABOO_API_KEY"]
WRONG = "definitely-the-wrong-locaboo-key"


async def test_locaboo_over_loopback_http(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    app = locaboo_sandbox.create_app()
    state = app.state.sandbox
    today = state.now().date()
    day = today - timedelta(days=today.weekday()) + timedelta(days=10)  # Thursday next week
    async with serve_loopback(app) as url:
        env = {"LOCABOO_API_KEY": KEY, "LOCABOO_BASE_URL": f"{url}/api/v2"}
        async with Client(build_server(Settings(env=env, retry_backoff=0.0))) as client:
            assert "SANDBOX" not in (client.instructions or "")
            resources = await call_ok(client, "locaboo_resource_list")
            assert {r["id"] for r in resources["resources"]} >= {100, 110, 121}
            booked = await call_ok(
                client,
                "locaboo_booking_add",
                {
                    "booking_mode": "direct_booking",
                    "main_resource": 121,
                    "date_from": day.isoformat(),
                    "date_to": day.isoformat(),
                    "time_from": "18:00",
                    "time_to": "20:00",
                    "customer_id": 2004,
                    "inventory": [{"resource_id": 121, "item_id": 303, "quantity": 2}],
                },
            )
            assert booked["sandbox"] is False  # a real server as far as agenda-mcp knows
            free = await call_ok(
                client,
                "locaboo_availability",
                {"resource_id": [121], "date_from": day.isoformat(), "date_to": day.isoformat(), "duration": "02:00"},
            )
            assert free["timezone"] == "Europe/Berlin" and free["resources"][0]["slots"]
            assert all(s["start"][11:16] != "18:00" for s in free["resources"][0]["slots"])
            await call_ok(
                client, "locaboo_booking_save", {"booking_id": booked["booking_id"], "booking_status": "Cancel"}
            )
        assert state.booking(booked["booking_id"]).status == "Cancel"
        assert state.booking(booked["booking_id"]).resources[0].inventory == {303: 2}  # the bracket form arrived

        wrong = {**env, "LOCABOO_API_KEY": WRONG}
        async with Client(build_server(Settings(env=wrong, retry_backoff=0.0))) as client:
            text = await call_error(client, "locaboo_profile")
            write = await call_error(
                client, "locaboo_customer_add", {"customer": {"last_name": "Schneider", "city": "Lahnstadt"}}
            )
        assert "HTTP 401" in text and "Invalid api_secret_key" in text and "check LOCABOO_API_KEY" in text
        assert "HTTP 401" in write
    assert any("api_secret_key=" in record.getMessage() for record in caplog.records)
    for record in caplog.records:
        assert WRONG not in record.getMessage()
        assert KEY not in record.getMessage()
    assert WRONG not in text + write
