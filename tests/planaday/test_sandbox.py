"""The Planaday simulator over HTTP (ASGITransport): auth, media types, booking rules, seats,
booking life cycle, pagination, date filters, 404s and rate limiting."""

from __future__ import annotations

import copy
import math
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from agenda_mcp.tools.planaday.sandbox import SANDBOX_BASE_URL, SANDBOX_ENV, create_app
from agenda_mcp.tools.planaday.sandbox.state import BOOKING_MESSAGES, SANDBOX_API_KEY, ApiError, PlanadaySandbox

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 3, 4, 10, 15, tzinfo=AMS)  # a Wednesday; course 101 runs 10-11 March
HEADERS = {
    "X-Api-Key": SANDBOX_API_KEY,
    "Accept": "application/json",
    "Content-Type": "application/json",
    "User-Agent": "agenda-mcp-tests/1.0",
}
EXAM = "{7D3F0A2C-5B1E-4C8A-9E21-3A6B8C0D4F11}"  # required, single value (course 106)
EXTRAS = "{2B9E4C71-8A0D-4F3B-B6C5-1E7D9A2F3C40}"  # optional, several values allowed (course 106)
TRUCK = "{C41A8E20-3F6B-4D92-A7E5-90B1D2C3E4F5}"  # required, on daypart 1013 of course 107


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def client_for(app: Starlette, base_url: str = SANDBOX_BASE_URL, **headers: str) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=base_url, headers=headers or HEADERS)


@pytest.fixture
def app() -> Starlette:
    return create_app(now=lambda: NOW)


@pytest.fixture
def sandbox(app: Starlette) -> PlanadaySandbox:
    return app.state.sandbox


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx2.AsyncClient]:
    async with client_for(app) as c:
        yield c


def student(**overrides: Any) -> dict[str, Any]:
    base = {
        "first_name": "Sanne",
        "last_name": "de Vries",
        "gender": "f",
        "email": "sanne.devries@example.nl",
        "phonenumber": "06-12345678",
        "language": "NL",
    }
    return base | overrides


STAP_STUDENT = student(
    stap_regulation=True,
    date_of_birth="19900412",
    address="Biltstraat",
    house_number="12",
    postal_code="3572AB",
    city="Utrecht",
)
COMPANY = {
    "name": "Bouwbedrijf Van Dijk BV",
    "address": "Industrieweg",
    "house_number": "7",
    "postal_code": "3821AA",
    "city": "Amersfoort",
}


def booking_body(course_id: int, **overrides: Any) -> dict[str, Any]:
    return {"course_id": course_id, "students": [student()], "creating_source": "tests"} | overrides


# --- credentials and media types -------------------------------------------------------------------


def test_sandbox_constants() -> None:
    assert SANDBOX_BASE_URL == "http://planaday.sandbox/v1"
    assert SANDBOX_ENV == {"PLANADAY_API_KEY": SANDBOX_API_KEY}


@pytest.mark.anyio
@pytest.mark.parametrize("key", [None, "", "wrong-key", SANDBOX_API_KEY + "x"])
@pytest.mark.parametrize(("method", "path"), [("GET", "/ping"), ("POST", "/booking/101")])
async def test_wrong_or_missing_key_is_401(app: Starlette, key: str | None, method: str, path: str) -> None:
    headers = {k: v for k, v in HEADERS.items() if k != "X-Api-Key"}
    if key is not None:
        headers["X-Api-Key"] = key
    async with client_for(app, **headers) as c:
        response = await c.request(method, path, json=booking_body(101) if method == "POST" else None)
    assert response.status_code == 401
    assert response.json() == {"message": "No Access Right"}
    assert "x-ratelimit-remaining" in response.headers
    assert app.state.sandbox.bookings == []


@pytest.mark.anyio
async def test_ping_with_key(client: httpx2.AsyncClient) -> None:
    response = await client.get("/ping")
    assert response.status_code == 200


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("method", "path", "headers", "content"),
    [
        ("POST", "/booking/101", {"Content-Type": "text/plain"}, b'{"course_id": 101}'),
        ("POST", "/booking/101", {"Content-Type": "application/x-www-form-urlencoded"}, b"a=1"),
        ("GET", "/label/list", {"Accept": "text/html"}, None),
        ("GET", "/label/list", {"Content-Type": "application/xml"}, None),
    ],
)
async def test_non_json_media_types_are_415(
    app: Starlette, method: str, path: str, headers: dict[str, str], content: bytes | None
) -> None:
    async with client_for(app, **(HEADERS | headers)) as c:
        response = await c.request(method, path, content=content)
    assert response.status_code == 415
    assert app.state.sandbox.bookings == []


