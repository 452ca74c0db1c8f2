"""The Locaboo client on its own: envelope handling, retries, configuration and answer shapes."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx2
import pytest
from mcp.server.mcpserver.exceptions import ToolError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from agenda_mcp.server.kit.http import VendorHTTP
from agenda_mcp.server.startup.config import ConfigError
from agenda_mcp.tools.locaboo.client import DEFAULT_BASE_URL, LocabooClient, connection, describe_error
from agenda_mcp.tools.locaboo.models import Booking, BookingList, InventoryItem, parse

pytestmark = pytest.mark.anyio
BERLIN = ZoneInfo("Europe/Berlin")
SECRET = "locaboo-secret-0123456789"


class ScriptedLocaboo:
    """Answers each path from a script and records what arrived."""

    def __init__(self, script: dict[str, list[Response]]) -> None:
        self.script = script
        self.hits: Counter[str] = Counter()
        self.queries: list[str] = []
        self.app = Starlette(routes=[Route("/api/v2/{name:path}", self.handle, methods=["GET", "POST"])])

    async def handle(self, request: Request) -> Response:
        name = request.path_params["name"]
        self.hits[name] += 1
        self.queries.append(str(request.url.query))
        answers = self.script[name]
        return answers[min(self.hits[name], len(answers)) - 1]


def client_for(vendor: ScriptedLocaboo) -> tuple[VendorHTTP, LocabooClient]:
    http = VendorHTTP(
        title="Locaboo",
        connection=connection({"LOCABOO_API_KEY": SECRET, "LOCABOO_BASE_URL": "http://locaboo.test/api/v2"}),
        auth_hint="LOCABOO_API_KEY",
        base_url_env="LOCABOO_BASE_URL",
        transport=httpx2.ASGITransport(app=vendor.app),
        backoff=0.0,
        describe_error=describe_error,
    )
    return http, LocabooClient(http, BERLIN)


OK_PROFILE = JSONResponse({"data": {"first_name": "Sabine", "created": "2016-06-02"}, "total": 16, "success": True})


def test_connection_defaults_and_checks() -> None:
    default = connection({"LOCABOO_API_KEY": SECRET})
    assert default.base_url == DEFAULT_BASE_URL
    assert default.params == {"api_secret_key": SECRET} and SECRET in default.secrets
    with pytest.raises(ConfigError, match="LOCABOO_BASE_URL must be a URL"):
        connection({"LOCABOO_API_KEY": SECRET, "LOCABOO_BASE_URL": "app.locaboo.com"})
    with pytest.raises(ConfigError, match="LOCABOO_TIMEZONE"):
        connection({"LOCABOO_API_KEY": SECRET, "LOCABOO_TIMEZONE": "Berlin"})


async def test_the_key_travels_in_the_query_string() -> None:
    vendor = ScriptedLocaboo({"profile": [OK_PROFILE]})
    http, client = client_for(vendor)
    async with http.opened():
        profile = await client.profile()
    assert profile.created == date(2016, 6, 2)
    assert vendor.queries == [f"api_secret_key={SECRET}"]


async def test_success_false_on_a_200_is_an_error_with_the_vendors_message() -> None:
    refused = JSONResponse({"success": False, "message": f"Zugriff verweigert für {SECRET}"})
    vendor = ScriptedLocaboo({"profile": [refused], "customer_add": [refused]})
    http, client = client_for(vendor)
    async with http.opened():
        with pytest.raises(ToolError) as read_error:
            await client.profile()
        with pytest.raises(ToolError) as write_error:
            await client.customer_add({"last_name": "Roth"})
    assert "get profile failed — Zugriff verweigert" in str(read_error.value)
    assert "Nothing was changed" in str(write_error.value)
    assert SECRET not in str(read_error.value) + str(write_error.value)


async def test_booking_save_is_a_write_and_never_retried() -> None:
    busy = JSONResponse({"success": False, "message": "busy"}, status_code=503)
    fine = JSONResponse({"data": [{"id": 7, "message": "ok"}], "total": 0, "success": True})
    vendor = ScriptedLocaboo(
        {"booking_save": [busy, fine], "availability": [busy, JSONResponse({"data": [], "success": True})]}
    )
    http, client = client_for(vendor)
    async with http.opened():
        with pytest.raises(ToolError) as error:
            await client.booking_save({"booking_id": 7, "booking_status": "Cancel"})
        availability = await client.availability(date(2026, 3, 2), date(2026, 3, 2))
    assert vendor.hits["booking_save"] == 1  # a GET that changes data is not repeated
    assert "Do not simply repeat it" in str(error.value) and "locaboo_booking_list" in str(error.value)
    assert vendor.hits["availability"] == 2 and availability.total == 0


async def test_a_write_without_an_id_is_not_reported_as_done() -> None:
    vendor = ScriptedLocaboo({"booking_add": [JSONResponse({"data": [], "success": True})]})
    http, client = client_for(vendor)
    async with http.opened():
        with pytest.raises(ToolError, match="without an id"):
            await client.booking_add({"booking_mode": "direct_booking"})


def test_describe_error_takes_whatever_message_there_is() -> None:
    def detail(body: Any) -> str | None:
        return describe_error(httpx2.Response(400, json=body)).message

    assert detail({"success": False, "message": "date_from is required"}) == "date_from is required"
    assert detail({"error": "kaputt"}) == "kaputt"
    assert detail({"errors": ["a", "b"]}) == '["a", "b"]'
    assert detail(["no", "object"]) is None
    assert describe_error(httpx2.Response(500, content=b"<html>")).message is None


# --- answer shapes (reference §2.4, §2.5, §2.9, §4) ------------------------------------------

INSTANCE = {"resource_id": 49, "resource": "Halle > Kleine Halle", "from": "2023-10-11 11:00", "to": "2023-10-11 14:00"}


@pytest.mark.parametrize(
    "instances",
    [
        {"39518": {"id": 39518, **INSTANCE, "custom_fields": []}},  # booking_list: keyed by id
        [{"id": 39518, **INSTANCE, "custom_fields": []}],  # booking/{id}: a list
    ],
    ids=["object", "list"],
)
def test_instances_as_object_or_list(instances: Any) -> None:
    booking = parse(
        Booking,
        {
            "id": 312834,
            "title": "",
            "resources": [{"resource_id": 48, "resource": "Halle", "instances": instances}],
            "custom_fields": {"48": {"mf_56": {"label": "Anlass ", "value": "Tagung", "category": 0}}},
            "customer_id": "21749",
            "persons": [],
            "color": "#17df26",
        },
        BERLIN,
    )
    (instance,) = booking.resources[0].instances
    assert instance.id == 39518 and instance.start == datetime(2023, 10, 11, 11, 0, tzinfo=BERLIN)
    assert instance.custom_fields is None and booking.customer_id == 21749 and booking.title is None
    assert booking.persons is None
    assert booking.custom_fields is not None
    assert [(f.resource_id, f.field_id, f.label, f.value) for f in booking.custom_fields] == [
        (48, 56, "Anlass", "Tagung")
    ]
    dumped = booking.model_dump(mode="json")
    assert dumped["resources"][0]["instances"][0]["start"] == "2023-10-11T11:00:00+02:00"
    assert "title" not in dumped and "persons" not in dumped


def test_booking_details_extras_keyed_by_id() -> None:
    booking = parse(
        Booking,
        {
            "id": 1,
            "resources": [
                {
                    "resource_id": 5721,
                    "instances": [],
                    "features": {
                        "451": {
                            "rule_interval": "per_quantity",
                            "rule_price": 10.149,
                            "rule_name": "Beamer",
                            "quantity": "0",
                        }
                    },
                    "inventory": [],
                    "custom_fields": [],
                }
            ],
            "customer_id": "",
        },
        BERLIN,
    )
    resource = booking.resources[0]
    assert resource.services is not None and resource.services[0].model_dump() == {
        "id": 451,
        "name": "Beamer",
        "interval": "per_quantity",
        "price": 10.149,
        "quantity": 0.0,
    }
    assert resource.inventory is None and booking.customer_id is None


def test_prices_with_all_groups_or_named_groups_and_string_numbers() -> None:
    item = parse(
        InventoryItem,
        {
            "id": 1890,
            "name": "Inv_item1",
            "created_on": "2020-09-02T12:53:05+02:00",
            "quantity": "1",
            "price_cost": "0",
            "prices": [
                {"price": "20", "customer_groups": ["All"], "interval": "per_hour", "tax": 19},
                {
                    "price": "2",
                    "customer_groups": {"1182": "Group 1", "1183": "group 2"},
                    "interval": "per_hour",
                    "tax": "34",
                },
            ],
            "resources": {"48": "Sample Resource A"},
        },
        BERLIN,
    )
    assert [(p.price, p.tax, p.customer_groups, p.customer_group_ids) for p in item.prices] == [
        (20.0, 19.0, ["All"], None),
        (2.0, 34.0, ["Group 1", "group 2"], [1182, 1183]),
    ]
    assert item.resources[0].id == 48 and item.quantity == 1.0


def test_a_broken_date_is_a_validation_error_not_a_crash() -> None:
    with pytest.raises(ValueError, match="not a Locaboo date-time"):
        parse(BookingList, {"bookings": [{"id": 1, "resources": [{"resource_id": 1, "instances": [
            {"id": 2, "resource_id": 1, "from": "gestern", "to": "heute"}]}]}], "total": 1}, BERLIN)  # fmt: skip
