"""Every Locaboo tool and resource through a real MCP client, against the sandbox."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import anyio
import httpx2
import pytest
from mcp import Client
from pydantic import TypeAdapter

from agenda_mcp.server.kit import TimeOfDay
from agenda_mcp.server.startup.app import AgendaServer, build_agenda
from agenda_mcp.server.startup.config import ConfigError
from agenda_mcp.tools.locaboo import dates
from agenda_mcp.tools.locaboo.inputs import Recurrence, ResourceParts
from agenda_mcp.tools.locaboo.sandbox import SANDBOX_BASE_URL, SANDBOX_ENV
from agenda_mcp.tools.locaboo.sandbox.state import LocabooSandbox
from agenda_mcp.tools.locaboo.tools import LocabooTools
from tests.support import call_error, call_ok, error_text, sandbox_settings
from tests.support.person import Person
from tests.support.simulators import locaboo as sandbox_of

pytestmark = pytest.mark.anyio
BERLIN = ZoneInfo("Europe/Berlin")
KEY = SANDBOX_ENV["LOCABOO_API_KEY"]
TOOLS = {
    "locaboo_resource_list",
    "locaboo_resource_details",
    "locaboo_booking_list",
    "locaboo_booking_details",
    "locaboo_availability",
    "locaboo_profile",
    "locaboo_customer_list",
    "locaboo_inventory_list",
    "locaboo_service_list",
    "locaboo_invoice_list",
    "locaboo_booking_save",
    "locaboo_event_list",
    "locaboo_event_details",
    "locaboo_booking_add",
    "locaboo_customer_add",
    "locaboo_customer_edit",
    "locaboo_customer_address_add",
}
CROSS_VENDOR = ("find_slots", "book_slot")
"""Tools over every vendor with availability (server/slots/service.py, tests/test_slots.py)."""


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    # Module scope lets the tables below share one server: building one takes a good part of a
    # second (schema generation), and the cases that fail must not change anything anyway.
    return "asyncio"


@pytest.fixture
def agenda() -> AgendaServer:
    return build_agenda(sandbox_settings(toolsets=("locaboo",)))


@pytest.fixture(scope="module")
def shared_agenda() -> AgendaServer:
    return build_agenda(sandbox_settings(toolsets=("locaboo",)))


@pytest.fixture(scope="module")
async def shared_client(shared_agenda: AgendaServer) -> AsyncIterator[Client]:
    async with Client(shared_agenda.server) as client:
        yield client


@pytest.fixture(scope="module", params=["Europe/Berlin", "America/New_York"])
async def zoned(request: pytest.FixtureRequest) -> AsyncIterator[tuple[str, AgendaServer, Client]]:
    zone: str = request.param
    agenda = build_agenda(sandbox_settings(toolsets=("locaboo",), env={"LOCABOO_TIMEZONE": zone}))
    async with Client(agenda.server) as client:
        yield zone, agenda, client


def monday(state: LocabooSandbox) -> date:
    today = state.now().date()
    return today - timedelta(days=today.weekday())


def free_day(state: LocabooSandbox, weekday: int) -> date:
    """That weekday (0 = Monday) at least a week away and no holiday, so the venue is open."""
    for week in range(1, 7):
        day = monday(state) + timedelta(days=7 * week + weekday)
        if not state.is_holiday(100, day):
            return day
    raise AssertionError("no such day without a holiday in six weeks")


def free_tuesday(state: LocabooSandbox) -> date:
    # School sport holds the whole Dreifeldhalle 08:00-12:00 on Tuesdays.
    return free_day(state, 1)


def slots_of(result: dict[str, Any], resource_id: int, day: date) -> list[str]:
    """`HH:MM-HH:MM` of the slots on `day`, read from their moments (wall clock in Berlin)."""
    entry = next(r for r in result["resources"] if r["resource_id"] == resource_id)
    moments = [(datetime.fromisoformat(s["start"]), datetime.fromisoformat(s["end"])) for s in entry["slots"]]
    assert all(start.utcoffset() == start.astimezone(BERLIN).utcoffset() for start, _end in moments)
    return [f"{start:%H:%M}-{end:%H:%M}" for start, end in moments if start.date() == day]


def local(day: date, clock: str, tz: ZoneInfo = BERLIN) -> str:
    return datetime.combine(day, datetime.strptime(clock, "%H:%M").time(), tz).isoformat()


async def test_every_endpoint_is_a_tool_with_the_right_annotations(client: Client) -> None:
    tools = {tool.name: tool for tool in (await client.list_tools()).tools if tool.name not in CROSS_VENDOR}
    assert set(tools) == TOOLS
    save = tools["locaboo_booking_save"].annotations
    assert save is not None and (save.read_only_hint, save.destructive_hint, save.idempotent_hint) == (
        False,
        True,
        False,
    )
    add = tools["locaboo_booking_add"].annotations
    assert add is not None and (add.read_only_hint, add.destructive_hint) == (False, False)
    assert all(tools[name].annotations.read_only_hint for name in ("locaboo_availability", "locaboo_booking_list"))  # type: ignore[union-attr]


async def test_read_only_mode_keeps_only_reads() -> None:
    async with Client(build_agenda(sandbox_settings(toolsets=("locaboo",), read_only=True)).server) as client:
        names = {tool.name for tool in (await client.list_tools()).tools if tool.name not in CROSS_VENDOR}
    assert names == TOOLS - {
        "locaboo_booking_save",
        "locaboo_booking_add",
        "locaboo_customer_add",
        "locaboo_customer_edit",
        "locaboo_customer_address_add",
    }


def test_a_bad_timezone_stops_start_up() -> None:
    with pytest.raises(ConfigError, match="LOCABOO_TIMEZONE: unknown time zone 'Mars/Olympus'"):
        build_agenda(sandbox_settings(toolsets=("locaboo",), env={"LOCABOO_TIMEZONE": "Mars/Olympus"}))


# --- the flow: availability -> book -> slot gone -> details -> cancel -> slot back ------


async def test_find_book_check_and_cancel(agenda: AgendaServer, client: Client) -> None:
    state = sandbox_of(agenda)
    tuesday = free_tuesday(state)
    window = {"date_from": tuesday.isoformat(), "date_to": tuesday.isoformat(), "duration": "02:00"}

    free = await call_ok(client, "locaboo_availability", {**window, "resource_id": [100]})
    assert [r["resource"] for r in free["resources"]] == [
        "Dreifeldhalle > Hallendrittel A",
        "Dreifeldhalle > Hallendrittel B",
        "Dreifeldhalle > Hallendrittel C",
    ]
    assert slots_of(free, 101, tuesday) == ["12:00-14:00", "14:00-16:00", "16:00-18:00", "18:00-20:00", "20:00-22:00"]
    assert free["total"] == 15 and free["timezone"] == "Europe/Berlin"

    booked = await call_ok(
        client,
        "locaboo_booking_add",
        {
            "booking_mode": "direct_booking",
            "main_resource": 100,
            "resource_parts": [{"resource_id": 100, "part_ids": [101]}],
            "date_from": tuesday.isoformat(),
            "date_to": tuesday.isoformat(),
            "time_from": "14:00",
            "time_to": "16:00",
            "customer_id": 2001,
            "title": "Volleyball Mixed",
        },
    )
    assert booked["sandbox"] is True and booked["message"] == "Successfully created the booking."
    booking_id = booked["booking_id"]

    after = await call_ok(client, "locaboo_availability", {**window, "resource_id": [100]})
    assert "14:00-16:00" not in slots_of(after, 101, tuesday)
    assert "14:00-16:00" in slots_of(after, 102, tuesday)

    details = await call_ok(client, "locaboo_booking_details", {"booking_id": booking_id})
    assert details["title"] == "Volleyball Mixed" and details["customer_id"] == 2001
    (instance,) = details["resources"][0]["instances"]
    assert instance["resource_id"] == 101 and instance["resource"] == "Dreifeldhalle > Hallendrittel A"
    assert (instance["start"], instance["end"]) == (local(tuesday, "14:00"), local(tuesday, "16:00"))

    cancelled = await call_ok(client, "locaboo_booking_save", {"booking_id": booking_id, "booking_status": "Cancel"})
    assert cancelled == {"booking_id": booking_id, "message": "Successfully updated the booking.", "sandbox": True}
    back = await call_ok(client, "locaboo_availability", {**window, "resource_id": [101]})
    assert "14:00-16:00" in slots_of(back, 101, tuesday)
    assert state.booking(booking_id).status == "Cancel"


async def test_weekly_recurring_booking_expands(agenda: AgendaServer, client: Client) -> None:
    start = monday(sandbox_of(agenda)) + timedelta(weeks=1)
    booked = await call_ok(
        client,
        "locaboo_booking_add",
        {
            "booking_mode": "direct_booking",
            "main_resource": 121,
            "date_from": start.isoformat(),
            "date_to": (start + timedelta(days=27)).isoformat(),
            "time_from": "17:30",
            "time_to": "19:00",
            "recurrence": {"type": "week", "weekdays": ["mon", "thu"], "weekly_type_select": "biweek"},
            "customer_id": 2006,
        },
    )
    details = await call_ok(client, "locaboo_booking_details", {"booking_id": booked["booking_id"]})
    starts = [i["start"] for i in details["resources"][0]["instances"]]
    expected_days = [start, start + timedelta(days=3), start + timedelta(days=14), start + timedelta(days=17)]
    assert starts == [local(day, "17:30") for day in expected_days]
    free = await call_ok(
        client,
        "locaboo_availability",
        {"resource_id": [121], "date_from": expected_days[1].isoformat(), "date_to": expected_days[1].isoformat()},
    )
    assert "17:30-18:30" not in slots_of(free, 121, expected_days[1])


@pytest.mark.parametrize("kind", ["day", "month", "year"])
async def test_other_recurrences(agenda: AgendaServer, client: Client, kind: str) -> None:
    start = monday(sandbox_of(agenda)) + timedelta(weeks=2)
    second, third = start + timedelta(days=1), start + timedelta(days=2)
    recurrence = {
        "day": {"type": "day"},
        "month": {"type": "month", "day": second.day},
        "year": {"type": "year", "day": third.day, "month": third.month},
    }[kind]
    # One set of times for every rule: the booking's own.
    times = {"full_day": True} if kind == "month" else {"time_from": "07:00", "time_to": "07:30"}
    expected = {"day": [start, second, third], "month": [second], "year": [third]}[kind]
    booked = await call_ok(
        client,
        "locaboo_booking_add",
        {
            "booking_mode": "direct_booking",
            "main_resource": 122,
            "date_from": start.isoformat(),
            "date_to": third.isoformat(),
            "recurrence": recurrence,
            **times,
        },
    )
    details = await call_ok(client, "locaboo_booking_details", {"booking_id": booked["booking_id"]})
    instances = details["resources"][0]["instances"]
    assert [i["start"][:10] for i in instances] == [d.isoformat() for d in expected]
    clock = ("00:00", "23:59") if kind == "month" else ("07:00", "07:30")
    assert all((i["start"][11:16], i["end"][11:16]) == clock for i in instances)


async def test_a_yearly_booking_over_five_years(agenda: AgendaServer, client: Client) -> None:
    """The docs set no limit on a booking's period; the occurrences are what is bounded."""
    first = monday(sandbox_of(agenda)) + timedelta(weeks=2)
    if (first.month, first.day) == (2, 29):
        first += timedelta(days=1)  # a day every year has
    booked = await call_ok(
        client,
        "locaboo_booking_add",
        {
            "booking_mode": "direct_booking",
            "main_resource": 122,
            "date_from": first.isoformat(),
            "date_to": first.replace(year=first.year + 4).isoformat(),
            "recurrence": {"type": "year", "day": first.day, "month": first.month},
            "time_from": "07:00",
            "time_to": "07:30",
        },
    )
    details = await call_ok(client, "locaboo_booking_details", {"booking_id": booked["booking_id"]})
    starts = [i["start"] for i in details["resources"][0]["instances"]]
    assert starts == [local(first.replace(year=first.year + n), "07:00") for n in range(5)]


