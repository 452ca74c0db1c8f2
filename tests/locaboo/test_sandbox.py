"""The Locaboo simulator over HTTP: envelope, formats, availability and the booking rules."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx2
import pytest
from starlette.applications import Starlette

from agenda_mcp.tools.locaboo import dates, phpform
from agenda_mcp.tools.locaboo.sandbox import SANDBOX_BASE_URL, SANDBOX_ENV, create_app
from agenda_mcp.tools.locaboo.sandbox.model import BERLIN

pytestmark = pytest.mark.anyio

KEY = SANDBOX_ENV["LOCABOO_API_KEY"]
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=BERLIN)  # a Wednesday; Monday of that week is 2 March
TUESDAY = "2026-03-10"  # school sport blocks the whole Dreifeldhalle 08:00-12:00


class Api:
    def __init__(self, client: httpx2.AsyncClient) -> None:
        self.client = client

    async def get(self, path: str, **params: Any) -> tuple[int, Any]:
        response = await self.client.get(path, params={"api_secret_key": KEY, **params})
        return response.status_code, response.json()

    async def post(self, path: str, fields: dict[str, Any], *, as_json: bool = False) -> tuple[int, Any]:
        if as_json:
            response = await self.client.post(path, json={"api_secret_key": KEY, **fields})
        else:
            pairs = phpform.encode(fields)
            response = await self.client.post(path, params={"api_secret_key": KEY}, data=dict(pairs) if pairs else None)
        return response.status_code, response.json()

    async def ok(self, path: str, **params: Any) -> Any:
        status, body = await self.get(path, **params)
        assert status == 200 and body["success"] is True, body
        return body

    async def slots(self, resource_id: int | str, day: str, **params: Any) -> dict[int, list[str]]:
        body = await self.ok("availability", resource_id=str(resource_id), date_from=day, date_to=day, **params)
        result: dict[int, list[str]] = {}
        for entry in body["data"]:
            found = entry["dates"].get(day, []) if isinstance(entry["dates"], dict) else []
            result[entry["resource_id"]] = [f"{s['time_from']}-{s['time_to']}" for s in found]
        return result


@pytest.fixture
def app() -> Starlette:
    return create_app(now=lambda: NOW)


@pytest.fixture
async def api(app: Starlette) -> AsyncIterator[Api]:
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=SANDBOX_BASE_URL + "/") as client:
        yield Api(client)


def single(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "booking_mode": "direct_booking",
        "recurring": 0,
        "date_from": TUESDAY,
        "date_to": TUESDAY,
        "time_from": "14:00",
        "time_to": "16:00",
        "main_resource": 100,
        "resource_parts": {"100": [101]},
        "customer_id": 2001,
        "title": "Probetraining",
    }
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v is not None}


# --- authentication and routing --------------------------------------------------------------

GETS = [
    "resource_list",
    "resource/100",
    "booking_list",
    "booking/5001",
    "availability",
    "profile",
    "customer_list",
    "inventory_list",
    "service_list",
    "invoice_list",
    "booking_save",
    "event_list",
    "event_details/1",
]
POSTS = ["booking_add", "customer_add", "customer_edit", "customer_address_add"]


@pytest.mark.parametrize("path", GETS + POSTS)
@pytest.mark.parametrize(
    ("key", "message"), [(None, "Missing api_secret_key"), ("wrong-key-123", "Invalid api_secret_key")]
)
async def test_every_endpoint_refuses_a_missing_or_wrong_key(
    api: Api, path: str, key: str | None, message: str
) -> None:
    params = {"api_secret_key": key} if key else {}
    method = "POST" if path in POSTS else "GET"
    response = await api.client.request(method, path, params=params)
    assert response.status_code == 401
    assert response.json() == {"success": False, "message": message}


async def test_key_is_accepted_as_a_post_field(api: Api) -> None:
    response = await api.client.post("customer_add", data={"api_secret_key": KEY, "last_name": "Neumann"})
    assert response.status_code == 200 and response.json()["success"] is True


async def test_unknown_path_and_wrong_method(api: Api) -> None:
    status, body = await api.get("invoice_details/1")
    assert (status, body) == (404, {"success": False, "message": "Not found"})
    response = await api.client.post("resource_list", params={"api_secret_key": KEY})
    assert response.status_code == 405 and response.json()["success"] is False
    response = await api.client.get("booking_add", params={"api_secret_key": KEY})
    assert response.status_code == 405


async def test_json_is_written_the_php_way(api: Api) -> None:
    response = await api.client.get("resource/110", params={"api_secret_key": KEY})
    assert "Gro\\u00dfer Saal" in response.text
    assert "https:\\/\\/app.locaboo.com" in response.text
    assert response.json()["data"]["title"] == "Großer Saal"


def test_same_clock_same_data() -> None:
    one, two = create_app(now=lambda: NOW).state.sandbox, create_app(now=lambda: NOW).state.sandbox
    assert one.bookings == two.bookings and one.invoices == two.invoices
    later = create_app(now=lambda: datetime(2026, 3, 11, 10, 0, tzinfo=BERLIN)).state.sandbox
    assert later.bookings[5003].instances()[0].start == one.bookings[5003].instances()[0].start.replace(day=17)


# --- reads -----------------------------------------------------------------------------------


async def test_resource_list_has_parts_and_free_text_fields(api: Api) -> None:
    body = await api.ok("resource_list")
    assert body["total"] == len(body["data"]) == 6
    hall = next(r for r in body["data"] if r["id"] == 100)
    assert [p["id"] for p in hall["parts"]] == [101, 102, 103]
    fields = {f["id"]: f for f in body["free_text_fields"]}
    assert fields[1] == {"id": 1, "name": "Personen", "type": "numeric"}
    assert "U-Form" in fields[2]["options"]


@pytest.mark.parametrize(("resource_id", "title"), [(100, "Dreifeldhalle"), (101, "Dreifeldhalle > Hallendrittel A")])
async def test_resource_details(api: Api, resource_id: int, title: str) -> None:
    data = (await api.ok(f"resource/{resource_id}"))["data"]
    assert data["title"] == title
    assert data["today_opening_times"] == [["08:00", "22:00"]]  # a Wednesday
    assert data["today_holidays"] == []


async def test_resource_details_lists_todays_holiday() -> None:
    easter_monday = datetime(2026, 4, 6, 9, 0, tzinfo=BERLIN)
    app = create_app(now=lambda: easter_monday)
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=SANDBOX_BASE_URL + "/") as client:
        body = (await Api(client).ok("resource/120"))["data"]
    assert body["today_holidays"] == [{"title": "Ostermontag", "from": "2026-04-06", "to": "2026-04-06"}]


@pytest.mark.parametrize("path", ["resource/999", "resource/abc", "booking/1", "event_details/42"])
async def test_unknown_ids_are_404(api: Api, path: str) -> None:
    assert await api.get(path) == (404, {"success": False, "message": "Not found"})


async def test_booking_list_keys_instances_by_id_and_hides_details_by_default(api: Api) -> None:
    plain = await api.ok("booking_list", date_from="2026-03-02", date_to="2026-03-02")
    training = next(b for b in plain["data"] if b["id"] == 5001)
    instances = training["resources"][0]["instances"]
    assert isinstance(instances, dict) and all(key == str(value["id"]) for key, value in instances.items())
    assert {i["resource"] for i in instances.values()} == {
        "Dreifeldhalle > Hallendrittel A",
        "Dreifeldhalle > Hallendrittel B",
    }
    assert training["customer_id"] == "2001" and training["customer"] == "TSV Lahnstadt 1898 e.V."
    assert "custom_fields" not in training
    assert all("custom_fields" not in i for i in instances.values())

    detailed = await api.ok("booking_list", date_from="2026-03-02", date_to="2026-03-02", show_details="true")
    training = next(b for b in detailed["data"] if b["id"] == 5001)
    assert training["custom_fields"] == {"100": {"mf_1": {"label": "Personen", "value": "30", "category": 0}}}


@pytest.mark.parametrize(
    ("params", "expected_ids"),
    [
        ({}, {5001, 5002, 5004, 5012}),  # 5007 (cancelled, Wednesday) is left out
        ({"resource_id": "130"}, {5012}),
        ({"resource_id": "103"}, {5002}),  # a part also sees bookings of the whole hall
        ({"resource_id": "101"}, {5001, 5002}),
        ({"time_from": "17:00", "time_to": "23:00"}, {5001}),
    ],
)
async def test_booking_list_filters(api: Api, params: dict[str, str], expected_ids: set[int]) -> None:
    body = await api.ok("booking_list", date_from="2026-03-02", date_to="2026-03-05", **params)
    assert {b["id"] for b in body["data"]} == expected_ids
    assert body["total"] == len(body["data"])


async def test_booking_list_shows_only_instances_in_range(api: Api) -> None:
    body = await api.ok("booking_list", date_from="2026-03-03", date_to="2026-03-03", resource_id="100")
    school = next(b for b in body["data"] if b["id"] == 5002)
    assert [i["from"] for i in school["resources"][0]["instances"].values()] == ["2026-03-03 08:00"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_to": "2026-03-05"}, "date_from is required"),
        ({"date_from": "2026-03-05"}, "date_to is required"),
        ({"date_from": "05.03.2026", "date_to": "2026-03-06"}, "date_from must be a date in format Y-m-d"),
        ({"date_from": "2026-03-06", "date_to": "2026-03-05"}, "date_to must not be before date_from"),
        (
            {"date_from": "2026-03-05", "date_to": "2026-03-06", "show_details": "yes"},
            "show_details must be true or false",
        ),
        (
            {"date_from": "2026-03-05", "date_to": "2026-03-06", "time_from": "9"},
            "time_from must be a time in format H:i",
        ),
    ],
)
async def test_booking_list_validation(api: Api, params: dict[str, str], message: str) -> None:
    assert await api.get("booking_list", **params) == (400, {"success": False, "message": message})


async def test_booking_details_lists_instances_extras_and_custom_fields(api: Api) -> None:
    data = (await api.ok("booking/5003"))["data"]
    resource = data["resources"][0]
    assert [i["from"] for i in resource["instances"]] == ["2026-03-10 08:00", "2026-03-11 08:00"]
    assert resource["inventory"]["301"] == {
        "rule_interval": "per_quantity",
        "rule_price": 25.0,
        "rule_name": "Beamer Full-HD",
        "price_cost": 8,
        "quantity": "2",
    }
    assert resource["features"]["401"]["quantity"] == "120"
    assert resource["custom_fields"]["110"]["mf_2"]["value"] == "Parlament"
    assert data["customer_id"] == "2002"
    empty = (await api.ok("booking/5008"))["data"]["resources"][0]
    assert empty["features"] == [] and empty["inventory"] == [] and empty["custom_fields"] == []


async def test_price_follows_the_customers_group(api: Api) -> None:
    status, body = await api.post(
        "booking_add",
        single(
            main_resource=120,
            resource_parts=None,
            inventory={"120": {"301": {"checked": "on", "quantity": 1}}},
            date_from="2026-03-09",
            date_to="2026-03-09",
        ),
    )
    assert status == 200, body
    data = (await api.ok(f"booking/{body['data'][0]['id']}"))["data"]
    assert data["resources"][0]["inventory"]["301"]["rule_price"] == 15.0  # TSV is in group "Vereine"


async def test_profile_customers_inventory_services_invoices(api: Api) -> None:
    profile = (await api.ok("profile"))["data"]
    assert profile["company_name"] == "Sport- und Kongresszentrum Lahnstadt GmbH" and profile["age"] == "9"
    customers = await api.ok("customer_list")
    assert customers["total"] == 7 and customers["data"][0]["last_login"] == "2026-03-02T19:42:05+01:00"
    assert customers["data"][1]["last_login"] == ""
    inventory = (await api.ok("inventory_list"))["data"]
    beamer = next(i for i in inventory if i["id"] == 301)
    assert beamer["quantity"] == "4"
    assert beamer["prices"][0]["customer_groups"] == ["All"] and beamer["prices"][0]["tax"] == 19
    assert (
        beamer["prices"][1]["customer_groups"] == {"1": "Vereine", "3": "Schulen"}
        and beamer["prices"][1]["tax"] == "19"
    )
    services = (await api.ok("service_list"))["data"]
    assert {s["id"] for s in services} == {401, 402, 403, 404} and "quantity" not in services[0]
    invoices = (await api.ok("invoice_list"))["data"]
    first = invoices[0]
    assert first["invoice_rows"][0]["booking_id"] == 5008
    assert first["total_price"] == first["invoice_rows"][0]["total"] == 89.25
    school = next(i for i in invoices if i["customer"]["id"] == 2003)
    assert len(school["invoice_rows"]) == 4  # two weeks of Tuesday and Thursday sessions


async def test_event_list_and_details(api: Api) -> None:
    listed = await api.ok("event_list", date_from="2026-03-16", date_to="2026-03-31")
    assert [e["id"] for e in listed["data"]] == [1, 2]
    assert listed["data"][0]["date_from"] == "21.03.2026"
    assert (await api.ok("event_list"))["total"] == 3
    detail = (await api.ok("event_details/1"))["data"]
    assert isinstance(detail, list) and detail[0]["id"] == "1"
    documents = detail[0]["documents"]
    assert [d["document_type"] for d in documents] == ["Offer", "Order confirmation", "Invoice"]
    assert documents[2]["processed_date"] is None
    instances = documents[0]["bookings"][0]["resources"][0]["instances"]
    assert [(i["from"], i["to"]) for i in instances] == [
        ("21.03.2026 00:00", "21.03.2026 23:59"),
        ("22.03.2026 00:00", "22.03.2026 18:00"),
    ]


# --- the vendor's mixed date formats (reference §1.3) ----------------------------------------

_YMD = r"\d{4}-\d{2}-\d{2}"
_DMY = r"\d{2}\.\d{2}\.\d{4}"
_HM = r"\d{2}:\d{2}"
_ISO = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}"


def _booking_from(body: Any) -> str:
    return next(iter(body["data"][0]["resources"][0]["instances"].values()))["from"]


@pytest.mark.parametrize(
    ("path", "params", "pick", "pattern"),
    [
        ("booking_list", {"date_from": "2026-03-02", "date_to": "2026-03-02"}, _booking_from, f"{_YMD} {_HM}"),
        ("booking/5003", {}, lambda b: b["data"]["resources"][0]["instances"][0]["to"], f"{_YMD} {_HM}"),
        ("event_list", {}, lambda b: b["data"][0]["date_to"], _DMY),
        ("event_details/1", {}, lambda b: b["data"][0]["documents"][0]["document_date"], _DMY),
        (
            "event_details/1",
            {},
            lambda b: b["data"][0]["documents"][0]["bookings"][0]["resources"][0]["instances"][0]["from"],
            f"{_DMY} {_HM}",
        ),
        ("invoice_list", {}, lambda b: b["data"][0]["created"], f"{_DMY} {_HM}"),
        ("invoice_list", {}, lambda b: b["data"][0]["due_date"], _DMY),
        ("invoice_list", {}, lambda b: b["data"][0]["invoice_rows"][0]["date"], _DMY),
        ("customer_list", {}, lambda b: b["data"][0]["created"], _ISO),
        ("customer_list", {}, lambda b: b["data"][0]["last_login"], _ISO),
        ("inventory_list", {}, lambda b: b["data"][0]["created_on"], _ISO),
        ("service_list", {}, lambda b: b["data"][0]["created_on"], _ISO),
        ("profile", {}, lambda b: b["data"]["created"], _YMD),
    ],
)
async def test_each_place_uses_the_vendors_format(
    api: Api, path: str, params: dict[str, str], pick: Any, pattern: str
) -> None:
    value = pick(await api.ok(path, **params))
    assert re.fullmatch(pattern, value), value
    assert dates.iso_any(value, BERLIN)  # and the client's normaliser reads it


# --- availability (L9) -----------------------------------------------------------------------


async def test_availability_answers_per_part_and_skips_bookings(api: Api) -> None:
    slots = await api.slots(100, TUESDAY, duration="02:00")
    expected = ["12:00-14:00", "14:00-16:00", "16:00-18:00", "18:00-20:00", "20:00-22:00"]
    assert slots == {101: expected, 102: expected, 103: expected}


async def test_availability_starts_again_where_a_booking_ends(api: Api) -> None:
    # Workshop on Thursday 5 March 09:00-16:00; rooms open 07:30-21:00.
    slots = await api.slots(120, "2026-03-05")
    assert slots[120] == ["07:30-08:30", "16:00-17:00", "17:00-18:00", "18:00-19:00", "19:00-20:00", "20:00-21:00"]


async def test_availability_honours_split_opening_hours(api: Api) -> None:
    slots = await api.slots(130, "2026-03-09")
    assert slots[130] == [f"{h:02d}:00-{h + 1:02d}:00" for h in (8, 9, 10, 11, 15, 16, 17, 18, 19, 20)]


@pytest.mark.parametrize(
    ("resource_id", "day"),
    [(130, "2026-03-19"), (100, "2026-03-28"), (120, "2026-04-03"), (120, "2026-03-08")],
    ids=["resource-holiday", "part-inherits-hall-holiday", "good-friday", "closed-on-sunday"],
)
async def test_no_slots_on_holidays_and_closed_days(api: Api, resource_id: int, day: str) -> None:
    body = await api.ok("availability", resource_id=str(resource_id), date_from=day, date_to=day)
    assert all(entry["dates"] == [] for entry in body["data"])  # PHP's empty array, not {}
    assert body["total"] == 0


async def test_availability_leaves_out_past_slots(api: Api) -> None:
    slots = await api.slots(121, "2026-03-04")  # NOW is 10:00 that day
    assert slots[121][0] == "10:30-11:30"


async def test_availability_time_window_and_limit(api: Api) -> None:
    slots = await api.slots(122, "2026-03-09", time_from="14:00", time_to="17:30", duration="01:30")
    assert slots[122] == ["14:00-15:30", "15:30-17:00"]
    body = await api.ok("availability", resource_id="100,120", date_from=TUESDAY, date_to=TUESDAY, limit="4")
    assert body["total"] == 4
    assert [len(e["dates"][TUESDAY]) if e["dates"] else 0 for e in body["data"]] == [4, 0, 0, 0]


@pytest.mark.parametrize("suffix", ["_str", ""])
@pytest.mark.parametrize(
    ("ids", "conditions", "values", "expected"),
    [
        ("1", "great_than_et", "180", {111, 112}),
        ("1", "great_than", "180", {112}),
        ("1,4", "less_than,less_than_et", "40,58", {120, 121}),
        ("2", "et", "u-form", {120}),
        ("2", "", "Parlament", {121}),
        ("3,1", "et,", "Schwingboden,", {101, 102, 103, 130}),
    ],
)
async def test_availability_free_text_conditions(
    api: Api, suffix: str, ids: str, conditions: str, values: str, expected: set[int]
) -> None:
    params = {
        f"free_text_field_ids{suffix}": ids,
        f"free_text_field_conditions{suffix}": conditions,
        f"free_text_field_values{suffix}": values,
    }
    body = await api.ok("availability", date_from="2026-03-09", date_to="2026-03-09", **params)
    assert {e["resource_id"] for e in body["data"] if e["dates"]} == expected
    assert len(body["data"]) == 9  # every resource is answered, the non-matching ones with []


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        (
            {"free_text_field_ids_str": "1"},
            400,
            "free_text_field_conditions_str is required if free_text_field_ids_str is passed",
        ),
        (
            {"free_text_field_ids_str": "1", "free_text_field_conditions_str": "et"},
            400,
            "free_text_field_values_str is required if free_text_field_ids_str is passed",
        ),
        (
            {
                "free_text_field_ids_str": "1,2",
                "free_text_field_conditions_str": "et",
                "free_text_field_values_str": "1,2",
            },
            400,
            "free_text_field_ids_str, free_text_field_conditions_str and free_text_field_values_str must have the same "
            "number of comma-separated entries",
        ),
        (
            {"free_text_field_ids_str": "9", "free_text_field_conditions_str": "et", "free_text_field_values_str": "1"},
            400,
            "Unknown free text field id 9",
        ),
        (
            {
                "free_text_field_ids_str": "1",
                "free_text_field_conditions_str": "between",
                "free_text_field_values_str": "1",
            },
            400,
            "free_text_field_conditions_str: unknown condition 'between' (allowed: less_than, less_than_et, et, "
            "great_than, great_than_et or empty)",
        ),
        (
            {
                "free_text_field_ids_str": "1",
                "free_text_field_conditions_str": "et",
                "free_text_field_values_str": "viele",
            },
            400,
            "free_text_field_values_str: 'viele' is not a number (free text field 1 is numeric)",
        ),
        ({"resource_id": "100,999"}, 404, "Resource 999 not found (resource_id)"),
        ({"duration": "2h"}, 400, "duration must be in format H:i"),
        ({"duration": "00:00"}, 400, "duration must be a positive time in format H:i"),
        ({"limit": "0"}, 400, "limit must be a positive integer"),
        ({"time_from": "18:00", "time_to": "09:00"}, 400, "time_to must be after time_from"),
    ],
)
async def test_availability_validation(api: Api, params: dict[str, str], status: int, message: str) -> None:
    result = await api.get("availability", date_from=TUESDAY, date_to=TUESDAY, **params)
    assert result == (status, {"success": False, "message": message})


# --- booking_add: the flow and its rules (L2-L8) ---------------------------------------------


@pytest.mark.parametrize("as_json", [False, True], ids=["form-brackets", "json"])
async def test_book_then_cancel_frees_the_slot(api: Api, as_json: bool) -> None:
    assert "14:00-16:00" in (await api.slots(101, TUESDAY, duration="02:00"))[101]

    status, body = await api.post("booking_add", single(), as_json=as_json)
    assert status == 200, body
    assert body["total"] == 1 and body["data"][0]["message"] == "Successfully created the booking."
    booking_id = body["data"][0]["id"]

    after = await api.slots(100, TUESDAY, duration="02:00")
    assert "14:00-16:00" not in after[101]
    assert "14:00-16:00" in after[102]  # the other thirds stay free

    details = (await api.ok(f"booking/{booking_id}"))["data"]
    instance = details["resources"][0]["instances"][0]
    assert (instance["resource_id"], instance["from"], instance["to"]) == (101, f"{TUESDAY} 14:00", f"{TUESDAY} 16:00")
    assert details["title"] == "Probetraining" and details["customer_id"] == "2001"

    cancelled = await api.ok("booking_save", booking_id=str(booking_id), booking_status="Cancel")
    assert cancelled["data"][0]["id"] == booking_id
    assert "14:00-16:00" in (await api.slots(101, TUESDAY, duration="02:00"))[101]
    listed = await api.ok("booking_list", date_from=TUESDAY, date_to=TUESDAY)
    assert booking_id not in {b["id"] for b in listed["data"]}


@pytest.mark.parametrize(
    "overrides",
    [
        {"time_from": "10:00", "time_to": "11:00"},  # the school has the whole hall until 12:00
        {
            "main_resource": 100,
            "resource_parts": None,
            "date_from": "2026-03-09",
            "date_to": "2026-03-09",
            "time_from": "19:00",
            "time_to": "21:00",
        },
        {
            "main_resource": 110,
            "resource_parts": {"110": [111]},
            "date_from": "2026-03-11",
            "date_to": "2026-03-11",
            "time_from": "17:00",
            "time_to": "19:00",
        },
    ],
)
async def test_direct_booking_over_an_existing_one_is_refused(api: Api, overrides: dict[str, Any]) -> None:
    status, body = await api.post("booking_add", single(**overrides))
    assert status == 409 and body["success"] is False
    assert "already booked" in body["message"]


async def test_a_booking_request_does_not_block_until_confirmed(api: Api, app: Starlette) -> None:
    status, body = await api.post("booking_add", single(booking_mode="booking_request"))
    assert status == 200
    request_id = body["data"][0]["id"]
    assert "14:00-16:00" in (await api.slots(101, TUESDAY, duration="02:00"))[101]
    # a request may even overlap an existing booking; the manager decides
    status, _ = await api.post(
        "booking_add", single(booking_mode="booking_request", time_from="09:00", time_to="10:00")
    )
    assert status == 200

    app.state.sandbox.confirm_request(request_id)
    assert "14:00-16:00" not in (await api.slots(101, TUESDAY, duration="02:00"))[101]


async def test_booking_save_live_confirms_a_request_and_checks_conflicts(api: Api) -> None:
    _, first = await api.post("booking_add", single(booking_mode="booking_request"))
    _, second = await api.post(
        "booking_add", single(booking_mode="booking_request", time_from="15:00", time_to="17:00")
    )
    ok = await api.ok("booking_save", booking_id=str(first["data"][0]["id"]), booking_status="Live")
    assert ok["data"][0]["message"] == "Successfully updated the booking."
    status, body = await api.get("booking_save", booking_id=str(second["data"][0]["id"]), booking_status="Live")
    assert status == 409 and "already booked" in body["message"]


async def test_weekly_recurring_booking_expands(api: Api) -> None:
    fields = single(
        recurring=1,
        time_from=None,
        time_to=None,
        date_from="2026-03-02",
        date_to="2026-03-31",
        main_resource=121,
        resource_parts=None,
        recurrence_type="week",
        weekly_type_select="biweek",
        weekly_recurrence=[{"day": "mon", "from": "10:00", "to": "12:00"}, {"day": "thu", "full_day": 1}],
    )
    status, body = await api.post("booking_add", fields)
    assert status == 200, body
    details = (await api.ok(f"booking/{body['data'][0]['id']}"))["data"]
    spans = [(i["from"], i["to"]) for i in details["resources"][0]["instances"]]
    assert spans == [
        ("2026-03-02 10:00", "2026-03-02 12:00"),
        ("2026-03-05 00:00", "2026-03-05 23:59"),
        ("2026-03-16 10:00", "2026-03-16 12:00"),
        ("2026-03-19 00:00", "2026-03-19 23:59"),
        ("2026-03-30 10:00", "2026-03-30 12:00"),
    ]
    assert (await api.slots(121, "2026-03-19"))[121] == []
    assert (await api.slots(121, "2026-03-12"))[121] != []  # the skipped week stays free


@pytest.mark.parametrize(
    ("rule", "expected_days"),
    [
        ({"recurrence_type": "day", "daily_recurrence": {"from": "19:00", "to": "20:00"}}, ["03-09", "03-10", "03-11"]),
        (
            {
                "recurrence_type": "month",
                "monthly_recurrence": {
                    "mode": "day",
                    "days": {"day": "10", "month": "01"},
                    "from": "19:00",
                    "to": "20:00",
                },
            },
            ["03-10"],
        ),
        (
            {
                "recurrence_type": "month",
                "monthly_recurrence": {
                    "mode": "week",
                    "days": {"week_number": 2, "week_day": "wed", "month": "01"},
                    "full_day": 1,
                },
            },
            ["03-11"],
        ),
        (
            {
                "recurrence_type": "year",
                "yearly_recurrence": {"day": "09", "month": "03", "from": "19:00", "to": "20:00"},
            },
            ["03-09"],
        ),
    ],
    ids=["daily", "monthly-by-day", "monthly-by-weekday", "yearly"],
)
async def test_other_recurrences(api: Api, rule: dict[str, Any], expected_days: list[str]) -> None:
    fields = single(
        recurring=1,
        time_from=None,
        time_to=None,
        date_from="2026-03-09",
        date_to="2026-03-11",
        main_resource=122,
        resource_parts=None,
        **rule,
    )
    status, body = await api.post("booking_add", fields)
    assert status == 200, body
    details = (await api.ok(f"booking/{body['data'][0]['id']}"))["data"]
    assert [i["from"][5:10] for i in details["resources"][0]["instances"]] == expected_days


async def test_a_yearly_booking_runs_for_years(api: Api) -> None:
    """Locaboo sets no limit on a booking's period: a yearly rule over five years books five days."""
    rule = {"day": "01", "month": "06", "from": "18:00", "to": "22:00"}
    fields = single(
        recurring=1,
        time_from=None,
        time_to=None,
        date_from="2026-01-01",
        date_to="2030-12-31",
        main_resource=122,
        resource_parts=None,
        recurrence_type="year",
        yearly_recurrence=rule,
    )
    status, body = await api.post("booking_add", fields)
    assert status == 200, body
    details = (await api.ok(f"booking/{body['data'][0]['id']}"))["data"]
    spans = [(i["from"], i["to"]) for i in details["resources"][0]["instances"]]
    assert spans == [(f"{year}-06-01 18:00", f"{year}-06-01 22:00") for year in range(2026, 2031)]


