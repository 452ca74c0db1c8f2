"""The ServicePlanner simulator over HTTP: Laravel shapes, paging, validation and referential rules."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx2
import pytest
from starlette.applications import Starlette

from agenda_mcp.tools.serviceplanner.sandbox import SANDBOX_BASE_URL, SANDBOX_ENV, create_app
from agenda_mcp.tools.serviceplanner.sandbox.data import CLIENT_COUNT, COMPANY_ID
from agenda_mcp.tools.serviceplanner.sandbox.state import OTHER_COMPANY_TOKEN, ServicePlannerSandbox

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 3, 4, 10, 30, tzinfo=AMSTERDAM)  # a Wednesday
TODAY = NOW.date()
TOKEN = SANDBOX_ENV["SERVICEPLANNER_API_TOKEN"]
JSON_HEADERS = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}


@pytest.fixture
def app() -> Starlette:
    return create_app(now=lambda: NOW)


@pytest.fixture
def state(app: Starlette) -> ServicePlannerSandbox:
    return app.state.sandbox


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx2.AsyncClient]:
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url=SANDBOX_BASE_URL, headers=JSON_HEADERS) as client:
        yield client


def a_client_with(state: ServicePlannerSandbox, *, items: bool = True, appointments: bool = False) -> dict[str, Any]:
    """A demo client of the main company that has items (and optionally appointments)."""
    with_items = {row["client_id"] for row in state.items.values()}
    with_appointments = {row["client_id"] for row in state.appointments.values()}
    for client in state.clients.values():
        if client["company_id"] != COMPANY_ID:
            continue
        if items and client["id"] not in with_items:
            continue
        if appointments and client["id"] not in with_appointments:
            continue
        return client
    raise AssertionError("demo data has no such client")


def address_of(state: ServicePlannerSandbox, client_id: int) -> dict[str, Any]:
    return next(row for row in state.addresses.values() if row["client_id"] == client_id)


def type_id(state: ServicePlannerSandbox, name: str = "Onderhoud cv-ketel") -> int:
    return next(row["id"] for row in state.appointment_types.values() if row["name"] == name)


def technicians(state: ServicePlannerSandbox) -> list[int]:
    return [row["id"] for row in state.users.values() if row.get("role") == "monteur"]


# ------------------------------------------------------------------------------------------
# App construction and authentication
# ------------------------------------------------------------------------------------------


def test_same_clock_same_data_and_every_app_is_fresh() -> None:
    first, second = create_app(now=lambda: NOW), create_app(now=lambda: NOW)
    assert first.state.sandbox.clients == second.state.sandbox.clients
    assert first.state.sandbox.appointments == second.state.sandbox.appointments
    next(iter(first.state.sandbox.clients.values()))["last_name"] = "Gewijzigd"
    assert first.state.sandbox.clients != second.state.sandbox.clients
    later = create_app(now=lambda: NOW + timedelta(days=40)).state.sandbox
    assert later.appointments != first.state.sandbox.appointments


def test_demo_data_is_realistic_and_large_enough_to_page(state: ServicePlannerSandbox) -> None:
    clients = state.live(state.clients, COMPANY_ID)
    assert len(clients) == CLIENT_COUNT
    kinds = {row["type"] for row in state.addresses.values()}
    assert kinds == {"invoice", "work"}
    names = " ".join(row["name"] for row in state.items.values())
    assert "Intergas" in names and "Daikin Altherma" in names
    assert {row["plan_cycle"] for row in state.items.values()} >= {12, 24}
    statuses = {state.status_system(row) for row in state.appointments.values()}
    assert statuses >= {"visited", "planned", "open", "invited", "canceled"}
    assert len(state.invoices) > 100


@pytest.mark.anyio
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", f"Token {TOKEN}", "Bearer "],
    ids=["missing", "unknown", "wrong-scheme", "empty"],
)
async def test_requests_without_a_known_bearer_token_get_laravels_401(
    http: httpx2.AsyncClient, authorization: str | None
) -> None:
    # The client's default header is overridden; "" stands for no credentials at all.
    headers = {"Accept": "application/json", "Authorization": authorization or ""}
    response = await http.get("/client", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthenticated."}
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-cache, private"


@pytest.mark.anyio
async def test_without_accept_json_laravel_redirects_to_login_with_html(http: httpx2.AsyncClient) -> None:
    response = await http.get("/client", headers={"Authorization": "Bearer wrong", "Accept": "*/*"})
    assert response.status_code == 302
    assert response.headers["location"] == f"{SANDBOX_BASE_URL}/login"
    assert response.headers["content-type"].startswith("text/html")
    assert "Redirecting to" in response.text
    invalid = await http.post("/address", json={}, headers={"Accept": "text/html"})
    assert invalid.status_code == 302


@pytest.mark.anyio
async def test_unknown_route_and_wrong_method_answer_like_laravel(http: httpx2.AsyncClient) -> None:
    missing = await http.get("/clients")
    assert missing.status_code == 404
    assert missing.json() == {"message": "The route clients could not be found."}
    wrong = await http.patch("/address/1", json={})
    assert wrong.status_code == 405
    assert "Supported methods: GET, PUT, DELETE" in wrong.json()["message"]


@pytest.mark.anyio
async def test_records_are_scoped_to_the_tokens_company(http: httpx2.AsyncClient, state: ServicePlannerSandbox) -> None:
    other = {"Authorization": f"Bearer {OTHER_COMPANY_TOKEN}"}
    mine = a_client_with(state)
    response = await http.get(f"/client/{mine['id']}", headers=other)
    assert response.status_code == 404
    listing = (await http.get("/client", headers=other)).json()
    assert listing["total"] == 1
    types = (await http.get("/appointment/types", headers=other)).json()
    assert [row["name"] for row in types] == ["Auto inspectie"]


# ------------------------------------------------------------------------------------------
# Pagination
# ------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_client_pages_link_to_each_other_and_cover_every_client(http: httpx2.AsyncClient) -> None:
    first = (await http.get("/client", params={"per_page": "100"})).json()
    assert (first["current_page"], first["per_page"], first["total"], first["last_page"]) == (1, 100, 320, 4)
    assert (first["from"], first["to"], first["prev_page_url"]) == (1, 100, None)
    seen = [row["id"] for row in first["data"]]
    page = first
    while page["next_page_url"]:
        page = (await http.get(page["next_page_url"])).json()
        seen += [row["id"] for row in page["data"]]
    assert page["current_page"] == 4 and page["to"] == 320
    assert len(seen) == len(set(seen)) == 320
    beyond = (await http.get("/client", params={"page": 9})).json()
    assert (beyond["data"], beyond["from"], beyond["next_page_url"]) == ([], None, None)


@pytest.mark.anyio
async def test_page_urls_keep_the_filters_and_point_at_the_app(http: httpx2.AsyncClient) -> None:
    page = (await http.get("/client", params={"search": "utrecht", "per_page": 5})).json()
    assert page["path"] == f"{SANDBOX_BASE_URL}/client"
    next_url = urlsplit(page["next_page_url"])
    assert f"{next_url.scheme}://{next_url.netloc}{next_url.path}" == f"{SANDBOX_BASE_URL}/client"
    assert parse_qs(next_url.query) == {"search": ["utrecht"], "per_page": ["5"], "page": ["2"]}


@pytest.mark.anyio
@pytest.mark.parametrize("path", ["/client", "/address", "/item", "/appointment", "/invoice", "/user"])
async def test_every_list_rejects_a_bad_per_page(http: httpx2.AsyncClient, path: str) -> None:
    response = await http.get(path, params={"per_page": "veel"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"per_page": ["The per page field must be an integer."]}
    zero = await http.get(path, params={"per_page": 0})
    assert zero.json()["errors"] == {"per_page": ["The per page field must be at least 1."]}
    nonsense_page = (await http.get(path, params={"page": "x", "per_page": 1})).json()
    assert nonsense_page["current_page"] == 1


# ------------------------------------------------------------------------------------------
# Clients
# ------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_client_search_number_and_sort(http: httpx2.AsyncClient, state: ServicePlannerSandbox) -> None:
    target = a_client_with(state)
    found = (await http.get("/client", params={"client_number": target["client_number"]})).json()
    assert [row["id"] for row in found["data"]] == [target["id"]]
    words = f"{target['last_name']} {address_of(state, target['id'])['city']}"
    searched = (await http.get("/client", params={"search": words})).json()
    assert target["id"] in [row["id"] for row in searched["data"]]
    assert all(target["last_name"].lower() in str(row).lower() for row in searched["data"])
    ordered = (await http.get("/client", params={"sort": "client_number", "ordertype": "DESC"})).json()
    numbers = [row["client_number"] for row in ordered["data"]]
    assert numbers == sorted(numbers, reverse=True) and numbers[0] == 10320
    bad = await http.get("/client", params={"sort": "password", "ordertype": "up"})
    assert set(bad.json()["errors"]) == {"sort", "ordertype"}


@pytest.mark.anyio
async def test_client_create_get_update_delete(http: httpx2.AsyncClient) -> None:
    body = {
        "gender": "M",
        "first_name": "Dhr.",
        "last_name": "Bosman",
        "email": "bosman@ziggo.nl",
        "phone": "0301234567",
        "mobile_phone": "0612345678",
        "address": {
            "invoice": {"zipcode": "3511 AB", "house_number": "12", "street": "Oudegracht", "city": "Utrecht"},
            "work": {"zipcode": "3701 CD", "house_number": 4, "street": "Slotlaan", "city": "Zeist"},
        },
        "contactPerson": [{"first_name": "Els", "last_name": "Bosman", "phone": "0687654321"}],
    }
    created = await http.post("/client", json=body)
    assert created.status_code == 200
    client = created.json()
    assert client["client_number"] == 10321  # the next free number
    assert sorted((row["type"], row["city"]) for row in client["addresses"]) == [
        ("invoice", "Utrecht"),
        ("work", "Zeist"),
    ]
    assert all(row["country_id"] == 157 and row["geocode_lat"] for row in client["addresses"])
    assert client["work_address_same_as_invoice_address"] == 0
    assert client["contact_persons"][0]["first_name"] == "Els"

    shown = (await http.get(f"/client/{client['id']}")).json()
    assert shown["name"] == "Dhr. Bosman" and shown["appointments"] == [] and len(shown["addresses"]) == 2

    updated = await http.put(f"/client/{client['id']}", json={"last_name": "Bosman-de Vries", "phone": "0307654321"})
    assert updated.status_code == 200
    assert (updated.json()["last_name"], updated.json()["email"]) == ("Bosman-de Vries", "bosman@ziggo.nl")

    assert (await http.delete(f"/client/{client['id']}")).status_code == 200
    gone = await http.get(f"/client/{client['id']}")
    assert gone.status_code == 404
    assert gone.json() == {"message": f"No query results for model [App\\Models\\Client] {client['id']}"}
    for address in client["addresses"]:
        assert (await http.get(f"/address/{address['id']}")).status_code == 404


@pytest.mark.anyio
async def test_client_with_only_an_invoice_address_works_there(http: httpx2.AsyncClient) -> None:
    body = {
        "company_name": "Bakkerij Het Anker",
        "address": {
            "invoice": {"zipcode": "3811 AA", "house_number": "1", "street": "Langestraat", "city": "Amersfoort"}
        },
    }
    client = (await http.post("/client", json=body)).json()
    assert client["work_address_same_as_invoice_address"] == 1
    assert [row["type"] for row in client["addresses"]] == ["invoice"]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"first_name": "Jan"}, {"last_name": ["The last name field is required when company name is not present."]}),
        (
            {"last_name": "Smit", "client_number": 10001},
            {"client_number": ["The client number has already been taken."]},
        ),
        ({"last_name": "Smit", "email": "geen-mail"}, {"email": ["The email field must be a valid email address."]}),
        (
            {"last_name": "Smit", "address": {"work": {"street": "Dorpstraat", "city": "Houten"}}},
            {
                "address.work.house_number": ["The address.work.house number field is required."],
                "address.work.zipcode": ["The address.work.zipcode field is required."],
            },
        ),
        (
            {"last_name": "Smit", "contactPerson": [{"email": "a@b.nl"}]},
            {
                "contactPerson.0.last_name": [
                    "The contactPerson.0.last name field is required when contactPerson.0.first name is not present."
                ]
            },
        ),
    ],
    ids=["no-name", "duplicate-number", "bad-email", "incomplete-address", "nameless-contact"],
)
async def test_client_validation(http: httpx2.AsyncClient, body: dict[str, Any], expected: dict[str, Any]) -> None:
    response = await http.post("/client", json=body)
    assert response.status_code == 422
    assert response.json()["errors"] == expected


@pytest.mark.anyio
async def test_deleting_a_client_takes_its_records_along(
    http: httpx2.AsyncClient, state: ServicePlannerSandbox
) -> None:
    client = a_client_with(state, appointments=True)
    appointment = next(row for row in state.appointments.values() if row["client_id"] == client["id"])
    item = next(row for row in state.items.values() if row["client_id"] == client["id"])
    assert (await http.delete(f"/client/{client['id']}")).status_code == 200
    assert (await http.get(f"/appointment/{appointment['id']}")).status_code == 404
    assert (await http.get(f"/client/{client['id']}/item/{item['id']}")).status_code == 404
    all_items = (await http.get("/item", params={"per_page": 1000})).json()["data"]
    assert item["id"] not in {row["id"] for row in all_items}


# ------------------------------------------------------------------------------------------
# Addresses
# ------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_address_create_get_update_delete(http: httpx2.AsyncClient, state: ServicePlannerSandbox) -> None:
    owner = a_client_with(state)
    body = {
        "client_id": owner["id"],
        "street": "Dorpstraat",
        "house_number": "1",
        "house_number_addition": "A",
        "zipcode": "3991 AA",
        "city": "Houten",
        "type": "work",
    }
    created = (await http.post("/address", json=body)).json()
    assert (created["type"], created["country_id"], created["client_id"]) == ("work", 157, owner["id"])
    shown = (await http.get(f"/address/{created['id']}")).json()
    assert shown["client"]["id"] == owner["id"]

    updated = await http.put(f"/address/{created['id']}", json=body | {"house_number": "3", "type": "invoice"})
    assert (updated.json()["house_number"], updated.json()["type"]) == ("3", "invoice")
    partial = await http.put(f"/address/{created['id']}", json={"city": "Bunnik"})
    assert partial.status_code == 422  # the same rules as create: PUT sends the whole address

    assert (await http.delete(f"/address/{created['id']}")).status_code == 200
    gone = await http.get(f"/address/{created['id']}")
    assert gone.status_code == 404
    assert gone.json()["message"] == f"No query results for model [App\\Models\\Address] {created['id']}"
    again = await http.delete(f"/address/{created['id']}")
    assert again.status_code == 404


@pytest.mark.anyio
async def test_address_validation_names_each_field(http: httpx2.AsyncClient) -> None:
    response = await http.post("/address", json={"client_id": 1, "street": "Kerkstraat", "type": "home"})
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == {
        "client_id": ["The selected client id is invalid."],
        "house_number": ["The house number field is required."],
        "zipcode": ["The zipcode field is required."],
        "city": ["The city field is required."],
        "type": ["The selected type is invalid."],
    }
    assert body["message"] == "The selected client id is invalid. (and 4 more errors)"


@pytest.mark.anyio
async def test_address_list_filters_and_orders(http: httpx2.AsyncClient, state: ServicePlannerSandbox) -> None:
    owner = next(row for row in state.clients.values() if row["company_name"] and row["company_id"] == COMPANY_ID)
    mine = (await http.get("/address", params={"client_id": owner["id"]})).json()
    assert mine["total"] >= 2 and {row["client_id"] for row in mine["data"]} == {owner["id"]}
    by_city = (await http.get("/address", params={"order_by": "city", "order_direction": "DESC"})).json()
    cities = [row["city"].lower() for row in by_city["data"]]
    assert cities == sorted(cities, reverse=True)
    # The docs' newer generation sends the filter as a JSON body on the GET; Laravel reads it.
    body_filter = await http.request("GET", "/address", json={"client_id": owner["id"]})
    assert body_filter.json()["total"] == mine["total"]


# ------------------------------------------------------------------------------------------
# Appointments
# ------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_unplanned_appointment_lifecycle(http: httpx2.AsyncClient, state: ServicePlannerSandbox) -> None:
    client = a_client_with(state)
    item = next(row for row in state.items.values() if row["client_id"] == client["id"])
    body = {
        "appointment_type_id": item["appointment_type_id"],
        "client_id": client["id"],
        "address_id": item["address_id"],
        "plan_appointment": False,
        "services": [item["id"]],
    }
    created = await http.post("/appointment", json=body)
    assert created.status_code == 200
    made = created.json()
    assert (made["time_from"], made["planned_at"], made["appointment_or_invite"]) == (None, None, "appointment")
    assert made["plan_from"] == f"{TODAY}T00:00:00.000000Z"
    assert made["plan_to"] == "2026-03-31T23:59:59.000000Z"
    assert made["time"] == state.appointment_types[item["appointment_type_id"]]["time"]

    shown = (await http.get(f"/appointment/{made['id']}")).json()
    assert shown["status_system"] == "open"
    assert [row["id"] for row in shown["services"]] == [item["id"]]
    assert shown["services"][0]["pivot"] == {"appointment_id": made["id"], "service_id": item["id"]}
    assert shown["address"]["id"] == item["address_id"] and shown["client"]["id"] == client["id"]

    assert (await http.delete(f"/appointment/{made['id']}")).status_code == 200
    gone = await http.get(f"/appointment/{made['id']}")
    assert gone.json() == {"message": f"No query results for model [App\\Models\\Appointment] {made['id']}"}


@pytest.mark.anyio
async def test_planned_appointment_gets_the_first_free_slot_of_its_technician(
    http: httpx2.AsyncClient, state: ServicePlannerSandbox
) -> None:
    client = a_client_with(state)
    technician = technicians(state)[0]
    body = {
        "appointment_type_id": type_id(state, "Onderhoud warmtepomp"),
        "client_id": client["id"],
        "address_id": address_of(state, client["id"])["id"],
        "plan_appointment": True,
        "users": [technician],
        "send_mail_to_client": "default",
    }
    made = (await http.post("/appointment", json=body)).json()
    start = datetime.fromisoformat(made["time_from"].removesuffix("Z"))
    end = datetime.fromisoformat(made["time_to"].removesuffix("Z"))
    assert made["planned_at"] == TODAY.isoformat() and made["send_at"] is None
    assert start.date() > TODAY and start.weekday() < 5
    assert (end - start) == timedelta(minutes=90) and start.hour >= 8 and end.hour * 60 + end.minute <= 17 * 60
    others = [
        row
        for row in state.appointments.values()
        if technician in row["users"] and row["id"] != made["id"] and row["time_from"] and not row["canceled_at"]
    ]
    assert all(end <= row["time_from"] or start >= row["time_to"] for row in others)
    # Earlier half hours on working days were busy: the slot is the first one, not just a free one.
    second = (await http.post("/appointment", json=body)).json()
    assert datetime.fromisoformat(second["time_from"].removesuffix("Z")) >= end


@pytest.mark.anyio
async def test_invitation_flow_and_its_rule(http: httpx2.AsyncClient, state: ServicePlannerSandbox) -> None:
    client = a_client_with(state)
    item = next(row for row in state.items.values() if row["client_id"] == client["id"])
    body = {
        "appointment_type_id": item["appointment_type_id"],
        "client_id": client["id"],
        "address_id": item["address_id"],
        "send_mail_to_client": "direct",
        "plan_appointment": False,
        "appointment_or_invite": "invite",
        "services": [item["id"]],
    }
    made = (await http.post("/appointment", json=body)).json()
    assert (made["send_at"], made["appointment_or_invite"]) == (TODAY.isoformat(), "invite")
    assert (await http.get(f"/appointment/{made['id']}")).json()["status_system"] == "invited"
    refused = await http.post("/appointment", json=body | {"plan_appointment": True})
    assert refused.status_code == 422
    assert list(refused.json()["errors"]) == ["plan_appointment"]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"appointment_type_id": 999999}, "appointment_type_id"),
        ({"client_id": 999999}, "client_id"),
        ({"address_id": None}, "address_id"),
        ({"address_id": "other-client"}, "address_id"),
        ({"services": "other-client"}, "services.0"),
        ({"users": [999999]}, "users.0"),
        ({"send_mail_to_client": "later"}, "send_mail_to_client"),
        ({"appointment_or_invite": "call"}, "appointment_or_invite"),
        ({"plan_appointment": "yes"}, "plan_appointment"),
        ({"time": "een uur"}, "time"),
        ({"appointment_type_id": "auto-inspectie"}, "appointment_type_id"),
    ],
    ids=[
        "unknown-type", "unknown-client", "no-address", "foreign-address", "foreign-item", "unknown-user",
        "bad-mail-option", "bad-mode", "bad-boolean", "bad-time", "other-company-type",
    ],
)  # fmt: skip
async def test_appointment_referential_rules(
    http: httpx2.AsyncClient, state: ServicePlannerSandbox, change: dict[str, Any], field: str
) -> None:
    client = a_client_with(state)
    other = next(row for row in state.items.values() if row["client_id"] != client["id"])
    foreign_type = next(row["id"] for row in state.appointment_types.values() if row["company_id"] != COMPANY_ID)
    substitutes = {
        "other-client": other["address_id"] if "address_id" in change else [other["id"]],
        "auto-inspectie": foreign_type,
    }
    change = {key: substitutes.get(value, value) if isinstance(value, str) else value for key, value in change.items()}
    body = {
        "appointment_type_id": type_id(state),
        "client_id": client["id"],
        "address_id": address_of(state, client["id"])["id"],
    } | change
    before = len(state.appointments)
    response = await http.post("/appointment", json=body)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert len(state.appointments) == before


@pytest.mark.anyio
async def test_appointment_list_filters_and_order(http: httpx2.AsyncClient, state: ServicePlannerSandbox) -> None:
    technician = technicians(state)[1]
    kind = type_id(state)
    params = {"users[]": [technician], "appointment_type[]": [kind], "ordertype": "desc", "per_page": 500}
    rows = (await http.get("/appointment", params=params)).json()["data"]
    assert rows
    assert all(technician in state.appointments[row["id"]]["users"] for row in rows)
    assert all(row["appointment_type_id"] == kind for row in rows)
    stamps = [row["time_from_order"] for row in rows]
    assert stamps == sorted(stamps, reverse=True)
    expected = sum(
        1 for row in state.appointments.values() if technician in row["users"] and row["appointment_type_id"] == kind
    )
    assert len(rows) == expected
    ascending = (await http.get("/appointment", params={"ordertype": "asc", "per_page": 500})).json()["data"]
    assert ascending[0]["time_from"] is None  # unplanned first, as MySQL sorts NULLs
    indexed = await http.get("/appointment?users[0]=" + str(technician) + "&per_page=500")
    assert {row["id"] for row in indexed.json()["data"]} >= {row["id"] for row in rows}
    scalar = await http.get("/appointment", params={"users": technician})
    assert scalar.json()["errors"] == {"users": ["The users field must be an array."]}


@pytest.mark.anyio
async def test_canceled_status_comes_from_the_lifecycle_marker(
    http: httpx2.AsyncClient, state: ServicePlannerSandbox
) -> None:
    planned = next(row for row in state.appointments.values() if state.status_system(row) == "planned")
    state.cancel_appointment(planned["id"])
    shown = (await http.get(f"/appointment/{planned['id']}")).json()
    assert (shown["status_system"], shown["canceled_at"]) == ("canceled", TODAY.isoformat())
    assert shown["users"] and shown["company"]["id"] == COMPANY_ID


@pytest.mark.anyio
async def test_appointment_types_are_a_bare_array(http: httpx2.AsyncClient) -> None:
    response = await http.get("/appointment/types")
    types = response.json()
    assert isinstance(types, list)
    assert {"Onderhoud cv-ketel", "Onderhoud warmtepomp", "Storing"} <= {row["name"] for row in types}
    assert all(isinstance(row["time"], int) for row in types)


# ------------------------------------------------------------------------------------------
# Items and attachments
# ------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_client_item_create_get_update(http: httpx2.AsyncClient, state: ServicePlannerSandbox) -> None:
    client = a_client_with(state)
    address = address_of(state, client["id"])
    body = {
        "address_id": address["id"],
        "name": "Daikin Altherma 3 H HT 16 kW",
        "appointment_type_id": type_id(state, "Onderhoud warmtepomp"),
        "recurring": True,
        "plan_cycle": 12,
        "date_from": "2025-03-13T14:40:23",
        "appointment_or_invite": "invite",
    }
    created = await http.post(f"/client/{client['id']}/item", json=body)
    assert created.status_code == 200
    item = created.json()
    assert (item["time"], item["plan_cycle"], item["recurring"], item["date_from"]) == ("90", "12", 1, "2025-03-13")
    assert item["plan_next_date"] == "2026-03-13"  # the next yearly service after today
    listed = (await http.get(f"/client/{client['id']}/item")).json()
    assert item["id"] in {row["id"] for row in listed["data"]}
    assert {row["client_id"] for row in listed["data"]} == {client["id"]}

    changed = await http.put(f"/client/{client['id']}/item/{item['id']}", json=body | {"time": 120, "plan_cycle": 24})
    assert (changed.json()["time"], changed.json()["plan_cycle"]) == ("120", "24")
    shown = (await http.get(f"/client/{client['id']}/item/{item['id']}")).json()
    assert (shown["time"], shown["comments"], shown["attachments"]) == ("120", [], [])

    stranger = next(row for row in state.clients.values() if row["id"] != client["id"])
    assert (await http.get(f"/client/{stranger['id']}/item/{item['id']}")).status_code == 404
    foreign = await http.post(f"/client/{stranger['id']}/item", json=body)
    assert foreign.json()["errors"] == {"address_id": ["The selected address id is invalid."]}
    backwards = await http.post(f"/client/{client['id']}/item", json=body | {"date_to": "2024-01-01"})
    assert list(backwards.json()["errors"]) == ["date_to"]

    assert (await http.delete(f"/item/{item['id']}")).status_code == 200
    assert (await http.get(f"/client/{client['id']}/item/{item['id']}")).status_code == 404
    assert (
        (await http.delete(f"/item/{item['id']}"))
        .json()["message"]
        .startswith("No query results for model [App\\Models\\Service]")
    )


@pytest.mark.anyio
async def test_attachments_are_multipart_and_can_replace(
    http: httpx2.AsyncClient, state: ServicePlannerSandbox
) -> None:
    item = next(iter(state.items.values()))
    url = f"/client/{item['client_id']}/item/{item['id']}/attachments"
    files = [
        ("attachments[]", ("werkbon.pdf", b"%PDF-1.4 werkbon", "application/pdf")),
        ("attachments[]", ("foto.jpg", b"\xff\xd8\xff jpeg", "image/jpeg")),
    ]
    first = await http.post(url, files=files)
    assert first.status_code == 200
    assert [row["name"] for row in first.json()["attachments"]] == ["werkbon.pdf", "foto.jpg"]
    stored = first.json()["attachments"][0]
    assert state.attachment_content[stored["id"]] == b"%PDF-1.4 werkbon"

    replaced = await http.post(url, data={"delete_attachments": "1"}, files=[files[1]])
    assert [row["name"] for row in replaced.json()["attachments"]] == ["foto.jpg"]
    empty = await http.post(url, data={"delete_attachments": "1"})
    assert empty.json()["errors"] == {"attachments": ["The attachments field is required."]}
    as_text = await http.post(url, data={"attachments[]": "geen bestand"}, files=[("x", ("a", b"a"))])
    assert as_text.json()["errors"] == {"attachments.0": ["The attachments.0 field must be a file."]}


@pytest.mark.anyio
async def test_all_items_list_pages(http: httpx2.AsyncClient, state: ServicePlannerSandbox) -> None:
    page = (await http.get("/item")).json()
    assert page["per_page"] == 100 and len(page["data"]) == 100
    assert page["total"] == len(state.live(state.items, COMPANY_ID)) and page["next_page_url"]


# ------------------------------------------------------------------------------------------
# Invoices and users
# ------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_invoice_filters_are_on_or_after(http: httpx2.AsyncClient, state: ServicePlannerSandbox) -> None:
    since = TODAY - timedelta(days=14)
    rows = (await http.get("/invoice", params={"created_at": since.isoformat(), "per_page": 1000})).json()["data"]
    assert rows and all(date.fromisoformat(row["created_at"][:10]) >= since - timedelta(days=1) for row in rows)
    everything = (await http.get("/invoice", params={"per_page": 1000})).json()
    assert everything["total"] == len(state.invoices) > len(rows)
    bad = await http.get("/invoice", params={"created_at": "04-03-2026"})
    assert bad.json()["errors"] == {"created_at": ["The created at field must match the format Y-m-d."]}
    shown = (await http.get(f"/invoice/{rows[0]['id']}")).json()
    assert shown["lines"] and shown["total_incl_vat"] and shown["client"]["id"] == rows[0]["client_id"]
    assert (await http.get("/invoice/1")).status_code == 404


@pytest.mark.anyio
async def test_users_are_the_companys_staff(http: httpx2.AsyncClient) -> None:
    users = (await http.get("/user")).json()
    assert users["total"] == 7
    assert {row["company_id"] for row in users["data"]} == {COMPANY_ID}
    assert "Jeroen Bakker" in {row["name"] for row in users["data"]}


# ------------------------------------------------------------------------------------------
# Misconfiguration: redirects and HTML instead of JSON
# ------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_html_hook_makes_a_path_answer_like_a_misconfigured_installation(
    http: httpx2.AsyncClient, state: ServicePlannerSandbox
) -> None:
    state.serve_html("/client", "redirect")
    redirected = await http.get("/client")
    assert redirected.status_code == 302
    assert redirected.headers["location"] == f"{SANDBOX_BASE_URL}/login"
    assert redirected.headers["content-type"].startswith("text/html")
    login = await http.get(redirected.headers["location"])
    assert login.status_code == 200 and "<form" in login.text
    assert (await http.get("/address")).status_code == 200  # other paths are unaffected

    state.serve_html("*", "page")
    page = await http.get("/user")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Inloggen" in page.text

    state.clear_html()
    assert (await http.get("/client")).headers["content-type"] == "application/json"


@pytest.mark.anyio
async def test_company_redirect_is_an_html_redirect_into_the_web_app(http: httpx2.AsyncClient) -> None:
    response = await http.get("/company-redirect/planning")
    assert response.status_code == 302
    assert response.headers["location"] == "https://app.service-planner.nl/company-redirect/planning"
    assert "Redirecting to" in response.text


@pytest.mark.anyio
async def test_json_without_a_json_content_type_is_not_read(
    http: httpx2.AsyncClient, state: ServicePlannerSandbox
) -> None:
    client = a_client_with(state)
    fields = {"client_id": str(client["id"]), "street": "A", "house_number": "1", "zipcode": "1", "city": "B"}
    raw = json.dumps(fields | {"type": "work"})
    response = await http.post("/address", content=raw, headers={"Content-Type": "text/plain"})
    assert response.status_code == 422
    assert "client_id" in response.json()["errors"]
    as_form = await http.post(
        "/address",
        data={
            "client_id": str(client["id"]),
            "street": "A",
            "house_number": "1",
            "zipcode": "1",
            "city": "B",
            "type": "work",
        },
    )
    assert as_form.status_code == 200


@pytest.mark.anyio
async def test_optional_throttle_answers_429_with_retry_after(
    http: httpx2.AsyncClient, state: ServicePlannerSandbox
) -> None:
    assert [(await http.get("/user")).status_code for _ in range(5)] == [200] * 5  # off by default
    state.limit_requests(3)
    statuses = [(await http.get("/user")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = await http.get("/user")
    assert refused.json() == {"message": "Too Many Attempts."}
    assert refused.headers["retry-after"] == "60"  # NOW is 10:30:00; the window lasts to 10:31
    assert refused.headers["x-ratelimit-remaining"] == "0"
    state.limit_requests(None)
    assert (await http.get("/user")).status_code == 200