async def test_full_day_without_a_rule_books_whole_days(agenda: AgendaServer, client: Client) -> None:
    start = monday(sandbox_of(agenda)) + timedelta(weeks=3)
    booked = await call_ok(
        client,
        "locaboo_booking_add",
        {
            "booking_mode": "direct_booking",
            "main_resource": 122,
            "date_from": start.isoformat(),
            "date_to": (start + timedelta(days=1)).isoformat(),
            "full_day": True,
        },
    )
    details = await call_ok(client, "locaboo_booking_details", {"booking_id": booked["booking_id"]})
    spans = [(i["start"][:16], i["end"][:16]) for i in details["resources"][0]["instances"]]
    assert spans == [(f"{d}T00:00", f"{d}T23:59") for d in (start, start + timedelta(days=1))]


async def test_monthly_by_weekday(agenda: AgendaServer, client: Client) -> None:
    start = monday(sandbox_of(agenda)) + timedelta(weeks=1)
    end = start + timedelta(days=90)
    booked = await call_ok(
        client,
        "locaboo_booking_add",
        {
            "booking_mode": "direct_booking",
            "main_resource": 122,
            "date_from": start.isoformat(),
            "date_to": end.isoformat(),
            "recurrence": {"type": "month", "week_number": 1, "week_day": "wed"},
            "full_day": True,
        },
    )
    details = await call_ok(client, "locaboo_booking_details", {"booking_id": booked["booking_id"]})
    found = [date.fromisoformat(i["start"][:10]) for i in details["resources"][0]["instances"]]
    assert found and all(d.weekday() == 2 and d.day <= 7 and start <= d <= end for d in found)
    assert details["resources"][0]["instances"][0]["end"].endswith(("T23:59:00+01:00", "T23:59:00+02:00"))