@pytest.mark.parametrize(
    "rule",
    [
        {"recurring": 0, "time_from": "10:00", "time_to": "11:00"},
        {"recurrence_type": "week", "weekly_recurrence": [{"day": "mon", "full_day": 1}]},
        {"recurrence_type": "day", "daily_recurrence": {"full_day": 1}},
    ],
    ids=["single", "weekly", "daily"],
)
async def test_a_rule_over_millennia_is_refused_without_expanding_it(api: Api, rule: dict[str, Any]) -> None:
    """The simulator bounds one request's work (recurrence.MAX_OCCURRENCES, a local convention):
    0001-01-03 to 9999-12-31 is refused after a few thousand instances, not 3.65 million."""
    fields = single(
        **{"recurring": 1, "time_from": None, "time_to": None, **rule},
        date_from="0001-01-03",
        date_to="9999-12-31",
        main_resource=122,
        resource_parts=None,
    )
    before = await api.ok("booking_list", date_from="0001-01-01", date_to="9999-12-31")
    status, body = await api.post("booking_add", fields)
    assert status == 400 and "more than 3660 dates between date_from and date_to" in body["message"], body
    assert await api.ok("booking_list", date_from="0001-01-01", date_to="9999-12-31") == before


async def test_years_before_1000_are_written_with_four_digits(api: Api) -> None:
    """PHP's `Y` is at least four digits: year 999 is `0999`, in requests and in answers."""
    fields = single(date_from="0999-03-09", date_to="0999-03-09", resource_parts=None, main_resource=122)
    status, body = await api.post("booking_add", fields)
    assert status == 200, body
    details = (await api.ok(f"booking/{body['data'][0]['id']}"))["data"]
    (instance,) = details["resources"][0]["instances"]
    assert (instance["from"], instance["to"]) == ("0999-03-09 14:00", "0999-03-09 16:00")


