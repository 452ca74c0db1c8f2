"""Every Planaday tool and resource through a real MCP client, against the sandbox."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from mcp import Client
from mcp.server.mcpserver.exceptions import ToolError

from agenda_mcp.server.kit.http import VendorHTTP
from agenda_mcp.server.startup.app import AgendaServer, build_agenda
from agenda_mcp.server.transport.sandbox import InProcessTransport
from agenda_mcp.tools.planaday.client import PlanadayClient, connection
from agenda_mcp.tools.planaday.models import ZONE
from agenda_mcp.tools.planaday.sandbox import create_app
from agenda_mcp.tools.planaday.sandbox.state import SANDBOX_API_KEY
from tests.support import call_error, call_ok, sandbox_settings
from tests.support.person import Person
from tests.support.simulators import planaday as sandbox_of

pytestmark = pytest.mark.anyio
TODAY = date.today()
PERIOD = {"start": TODAY.isoformat(), "end": (TODAY + timedelta(weeks=10)).isoformat()}
SANNE = {"first_name": "Sanne", "last_name": "de Vries", "email": "sanne@example.nl", "gender": "f"}


@pytest.fixture
def agenda() -> AgendaServer:
    return build_agenda(sandbox_settings(toolsets=("planaday",)))


async def test_ping_and_labels(client: Client) -> None:
    assert await call_ok(client, "ping_planaday") == {"ok": True, "sandbox": True}
    labels = await call_ok(client, "list_planaday_labels")
    assert {"BHV", "EHBO", "VCA"} <= {label["name"] for label in labels["labels"]}


async def test_courses_are_filtered_by_period_label_and_template(client: Client) -> None:
    everything = await call_ok(client, "list_planaday_courses", {**PERIOD, "limit": 100})
    assert everything["page"]["total"] == len(everything["courses"]) > 5
    bhv = await call_ok(client, "list_planaday_courses", {**PERIOD, "label": ["BHV"], "limit": 100})
    assert bhv["courses"] and all("BHV" in c["labels"] for c in bhv["courses"])
    both = await call_ok(client, "list_planaday_courses", {**PERIOD, "label": ["BHV", "EHBO"], "limit": 100})
    assert {c["id"] for c in both["courses"]} <= {c["id"] for c in bhv["courses"]}
    assert all({"BHV", "EHBO"} <= set(c["labels"]) for c in both["courses"])
    template = await call_ok(client, "list_planaday_courses", {**PERIOD, "template_id": 3, "limit": 100})
    assert template["courses"] and all(c["coursetemplate_id"] == 3 for c in template["courses"])
    far = {"start": (TODAY + timedelta(days=800)).isoformat(), "end": (TODAY + timedelta(days=900)).isoformat()}
    assert (await call_ok(client, "list_planaday_courses", far))["courses"] == []


async def test_course_list_is_a_summary_and_details_have_the_rest(client: Client) -> None:
    listed = await call_ok(client, "list_planaday_courses", {**PERIOD, "limit": 100})
    item = next(c for c in listed["courses"] if c["id"] == 106)
    assert item["name"] == "VCA Basis (B-VCA)" and item["users"] == {"max": 16, "available": 11}
    assert item["costs"]["user"] > 0 and item["daypart_amount"] == 2
    assert not {"attributes", "description", "dayparts", "has_stap"} & set(item)
    course = await call_ok(client, "get_planaday_course", {"course_id": 106})
    assert course["users"]["available"] == 11 and course["users"]["options"] == 3
    assert course["has_elearning"] is True and course["description"]
    assert {a["code"] for a in course["attributes"].values()} == {ATTRIBUTE_EXAM, ATTRIBUTE_EXTRAS}


async def test_course_details_show_the_attributes_of_its_dayparts(client: Client) -> None:
    # Course 107 has a required attribute on one daypart only; a booking must choose it.
    course = await call_ok(client, "get_planaday_course", {"course_id": 107})
    assert course["attributes"] == {}
    practice = next(d for d in course["dayparts"] if d["attributes"])
    truck = practice["attributes"]["Type heftruck"]
    assert truck["code"] == ATTRIBUTE_TRUCK and truck["is_required"] is True and "EPT" in truck["values"]
    text = await call_error(client, "create_planaday_booking", {"course_id": 107, "students": [SANNE]})
    assert "error 419" in text
    choice = {ATTRIBUTE_TRUCK: ["EPT"]}
    booking = await call_ok(
        client, "create_planaday_booking", {"course_id": 107, "students": [SANNE], "attributes": choice}
    )
    assert booking["booking_id"]


async def test_course_pages_add_up(client: Client) -> None:
    first = await call_ok(client, "list_planaday_courses", {**PERIOD, "limit": 3})
    assert len(first["courses"]) == 3 and first["page"]["has_more"] is True
    rest = await call_ok(client, "list_planaday_courses", {**PERIOD, "offset": 3, "limit": 100})
    assert first["page"]["total"] == 3 + len(rest["courses"]) and rest["page"]["has_more"] is False
    assert not {c["id"] for c in first["courses"]} & {c["id"] for c in rest["courses"]}


async def test_bad_periods_and_limits_are_refused_before_calling(client: Client) -> None:
    backwards = {"start": PERIOD["end"], "end": PERIOD["start"]}
    assert "is before start" in await call_error(client, "list_planaday_courses", backwards)
    assert "100" in await call_error(client, "list_planaday_courses", {**PERIOD, "limit": 500})
    text = await call_error(client, "list_planaday_courses", {"start": "21-11-2026", "end": "x"})
    assert "start: '21-11-2026' is not a time" in text and "end: 'x'" in text and "ISO 8601" in text


async def test_label_filters_take_label_names_with_spaces(agenda: AgendaServer, client: Client) -> None:
    # Label names are free text in Planaday ("Intern transport"); only the booking's own label
    # is restricted to letters, digits and dashes.
    found = await call_ok(client, "list_planaday_courses", {**PERIOD, "label": ["Intern transport", "CODE95"]})
    assert [c["id"] for c in found["courses"]] == [107]
    sent = sandbox_of(agenda).requests[-1]
    assert sent.path == "/v1/course/list" and sent.query["label"] == "Intern transport,CODE95"
    # Characters that mean something in a URL arrive as they were written.
    tricky = "Brand & ontruiming #2 = 100%"
    assert (await call_ok(client, "list_planaday_courses", {**PERIOD, "label": [tricky]}))["courses"] == []
    assert sandbox_of(agenda).requests[-1].query["label"] == tricky
    await call_ok(client, "list_planaday_course_materials", {"course_id": 106, "label": "Examen online"})
    assert sandbox_of(agenda).requests[-1].query["label"] == "Examen online"
    # A comma would split one name into two labels: refused before anything is sent.
    before = len(sandbox_of(agenda).requests)
    text = await call_error(client, "list_planaday_courses", {**PERIOD, "label": ["BHV,EHBO"]})
    assert "label.0: a label name cannot contain a comma" in text
    assert len(sandbox_of(agenda).requests) == before


async def test_course_detail_dayparts_and_location_as_moments(client: Client) -> None:
    course = await call_ok(client, "get_planaday_course", {"course_id": 101})
    assert course["name"] == "BHV Basis" and len(course["dayparts"]) == 2
    assert course["users"]["available"] == 7
    # No repeating courses: the vendor writes [{"id": null, "href": null}], which means none.
    assert course["repeating_course_ids"] == []
    dayparts = await call_ok(client, "list_planaday_course_dayparts", {"course_id": 101})
    assert dayparts["timezone"] == "Europe/Amsterdam"
    first = dayparts["dayparts"][0]
    start, end = datetime.fromisoformat(first["start"]), datetime.fromisoformat(first["end"])
    assert start.date() > TODAY and re.fullmatch(r".*T08:30:00[+]0[12]:00", first["start"])
    assert start.utcoffset() == ZONE.utcoffset(start.replace(tzinfo=None)) and end.strftime("%H:%M") == "16:30"
    assert not {"date", "start_time", "end_time"} & set(first)  # no bare date + HH:MM pair
    daypart = await call_ok(client, "get_planaday_daypart", {"daypart_id": first["id"]})
    assert (daypart["start"], daypart["end"]) == (first["start"], first["end"])
    # The list is a summary; the details tool has the seat counts and costs.
    assert daypart["users"]["scheduled"] == 3 and daypart["costs"]["vat"] == 21
    assert "users" not in first and "costs" not in first
    location = await call_ok(client, "get_planaday_location", {"location_id": first["location_ids"][0]})
    assert location["address"]["city"] == "Utrecht"


async def test_materials_of_course_and_daypart(client: Client) -> None:
    course_materials = await call_ok(client, "list_planaday_course_materials", {"course_id": 106})
    assert {m["id"] for m in course_materials["materials"]} >= {454, 455}
    assert all(isinstance(m["selling_price"], float | int) for m in course_materials["materials"])
    dayparts = await call_ok(client, "list_planaday_course_dayparts", {"course_id": 107})
    practice = next(d for d in dayparts["dayparts"] if d["name"] == "Praktijk")
    daypart_materials = await call_ok(client, "list_planaday_daypart_materials", {"daypart_id": practice["id"]})
    assert [m["id"] for m in daypart_materials["materials"]] == [457]


async def test_templates_tool_detail_and_resources(client: Client) -> None:
    templates = await call_ok(client, "list_planaday_course_templates")
    ids = {t["id"] for t in templates["course_templates"]}
    assert 4 in ids and 7 not in ids  # a template without dayparts is not listed
    vca = await call_ok(client, "get_planaday_course_template", {"template_id": 4})
    assert vca["name"] == "VCA Basis (B-VCA)" and vca["users"] == {"min": 8, "max": 16} and vca["costs"]["user"] > 0
    # Booking choices are read from the course (get_planaday_course), not the template.
    assert "attributes" not in vca
    resource = await client.read_resource("planaday://course-templates")
    assert {t["id"] for t in json.loads(resource.contents[0].text)["course_templates"]} == ids  # type: ignore[union-attr]
    labels = await client.read_resource("planaday://labels")
    assert "BHV" in labels.contents[0].text  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("tool", "arguments", "advice"),
    [
        ("get_planaday_course", {"course_id": 999}, "No course with that course_id; list_planaday_courses"),
        ("get_planaday_daypart", {"daypart_id": 999999}, "No daypart with that daypart_id"),
        ("get_planaday_location", {"location_id": 999}, "No location with that location_id"),
        ("get_planaday_course_template", {"template_id": 999}, "list_planaday_course_templates shows"),
        ("list_planaday_course_dayparts", {"course_id": 999}, "No course with that course_id"),
        ("list_planaday_course_materials", {"course_id": 999}, "No course with that course_id"),
        ("list_planaday_daypart_materials", {"daypart_id": 999}, "No daypart with that daypart_id"),
    ],
)
async def test_unknown_ids_are_404_tool_errors(
    client: Client, tool: str, arguments: dict[str, Any], advice: str
) -> None:
    text = await call_error(client, tool, arguments)
    assert "HTTP 404" in text and advice in text and "Check the id" not in text


@pytest.mark.parametrize(
    ("call", "advice"),
    [
        # Lists without an id: a 404 means a wrong address (or, for courses, that nothing matched).
        (lambda c: c.list_labels(), "check PLANADAY_BASE_URL"),
        (lambda c: c.list_extrafields(), "check PLANADAY_BASE_URL"),
        (lambda c: c.list_course_templates(), "check PLANADAY_BASE_URL"),
        (lambda c: c.list_courses(TODAY, TODAY), "widen start/end or drop label/template_id"),
    ],
)
async def test_a_404_on_a_list_gives_advice_that_fits_the_call(
    call: Callable[[PlanadayClient], Awaitable[object]], advice: str
) -> None:
    # The simulator behind a wrong base URL (v2): every path is unknown there.
    env = {"PLANADAY_API_KEY": SANDBOX_API_KEY, "PLANADAY_BASE_URL": "http://planaday.sandbox/v2"}
    http = VendorHTTP(
        title="Planaday",
        connection=connection(env),
        auth_hint="PLANADAY_API_KEY",
        base_url_env="PLANADAY_BASE_URL",
        transport=InProcessTransport(create_app()),
    )
    async with http.opened():
        with pytest.raises(ToolError) as err:
            await call(PlanadayClient(http))
    text = str(err.value)
    assert "HTTP 404" in text and advice in text and "Check the id" not in text


async def test_extrafields_name_the_ids_a_booking_fills(agenda: AgendaServer, client: Client) -> None:
    fields = (await call_ok(client, "list_planaday_extrafields"))["student"]
    by_name = {f["name"]: f for f in fields}
    certificates = by_name["Eerder behaalde certificaten"]
    assert certificates["type"] == "checkbox" and certificates["options"] == ["bhv", "brand", "ehbo", "vca"]
    assert by_name["Rijbewijs"]["is_required"] is True and by_name["Rijbewijs"]["default_value"] == "B"
    assert "options" not in by_name["Dieetwensen"]  # a text field has none
    extra = {str(certificates["id"]): "bhv|ehbo", str(by_name["Rijbewijs"]["id"]): "B"}
    booking = await call_ok(
        client, "create_planaday_booking", {"course_id": 104, "students": [{**SANNE, "extrafields": extra}]}
    )
    assert sandbox_of(agenda).booking(booking["booking_id"]).students[0]["extrafields"] == {"53": "bhv|ehbo", "56": "B"}


async def test_booking_takes_a_seat_and_delete_gives_it_back(agenda: AgendaServer, client: Client) -> None:
    before = (await call_ok(client, "get_planaday_course", {"course_id": 104}))["users"]["available"]
    second = {**SANNE, "first_name": "Daan", "gender": "m", "email": None}
    booking = await call_ok(client, "create_planaday_booking", {"course_id": 104, "students": [SANNE, second]})
    assert booking["booking_id"].startswith("API") and booking["sandbox"] is True
    assert [s["name"] for s in booking["students"]] == ["de Vries, Sanne", "de Vries, Daan"]
    assert len(sandbox_of(agenda).booking(booking["booking_id"]).option_ids) == 4  # a student per daypart
    during = (await call_ok(client, "get_planaday_course", {"course_id": 104}))["users"]["available"]
    assert during == before - 2
    assert sandbox_of(agenda).booking(booking["booking_id"]).status == "pending"
    deleted = await call_ok(client, "delete_planaday_booking", {"booking_id": booking["booking_id"]})
    assert deleted["result"] == "OK" and deleted["sandbox"] is True
    after = (await call_ok(client, "get_planaday_course", {"course_id": 104}))["users"]["available"]
    assert after == before
    again = await call_error(client, "delete_planaday_booking", {"booking_id": booking["booking_id"]})
    assert "HTTP 404" in again


async def test_a_full_course_says_so(agenda: AgendaServer, client: Client) -> None:
    await call_ok(client, "create_planaday_booking", {"course_id": 103, "students": [SANNE]})
    assert sandbox_of(agenda).available_seats(103) == 0
    someone_else = {**SANNE, "first_name": "Noor"}
    text = await call_error(client, "create_planaday_booking", {"course_id": 103, "students": [someone_else]})
    assert "no seats left" in text


async def test_a_converted_booking_cannot_be_deleted(agenda: AgendaServer, client: Client) -> None:
    booking = await call_ok(client, "create_planaday_booking", {"course_id": 102, "students": [SANNE]})
    sandbox_of(agenda).mark_converted(booking["booking_id"])
    text = await call_error(client, "delete_planaday_booking", {"booking_id": booking["booking_id"]})
    assert "already accepted" in text


async def test_mark_paid(agenda: AgendaServer, client: Client) -> None:
    booking = await call_ok(client, "create_planaday_booking", {"course_id": 102, "students": [SANNE]})
    paid = await call_ok(
        client,
        "mark_planaday_booking_paid",
        {"booking_id": booking["booking_id"], "party": "ideal", "transaction_id": "TX-123"},
    )
    assert paid["result"] == "OK" and paid["sandbox"] is True
    assert sandbox_of(agenda).booking(booking["booking_id"]).is_payed is True
    unknown = await call_error(
        client, "mark_planaday_booking_paid", {"booking_id": "API-nope", "party": "ideal", "transaction_id": "x"}
    )
    assert "HTTP 404" in unknown


async def test_booking_with_company_payment_materials_and_label(agenda: AgendaServer, client: Client) -> None:
    company = {"name": "Pietersen BV", "address": "Stationsplein", "house_number": "1", "postal_code": "3511 ED"}
    company["city"] = "Utrecht"
    booking = await call_ok(
        client,
        "create_planaday_booking",
        {
            "course_id": 101,
            "students": [{**SANNE, "employee_id": "E-7", "date_of_birth": "1990-04-01"}],
            "company": company,
            "dayparts": [],
            "materials": [450],
            "label": "website-2026",
            "is_payed": True,
            "payment": {"party": "Mollie", "transaction_id": "tr_123"},
        },
    )
    assert booking["company"]["name"] == "Pietersen BV"
    stored = sandbox_of(agenda).booking(booking["booking_id"])
    assert stored.is_payed is True


def _dayparts(course: dict[str, Any]) -> list[int]:
    return [d["id"] for d in course["dayparts"]]


ATTRIBUTE_EXAM = "{7D3F0A2C-5B1E-4C8A-9E21-3A6B8C0D4F11}"
ATTRIBUTE_EXTRAS = "{2B9E4C71-8A0D-4F3B-B6C5-1E7D9A2F3C40}"
ATTRIBUTE_TRUCK = "{C41A8E20-3F6B-4D92-A7E5-90B1D2C3E4F5}"
STAP_STUDENT = {**SANNE, "stap_regulation": True}
STAP_COMPLETE = {
    **STAP_STUDENT,
    "date_of_birth": "1985-06-15",
    "address": "Dorpsstraat",
    "house_number": "12",
    "postal_code": "8011 AB",
    "city": "Zwolle",
}


# Vendor codes the typed tool cannot prevent, provoked through the tool.
@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"course_id": 111, "students": [SANNE]}, "413"),
        ({"course_id": 99999, "students": [SANNE]}, "414"),
        ({"course_id": 101, "students": [SANNE], "dayparts": [1]}, "416"),
        ({"course_id": 101, "students": [SANNE], "materials": [458]}, "417"),
        ({"course_id": 106, "students": [SANNE]}, "419"),
        ({"course_id": 106, "students": [SANNE], "attributes": {"{BOGUS}": ["x"]}}, "423"),
        (
            {"course_id": 106, "students": [SANNE], "attributes": {ATTRIBUTE_EXTRAS: ["Lunch"]}},
            "424",
        ),
        (
            {"course_id": 106, "students": [SANNE], "attributes": {ATTRIBUTE_EXAM: ["Klingon"]}},
            "425",
        ),
        ({"course_id": 101, "students": [SANNE], "attributes": {ATTRIBUTE_EXAM: ["x"]}}, "427"),
        (
            {
                "course_id": 106,
                "students": [SANNE],
                "attributes": {ATTRIBUTE_EXAM: ["Nederlands", "Engels"]},
            },
            "428",
        ),
        ({"course_id": 106, "students": [SANNE], "attributes": {ATTRIBUTE_EXAM: []}}, "429"),
        ({"course_id": 108, "students": [STAP_STUDENT]}, "431"),
        ({"course_id": 108, "students": [{**STAP_COMPLETE, "address": None}]}, "432"),
        ({"course_id": 108, "students": [{**STAP_COMPLETE, "house_number": None}]}, "433"),
        ({"course_id": 108, "students": [{**STAP_COMPLETE, "postal_code": None}]}, "434"),
        ({"course_id": 108, "students": [{**STAP_COMPLETE, "city": None}]}, "435"),
        ({"course_id": 108, "students": [SANNE]}, "436"),
    ],
)
async def test_vendor_booking_errors_name_their_code(client: Client, arguments: dict[str, Any], code: str) -> None:
    text = await call_error(client, "create_planaday_booking", arguments)
    assert f"error {code}" in text, text
    assert text.startswith("Planaday: create booking failed") or "create booking failed" in text


async def test_attribute_booking_succeeds_when_complete(client: Client) -> None:
    choices = {ATTRIBUTE_EXAM: ["Engels"], ATTRIBUTE_EXTRAS: ["Lesboek", "Lunch"]}
    booking = await call_ok(
        client, "create_planaday_booking", {"course_id": 106, "students": [SANNE], "attributes": choices}
    )
    assert booking["booking_id"]
    stap = await call_ok(client, "create_planaday_booking", {"course_id": 108, "students": [STAP_COMPLETE]})
    assert stap["booking_id"]


# What the tool's types and checks refuse before anything is sent.
@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"course_id": 101, "students": []}, "students"),
        ({"course_id": 101, "students": [{**SANNE, "first_name": ""}]}, "first_name"),
        ({"course_id": 101, "students": [{"first_name": "Sanne"}]}, "last_name"),
        ({"course_id": 101, "students": [{**SANNE, "gender": "x"}]}, "gender"),
        ({"course_id": 101, "students": [{**SANNE, "email": "not-an-email"}]}, "e-mail"),
        ({"course_id": 101, "students": [{**SANNE, "language": "EN"}]}, "language"),
        ({"course_id": 101, "students": [{**SANNE, "nickname": "typo"}]}, "nickname"),
        ({"course_id": 101, "students": [SANNE], "label": "met spatie"}, "label"),
        ({"course_id": 101, "students": [SANNE], "is_payed": True}, "give payment"),
        ({"course_id": 101, "students": [SANNE], "company": {"name": "Acme"}}, "company"),
        (
            {"course_id": 106, "students": [SANNE, SANNE], "attributes": {ATTRIBUTE_EXAM: ["x"]}},
            "one student",
        ),
    ],
)
async def test_invalid_bookings_are_refused_before_sending(
    agenda: AgendaServer, client: Client, arguments: dict[str, Any], expected: str
) -> None:
    text = await call_error(client, "create_planaday_booking", arguments)
    assert expected in text
    assert sandbox_of(agenda).bookings == []


# Vendor codes the tool's validation keeps us from sending: the client still maps them.
@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "402"),
        ({"students": [{**SANNE, "gender": "x"}]}, "403"),
        ({"students": [{**SANNE, "first_name": ""}]}, "404"),
        ({"students": [{**SANNE, "last_name": ""}]}, "405"),
        ({"students": [{**SANNE, "email": "nope"}]}, "406"),
        (
            {"students": [SANNE], "company": {"address": "a", "house_number": "1", "postal_code": "p", "city": "c"}},
            "408",
        ),
        ({"students": [SANNE], "company": {"name": "n", "house_number": "1", "postal_code": "p", "city": "c"}}, "409"),
        ({"students": [SANNE], "company": {"name": "n", "address": "a", "postal_code": "p", "city": "c"}}, "410"),
        ({"students": [SANNE], "company": {"name": "n", "address": "a", "house_number": "1", "city": "c"}}, "411"),
        (
            {"students": [SANNE], "company": {"name": "n", "address": "a", "house_number": "1", "postal_code": "p"}},
            "412",
        ),
        ({"students": [SANNE], "is_payed": True}, "418"),
        ({"students": [SANNE, SANNE], "attributes": [{"code": ATTRIBUTE_EXAM, "values": ["Engels"]}]}, "420"),
        ({"students": [SANNE], "attributes": [{"values": ["Engels"]}]}, "421"),
        ({"students": [SANNE], "attributes": [{"code": ATTRIBUTE_EXAM}]}, "422"),
        ({"students": [{**SANNE, "language": "XX"}]}, "426"),
        ({"students": [{**SANNE, "date_of_birth": "31-31-2000"}]}, "430"),
    ],
)
async def test_client_maps_every_booking_code(agenda: AgendaServer, body: dict[str, Any], code: str) -> None:
    http = agenda.vendors["planaday"].http
    async with http.opened():
        with pytest.raises(ToolError) as err:
            await PlanadayClient(http).create_booking(106 if "attributes" in body else 101, body)
    assert f"error {code}" in str(err.value)


async def test_course_id_mismatch_is_code_407(agenda: AgendaServer) -> None:
    http = agenda.vendors["planaday"].http
    async with http.opened():
        with pytest.raises(ToolError) as err:
            await http.json("POST", "booking/101", json_body={"course_id": 102, "students": [SANNE]})
    assert "error 407" in str(err.value)


async def test_booking_sends_the_documented_student_fields(agenda: AgendaServer, client: Client) -> None:
    # The docs' request example: an existing person by id, a nick name, birth place and country,
    # and the Code 95 / SOOB flags, each sent under its documented name and type.
    documented = {
        "id": 12312312,
        "nick_name": "Piet",
        "hometown": "maastricht",
        "country_of_birth": "Nederland",
        "process_code95": False,
        "process_soob": True,
    }
    booking = await call_ok(
        client, "create_planaday_booking", {"course_id": 104, "students": [{**SANNE, **documented}]}
    )
    sent = sandbox_of(agenda).booking(booking["booking_id"]).students[0]
    assert {key: sent.get(key) for key in documented} == documented
    assert type(sent["id"]) is int and type(sent["process_soob"]) is bool
    assert booking["students"][0]["id"] == 12312312 and booking["students"][0]["action"] == "reused"


async def test_the_booking_question_names_course_session_and_students(agenda: AgendaServer) -> None:
    person = Person("accept")
    second = {**SANNE, "first_name": "Daan", "email": None}
    async with Client(agenda.server, elicitation_callback=person) as client:
        await call_ok(client, "create_planaday_booking", {"course_id": 101, "students": [SANNE, second]})
        session = (await call_ok(client, "list_planaday_course_dayparts", {"course_id": 101}))["dayparts"][0]
    question = person.asked[0]
    first = datetime.fromisoformat(session["start"])
    assert question.startswith("Request Planaday “BHV Basis” (course 101), first session")
    assert f"{first:%d-%m-%Y %H:%M}" in question and "for “Sanne de Vries”, “Daan de Vries”?" in question