@pytest.mark.anyio
async def test_body_without_content_type_is_415(app: Starlette) -> None:
    headers = {k: v for k, v in HEADERS.items() if k != "Content-Type"}
    async with client_for(app, **headers) as c:
        response = await c.post("/booking/101", content=b'{"course_id": 101}')
    assert response.status_code == 415


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("strict", "accept", "expected"),
    [
        (False, None, 200),
        (False, "*/*", 200),
        (False, "application/json", 200),
        (True, None, 415),
        (True, "*/*", 415),
        (True, "application/json", 200),
        (True, "application/json; charset=utf-8", 200),
    ],
)
async def test_strict_accept_flag(strict: bool, accept: str | None, expected: int) -> None:
    app = create_app(now=lambda: NOW, strict_accept=strict)
    async with client_for(app, **{"X-Api-Key": SANDBOX_API_KEY}) as c:
        # httpx sends `Accept: */*` unless told otherwise; remove it to test absence.
        request = c.build_request("GET", "/label/list")
        if accept is None:
            del request.headers["Accept"]
        else:
            request.headers["Accept"] = accept
        response = await c.send(request)
    assert response.status_code == expected


# --- booking validation ------------------------------------------------------------------------------


def _without(data: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != key}


# (case id, course id in the path, request body, expected business code)
BOOKING_ERRORS: list[tuple[str, str, Any, int]] = [
    ("not-json", "101", "{broken", 401),
    ("json-array", "101", [], 401),
    ("path-id", "abc", booking_body(101), 400),
    ("unknown-course", "999", booking_body(999), 414),
    ("course-id-missing", "101", _without(booking_body(101), "course_id"), 407),
    ("course-id-differs", "101", booking_body(104), 407),
    ("students-missing", "101", _without(booking_body(101), "students"), 402),
    ("students-empty", "101", booking_body(101, students=[]), 402),
    ("gender-invalid", "101", booking_body(101, students=[student(gender="x")]), 403),
    ("gender-empty", "101", booking_body(101, students=[student(gender="")]), 403),
    ("first-name-empty", "101", booking_body(101, students=[student(first_name=" ")]), 404),
    ("first-name-missing", "101", booking_body(101, students=[_without(student(), "first_name")]), 404),
    ("last-name-missing", "101", booking_body(101, students=[_without(student(), "last_name")]), 405),
    ("email-invalid", "101", booking_body(101, students=[student(email="sanne-at-example")]), 406),
    ("company-name", "101", booking_body(101, company=_without(COMPANY, "name")), 408),
    ("company-address", "101", booking_body(101, company=COMPANY | {"address": ""}), 409),
    ("company-house-number", "101", booking_body(101, company=_without(COMPANY, "house_number")), 410),
    ("company-postal-code", "101", booking_body(101, company=_without(COMPANY, "postal_code")), 411),
    ("company-city", "101", booking_body(101, company=_without(COMPANY, "city")), 412),
    ("no-dayparts", "111", booking_body(111), 413),
    ("foreign-daypart", "101", booking_body(101, dayparts=[1001, 1010]), 416),
    ("daypart-not-int", "101", booking_body(101, dayparts=["eerste"]), 416),
    ("foreign-material", "101", booking_body(101, materials=[454]), 417),
    ("paid-without-payment", "101", booking_body(101, is_payed=True), 418),
    (
        "payment-without-transaction",
        "101",
        booking_body(101, is_payed=True, payment={"party": "ideal"}),
        418,
    ),
    ("label-with-space", "101", booking_body(101, label="Groep 1"), 400),
    ("attributes-missing", "106", booking_body(106), 419),
    (
        "attributes-two-students",
        "106",
        booking_body(
            106,
            students=[student(), student(first_name="Ahmed")],
            attributes=[{"code": EXAM, "values": ["Nederlands"]}],
        ),
        420,
    ),
    ("attribute-code-missing", "106", booking_body(106, attributes=[{"values": ["Engels"]}]), 421),
    ("attribute-values-missing", "106", booking_body(106, attributes=[{"code": EXAM}]), 422),
    (
        "attribute-unknown-code",
        "106",
        booking_body(106, attributes=[{"code": EXAM, "values": ["Engels"]}, {"code": TRUCK, "values": ["EPT"]}]),
        423,
    ),
    ("required-attribute-absent", "106", booking_body(106, attributes=[{"code": EXTRAS, "values": ["Lunch"]}]), 424),
    ("attribute-unknown-value", "106", booking_body(106, attributes=[{"code": EXAM, "values": ["Frans"]}]), 425),
    ("language-unknown", "101", booking_body(101, students=[student(language="EN")]), 426),
    ("attributes-not-configured", "101", booking_body(101, attributes=[{"code": EXAM, "values": ["Engels"]}]), 427),
    (
        "attribute-too-many-values",
        "106",
        booking_body(106, attributes=[{"code": EXAM, "values": ["Engels", "Pools"]}]),
        428,
    ),
    ("attribute-required-empty", "106", booking_body(106, attributes=[{"code": EXAM, "values": []}]), 429),
    ("daypart-attribute-required", "107", booking_body(107), 419),
    ("birth-date-invalid", "101", booking_body(101, students=[student(date_of_birth="31-02-1990")]), 430),
    ("birth-date-future", "101", booking_body(101, students=[student(date_of_birth="20990101")]), 430),
    ("stap-birth-date", "108", booking_body(108, students=[_without(STAP_STUDENT, "date_of_birth")]), 431),
    ("stap-address", "108", booking_body(108, students=[_without(STAP_STUDENT, "address")]), 432),
    ("stap-house-number", "102", booking_body(102, students=[_without(STAP_STUDENT, "house_number")]), 433),
    ("stap-postal-code", "108", booking_body(108, students=[STAP_STUDENT | {"postal_code": ""}]), 434),
    ("stap-city", "108", booking_body(108, students=[_without(STAP_STUDENT, "city")]), 435),
    ("stap-only-course", "108", booking_body(108), 436),
]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("course", "body", "code"), [case[1:] for case in BOOKING_ERRORS], ids=[case[0] for case in BOOKING_ERRORS]
)
async def test_booking_errors(
    client: httpx2.AsyncClient, sandbox: PlanadaySandbox, course: str, body: Any, code: int
) -> None:
    seats_before = {cid: c.available for cid, c in sandbox.catalogue.courses.items()}
    if isinstance(body, str):
        response = await client.post(f"/booking/{course}", content=body.encode())
    else:
        response = await client.post(f"/booking/{course}", json=body)
    assert response.status_code == 400
    payload = response.json()
    assert payload["error"] == code
    assert isinstance(payload["message"], str) and payload["message"]
    assert sandbox.bookings == []
    assert {cid: c.available for cid, c in sandbox.catalogue.courses.items()} == seats_before