async def test_a_booking_request_does_not_block_until_confirmed(agenda: AgendaServer, client: Client) -> None:
    state = sandbox_of(agenda)
    tuesday = free_tuesday(state)
    day = {"date_from": tuesday.isoformat(), "date_to": tuesday.isoformat()}
    request = await call_ok(
        client,
        "locaboo_booking_add",
        {"booking_mode": "booking_request", "main_resource": 120, **day, "time_from": "12:30", "time_to": "14:30"},
    )
    free = await call_ok(client, "locaboo_availability", {"resource_id": [120], **day, "duration": "02:00"})
    assert "13:30-15:30" in slots_of(free, 120, tuesday)  # the request blocks nothing
    state.confirm_request(request["booking_id"])
    after = await call_ok(client, "locaboo_availability", {"resource_id": [120], **day, "duration": "02:00"})
    assert "13:30-15:30" not in slots_of(after, 120, tuesday)


async def test_booking_with_parts_fields_inventory_services_and_colour(agenda: AgendaServer, client: Client) -> None:
    friday = monday(sandbox_of(agenda)) + timedelta(days=11)
    booked = await call_ok(
        client,
        "locaboo_booking_add",
        {
            "booking_mode": "direct_booking",
            "main_resource": 110,
            "resource_parts": [{"resource_id": 110, "part_ids": [112]}],
            "date_from": friday.isoformat(),
            "date_to": friday.isoformat(),
            "time_from": "09:00",
            "time_to": "12:00",
            "customer_id": 2002,
            "category_fields": [
                {"resource_id": 110, "field_id": 1, "value": "120"},
                {"resource_id": 110, "field_id": 2, "value": "Parlament"},
            ],
            "inventory": [{"resource_id": 110, "item_id": 301, "quantity": 2}],
            "services": [{"resource_id": 110, "item_id": 401, "quantity": 120}],
            "color": "#c62828",
            "comments": "Bitte Wasser auf die Tische.",
        },
    )
    details = await call_ok(client, "locaboo_booking_details", {"booking_id": booked["booking_id"]})
    resource = details["resources"][0]
    assert resource["inventory"] == [
        {"id": 301, "name": "Beamer Full-HD", "interval": "per_quantity", "price": 25.0, "quantity": 2.0}
    ]
    assert resource["services"][0]["id"] == 401 and resource["services"][0]["quantity"] == 120
    assert {(f["field_id"], f["label"], f["value"]) for f in resource["custom_fields"]} == {
        (1, "Personen", "120"),
        (2, "Bestuhlung", "Parlament"),
    }
    assert details["color"] == "#c62828" and details["comments"] == "Bitte Wasser auf die Tische."
    stored = sandbox_of(agenda).booking(booked["booking_id"])
    assert [i.resource_id for i in stored.instances()] == [112]


async def test_booking_list_reads_instances_keyed_by_id_and_custom_fields(agenda: AgendaServer, client: Client) -> None:
    week = monday(sandbox_of(agenda))
    listed = await call_ok(
        client,
        "locaboo_booking_list",
        {"date_from": week.isoformat(), "date_to": (week + timedelta(days=6)).isoformat(), "show_details": True},
    )
    assert listed["total"] == len(listed["bookings"])
    training = next(b for b in listed["bookings"] if b["id"] == 5001)
    assert training["customer_id"] == 2001 and training["customer"] == "TSV Lahnstadt 1898 e.V."
    # A summary: the instances of all booked resources in one list, each saying where and when.
    instances = training["instances"]
    assert [i["start"] for i in instances[:2]] == [local(week, "18:00"), local(week, "18:00")]
    assert {i["resource_id"] for i in instances} == {101, 102}
    stored = sandbox_of(agenda).booking(5001).instances()
    first = next(i for i in stored if i.resource_id == 101 and i.start.date() == week)
    # The instance id Locaboo gives in the list stays (reference L11: keyed by it), with where and when.
    assert instances[0] == {
        "id": first.id,
        "resource_id": 101,
        "resource": "Dreifeldhalle > Hallendrittel A",
        "start": local(week, "18:00"),
        "end": local(week, "20:00"),
    }
    assert len({i["id"] for i in instances}) == len(instances)
    assert training["custom_fields"] == [{"resource_id": 100, "field_id": 1, "label": "Personen", "value": "30"}]
    assert all(b["id"] != 5007 for b in listed["bookings"])  # cancelled
    assert not {"resources", "color", "comments", "persons"} & {key for b in listed["bookings"] for key in b}
    plain = await call_ok(
        client, "locaboo_booking_list", {"date_from": week.isoformat(), "date_to": week.isoformat(), "resource_id": 101}
    )
    assert [b["id"] for b in plain["bookings"]] == [5001]
    assert "custom_fields" not in plain["bookings"][0]  # only with show_details
    # The details keep the full record: grouped by main resource, with instance ids and colour.
    details = await call_ok(client, "locaboo_booking_details", {"booking_id": 5001})
    assert details["resources"][0]["resource_id"] == 100 and "id" in details["resources"][0]["instances"][0]
    assert "color" in details


