"""What the Locaboo tools send and read on the wire, against a scripted Locaboo over loopback HTTP
(tests/support/documented.py `ScriptedVendor` records every request): answers outside the
documented examples, dates the examples never show, and requests that must not be sent at all."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from mcp import Client

from agenda_mcp.server.startup.app import build_agenda
from agenda_mcp.server.startup.config import Settings
from tests.support import call_error, call_ok
from tests.support.documented import VENDOR_ENV, ScriptedVendor
from tests.support.loopback import serve_loopback

pytestmark = pytest.mark.anyio
WRITTEN = {"data": [{"id": 46330, "message": "Successfully created the booking."}], "total": 1, "success": True}


@dataclass
class Wire:
    client: Client
    vendor: ScriptedVendor


@pytest.fixture
async def wire() -> AsyncIterator[Wire]:
    vendor = ScriptedVendor()
    async with serve_loopback(vendor) as url:
        env = {name: value.format(url=url) for name, value in VENDOR_ENV["locaboo"].items()}
        settings = Settings(env=env, toolsets=("locaboo",), retry_backoff=0.0, dedup_seconds=0)
        async with Client(build_agenda(settings).server) as client:
            yield Wire(client, vendor)


def answering(path: str, body: dict[str, Any], method: str = "GET") -> dict[str, Any]:
    return {"when": {"method": method, "path": f"/api/v2/{path}"}, "status": 200, "json": body}


# --- item: an ISO timestamp without an offset --------------------------------------------------


async def test_an_iso_timestamp_without_offset_is_the_venues_wall_clock(wire: Wire) -> None:
    """Locaboo writes `created` and `last_login` as ISO 8601 with an offset; one without (seen as
    `2026-03-05T10:00`) is wall time in Locaboo's zone, as its other notations are."""
    customer = {"id": 7, "last_name": "Weber", "created": "2026-03-05T10:00", "last_login": "2026-07-05T10:00:30"}
    wire.vendor.script([answering("customer_list", {"data": [customer], "success": True})])
    listed = await call_ok(wire.client, "locaboo_customer_list")
    (found,) = listed["customers"]
    assert found["created"] == "2026-03-05T10:00:00+01:00"
    assert found["last_login"] == "2026-07-05T10:00:30+02:00"


# --- item: years before 1000 --------------------------------------------------------------------


async def test_a_year_before_1000_reaches_locaboo_as_four_digits(wire: Wire) -> None:
    """Locaboo's `Y-m-d` is PHP's: the year has at least four digits (`0001-01-01`, not `1-01-01`)."""
    wire.vendor.script(
        [
            answering("booking_list", {"data": [], "total": 0, "success": True}),
            answering("booking_add", WRITTEN, method="POST"),
        ]
    )
    await call_ok(wire.client, "locaboo_booking_list", {"date_from": "0001-01-01", "date_to": "0001-01-03"})
    await call_ok(
        wire.client,
        "locaboo_booking_add",
        {
            "booking_mode": "booking_request",
            "main_resource": 48,
            "date_from": "0999-12-30",
            "date_to": "0999-12-31",
            "time_from": "09:00",
            "time_to": "10:00",
        },
    )
    listed, added = wire.vendor.requests
    assert (listed.query["date_from"], listed.query["date_to"]) == ("0001-01-01", "0001-01-03")
    assert (added.query["date_from"], added.query["date_to"]) == ("0999-12-30", "0999-12-31")
    assert not wire.vendor.unmatched


# --- item: recurring bookings are bounded by their occurrences, not by days --------------------


def _yearly(date_from: str, date_to: str) -> dict[str, Any]:
    return {
        "booking_mode": "direct_booking",
        "main_resource": 48,
        "date_from": date_from,
        "date_to": date_to,
        "time_from": "18:00",
        "time_to": "22:00",
        "recurrence": {"type": "year", "day": 1, "month": 6},
    }


async def test_a_yearly_booking_over_five_years_is_sent_whole(wire: Wire) -> None:
    wire.vendor.script([answering("booking_add", WRITTEN, method="POST")])
    written = await call_ok(wire.client, "locaboo_booking_add", _yearly("2026-01-01", "2030-12-31"))
    assert written["booking_id"] == 46330
    (sent,) = wire.vendor.requests
    assert (sent.query["date_from"], sent.query["date_to"]) == ("2026-01-01", "2030-12-31")
    assert sent.query["recurrence_type"] == "year"
    assert (sent.query["yearly_recurrence[day]"], sent.query["yearly_recurrence[month]"]) == ("01", "06")


@pytest.mark.parametrize(
    "arguments",
    [
        _yearly("2026-01-01", "9999-12-31"),  # 7,974 occurrences: counted without walking 2.9 million days
        {**_yearly("2026-01-01", "2030-12-31"), "recurrence": {"type": "day"}},
        {**_yearly("0001-01-01", "9999-12-31"), "recurrence": {"type": "week", "weekdays": ["mon", "sat"]}},
        {**_yearly("2026-01-01", "2029-01-01"), "recurrence": None},  # one a day without a rule
    ],
    ids=["yearly-to-9999", "daily-5-years", "weekly-0001-9999", "single-3-years"],
)
async def test_too_many_occurrences_are_refused_before_sending(wire: Wire, arguments: dict[str, Any]) -> None:
    wire.vendor.script([answering("booking_add", WRITTEN, method="POST")])
    text = await call_error(wire.client, "locaboo_booking_add", {k: v for k, v in arguments.items() if v})
    assert "more than 731 occurrences" in text and "date_to" in text, text
    assert wire.vendor.requests == []
