"""OnlineAfspraken.nl over real loopback HTTP, with ONLINEAFSPRAKEN_BASE_URL pointed at the sandbox.

The requests on the wire are recorded and checked against the reference's own signing algorithm
(reimplemented here from the vendor reference, independently of tools/onlineafspraken/signing.py).
"""

from __future__ import annotations

import hashlib
import logging
from urllib.parse import parse_qsl

import pytest
from mcp import Client
from starlette.types import ASGIApp, Receive, Scope, Send

from agenda_mcp.server.startup.app import build_server
from agenda_mcp.server.startup.config import Settings
from agenda_mcp.tools.onlineafspraken import sandbox as oa_sandbox
from tests.support import call_error, call_ok
from tests.support.loopback import serve_loopback

pytestmark = pytest.mark.anyio

KEY = oa_sandbox.SANDBOX_ENV["ONLINEAFSPRAKEN_API_KEY"]
SECRET = oa_sandbox.SANDBOX_ENV["ONLINEAFSPRAKEN_API_SECRET"]
EXCLUDED = {"api_key", "api_salt", "api_signature", "api_format", "api_lang", "api_jsonp_callback"}


def reference_signature(params: dict[str, str], secret: str, salt: str) -> str:
    """Reference 1.3, step by step: sort by key, key+value without spaces, + secret + salt, SHA-1."""
    base = "".join(key + params[key].replace(" ", "") for key in sorted(params) if key not in EXCLUDED)
    return hashlib.sha1((base + secret + salt).encode("utf-8")).hexdigest()


class Recorder:
    """ASGI middleware that keeps the path and query of every request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.requests: list[tuple[str, list[tuple[str, str]]]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = parse_qsl(scope["query_string"].decode(), keep_blank_values=True)
            self.requests.append((scope["path"], query))
        await self.app(scope, receive, send)


async def test_booking_over_loopback_http_with_reference_signatures(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    app = oa_sandbox.create_app()
    recorder = Recorder(app)
    async with serve_loopback(recorder) as url:
        env = {
            "ONLINEAFSPRAKEN_API_KEY": KEY,
            "ONLINEAFSPRAKEN_API_SECRET": SECRET,
            "ONLINEAFSPRAKEN_BASE_URL": f"{url}/APIREST",
        }
        async with Client(build_server(Settings(env=env, retry_backoff=0.0))) as client:
            assert "SANDBOX" not in (client.instructions or "")
            target = {"agenda_id": 3101, "appointment_type_id": 286851}
            days = await call_ok(client, "get_bookable_days", target)
            times = await call_ok(client, "get_bookable_times", {**target, "date": days["days"][-1]})
            slot = times["times"][0]
            saved = await call_ok(
                client,
                "set_appointment",
                {
                    **target,
                    "customer_id": 14180540,
                    "start_time": slot["start"],
                    "resource_id": slot["resource_id"],
                    "description": "Via loopback",
                },
            )
            assert saved["sandbox"] is False  # a real server as far as agenda-mcp knows
            await call_ok(client, "cancel_appointment", {"appointment_id": saved["appointment_id"]})
        assert app.state.sandbox.appointment(saved["appointment_id"]).label == 4  # cancelled

        wrong = {**env, "ONLINEAFSPRAKEN_API_SECRET": "definitely-the-wrong-secret"}
        async with Client(build_server(Settings(env=wrong, retry_backoff=0.0))) as client:
            text = await call_error(client, "get_agendas")
        assert "Ongeldige handtekening" in text and "ONLINEAFSPRAKEN_API_SECRET" in text
        assert "definitely-the-wrong-secret" not in text

    by_method: dict[str, dict[str, str]] = {}
    for path, query in recorder.requests:
        assert path == "/APIREST"  # exactly the configured base URL, no added slash
        names = [name for name, _ in query]
        assert len(names) == len(set(names)), names
        params = dict(query)
        assert params["api_key"] == KEY
        assert params["api_salt"].isdigit() and len(params["api_salt"]) == 10  # Unix seconds
        secret = SECRET if params["method"] != "getAgendas" else "definitely-the-wrong-secret"
        assert params["api_signature"] == reference_signature(params, secret, params["api_salt"])
        by_method.setdefault(params["method"], params)

    assert set(by_method) >= {"getBookableDays", "getBookableTimes", "setAppointment", "getAppointment"}
    booking = by_method["setAppointment"]
    assert {k: booking[k] for k in ("AgendaId", "AppointmentTypeId", "CustomerId", "BookingMode", "OverrideMode")} == {
        "AgendaId": "3101",
        "AppointmentTypeId": "286851",
        "CustomerId": "14180540",
        "BookingMode": "consumer",
        "OverrideMode": "0",
    }
    # The slot's start, passed on as it came, arrives as the vendor's own Date + hh:mm wall clock.
    assert (booking["Date"], booking["StartTime"]) == (slot["start"][:10], slot["start"][11:16])
    assert booking["Description"] == "Via loopback"  # sent with its space; only the signature drops it
    assert "EndTime" not in booking and "Name" not in booking  # unset: neither sent nor signed
    assert set(by_method["getBookableTimes"]) - {"method", "api_key", "api_salt", "api_signature"} == {
        "AgendaId",
        "AppointmentTypeId",
        "Date",
    }
    for record in caplog.records:
        message = record.getMessage()
        assert SECRET not in message and "definitely-the-wrong-secret" not in message
        assert KEY not in message