@pytest.mark.parametrize(
    "times",
    [{}, {"time_from": "00:00", "time_to": "23:59"}, {"time_from": "12:00", "time_to": "16:00"}],
    ids=["without-times", "whole-day-times", "other-times"],
)
async def test_multi_day_is_a_full_day_booking(api: Api, times: dict[str, str]) -> None:
    """Locaboo: multi_day "1 if it is a full day booking" (0: "a booking with from and to time").
    Every day from date_from to date_to is booked whole; times do not make it a span."""
    fields = single(
        multi_day=1,
        date_from="2026-03-14",
        date_to="2026-03-15",
        time_from=None,
        time_to=None,
        main_resource=121,
        resource_parts=None,
    )
    status, body = await api.post("booking_add", {**fields, **times})
    assert status == 200, body
    details = (await api.ok(f"booking/{body['data'][0]['id']}"))["data"]
    assert [(i["from"], i["to"]) for i in details["resources"][0]["instances"]] == [
        ("2026-03-14 00:00", "2026-03-14 23:59"),
        ("2026-03-15 00:00", "2026-03-15 23:59"),
    ]
    assert (await api.slots(121, "2026-03-15"))[121] == []  # the whole day is taken


async def test_without_multi_day_the_times_hold_on_each_day(api: Api) -> None:
    fields = single(date_from="2026-03-14", date_to="2026-03-15", main_resource=121, resource_parts=None)
    status, body = await api.post("booking_add", {**fields, "time_from": "12:00", "time_to": "16:00"})
    assert status == 200, body
    details = (await api.ok(f"booking/{body['data'][0]['id']}"))["data"]
    assert [(i["from"], i["to"]) for i in details["resources"][0]["instances"]] == [
        ("2026-03-14 12:00", "2026-03-14 16:00"),
        ("2026-03-15 12:00", "2026-03-15 16:00"),
    ]