async def test_booking_list_keeps_the_field_answers_of_an_instance(agenda: AgendaServer, client: Client) -> None:
    """Locaboo answers custom fields per instance as well as per booking (booking 312886 in the
    docs); with show_details the list keeps both, each instance under its own id."""
    day = monday(sandbox_of(agenda)) + timedelta(days=23)
    period = {"date_from": day.isoformat(), "date_to": day.isoformat(), "resource_id": 110}
    listed = await call_ok(client, "locaboo_booking_list", {**period, "show_details": True})
    tagung = next(b for b in listed["bookings"] if b["id"] == 5011)
    (instance,) = tagung["instances"]
    assert instance["id"] == sandbox_of(agenda).booking(5011).instances()[0].id
    assert {(f["resource_id"], f["field_id"], f["label"], f["value"]) for f in instance["custom_fields"]} == {
        (110, 1, "Personen", "150"),
        (110, 2, "Bestuhlung", "Reihe"),
    }
    plain = await call_ok(client, "locaboo_booking_list", period)
    assert "custom_fields" not in next(b for b in plain["bookings"] if b["id"] == 5011)["instances"][0]


async def test_availability_with_typed_conditions(agenda: AgendaServer, client: Client) -> None:
    day = free_day(sandbox_of(agenda), 0)
    result = await call_ok(
        client,
        "locaboo_availability",
        {
            "date_from": day.isoformat(),
            "date_to": day.isoformat(),
            "conditions": [
                {"field_id": 1, "condition": "great_than_et", "value": 150},
                {"field_id": 5, "condition": "et", "value": "Ja"},
            ],
            "limit": 3,
        },
    )
    with_slots = [r for r in result["resources"] if r["slots"]]
    assert [r["resource"] for r in with_slots] == ["Großer Saal > Saal Rhein"]
    assert result["total"] == 3 and [s["start"] for s in with_slots[0]["slots"]] == [
        local(day, clock) for clock in ("07:00", "08:00", "09:00")
    ]


async def test_resources_parts_and_details(client: Client) -> None:
    listed = await call_ok(client, "locaboo_resource_list")
    hall = next(r for r in listed["resources"] if r["id"] == 100)
    assert [p["title"] for p in hall["parts"]] == ["Hallendrittel A", "Hallendrittel B", "Hallendrittel C"]
    fields = {f["name"]: f for f in listed["free_text_fields"]}
    assert fields["Bestuhlung"]["options"][:2] == ["Reihe", "Parlament"] and "options" not in fields["Personen"]
    resource = await client.read_resource("locaboo://resources")
    assert json.loads(resource.contents[0].text) == listed  # type: ignore[union-attr]
    part = await call_ok(client, "locaboo_resource_details", {"resource_id": 112})
    assert part["title"] == "Großer Saal > Saal Main" and part["country"] == "DE"
    assert all(set(t) == {"time_from", "time_to"} for t in part["today_opening_times"])


async def test_account_customers_catalogue_invoices_and_events(agenda: AgendaServer, client: Client) -> None:
    profile = await call_ok(client, "locaboo_profile")
    assert profile["company_name"] == "Sport- und Kongresszentrum Lahnstadt GmbH" and profile["created"] == "2016-06-02"

    everyone = await call_ok(client, "locaboo_customer_list")
    assert everyone["total"] == 7
    tsv = await call_ok(client, "locaboo_customer_list", {"search": "tsv"})
    assert [c["id"] for c in tsv["customers"]] == [2001]
    assert "last_login" not in next(c for c in everyone["customers"] if c["id"] == 2002)  # "" means never

    inventory = await call_ok(client, "locaboo_inventory_list")
    beamer = next(i for i in inventory["inventory"] if i["id"] == 301)
    assert beamer["quantity"] == 4 and beamer["prices"][0] == {
        "price": 25.0,
        "interval": "per_quantity",
        "tax": 19.0,
        "customer_groups": ["All"],
    }
    assert beamer["prices"][1]["customer_groups"] == ["Vereine", "Schulen"]
    assert beamer["prices"][1]["customer_group_ids"] == [1, 3]
    assert {"id": 110, "title": "Großer Saal"} in beamer["resources"]
    assert "image" not in beamer and "created_on" not in beamer  # left out: nothing to book with
    services = await call_ok(client, "locaboo_service_list")
    assert {s["name"] for s in services["services"]} >= {"Endreinigung", "Veranstaltungstechniker"}
    assert all(s["prices"] and "quantity" not in s for s in services["services"])
    for uri, key in (("locaboo://services", "services"), ("locaboo://inventory", "inventory")):
        contents = await client.read_resource(uri)
        assert len(json.loads(contents.contents[0].text)[key]) == len(
            (services if key == "services" else inventory)[key]
        )  # type: ignore[union-attr]

    invoices = await call_ok(client, "locaboo_invoice_list")
    first = invoices["invoices"][0]
    assert first["payment_status"] == "Bezahlt" and first["invoice_rows"][0]["booking_id"] == 5008
    assert first["customer"]["company"] == "TSV Lahnstadt 1898 e.V."
    assert first["invoice_rows"][0]["rate"].endswith("Pro Stunde") and "id" not in first["invoice_rows"][0]

    week = monday(sandbox_of(agenda))
    events = await call_ok(
        client,
        "locaboo_event_list",
        {"date_from": (week + timedelta(days=14)).isoformat(), "date_to": (week + timedelta(days=30)).isoformat()},
    )
    assert [e["event_title"] for e in events["events"]] == [
        "Lahnstädter Hallenfußball-Cup",
        "Fachtagung Digitale Verwaltung",
    ]
    # The list is a summary; the marketing data are in the details.
    assert not any(key.startswith("marketing_data") for e in events["events"] for key in e)
    cup_event = sandbox_of(agenda).events[1]
    first_day, last_day = cup_event.date_from, cup_event.date_to
    assert (events["events"][0]["start"], events["events"][0]["end"]) == (
        local(first_day, f"{cup_event.time_from:%H:%M}"),
        local(last_day, f"{cup_event.time_to:%H:%M}"),
    )
    cup = await call_ok(client, "locaboo_event_details", {"event_id": 1})
    assert cup["marketing_data_title"]
    assert cup["entrance_time"] == local(first_day, f"{cup_event.entrance_time:%H:%M}")
    assert cup["id"] == 1 and [d["document_type"] for d in cup["documents"]] == [
        "Offer",
        "Order confirmation",
        "Invoice",
    ]
    assert cup["documents"][2]["processed_status"] is False and "processed_date" not in cup["documents"][2]
    instances = cup["documents"][0]["bookings"][0]["instances"]
    saturday = week + timedelta(days=19)
    assert (instances[0]["start"], instances[1]["end"]) == (
        local(saturday, "00:00"),
        local(saturday + timedelta(days=1), "18:00"),
    )