def test_every_documented_booking_code_is_exercised() -> None:
    # 415 is the documented duplicate of 413; the sandbox answers 413 only.
    assert {case[3] for case in BOOKING_ERRORS} >= set(BOOKING_MESSAGES) - {415}


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("body", "message"),
    [
        (_without(booking_body(101), "students"), "missing students block"),
        (
            booking_body(101, students=[student(language="EN")]),
            "students:unknown language given (EN), allowed: [NL, ENG, FR, DU, PL]",
        ),
        (
            booking_body(106, attributes=[{"code": EXAM, "values": ["Frans"]}]),
            f"attribute:unkown value given for attribute {EXAM}: [Frans], Allowed values: [Nederlands, Engels, Pools]",
        ),
        (
            booking_body(101, students=[student(email="x@y")]),
            "students:email contains invalid value (x@y)",
        ),
    ],
)
async def test_booking_error_messages(client: httpx2.AsyncClient, body: dict[str, Any], message: str) -> None:
    response = await client.post(f"/booking/{body['course_id']}", json=body)
    assert response.json()["message"] == message


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("body", "code"),
    [
        # a student error is reported before a company error
        (booking_body(101, students=[student(last_name="")], company=_without(COMPANY, "city")), 405),
        # course_id mismatch before the students block
        (_without(booking_body(104), "students"), 407),
        # per student: first name before gender before email
        (booking_body(101, students=[student(first_name="", gender="x", email="bad")]), 404),
        (booking_body(101, students=[student(gender="x", email="bad")]), 403),
        # the first student's error wins
        (booking_body(101, students=[student(email="bad"), student(last_name="")]), 406),
    ],
)
async def test_booking_reports_first_failing_rule(client: httpx2.AsyncClient, body: dict[str, Any], code: int) -> None:
    response = await client.post("/booking/101", json=body)
    assert response.json()["error"] == code


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("course", "body"),
    [
        ("101", booking_body(101, students=[student(gender=None, email=None, phonenumber=None, language="PL")])),
        ("101", booking_body(101, students=[_without(student(), "gender")], company=COMPANY, label="Groep-1")),
        ("101", booking_body(101, is_payed=True, payment={"party": "ideal", "transaction_id": "tr_8f3k2"})),
        ("101", booking_body(101, dayparts=[], materials=[450, 451])),
        ("102", booking_body(102, students=[STAP_STUDENT | {"date_of_birth": "1990-04-12"}])),
        ("102", booking_body(102)),  # STAP is optional on a course that merely allows it
        ("108", booking_body(108, students=[STAP_STUDENT])),
        ("106", booking_body(106, attributes=[{"code": EXAM, "values": ["Engels"]}])),
        (
            "106",
            booking_body(
                106,
                attributes=[{"code": EXAM, "values": ["Pools"]}, {"code": EXTRAS, "values": ["Lesboek", "Lunch"]}],
            ),
        ),
        ("107", booking_body(107, dayparts=[1012, 1014])),  # the attribute sits on daypart 1013 only
        ("107", booking_body(107, attributes=[{"code": TRUCK, "values": ["Reachtruck"]}])),
    ],
)
async def test_valid_bookings_succeed(client: httpx2.AsyncClient, course: str, body: dict[str, Any]) -> None:
    response = await client.post(f"/booking/{course}", json=body)
    assert response.status_code == 200, response.text
    payload = response.json()
    assert payload["result"] == "OK"
    assert payload["booking_id"].startswith("API")