async def test_booking_with_parts_of_two_resources_fields_inventory_and_services(api: Api) -> None:
    fields = single(
        main_resource=110,
        resource_parts={"110": [111], "100": [102, 103]},
        date_from="2026-03-13",
        date_to="2026-03-13",
        time_from="09:00",
        time_to="11:00",
        category_fields={"110": {"1": "80", "2": "Bankett"}},
        inventory={"110": {"301": {"checked": "on", "quantity": 2}, "302": {"checked": "", "quantity": 1}}},
        services={"110": {"401": {"checked": "on", "quantity": 80}}},
        custom_color=1,
        color="#ff0000",
    )
    status, body = await api.post("booking_add", fields)
    assert status == 200, body
    data = (await api.ok(f"booking/{body['data'][0]['id']}"))["data"]
    by_main = {r["resource_id"]: r for r in data["resources"]}
    assert [i["resource_id"] for i in by_main[110]["instances"]] == [111]
    assert sorted(i["resource_id"] for i in by_main[100]["instances"]) == [102, 103]
    assert set(by_main[110]["inventory"]) == {"301"}  # the unticked Moderationskoffer is not booked
    assert by_main[110]["features"]["401"]["quantity"] == "80"
    assert by_main[110]["custom_fields"]["110"]["mf_2"]["value"] == "Bankett"
    assert data["color"] == "#ff0000"