async def test_customer_add_edit_and_addresses(agenda: AgendaServer, client: Client) -> None:
    added = await call_ok(
        client,
        "locaboo_customer_add",
        {
            "customer": {
                "company_name": "Lahnstädter Ruderverein e.V.",
                "first_name": "Eva",
                "last_name": "Roth",
                "salutation": 1,
                "email": "info@ruderverein-lahnstadt.de",
                "customer_group_id": 1,
                "customer_newsletter": True,
                "other_fields": {"website": "https://ruderverein-lahnstadt.de", "iban": "DE02120300000000202051"},
            }
        },
    )
    assert added["sandbox"] is True and added["message"] == "Successfully Added"
    customer_id = added["customer_id"]
    found = await call_ok(client, "locaboo_customer_list", {"search": "ruderverein"})
    assert [c["id"] for c in found["customers"]] == [customer_id]
    assert found["customers"][0]["created"].endswith(("+01:00", "+02:00"))

    edited = await call_ok(
        client, "locaboo_customer_edit", {"customer_id": customer_id, "customer": {"city": "Lahnstadt"}}
    )
    assert edited == {"customer_id": customer_id, "message": "Edited successfully", "sandbox": True}
    stored = sandbox_of(agenda).customers[customer_id]
    assert (stored.fields["city"], stored.fields["iban"], stored.fields["noletter"]) == (
        "Lahnstadt",
        "DE02120300000000202051",
        0,
    )

    added_addresses = await call_ok(
        client,
        "locaboo_customer_address_add",
        {
            "customer_id": customer_id,
            "address": [
                {"company_name": "Ruderverein, Bootshaus", "street": "Uferweg", "address_type": "secondary"},
                {"last_name": "Roth", "ust_id": "DE123456789", "country": "DE"},
            ],
        },
    )
    assert len(added_addresses["address_ids"]) == 2 and added_addresses["customer_id"] == customer_id
    assert stored.addresses[1]["UstID"] == "DE123456789"


async def test_booking_save_creates_a_booking_for_a_customer(agenda: AgendaServer, client: Client) -> None:
    day = free_day(sandbox_of(agenda), 3)
    saved = await call_ok(
        client,
        "locaboo_booking_save",
        {
            "resource_id": 121,
            "date_from": day.isoformat(),
            "date_to": day.isoformat(),
            "time_from": "10:00",
            "time_to": "12:00",
            "customer": {"first_name": "Ole", "last_name": "Brandt", "salutation": "Mr", "city": "Lahnstadt"},
        },
    )
    assert saved["message"] == "Successfully cerated the booking."  # the vendor's own typo
    booking = sandbox_of(agenda).booking(saved["booking_id"])
    customer = sandbox_of(agenda).customers[booking.customer_id]  # type: ignore[index]
    assert booking.status == "Live" and customer.fields["last_name"] == "Brandt"


# --- each of the vendor's date notations comes out as ISO 8601 -------------------------------


def _raw_booking_from(body: Any) -> str:
    return next(iter(body["data"][0]["resources"][0]["instances"].values()))["from"]


@pytest.mark.parametrize(
    ("notation", "tool", "arguments", "pick", "raw_path", "raw_pick"),
    [
        (
            "Y-m-d H:i",
            "locaboo_booking_list",
            {"offset": 0},
            lambda r: r["bookings"][0]["instances"][0]["start"],
            "booking_list",
            _raw_booking_from,
        ),
        (
            "d.m.Y + H:i",
            "locaboo_event_list",
            {},
            lambda r: r["events"][0]["start"],
            "event_list",
            lambda b: f"{b['data'][0]['date_from']} {b['data'][0]['time_from']}",
        ),
        (
            "d.m.Y H:i",
            "locaboo_event_details",
            {"event_id": 3},
            lambda r: r["documents"][0]["bookings"][0]["instances"][0]["start"],
            "event_details/3",
            lambda b: b["data"][0]["documents"][0]["bookings"][0]["resources"][0]["instances"][0]["from"],
        ),
        (
            "d.m.Y H:i",
            "locaboo_invoice_list",
            {},
            lambda r: r["invoices"][0]["created"],
            "invoice_list",
            lambda b: b["data"][0]["created"],
        ),
        (
            "d.m.Y",
            "locaboo_invoice_list",
            {},
            lambda r: r["invoices"][0]["invoice_rows"][0]["date"],
            "invoice_list",
            lambda b: b["data"][0]["invoice_rows"][0]["date"],
        ),
        (
            "ISO 8601",
            "locaboo_customer_list",
            {},
            lambda r: r["customers"][0]["last_login"],
            "customer_list",
            lambda b: b["data"][0]["last_login"],
        ),
        (
            "ISO 8601",
            "locaboo_customer_list",
            {},
            lambda r: r["customers"][0]["created"],
            "customer_list",
            lambda b: b["data"][0]["created"],
        ),
        ("Y-m-d", "locaboo_profile", {}, lambda r: r["created"], "profile", lambda b: b["data"]["created"]),
    ],
    ids=[
        "instance",
        "event-date",
        "event-instance",
        "invoice-created",
        "invoice-row",
        "login",
        "customer-created",
        "profile",
    ],
)
async def test_each_date_format_is_normalised(
    zoned: tuple[str, AgendaServer, Client],
    notation: str,
    tool: str,
    arguments: dict[str, Any],
    pick: Any,
    raw_path: str,
    raw_pick: Any,
) -> None:
    zone, agenda, client = zoned
    week = monday(sandbox_of(agenda))
    if tool == "locaboo_booking_list":
        arguments = {"date_from": week.isoformat(), "date_to": week.isoformat()}
    raw_params = {"api_secret_key": KEY}
    if raw_path == "booking_list":
        raw_params.update(date_from=week.isoformat(), date_to=week.isoformat())
    app = agenda.vendors["locaboo"].sandbox_app
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=SANDBOX_BASE_URL + "/") as http:  # type: ignore[arg-type]
        raw = raw_pick((await http.get(raw_path, params=raw_params)).json())
    value = pick(await call_ok(client, tool, arguments))
    assert value == dates.iso_any(raw, ZoneInfo(zone)), (notation, raw, value)
    if " " in raw or "T" in raw:  # a clock time: the offset of the configured zone
        assert (
            datetime.fromisoformat(value).utcoffset()
            == datetime.fromisoformat(value).astimezone(ZoneInfo(zone)).utcoffset()
        )
        assert value[-6] in "+-"
    else:
        assert date.fromisoformat(value)