@pytest.mark.anyio
async def test_booking_response_shape(client: httpx2.AsyncClient, sandbox: PlanadaySandbox) -> None:
    body = booking_body(
        101,
        company=COMPANY,
        students=[student(id=4711), student(first_name="Pieter", last_name="Bakker", is_student=False)],
    )
    first = (await client.post("/booking/101", json=body)).json()
    second = (await client.post("/booking/101", json=booking_body(101, company=COMPANY))).json()
    assert first["details"]["company"] == {"action": "created", "id": 501, "name": "Bouwbedrijf Van Dijk BV"}
    assert second["details"]["company"]["action"] == "reused"
    assert second["details"]["company"]["id"] == 501
    employee, contact = first["details"]["students"]
    assert employee["id"] == 4711 and employee["action"] == "reused" and employee["type"] == "employee"
    assert employee["name"] == "de Vries, Sanne"
    assert len(employee["option_ids"]) == 2  # one option per booked daypart
    assert contact["option_ids"] == []  # a contact person takes no seat
    assert first["booking_id"] != second["booking_id"]
    stored = sandbox.booking(first["booking_id"])
    assert stored.status == "pending" and stored.seats == 1 and stored.daypart_ids == [1001, 1002]


# --- seats --------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_booking_takes_seats_and_later_calls_see_it(client: httpx2.AsyncClient, sandbox: PlanadaySandbox) -> None:
    before = (await client.get("/course/101")).json()["users"]
    daypart_before = (await client.get("/daypart/1001")).json()["users"]
    body = booking_body(101, students=[student(), student(first_name="Ahmed", last_name="El Amrani")])
    assert (await client.post("/booking/101", json=body)).status_code == 200

    after = (await client.get("/course/101")).json()["users"]
    assert after["available"] == before["available"] - 2
    assert after["options"] == before["options"] + 2
    assert (await client.get("/daypart/1001")).json()["users"]["options"] == daypart_before["options"] + 2
    listed = (await client.get("/course/list", params={"start": "20260310", "end": "20260310"})).json()
    assert listed["data"][0]["users"]["available"] == before["available"] - 2
    assert len(sandbox.bookings) == 1


@pytest.mark.anyio
async def test_last_seat(client: httpx2.AsyncClient) -> None:
    two = booking_body(103, students=[student(), student(first_name="Ahmed")])
    refused = await client.post("/booking/103", json=two)
    assert refused.status_code == 404
    assert refused.json() == {"message": "Unavailable course selected"}
    assert (await client.post("/booking/103", json=booking_body(103))).status_code == 200
    assert (await client.get("/course/103")).json()["users"]["available"] == 0
    again = await client.post("/booking/103", json=booking_body(103))
    assert again.status_code == 404


@pytest.mark.anyio
async def test_set_available_seats_hook(client: httpx2.AsyncClient, sandbox: PlanadaySandbox) -> None:
    sandbox.set_available_seats(104, 0)
    assert (await client.post("/booking/104", json=booking_body(104))).status_code == 404
    sandbox.set_available_seats(104, 1)
    assert (await client.post("/booking/104", json=booking_body(104))).status_code == 200
    assert sandbox.available_seats(104) == 0