@pytest.mark.parametrize(
    ("overrides", "status", "message"),
    [
        ({"booking_mode": None}, 400, "booking_mode is required"),
        ({"booking_mode": "instant"}, 400, "booking_mode must be one of direct_booking, booking_request"),
        ({"recurring": None}, 400, "recurring is required"),
        ({"recurring": 2}, 400, "recurring must be 0 or 1"),
        ({"date_from": None}, 400, "date_from is required"),
        ({"date_to": "2026-03-09"}, 400, "date_to must not be before date_from"),
        ({"main_resource": None}, 400, "main_resource is required"),
        ({"main_resource": 999, "resource_parts": None}, 404, "Resource 999 not found (main_resource)"),
        (
            {"main_resource": 101, "resource_parts": None},
            400,
            "main_resource 101 is a part of resource 100: pass the main resource and list the part in resource_parts",
        ),
        ({"time_from": None}, 400, "time_from is required if recurring is 0"),
        ({"time_to": None}, 400, "time_to is required if recurring is 0"),
        ({"time_to": "13:00"}, 400, "time_to must be after time_from"),
        ({"time_from": "2pm"}, 400, "time_from must be a time in format H:i"),
        ({"multi_day": 1, "time_from": "2pm"}, 400, "time_from must be a time in format H:i"),
        ({"multi_day": 2}, 400, "multi_day must be 0 or 1"),
        ({"recurring": 1}, 400, "recurrence_type is required if recurring is 1"),
        ({"recurring": 1, "recurrence_type": "week"}, 400, "weekly_recurrence is required if recurrence_type is week"),
        ({"recurring": 1, "recurrence_type": "day"}, 400, "daily_recurrence is required if recurrence_type is day"),
        (
            {"recurring": 1, "recurrence_type": "month"},
            400,
            "monthly_recurrence is required if recurrence_type is month",
        ),
        ({"recurring": 1, "recurrence_type": "year"}, 400, "yearly_recurrence is required if recurrence_type is year"),
        (
            {
                "recurring": 1,
                "recurrence_type": "week",
                "weekly_recurrence": [{"day": "mo", "from": "09:00", "to": "10:00"}],
            },
            400,
            "weekly_recurrence[0][day] must be one of mon, tue, wed, thu, fri, sat, sun",
        ),
        (
            {"recurring": 1, "recurrence_type": "week", "weekly_recurrence": [{"day": "mon", "from": "09:00"}]},
            400,
            "weekly_recurrence[0][to] is required unless full_day is 1",
        ),
        (
            {
                "recurring": 1,
                "recurrence_type": "week",
                "weekly_type_select": "monthly",
                "weekly_recurrence": [{"day": "mon", "full_day": 1}],
            },
            400,
            "weekly_type_select must be one of week, biweek, triweek, quadweek",
        ),
        (
            {
                "recurring": 1,
                "recurrence_type": "month",
                "monthly_recurrence": {"mode": "year", "days": {}, "full_day": 1},
            },
            400,
            "monthly_recurrence[mode] must be day or week",
        ),
        (
            {
                "recurring": 1,
                "recurrence_type": "month",
                "monthly_recurrence": {
                    "mode": "week",
                    "days": {"week_number": 6, "week_day": "mon", "month": 1},
                    "full_day": 1,
                },
            },
            400,
            "monthly_recurrence[days][week_number] must be between 1 and 5",
        ),
        (
            {
                "recurring": 1,
                "recurrence_type": "year",
                "yearly_recurrence": {"day": "30", "month": "02", "full_day": 1},
            },
            400,
            "yearly_recurrence: month 2 has no day 30",
        ),
        (
            {
                "recurring": 1,
                "recurrence_type": "year",
                "yearly_recurrence": {"day": "01", "month": "06", "full_day": 1},
            },
            400,
            "The booking has no dates between date_from and date_to",
        ),
        ({"resource_parts": {"100": [111]}}, 400, "resource_parts[100]: 111 is not a part of resource 100"),
        ({"resource_parts": {"101": [102]}}, 400, "resource_parts: 101 is a part; the keys must be main resources"),
        ({"custom_color": 1}, 400, "color is required if custom_color is 1"),
        ({"custom_color": 1, "color": "red"}, 400, "color must be a hex colour like #ff0000"),
        ({"customer_id": 4242}, 404, "Customer 4242 not found"),
        ({"category_fields": {"100": {"9": "x"}}}, 400, "category_fields[100]: unknown free text field id 9"),
        ({"category_fields": {"120": {"1": "5"}}}, 400, "category_fields: resource 120 is not booked in this booking"),
        (
            {"category_fields": {"100": {"2": "Kreis"}}},
            400,
            "category_fields[100][2]: 'Kreis' is not an option of Bestuhlung "
            "(Reihe, Parlament, U-Form, Bankett, Keine)",
        ),
        ({"category_fields": {"100": {"1": "viele"}}}, 400, "category_fields[100][1]: Personen must be a number"),
        (
            {"inventory": {"100": {"304": {"checked": "on", "quantity": 2}}}},
            400,
            "inventory[100][304][quantity]: only 1 x Mobile Tribüne (100 Plätze) in stock",
        ),
        (
            {"inventory": {"100": {"301": {"checked": "on", "quantity": 1}}}},
            400,
            "inventory[100][301]: Beamer Full-HD cannot be booked with Dreifeldhalle",
        ),
        (
            {"services": {"100": {"301": {"checked": "on", "quantity": 1}}}},
            404,
            "services[100][301]: service 301 not found",
        ),
        ({"persons": ["anna"]}, 400, "persons must be an integer"),
    ],
)
async def test_booking_add_rules(api: Api, overrides: dict[str, Any], status: int, message: str) -> None:
    fields = single(**{k: v for k, v in overrides.items() if v is not None})
    for key in [k for k, v in overrides.items() if v is None]:
        fields.pop(key, None)
    assert await api.post("booking_add", fields) == (status, {"success": False, "message": message})


