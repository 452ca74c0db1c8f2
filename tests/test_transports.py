"""Real transports: the installed console script over stdio, and a vendor sandbox served over
loopback HTTP with the vendor's *_BASE_URL pointed at it (the path an operator uses)."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from agenda_mcp.server.startup.app import build_server
from agenda_mcp.server.startup.config import Settings
from agenda_mcp.tools.planaday import sandbox as planaday_sandbox
from tests.support import call_error, call_ok
from tests.support.loopback import serve_loopback

pytestmark = pytest.mark.anyio
SCRIPT = str(Path(sys.executable).parent / "agenda-mcp")


async def test_console_script_over_stdio_lists_and_calls_tools() -> None:
    params = StdioServerParameters(
        command=SCRIPT, args=["--sandbox", "--toolsets", "planaday"], env={"PATH": os.environ.get("PATH", "")}
    )
    async with Client(params) as client:
        assert client.server_info.name == "agenda-mcp"
        assert "SANDBOX MODE" in (client.instructions or "")
        names = {tool.name for tool in (await client.list_tools()).tools}
        assert {"create_planaday_booking", "list_planaday_courses"} <= names
        labels = await call_ok(client, "list_planaday_labels")
        assert labels["labels"]


async def test_planaday_over_loopback_http(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    app = planaday_sandbox.create_app()
    async with serve_loopback(app) as url:
        env = {**planaday_sandbox.SANDBOX_ENV, "PLANADAY_BASE_URL": f"{url}/v1"}
        async with Client(build_server(Settings(env=env, retry_backoff=0.0))) as client:
            assert "SANDBOX" not in (client.instructions or "")
            await call_ok(client, "ping_planaday")
            booking = await call_ok(
                client,
                "create_planaday_booking",
                {"course_id": 102, "students": [{"first_name": "Bram", "last_name": "Jansen"}]},
            )
            assert booking["sandbox"] is False  # a real server as far as agenda-mcp knows
        assert app.state.sandbox.booking(booking["booking_id"]).status == "pending"

        wrong = {**env, "PLANADAY_API_KEY": "definitely-the-wrong-key"}
        async with Client(build_server(Settings(env=wrong, retry_backoff=0.0))) as client:
            text = await call_error(client, "list_planaday_labels")
        assert "HTTP 401" in text and "check PLANADAY_API_KEY" in text
        assert "definitely-the-wrong-key" not in text
    for record in caplog.records:
        assert "definitely-the-wrong-key" not in record.getMessage()
        assert planaday_sandbox.SANDBOX_ENV["PLANADAY_API_KEY"] not in record.getMessage()