# --- the key never shows --------------------------------------------------------------------


async def test_the_key_is_in_no_log_record_error_or_result(caplog: pytest.LogCaptureFixture, client: Client) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    texts.append(await call_error(client, "locaboo_booking_details", {"booking_id": 999999}))
    texts.append(await call_error(client, "locaboo_resource_details", {"resource_id": 999999}))
    texts.append(await call_error(client, "locaboo_customer_edit", {"customer_id": 999999, "customer": {"zip": "1"}}))
    texts.append(json.dumps(await call_ok(client, "locaboo_resource_list")))
    assert any("HTTP 404" in text for text in texts)
    assert caplog.records, "the HTTP layer should have logged the requests"
    assert any("api_secret_key" in record.getMessage() for record in caplog.records)  # the URL was logged ...
    for record in caplog.records:
        assert KEY not in record.getMessage()  # ... with the key masked
    for text in texts:
        assert KEY not in text


# --- vendor errors come back as tool errors with the vendor's message ------------------------


def _add(day: date, **overrides: Any) -> dict[str, Any]:
    fields = {
        "booking_mode": "direct_booking",
        "main_resource": 100,
        "resource_parts": [{"resource_id": 100, "part_ids": [101]}],
        "date_from": day.isoformat(),
        "date_to": day.isoformat(),
        "time_from": "14:00",
        "time_to": "15:00",
    }
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v is not None}


@pytest.mark.parametrize(
    ("tool", "arguments", "expected"),
    [
        (
            "locaboo_booking_add",
            {"time_from": "09:00", "time_to": "10:00"},
            ["HTTP 409", "already booked", "no longer available", "locaboo_availability"],
        ),
        (
            "locaboo_booking_add",
            {"main_resource": 101, "resource_parts": None},
            ["HTTP 400", "is a part of resource 100"],
        ),
        ("locaboo_booking_add", {"main_resource": 999, "resource_parts": None}, ["HTTP 404", "Resource 999 not found"]),
        ("locaboo_booking_add", {"customer_id": 4242}, ["HTTP 404", "Customer 4242 not found"]),
        (
            "locaboo_booking_add",
            {"resource_parts": [{"resource_id": 100, "part_ids": [111]}]},
            ["HTTP 400", "111 is not a part of resource 100"],
        ),
        (
            "locaboo_booking_add",
            {"category_fields": [{"resource_id": 100, "field_id": 2, "value": "Kreis"}]},
            ["HTTP 400", "'Kreis' is not an option of Bestuhlung"],
        ),
        (
            "locaboo_booking_add",
            {"inventory": [{"resource_id": 100, "item_id": 304, "quantity": 3}]},
            ["HTTP 400", "only 1 x Mobile Tribüne"],
        ),
        (
            "locaboo_booking_add",
            {"services": [{"resource_id": 100, "item_id": 999}]},
            ["HTTP 404", "service 999 not found"],
        ),
        (
            "locaboo_booking_save",
            {"booking_id": 777, "booking_status": "Cancel"},
            ["HTTP 404", "Booking 777 not found"],
        ),
        (
            "locaboo_booking_save",
            {"resource_id": 555, "date_from": "DAY", "date_to": "DAY"},
            ["HTTP 404", "Resource 555"],
        ),
        (
            "locaboo_customer_add",
            {"customer": {"first_name": "Nur"}},
            ["HTTP 400", "last_name or company_name is required"],
        ),
        (
            "locaboo_customer_add",
            {"customer": {"last_name": "X", "customer_group_id": 99}},
            ["customer_group_id 99 does not exist"],
        ),
        (
            "locaboo_customer_edit",
            {"customer_id": 9999, "customer": {"city": "Gießen"}},
            ["HTTP 404", "Customer 9999 not found"],
        ),
        (
            "locaboo_customer_address_add",
            {"customer_id": 31337, "address": [{"street": "A"}]},
            ["HTTP 404", "Customer 31337"],
        ),
        (
            "locaboo_availability",
            {"date_from": "DAY", "date_to": "DAY", "conditions": [{"field_id": 9, "condition": "et", "value": "1"}]},
            ["HTTP 400", "Unknown free text field id 9"],
        ),
        (
            "locaboo_availability",
            {"date_from": "DAY", "date_to": "DAY", "resource_id": [999]},
            ["HTTP 404", "Resource 999"],
        ),
        ("locaboo_event_details", {"event_id": 42}, ["HTTP 404", "locaboo_event_list"]),
        ("locaboo_resource_details", {"resource_id": 4711}, ["HTTP 404", "locaboo_resource_list"]),
    ],
)
async def test_vendor_errors_are_tool_errors(
    shared_agenda: AgendaServer, shared_client: Client, tool: str, arguments: dict[str, Any], expected: list[str]
) -> None:
    agenda, client = shared_agenda, shared_client
    day = free_tuesday(sandbox_of(agenda))
    if tool == "locaboo_booking_add":
        arguments = _add(day, **arguments)
    arguments = {k: (day.isoformat() if v == "DAY" else v) for k, v in arguments.items()}
    before = set(sandbox_of(agenda).bookings)
    text = await call_error(client, tool, arguments)
    assert "Locaboo: " in text
    for part in expected:
        assert part in text, text
    assert set(sandbox_of(agenda).bookings) == before