@pytest.mark.anyio
async def test_course_that_has_started_is_unavailable(client: httpx2.AsyncClient) -> None:
    response = await client.post("/booking/110", json=booking_body(110))
    assert response.status_code == 404
    assert response.json() == {"message": "Unavailable course selected"}


# --- booking life cycle --------------------------------------------------------------------------------


async def _book(client: httpx2.AsyncClient, course: int = 101, students: int = 1) -> str:
    body = booking_body(course, students=[student(first_name=f"Cursist{i}") for i in range(students)])
    response = await client.post(f"/booking/{course}", json=body)
    assert response.status_code == 200, response.text
    return response.json()["booking_id"]


@pytest.mark.anyio
async def test_delete_pending_booking_restores_seats(client: httpx2.AsyncClient, sandbox: PlanadaySandbox) -> None:
    before = sandbox.available_seats(101)
    booking_id = await _book(client, students=3)
    assert sandbox.available_seats(101) == before - 3
    response = await client.delete(f"/booking/{booking_id}")
    assert response.status_code == 200
    assert response.json() == {"result": "OK", "bookingId": booking_id}
    assert sandbox.available_seats(101) == before
    assert (await client.get("/course/101")).json()["users"]["options"] == 2
    assert sandbox.booking(booking_id).status == "deleted"
    again = await client.delete(f"/booking/{booking_id}")
    assert again.status_code == 404
    assert again.json() == {"message": "Booking not found"}


@pytest.mark.anyio
async def test_delete_converted_booking_is_refused(client: httpx2.AsyncClient, sandbox: PlanadaySandbox) -> None:
    booking_id = await _book(client, students=2)
    sandbox.mark_converted(booking_id)
    course = (await client.get("/course/101")).json()["users"]
    assert course["options"] == 2  # options became planned students
    assert (await client.get("/daypart/1001")).json()["users"]["scheduled"] == 3 + 2
    response = await client.delete(f"/booking/{booking_id}")
    assert response.status_code == 404
    assert sandbox.booking(booking_id).status == "converted"
    assert (await client.get("/course/101")).json()["users"] == course


@pytest.mark.anyio
async def test_delete_converted_booking_with_cancel_requests() -> None:
    app = create_app(now=lambda: NOW, cancel_converted=True)
    sandbox: PlanadaySandbox = app.state.sandbox
    async with client_for(app) as client:
        booking_id = await _book(client)
        sandbox.mark_converted(booking_id)
        seats = sandbox.available_seats(101)
        response = await client.request("DELETE", f"/booking/{booking_id}", json={"reason": "Ziek gemeld"})
    assert response.status_code == 200
    assert sandbox.booking(booking_id).status == "cancel_requested"
    assert sandbox.booking(booking_id).cancel_reason == "Ziek gemeld"
    assert sandbox.available_seats(101) == seats  # the back office decides about the seat


@pytest.mark.anyio
async def test_mark_converted_hook_only_converts_pending(client: httpx2.AsyncClient, sandbox: PlanadaySandbox) -> None:
    with pytest.raises(KeyError):
        sandbox.mark_converted("API-unknown")
    booking_id = await _book(client)
    sandbox.mark_converted(booking_id)
    with pytest.raises(ValueError):
        sandbox.mark_converted(booking_id)


@pytest.mark.anyio
async def test_delete_unknown_booking(client: httpx2.AsyncClient) -> None:
    response = await client.delete("/booking/API0000000000000.12345678")
    assert response.status_code == 404
    assert response.json() == {"message": "Booking not found"}


@pytest.mark.anyio
async def test_mark_paid(client: httpx2.AsyncClient, sandbox: PlanadaySandbox) -> None:
    booking_id = await _book(client)
    payment = {"party": "Mollie", "transaction_id": "tr_WDqYK6vllg"}
    response = await client.post(f"/booking/payed/{booking_id}", json={"is_payed": True, "payment": payment})
    assert response.status_code == 200
    assert response.json() == {"result": "OK", "bookingId": booking_id}
    assert sandbox.booking(booking_id).is_payed is True
    assert sandbox.booking(booking_id).payment == payment


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("{kapot", 401),
        ({"is_payed": True}, 402),
        ({"is_payed": True, "payment": {"transaction_id": "tr_1"}}, 403),
        ({"is_payed": True, "payment": {"party": "ideal", "transaction_id": ""}}, 404),
    ],
)
async def test_mark_paid_errors(client: httpx2.AsyncClient, sandbox: PlanadaySandbox, body: Any, code: int) -> None:
    booking_id = await _book(client)
    if isinstance(body, str):
        response = await client.post(f"/booking/payed/{booking_id}", content=body.encode())
    else:
        response = await client.post(f"/booking/payed/{booking_id}", json=body)
    assert response.status_code == 400
    assert response.json()["error"] == code
    assert sandbox.booking(booking_id).is_payed is False