async def test_a_failed_booking_add_changes_nothing(api: Api, app: Starlette) -> None:
    before = set(app.state.sandbox.bookings)
    status, _ = await api.post("booking_add", single(time_from="10:00", time_to="11:00"))
    assert status == 409
    assert set(app.state.sandbox.bookings) == before


# --- booking_save (L10) ----------------------------------------------------------------------


async def test_booking_save_creates_with_the_vendors_message(api: Api, app: Starlette) -> None:
    body = await api.ok(
        "booking_save",
        resource_id="121",
        date_from="2026-03-12",
        date_to="2026-03-12",
        time_from="10:00",
        time_to="12:00",
        customer_email="katharina.vogt@posteo.de",
    )
    assert body["total"] == 0 and body["data"][0]["message"] == "Successfully cerated the booking."
    booking = app.state.sandbox.booking(body["data"][0]["id"])
    assert booking.status == "Live" and booking.customer_id == 2005  # matched by e-mail
    assert (await api.slots(121, "2026-03-12"))[121][:3] == ["07:30-08:30", "08:30-09:30", "12:00-13:00"]


async def test_booking_save_creates_a_customer_from_the_customer_fields(api: Api, app: Starlette) -> None:
    body = await api.ok(
        "booking_save",
        resource_id="122",
        date_from="2026-03-12",
        date_to="2026-03-12",
        booking_status="Draft",
        customer_last_name="Brandt",
        customer_first_name="Ole",
        customer_salutation="Mr",
    )
    booking = app.state.sandbox.booking(body["data"][0]["id"])
    customer = app.state.sandbox.customers[booking.customer_id]
    assert (customer.fields["last_name"], customer.fields["salutation"]) == ("Brandt", 0)
    assert (await api.slots(122, "2026-03-12"))[122] != []  # a draft does not block