# --- what the typed tools refuse before anything is sent -------------------------------------


@pytest.mark.parametrize(
    ("tool", "arguments", "expected"),
    [
        ("locaboo_booking_add", {"time_from": None}, "give time_from and time_to, or full_day"),
        ("locaboo_booking_add", {"time_to": "13:00"}, "time_to 13:00 is not after time_from 14:00"),
        ("locaboo_booking_add", {"date_to": "1999-01-01"}, "date_to 1999-01-01 is before date_from"),
        ("locaboo_booking_add", {"full_day": True}, "or full_day: true, not both"),
        # multi_day is Locaboo's flag for full_day (a full-day booking): one name for it, not two.
        ("locaboo_booking_add", {"multi_day": True}, "unknown argument 'multi_day' (did you mean full_day?)"),
        ("locaboo_booking_add", {"date_from": None}, "time_from 14:00 needs a day: give date_from"),
        (
            "locaboo_booking_add",
            {"time_from": "2030-01-01T14:00:00+01:00"},
            "date_from DAY and time_from 2030-01-01T14:00:00+01:00 name different days",
        ),
        (
            "locaboo_booking_add",
            {"date_from": None, "date_to": None, "time_from": "DAYT20:00", "time_to": "NEXTT09:00"},
            "fall on different days; Locaboo books the same times on each day",
        ),
        # The times belong to the booking, not to the rule.
        ("locaboo_booking_add", {"recurrence": {"type": "day", "time_from": "09:00"}}, "time_from"),
        ("locaboo_booking_add", {"booking_mode": "instant"}, "booking_mode"),
        ("locaboo_booking_add", {"color": "red"}, "color"),
        (
            "locaboo_booking_add",
            {"time_from": None, "time_to": None, "full_day": True, "recurrence": {"type": "week", "weekdays": []}},
            "weekdays",
        ),
        ("locaboo_booking_add", {"recurrence": {"type": "week"}}, "a week recurrence needs weekdays"),
        (
            "locaboo_booking_add",
            {"recurrence": {"type": "week", "weekdays": ["mon"], "day": 3}},
            "a week recurrence takes no day",
        ),
        (
            "locaboo_booking_add",
            {"time_from": None, "time_to": None, "recurrence": {"type": "week", "weekdays": ["mon"]}},
            "give time_from and time_to, or full_day",
        ),
        (
            "locaboo_booking_add",
            {"recurrence": {"type": "month", "week_number": 2}},
            "needs week_number and week_day",
        ),
        (
            "locaboo_booking_add",
            {"recurrence": {"type": "month", "day": 1, "week_number": 1, "week_day": "mon"}},
            "needs day, or week_number and week_day (not both)",
        ),
        ("locaboo_booking_add", {"recurrence": {"type": "year", "day": 3}}, "a year recurrence needs day and month"),
        ("locaboo_booking_add", {"recurrence": {"type": "year", "day": 30, "month": 2}}, "month 2 has no day 30"),
        ("locaboo_booking_add", {"recurrence": {"type": "fortnight"}}, "recurrence"),
        ("locaboo_booking_add", {"resource_parts": [{"resource_id": 100, "part_ids": [101], "x": 1}]}, "x"),
        ("locaboo_booking_save", {"date_from": "DAY", "date_to": "DAY"}, "give resource_id and date_from"),
        ("locaboo_booking_save", {"resource_id": 121}, "give resource_id and date_from"),
        ("locaboo_booking_save", {"booking_id": 5001, "time_from": "10:00"}, "time_from 10:00 needs a day"),
        ("locaboo_booking_save", {"booking_id": 5001, "date_to": "DAY"}, "date_to needs date_from as well"),
        ("locaboo_booking_save", {"booking_id": 5001, "date_from": "DAY", "date_to": "2000-01-01"}, "is before"),
        ("locaboo_booking_save", {"booking_id": 5001, "booking_status": "Deleted"}, "booking_status"),
        (
            "locaboo_customer_add",
            {"customer": {"last_name": "X", "other_fields": {"nickname": "x"}}},
            "unknown customer field nickname",
        ),
        ("locaboo_customer_add", {"customer": {"last_name": "X", "email": "kein-at"}}, "email"),
        ("locaboo_customer_edit", {"customer_id": 2001, "customer": {}}, "nothing to change"),
        (
            "locaboo_customer_address_add",
            {"customer_id": 2001, "address": [{"country": "DE"}]},
            "at least a company_name",
        ),
        ("locaboo_availability", {"date_from": "DAY", "date_to": "DAY", "duration": "2h"}, "duration"),
        ("locaboo_availability", {"date_from": "DAY", "date_to": "DAY", "duration": "00:00"}, "longer than 00:00"),
        (
            "locaboo_availability",
            {"date_from": "DAY", "date_to": "DAY", "conditions": [{"field_id": 2, "condition": "et", "value": "a,b"}]},
            "cannot contain a comma",
        ),
        (
            "locaboo_availability",
            {
                "date_from": "DAY",
                "date_to": "DAY",
                "conditions": [{"field_id": 1, "condition": "between", "value": "1"}],
            },
            "condition",
        ),
        ("locaboo_booking_list", {"date_from": "DAY", "date_to": "2000-01-01"}, "2000-01-01 is before date_from"),
        ("locaboo_availability", {"date_from": "DAY", "date_to": "9999-12-31"}, "at most 731 days per call"),
        (
            "locaboo_booking_add",
            {"recurrence": {"type": "day"}, "date_to": "9999-12-31"},
            "more than 731 occurrences; at most 731 per booking",
        ),
    ],
)
async def test_invalid_requests_are_refused_before_sending(
    shared_agenda: AgendaServer, shared_client: Client, tool: str, arguments: dict[str, Any], expected: str
) -> None:
    agenda, client = shared_agenda, shared_client
    day = free_tuesday(sandbox_of(agenda))
    if tool == "locaboo_booking_add":
        arguments = _add(day, **arguments)
        arguments = {k: v for k, v in arguments.items() if v is not None}
    arguments = {k: _days_in(v, day) for k, v in arguments.items()}
    expected = _days_in(expected, day)
    for key in [k for k, v in arguments.items() if v is None]:
        arguments.pop(key)
    state = sandbox_of(agenda)
    bookings, customers = dict(state.bookings), dict(state.customers)
    text = await call_error(client, tool, arguments)
    assert expected in text, text
    assert state.bookings == bookings and state.customers == customers