@pytest.mark.anyio
async def test_mark_paid_unknown_booking(client: httpx2.AsyncClient) -> None:
    body = {"is_payed": True, "payment": {"party": "ideal", "transaction_id": "1"}}
    response = await client.post("/booking/payed/API0000000000000.12345678", json=body)
    assert response.status_code == 404
    assert response.json() == {"message": "Unavailable booking selected"}


@pytest.mark.anyio
async def test_fresh_app_has_fresh_state(client: httpx2.AsyncClient) -> None:
    await _book(client)
    other = create_app(now=lambda: NOW)
    assert other.state.sandbox.bookings == []
    async with client_for(other) as c:
        assert (await c.get("/course/101")).json()["users"]["available"] == 7


# --- catalogue reads ------------------------------------------------------------------------------------


async def _course_ids(client: httpx2.AsyncClient, **params: str) -> list[int]:
    response = await client.get("/course/list", params=params)
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["data"]]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"start": "20260309", "end": "20260315"}, [101]),
        # a course whose second day falls in the window still overlaps it
        ({"start": "20260311", "end": "20260311"}, [101]),
        ({"start": "20260316", "end": "20260322"}, [104, 103]),
        ({"start": "20260101", "end": "20260215"}, []),
        ({"start": "20260216", "end": "20260222"}, [110]),
        ({"start": "20260301", "end": "20260531", "templateid": "1"}, [101, 102, 109]),
        ({"start": "20260301", "end": "20260531", "label": "BHV,EHBO"}, [101, 102, 109]),
        ({"start": "20260301", "end": "20260531", "label": "bhv"}, [101, 103, 102, 109]),
        ({"start": "20260301", "end": "20260531", "label": "LOGISTIEK,HEFTRUCK"}, [107]),
        ({"start": "20260301", "end": "20260531", "label": "VCA,BHV"}, []),
    ],
)
async def test_course_list_filters(client: httpx2.AsyncClient, params: dict[str, str], expected: list[int]) -> None:
    assert await _course_ids(client, **params) == expected


@pytest.mark.anyio
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"start": "20260301"},
        {"end": "20260301"},
        {"start": "2026-03-01", "end": "20260331"},
        {"start": "20260230", "end": "20260331"},
        {"start": "20260331", "end": "20260301"},
        {"start": "20260301", "end": "20260331", "limit": "0"},
        {"start": "20260301", "end": "20260331", "offset": "-1"},
        {"start": "20260301", "end": "20260331", "templateid": "bhv"},
    ],
)
async def test_course_list_bad_parameters(client: httpx2.AsyncClient, params: dict[str, str]) -> None:
    response = await client.get("/course/list", params=params)
    assert response.status_code == 400
    assert response.json()["error"] == 400