async def test_booking_save_moves_a_booking(api: Api) -> None:
    await api.ok(
        "booking_save",
        booking_id="5004",
        date_from="2026-03-13",
        date_to="2026-03-13",
        time_from="09:00",
        time_to="12:00",
    )
    instances = (await api.ok("booking/5004"))["data"]["resources"][0]["instances"]
    assert [(i["from"], i["to"]) for i in instances] == [("2026-03-13 09:00", "2026-03-13 12:00")]
    freed = (await api.slots(120, "2026-03-05"))[120]  # the old Thursday session is gone
    assert freed[:3] == ["07:30-08:30", "08:30-09:30", "09:30-10:30"]


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"booking_id": "777"}, 404, "Booking 777 not found"),
        (
            {"booking_id": "5001", "booking_status": "Deleted"},
            400,
            "booking_status must be one of Live, Draft, Complete, Cancel",
        ),
        (
            {"booking_id": "5001", "customer_salutation": "Herr"},
            400,
            "customer_salutation must be one of Mr, Ms/Mrs, Pr, Dr",
        ),
        ({"booking_id": "5001", "time_from": "10:00"}, 400, "date_from and date_to are required to move a booking"),
        ({"date_from": "2026-03-12", "date_to": "2026-03-12"}, 400, "resource_id is required"),
        ({"resource_id": "121", "date_to": "2026-03-12"}, 400, "date_from is required"),
        (
            {"resource_id": "555", "date_from": "2026-03-12", "date_to": "2026-03-12"},
            404,
            "Resource 555 not found (resource_id)",
        ),
        (
            {"resource_id": "121", "date_from": "2026-03-12", "date_to": "2026-03-12", "customer_email": "nope"},
            400,
            "customer_email is not a valid e-mail address",
        ),
    ],
)
async def test_booking_save_rules(api: Api, params: dict[str, str], status: int, message: str) -> None:
    assert await api.get("booking_save", **params) == (status, {"success": False, "message": message})