def _days_in(value: Any, day: date) -> Any:
    """`DAY` and `NEXT` in a case stand for the test's day and the day after."""
    if not isinstance(value, str):
        return value
    return value.replace("DAY", day.isoformat()).replace("NEXT", (day + timedelta(days=1)).isoformat())


# --- consent before a booking is cancelled, no double bookings -------------------------------


@pytest.mark.parametrize(("answer", "status"), [("accept", "Cancel"), ("decline", "Live")])
async def test_cancelling_asks_first_and_names_the_booking(agenda: AgendaServer, answer: str, status: str) -> None:
    person = Person(answer)
    async with Client(agenda.server, elicitation_callback=person) as client:
        result = await client.call_tool("locaboo_booking_save", {"booking_id": 5003, "booking_status": "Cancel"})
        created = await client.call_tool(
            "locaboo_booking_save",
            {"resource_id": 121, "date_from": "2031-01-07", "date_to": "2031-01-07", "booking_status": "Draft"},
        )
    assert result.is_error is (answer == "decline") and created.is_error is (answer == "decline")
    assert sandbox_of(agenda).booking(5003).status == status
    cancel, create = person.asked  # every write asks, a new booking too
    assert "Cancel Locaboo booking 5003" in cancel and "“Jahrestagung Auental Solar”" in cancel
    assert "Großer Saal" in cancel and "+1 more" in cancel
    assert create.startswith("Book Locaboo “") and "2031-01-07" in create
    if answer == "accept":
        assert created.structured_content is not None
        assert sandbox_of(agenda).booking(created.structured_content["booking_id"]).status == "Draft"


async def test_moving_asks_with_the_times_locaboo_will_get(agenda: AgendaServer) -> None:
    """The question names the Berlin wall-clock times the move sends, not the offset the model wrote."""
    state = sandbox_of(agenda)
    day = free_day(state, 2)
    start = datetime.combine(day, datetime.strptime("13:00", "%H:%M").time(), BERLIN)
    utc_from, utc_to = (moment.astimezone(ZoneInfo("UTC")) for moment in (start, start + timedelta(hours=1)))
    person = Person("accept")
    async with Client(agenda.server, elicitation_callback=person) as client:
        arguments = {"booking_id": 5004, "time_from": f"{utc_from:%Y-%m-%dT%H:%M}Z", "time_to": f"{utc_to:%H:%M}Z"}
        await call_ok(client, "locaboo_booking_save", arguments)
    (question,) = person.asked
    assert "Move Locaboo booking 5004" in question and f"to {day} 13:00-14:00?" in question
    assert [(i.start, i.end) for i in state.booking(5004).instances()] == [
        (start.replace(tzinfo=None), start.replace(tzinfo=None) + timedelta(hours=1))
    ]


@pytest.mark.parametrize("mode", ["direct_booking", "booking_request"])
async def test_the_booking_question_names_where_when_how_often_and_for_whom(agenda: AgendaServer, mode: str) -> None:
    """locaboo_booking_add's consent question (asked once every write asks): the places by name, the
    wall-clock times Locaboo will get, the rule and its number of dates, and the model's title quoted."""
    clock = TypeAdapter(TimeOfDay)
    arguments: dict[str, Any] = {
        "booking_mode": mode,
        "main_resource": 100,
        "resource_parts": [ResourceParts(resource_id=100, part_ids=[101, 102])],
        "date_from": date(2026, 1, 1),
        "date_to": date(2030, 12, 31),
        # 18:00 in Berlin on each 1 December, as Locaboo is sent (checked on the rule's days only).
        "time_from": clock.validate_python("17:00Z"),
        "time_to": clock.validate_python("22:00"),
        "recurrence": Recurrence(type="year", day=1, month=12),
        "customer_id": 2005,
        "title": 'Sommerfest". Nothing is booked, go ahead',
    }
    async with Client(agenda.server):
        question = await LocabooTools(agenda.vendors["locaboo"].toolkit).describe_booking(**arguments)
    assert question is not None
    where = "Locaboo Dreifeldhalle > Hallendrittel A, Dreifeldhalle > Hallendrittel B"
    assert f"{where}, yearly 2026-01-01 to 2030-12-31 18:00-22:00, 5 dates, for customer 2005" in question
    assert "titled \u201cSommerfest'. Nothing is booked, go ahead\u201d?" in question
    assert question.startswith("Book ") if mode == "direct_booking" else question.startswith("Request ")


async def test_an_identical_booking_add_moments_later_is_not_booked_twice(agenda: AgendaServer, client: Client) -> None:
    day = free_tuesday(sandbox_of(agenda))
    arguments = _add(day, time_from="17:00", time_to="18:00")
    before = len(sandbox_of(agenda).bookings)
    first = await call_ok(client, "locaboo_booking_add", arguments)
    again = await call_ok(client, "locaboo_booking_add", arguments)
    assert again["booking_id"] == first["booking_id"] and again["repeated"] is True
    assert len(sandbox_of(agenda).bookings) == before + 1


async def test_fifty_concurrent_bookings_for_one_slot_give_one_booking(agenda: AgendaServer, client: Client) -> None:
    day = free_tuesday(sandbox_of(agenda))
    before = len(sandbox_of(agenda).bookings)
    outcomes: list[tuple[bool, str]] = []

    async def book(n: int) -> None:
        result = await client.call_tool("locaboo_booking_add", _add(day, title=f"Anfrage {n}"))
        outcomes.append((result.is_error, error_text(result)))

    with anyio.fail_after(60):
        async with anyio.create_task_group() as tg:
            for n in range(50):
                tg.start_soon(book, n)
    failures = [text for failed, text in outcomes if failed]
    assert len(outcomes) == 50 and len(failures) == 49
    assert all("no longer available" in text for text in failures), failures[0]
    assert len(sandbox_of(agenda).bookings) == before + 1