@pytest.mark.anyio
async def test_course_list_pagination(client: httpx2.AsyncClient) -> None:
    window = {"start": "20260301", "end": "20260531"}
    everything = await _course_ids(client, **window)
    assert len(everything) == 9
    pages: list[int] = []
    for offset in range(0, 9, 4):
        response = await client.get("/course/list", params=window | {"limit": "4", "offset": str(offset)})
        body = response.json()
        assert body["meta"] == {
            "page": {"current": offset // 4 + 1, "offset": offset, "limit": 4, "total": 3},
            "records": 9,
        }
        pages += [c["id"] for c in body["data"]]
        links = body["links"]
        assert links["first"].startswith(f"{SANDBOX_BASE_URL}/course/list?")
        assert "offset=0" in links["first"] and "limit=4" in links["first"] and "start=20260301" in links["first"]
        assert "offset=8" in links["last"]
        assert (links["previous"] == "") is (offset == 0)
        assert (links["next"] == "") is (offset == 8)
    assert pages == everything
    nxt = (await client.get("/course/list", params=window | {"limit": "4", "offset": "4"})).json()["links"]["next"]
    assert [c["id"] for c in (await client.get(nxt)).json()["data"]] == everything[8:]


@pytest.mark.anyio
async def test_course_list_limit_is_capped(client: httpx2.AsyncClient) -> None:
    response = await client.get("/course/list", params={"start": "20260101", "end": "20261231", "limit": "500"})
    meta = response.json()["meta"]
    assert meta["page"]["limit"] == 100
    assert meta["page"]["total"] == math.ceil(meta["records"] / 100)


@pytest.mark.anyio
async def test_course_list_item_has_first_daypart_only(client: httpx2.AsyncClient) -> None:
    item = (await client.get("/course/list", params={"start": "20260413", "end": "20260413"})).json()["data"][0]
    assert item["id"] == 107 and item["daypart_amount"] == 3
    assert item["dayparts"] == [{"id": 1012, "href": f"{SANDBOX_BASE_URL}/daypart/1012", "visible": True}]
    assert item["has_code95"] == 1 and item["stap_only"] == 0  # the list view uses 0/1


@pytest.mark.anyio
async def test_course_detail(client: httpx2.AsyncClient) -> None:
    course = (await client.get("/course/107")).json()
    assert [d["id"] for d in course["dayparts"]] == [1012, 1013, 1014]
    assert "attributes" in course["dayparts"][1] and "attributes" not in course["dayparts"][0]
    assert course["has_code95"] is True and course["code95"] == {"practice": 7, "theory": 7}
    assert course["freefields"] == {"Startdatum": "13-04-2026"}
    stap = (await client.get("/course/108")).json()
    assert stap["has_stap"] is True and stap["stap_only"] is True
    vca = (await client.get("/course/106")).json()
    assert vca["attributes"]["Extra's"]["multiple_values_allowed"] is True
    assert vca["attributes"]["Extra's"]["values"]["Lunch"] == []
    assert vca["attributes"]["Examentaal"]["is_required"] is True


@pytest.mark.anyio
async def test_course_dayparts_and_locations(client: httpx2.AsyncClient) -> None:
    body = (await client.get("/course/106/dayparts")).json()
    assert body["meta"]["records"] == 2
    elearning, exam = body["data"]
    assert elearning["is_elearning"] == 1 and elearning["date_finish_before"] == "20260401"
    assert exam["date"] == "20260402" and exam["start_time"] == "09:00"
    location = (await client.get(exam["locations"][0]["href"])).json()
    assert location["address"]["city"] == "Amersfoort"
    assert location["href"] == exam["locations"][0]["href"]


@pytest.mark.anyio
async def test_materials(client: httpx2.AsyncClient) -> None:
    course = (await client.get("/course/101/materials")).json()
    assert [m["id"] for m in course["data"]] == [450, 451]
    daypart = (await client.get("/daypart/1001/materials")).json()
    assert [m["id"] for m in daypart["data"]] == [451]
    assert (await client.get("/daypart/1002/materials")).json()["data"] == []


@pytest.mark.anyio
async def test_templates_and_labels(client: httpx2.AsyncClient) -> None:
    templates = (await client.get("/coursetemplate/list")).json()["coursetemplates"]
    assert [t["id"] for t in templates] == [1, 2, 3, 4, 5, 6]  # 7 has no dayparts
    detail = (await client.get("/coursetemplate/5")).json()
    assert detail["users"] == {"min": 3, "max": 8} and len(detail["dayparts"]) == 3
    assert (await client.get(detail["dayparts"][0]["href"])).status_code == 200
    labels = {label["name"] for label in (await client.get("/label/list")).json()["labels"]}
    assert {"BHV", "EHBO", "VCA", "HEFTRUCK"} <= labels


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/course/999", "Course not found"),
        ("/course/999/dayparts", "Course not found"),
        ("/course/999/materials", "Course not found"),
        ("/coursetemplate/999", "Coursetemplate not found"),
        ("/daypart/999", "Daypart not found"),
        ("/daypart/999/materials", "Daypart not found"),
        ("/location/999", "Location not found"),
    ],
)
async def test_unknown_ids_are_404(client: httpx2.AsyncClient, path: str, message: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert response.json() == {"message": message}


@pytest.mark.anyio
async def test_unknown_route_is_json_404(client: httpx2.AsyncClient) -> None:
    response = await client.get("/student/list")
    assert response.status_code == 404
    assert "message" in response.json()


@pytest.mark.anyio
async def test_hrefs_follow_the_serving_address(app: Starlette) -> None:
    async with client_for(app, base_url="http://127.0.0.1:8123/v1") as c:
        course = (await c.get("/course/101")).json()
    assert course["href"] == "http://127.0.0.1:8123/v1/course/101"
    assert course["dayparts"][0]["href"] == "http://127.0.0.1:8123/v1/daypart/1001"


# --- rate limit -------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_rate_limit_headers_and_503() -> None:
    clock = Clock(NOW)
    app = create_app(now=clock, hourly_quota=3)
    reset = int(NOW.replace(minute=0, second=0).timestamp()) + 3600
    async with client_for(app) as c:
        remaining = []
        for _ in range(3):
            response = await c.get("/label/list")
            assert response.status_code == 200
            assert response.headers["x-ratelimit-limit"] == "3"
            assert response.headers["x-ratelimit-reset"] == str(reset)
            remaining.append(response.headers["x-ratelimit-remaining"])
        assert remaining == ["2", "1", "0"]
        refused = await c.get("/label/list")
        assert refused.status_code == 503
        assert refused.json() == {"message": "Rate Limit Reached"}
        assert refused.headers["x-ratelimit-remaining"] == "0"
        booking = await c.post("/booking/101", json=booking_body(101))
        assert booking.status_code == 503
        assert app.state.sandbox.bookings == []

        clock.moment = NOW + timedelta(hours=1)
        again = await c.get("/label/list")
        assert again.status_code == 200
        assert again.headers["x-ratelimit-remaining"] == "2"
        assert again.headers["x-ratelimit-reset"] == str(reset + 3600)


@pytest.mark.anyio
async def test_requests_without_key_do_not_spend_quota() -> None:
    app = create_app(now=lambda: NOW, hourly_quota=2)
    async with client_for(app, **{"X-Api-Key": "wrong"}) as anonymous:
        for _ in range(3):
            assert (await anonymous.get("/ping")).status_code == 401
    async with client_for(app) as c:
        assert (await c.get("/ping")).headers["x-ratelimit-remaining"] == "1"


# --- demo data -------------------------------------------------------------------------------------------


def _snapshot(app: Starlette) -> dict[int, Any]:
    return {cid: copy.deepcopy(c.to_json("x", detail=True)) for cid, c in app.state.sandbox.catalogue.courses.items()}


@pytest.mark.parametrize(
    "moment", [NOW, datetime(2026, 12, 27, 23, 30, tzinfo=AMS), datetime(2027, 6, 14, 0, 5, tzinfo=AMS)]
)
def test_demo_data_is_deterministic_and_upcoming(moment: datetime) -> None:
    make: Callable[[], Starlette] = lambda: create_app(now=lambda: moment)  # noqa: E731
    first, second = make(), make()
    assert _snapshot(first) == _snapshot(second)
    courses = first.state.sandbox.catalogue.courses
    today = moment.date()
    upcoming = [c for c in courses.values() if c.first_date is not None and c.first_date > today]
    assert len(upcoming) >= 8
    assert max(c.last_date for c in upcoming) <= today + timedelta(weeks=9)
    weeks = {(c.first_date - today).days // 7 for c in upcoming}
    assert len(weeks) >= 6  # spread out, not bunched in one week
    cities = {first.state.sandbox.catalogue.locations[d.location_ids[0]].city for c in upcoming for d in c.dayparts}
    assert {"Utrecht", "Amersfoort", "Zwolle"} <= cities
    assert any(c.available == 1 for c in upcoming)
    assert any(c.stap_only for c in upcoming)


# --- robustness ------------------------------------------------------------------------------------------

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 2000) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
_student_fields = st.sampled_from(
    ["first_name", "last_name", "gender", "email", "language", "date_of_birth", "is_student", "stap_regulation"]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    course=st.sampled_from(["101", "103", "106", "107", "108", "111", "999", "x"]),
    top=st.dictionaries(
        st.sampled_from(["course_id", "students", "company", "dayparts", "materials", "attributes", "is_payed"]),
        _json_values,
        max_size=4,
    ),
    overrides=st.dictionaries(_student_fields, _json_values, max_size=3),
)
def test_any_booking_body_gets_a_documented_answer(course: str, top: dict[str, Any], overrides: dict[str, Any]) -> None:
    sandbox: PlanadaySandbox = create_app(now=lambda: NOW).state.sandbox
    body = booking_body(int(course) if course.isdigit() else 0, students=[student() | overrides]) | top
    try:
        result = sandbox.create_booking(course, body)
    except ApiError as error:
        assert error.status in (400, 404)
        assert error.code is None or error.code in BOOKING_MESSAGES
    else:
        assert result["result"] == "OK"
        booking = sandbox.booking(result["booking_id"])
        assert sandbox.available_seats(booking.course_id) >= 0