async def test_booking_save_refuses_a_double_booking(api: Api) -> None:
    status, body = await api.get(
        "booking_save",
        resource_id="102",
        date_from="2026-03-09",
        date_to="2026-03-09",
        time_from="19:00",
        time_to="20:00",
    )
    assert status == 409 and "Hallendrittel B" in body["message"]


async def test_reactivating_a_cancelled_booking_checks_conflicts(api: Api) -> None:
    status, body = await api.post(
        "booking_add",
        single(
            main_resource=122,
            resource_parts=None,
            date_from="2026-03-04",
            date_to="2026-03-04",
            time_from="14:00",
            time_to="15:00",
        ),
    )
    assert status == 200, body  # 5007 on that afternoon is cancelled
    status, body = await api.get("booking_save", booking_id="5007", booking_status="Live")
    assert status == 409


# --- customers (L12) -------------------------------------------------------------------------


async def test_customer_add_edit_and_addresses(api: Api, app: Starlette) -> None:
    status, body = await api.post(
        "customer_add",
        {
            "company_name": "Lahnstädter Ruderverein e.V.",
            "first_name": "Eva",
            "last_name": "Roth",
            "salutation": 1,
            "customer_group_id": 1,
            "email": "info@ruderverein-lahnstadt.de",
            "customer_newsletter": 1,
        },
    )
    assert (status, body["data"][0]["message"], "total" in body) == (200, "Successfully Added", False)
    customer_id = body["data"][0]["id"]
    listed = next(c for c in (await api.ok("customer_list"))["data"] if c["id"] == customer_id)
    assert (listed["group_id"], listed["salutation"], listed["noletter"]) == (1, 1, 0)
    assert listed["created"] == "2026-03-04T10:00:00+01:00"

    status, body = await api.post(
        "customer_edit", {"customer_id": customer_id, "city": "Lahnstadt", "phone": "06403 1234"}
    )
    assert (status, body["data"][0]) == (200, {"id": customer_id, "message": "Edited successfully"})
    assert app.state.sandbox.customers[customer_id].fields["city"] == "Lahnstadt"

    addresses = [
        {
            "company_name": "Ruderverein, Bootshaus",
            "street": "Uferweg",
            "house_number": "3",
            "address_type": "secondary",
        },
        {"last_name": "Roth", "salutation": 1, "country": "DE"},
    ]
    status, body = await api.post("customer_address_add", {"customer_id": customer_id, "address": addresses})
    assert status == 200 and [d["message"] for d in body["data"]] == ["Successfully Added"] * 2
    stored = app.state.sandbox.customers[customer_id].addresses
    assert [a["id"] for a in stored] == [d["id"] for d in body["data"]]
    assert stored[0]["street"] == "Uferweg" and stored[1]["salutation"] == 1


@pytest.mark.parametrize(
    ("path", "fields", "status", "message"),
    [
        ("customer_add", {"first_name": "Nur"}, 400, "last_name or company_name is required"),
        ("customer_add", {"last_name": "X", "salutation": 2}, 400, "salutation must be 0 or 1"),
        ("customer_add", {"last_name": "X", "salutation_title": "Dr"}, 400, "salutation_title must be an integer"),
        ("customer_add", {"last_name": "X", "customer_newsletter": 5}, 400, "customer_newsletter must be 0 or 1"),
        ("customer_add", {"last_name": "X", "email": "kein-at"}, 400, "email is not a valid e-mail address"),
        ("customer_add", {"last_name": "X", "color": "blau"}, 400, "color must be a hex colour like #ff0000"),
        ("customer_add", {"last_name": "X", "customer_group_id": 99}, 400, "customer_group_id 99 does not exist"),
        ("customer_edit", {"city": "Gießen"}, 400, "customer_id is required"),
        ("customer_edit", {"customer_id": 9999, "city": "Gießen"}, 404, "Customer 9999 not found"),
        ("customer_edit", {"customer_id": 2005, "salutation": 3}, 400, "salutation must be 0 or 1"),
        ("customer_address_add", {"customer_id": 2001}, 400, "address is required"),
        ("customer_address_add", {"address": [{"street": "A"}]}, 400, "customer_id is required"),
        ("customer_address_add", {"customer_id": 31337, "address": [{"street": "A"}]}, 404, "Customer 31337 not found"),
        (
            "customer_address_add",
            {"customer_id": 2001, "address": [{"street": "A", "address_type": "billing"}]},
            400,
            "address[0][address_type] must be empty or secondary",
        ),
        (
            "customer_address_add",
            {"customer_id": 2001, "address": [{"country": "DE"}]},
            400,
            "address[0] needs at least a company_name, last_name or street",
        ),
        (
            "customer_address_add",
            {"customer_id": 2001, "address": [{"street": "A", "salutation": 4}]},
            400,
            "address[0][salutation] must be 0 or 1",
        ),
        (
            "customer_address_add",
            {"customer_id": 2001, "address": [{"street": "A", "iban": "DE00"}]},
            400,
            "address[0]: unknown field iban",
        ),
    ],
)
async def test_customer_rules(api: Api, path: str, fields: dict[str, Any], status: int, message: str) -> None:
    assert await api.post(path, fields) == (status, {"success": False, "message": message})
