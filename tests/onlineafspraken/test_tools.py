"""Every OnlineAfspraken.nl tool and resource through a real MCP client, against the sandbox.

The simulator runs on a clock anchored on Monday 2 March 2026, 09:00 (Europe/Amsterdam) while
the client signs with the real clock: every test therefore also exercises the clock-skew
correction (re-signing with the server's Status/Timestamp).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from mcp import Client

from agenda_mcp.server.startup.app import AgendaServer, build_agenda
from tests.support import call_error, call_ok, sandbox_settings
from tests.support.onlineafspraken import (
    GROEPSTRAINING,
    INTAKE,
    JAN,
    KNIPPEN_HEREN,
    MEHMET,
    PHYSIO,
    SALON,
    SANNE,
    TELEFONISCH,
    TickingClock,
)
from tests.support.person import Person
from tests.support.simulators import onlineafspraken as sandbox_of

pytestmark = pytest.mark.anyio

TUESDAY, WEDNESDAY, SUNDAY = "2026-03-03", "2026-03-04", "2026-03-08"
HAIRCUT = {"agenda_id": SALON, "appointment_type_id": KNIPPEN_HEREN}


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    # Module scope, so the read-only checks below can share one server session (set-up is slow).
    return "asyncio"


@pytest.fixture
def clock() -> TickingClock:
    return TickingClock()


@pytest.fixture
def agenda(clock: TickingClock) -> AgendaServer:
    agenda = build_agenda(sandbox_settings(toolsets=("onlineafspraken",)))
    sandbox_of(agenda).set_clock(clock)
    return agenda


@pytest.fixture(scope="module")
async def shared() -> AsyncIterator[Client]:
    """One session for tests that change nothing (argument checks, failures, reads)."""
    agenda = build_agenda(sandbox_settings(toolsets=("onlineafspraken",)))
    sandbox_of(agenda).set_clock(TickingClock())
    async with Client(agenda.server) as client:
        yield client


async def free_times(client: Client, day: str, **extra: Any) -> list[dict[str, Any]]:
    return (await call_ok(client, "get_bookable_times", {**HAIRCUT, "date": day, **extra}))["times"]


def keys(times: list[dict[str, Any]]) -> set[tuple[str, int]]:
    return {(t["start"], t["resource_id"]) for t in times}


def hhmm(moment: str) -> str:
    """`09:00` of `2026-03-04T09:00:00+01:00`."""
    return moment[11:16]


async def book(client: Client, slot: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """Books a slot as a model would: its start and resource passed on as they came."""
    arguments = {**HAIRCUT, "customer_id": JAN, "start_time": slot["start"], "resource_id": slot["resource_id"]}
    return await call_ok(client, "set_appointment", {**arguments, **extra})


# -- the flow of the issue ---------------------------------------------------------------------


async def test_full_booking_flow(client: Client) -> None:
    types = await call_ok(client, "get_appointment_types")
    haircut = next(t for t in types["appointment_types"] if t["id"] == KNIPPEN_HEREN)
    assert (haircut["duration"], haircut["price_type"], haircut["bookable_by_consumer"]) == (30, "fixed", True)

    # From Wednesday: more than 24 hours ahead, so the customer may still cancel.
    days = (await call_ok(client, "get_bookable_days", {**HAIRCUT, "start_date": WEDNESDAY}))["days"]
    assert days[0] == WEDNESDAY and SUNDAY not in days  # the salon is closed on Sundays
    slot = (await free_times(client, WEDNESDAY))[0]
    # Amsterdam wall clock, with its offset (UTC+1 in March before the switch to summer time).
    assert slot["start"].startswith(f"{WEDNESDAY}T") and slot["start"].endswith(":00+01:00")
    assert datetime.fromisoformat(slot["end"]) - datetime.fromisoformat(slot["start"]) == timedelta(minutes=30)

    saved = await book(client, slot, description="Graag kort")
    assert saved["created"] is True and saved["sandbox"] is True
    appointment = saved["appointment"]
    assert (appointment["start"], appointment["end"]) == (slot["start"], slot["end"])
    assert (appointment["label"], appointment["status"]) == ("approved", "enabled")
    assert appointment["resource_ids"] == [slot["resource_id"]] and appointment["customer_name"] == "Jan de Vries"
    assert appointment["description"] == "Graag kort"

    listed = await call_ok(client, "get_appointments", {"agenda_id": SALON, "start_date": WEDNESDAY})
    assert saved["appointment_id"] in {a["id"] for a in listed["appointments"]}
    assert not keys([slot]) & keys(await free_times(client, WEDNESDAY))  # gone

    check = await call_ok(client, "cancel_appointment", {"appointment_id": saved["appointment_id"], "dry_run": True})
    assert (check["cancelled"], check["dry_run"]) == (False, True)
    assert not keys([slot]) & keys(await free_times(client, WEDNESDAY))  # still taken after a dry run

    cancelled = await call_ok(client, "cancel_appointment", {"appointment_id": saved["appointment_id"]})
    assert cancelled["cancelled"] is True
    assert keys([slot]) <= keys(await free_times(client, WEDNESDAY))  # back
    got = await call_ok(client, "get_appointment", {"appointment_id": saved["appointment_id"]})
    assert got["label"] == "cancelled"
    listed = await call_ok(client, "get_appointments", {"agenda_id": SALON, "start_date": WEDNESDAY})
    assert saved["appointment_id"] not in {a["id"] for a in listed["appointments"]}
    everything = await call_ok(
        client, "get_appointments", {"agenda_id": SALON, "start_date": WEDNESDAY, "include_cancelled": True}
    )
    assert saved["appointment_id"] in {a["id"] for a in everything["appointments"]}


async def test_double_booking_is_refused_with_the_vendor_message(client: Client) -> None:
    slot = (await free_times(client, TUESDAY))[0]
    await book(client, slot)
    text = await call_error(
        client,
        "set_appointment",
        {
            **HAIRCUT,
            "customer_id": JAN + 1,
            "start_time": slot["start"],
            "resource_id": SANNE,
        },
    )
    assert "Geen vrij tijdslot voor afspraak." in text and "get_bookable_times" in text


async def test_booking_without_resource_and_off_grid(client: Client) -> None:
    saved = await call_ok(
        client, "set_appointment", {**HAIRCUT, "customer_id": JAN, "date": TUESDAY, "start_time": "11:00"}
    )
    assert len(saved["appointment"]["resource_ids"]) == 1
    text = await call_error(
        client, "set_appointment", {**HAIRCUT, "customer_id": JAN, "date": TUESDAY, "start_time": "11:05"}
    )
    assert "Geen vrij tijdslot" in text


async def test_moving_an_appointment_keeps_its_length(client: Client) -> None:
    free = await free_times(client, WEDNESDAY, resource_id=SANNE)
    first, last = free[0], free[-1]
    saved = await book(client, first)
    moved = await call_ok(
        client,
        "set_appointment",
        {
            "agenda_id": SALON,
            "appointment_id": saved["appointment_id"],
            "date": WEDNESDAY,
            "start_time": hhmm(last["start"]),
            "description": "Verzet",
        },
    )
    assert moved["created"] is False
    assert (moved["appointment"]["start"], moved["appointment"]["end"]) == (last["start"], last["end"])
    assert moved["appointment"]["customer_id"] == JAN  # taken over from the appointment
    assert keys([first]) <= keys(await free_times(client, WEDNESDAY))


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"end_time": "10:00"}, "end_time can only be set with booking_mode=customer"),
        ({"appointment_id": 1, "booking_mode": "consumer"}, "needs booking_mode=customer"),
        ({"customer_id": None}, "give customer_id"),
        ({"appointment_type_id": None}, "give appointment_type_id"),
        ({"fields": {"Date": "x"}}, "clashes"),
        ({"fields": {"met spatie": "x"}}, "not a valid key"),
    ],
    ids=["end-time-consumer", "change-consumer", "no-customer", "no-type", "field-clash", "field-key"],
)
async def test_set_appointment_is_checked_before_sending(
    agenda: AgendaServer, client: Client, arguments: dict[str, Any], expected: str
) -> None:
    before = len(sandbox_of(agenda).appointments)
    base = {**HAIRCUT, "customer_id": JAN, "date": TUESDAY, "start_time": "10:00", "resource_id": SANNE}
    text = await call_error(client, "set_appointment", {**base, **arguments})
    assert expected in text
    assert len(sandbox_of(agenda).appointments) == before


async def test_business_mode_books_types_consumers_cannot(client: Client) -> None:
    base = {"agenda_id": PHYSIO, "appointment_type_id": TELEFONISCH, "customer_id": JAN, "date": TUESDAY}
    text = await call_error(client, "set_appointment", {**base, "start_time": "10:00"})
    assert "niet door consumenten" in text
    saved = await call_ok(client, "set_appointment", {**base, "start_time": "10:00", "booking_mode": "customer"})
    assert saved["appointment"]["end"] == f"{TUESDAY}T10:15:00+01:00"  # end from the type's duration


async def test_required_extra_field_and_fields_round_trip(client: Client) -> None:
    fields = await call_ok(client, "get_fields", {"agenda_id": PHYSIO, "appointment_type_id": INTAKE})
    assert {(f["key"], f["required"], f["type"]) for f in fields["fields"]} == {
        ("Klachten", True, "appointment"),
        ("Verwijzing_huisarts", False, "appointment"),
    }
    slot = (
        await call_ok(
            client, "get_bookable_times", {"agenda_id": PHYSIO, "appointment_type_id": INTAKE, "date": TUESDAY}
        )
    )["times"][0]
    base = {
        "agenda_id": PHYSIO,
        "appointment_type_id": INTAKE,
        "customer_id": JAN,
        "date": TUESDAY,  # given as well as the slot's own date: they agree
        "start_time": slot["start"],
        "resource_id": slot["resource_id"],
    }
    text = await call_error(client, "set_appointment", base)
    assert "Verplicht veld ontbreekt: Klachten" in text
    saved = await call_ok(client, "set_appointment", {**base, "fields": {"Klachten": "Pijn in de knie"}})
    assert saved["appointment"]["fields"] == {"Klachten": "Pijn in de knie"}


async def test_group_training_fills_up(client: Client) -> None:
    target = {"agenda_id": PHYSIO, "appointment_type_id": GROEPSTRAINING, "date": TUESDAY}
    booked = await call_ok(
        client,
        "get_appointments",
        {"agenda_id": PHYSIO, "start_date": TUESDAY, "end_date": TUESDAY, "appointment_type_id": GROEPSTRAINING},
    )
    for seat in range(6 - len(booked["appointments"])):
        await call_ok(client, "set_appointment", {**target, "customer_id": JAN + seat, "start_time": "19:00"})
    assert (await call_ok(client, "get_bookable_times", target))["times"] == []
    text = await call_error(client, "set_appointment", {**target, "customer_id": JAN + 7, "start_time": "19:00"})
    assert "Geen vrij tijdslot" in text


# -- confirmation, cancellation, removal --------------------------------------------------------


async def test_confirmation_flow(agenda: AgendaServer, client: Client) -> None:
    assert (await call_ok(client, "requires_confirmation"))["required"] is False
    sandbox_of(agenda).set_requires_confirmation(True)
    assert (await call_ok(client, "requires_confirmation"))["required"] is True
    saved = await book(client, (await free_times(client, TUESDAY))[0])
    assert saved["appointment"]["label"] == "pending" and "confirm_appointment" in saved["note"]
    code = sandbox_of(agenda).confirmation_code(saved["appointment_id"])
    assert code
    wrong = await call_error(
        client, "confirm_appointment", {"appointment_id": saved["appointment_id"], "confirmation_code": "WRONG1"}
    )
    assert "not accepted" in wrong
    confirmed = await call_ok(
        client, "confirm_appointment", {"appointment_id": saved["appointment_id"], "confirmation_code": code}
    )
    assert confirmed["confirmed"] is True and confirmed["sandbox"] is True
    assert (await call_ok(client, "get_appointment", {"appointment_id": saved["appointment_id"]}))[
        "label"
    ] == "approved"


async def test_cancellation_deadline_and_company_mode(clock: TickingClock, client: Client) -> None:
    saved = await book(client, (await free_times(client, TUESDAY, resource_id=MEHMET))[-1])
    appointment_id = saved["appointment_id"]
    await call_ok(client, "cancel_appointment", {"appointment_id": appointment_id, "dry_run": True})
    clock.advance(timedelta(hours=24))  # Tuesday morning: inside the 24-hour deadline
    text = await call_error(client, "cancel_appointment", {"appointment_id": appointment_id, "dry_run": True})
    assert "24 uur" in text and "mode=company" in text
    assert "only apply with mode=company" in await call_error(
        client, "cancel_appointment", {"appointment_id": appointment_id, "remarks": "ziek"}
    )
    done = await call_ok(
        client,
        "cancel_appointment",
        {"appointment_id": appointment_id, "mode": "company", "remarks": "Kapper ziek", "confirmations": "email"},
    )
    assert done["cancelled"] is True
    again = await call_error(client, "cancel_appointment", {"appointment_id": appointment_id, "mode": "company"})
    assert "Afspraak is al geannuleerd." in again


async def test_remove_appointment(client: Client) -> None:
    saved = await book(client, (await free_times(client, TUESDAY))[0])
    removed = await call_ok(client, "remove_appointment", {"appointment_id": saved["appointment_id"]})
    assert removed == {"id": saved["appointment_id"], "removed": True, "sandbox": True}
    text = await call_error(client, "get_appointment", {"appointment_id": saved["appointment_id"]})
    assert "Afspraak niet gevonden." in text and "get_appointments" in text


# -- reference data, customers, blocks, plugins ------------------------------------------------


async def test_reference_data_tools(shared: Client) -> None:
    agendas = (await call_ok(shared, "get_agendas"))["agendas"]
    assert {a["name"] for a in agendas} == {"Kapsalon Knipoog Utrecht", "FysioPlus Amersfoort"}
    salon = await call_ok(shared, "get_agenda", {"agenda_id": SALON})
    assert (salon["align_grid"], salon["is_default"]) == (15, True)
    group = await call_ok(shared, "get_appointment_type", {"appointment_type_id": GROEPSTRAINING})
    assert (group["scheduling_type"], group["capacity"], group["duration"]) == ("capacity", 6, 60)
    resources = (await call_ok(shared, "get_resources"))["resources"]
    assert {"Sanne de Wit", "Oefenzaal", "Behandelkamer 3 (shockwave)"} <= {r["name"] for r in resources}
    assert (await call_ok(shared, "get_resource", {"resource_id": SANNE}))["name"] == "Sanne de Wit"
    blocks = await call_ok(shared, "get_bookable_blocks", {**HAIRCUT, "date": TUESDAY})
    assert blocks["timezone"] == "Europe/Amsterdam"
    assert {(b["resource_id"], b["start"], b["end"]) for b in blocks["blocks"]} == {
        (SANNE, f"{TUESDAY}T09:00:00+01:00", f"{TUESDAY}T17:30:00+01:00"),
        (MEHMET, f"{TUESDAY}T10:00:00+01:00", f"{TUESDAY}T18:00:00+01:00"),
    }


@pytest.mark.parametrize(
    ("tool", "arguments", "message", "hint"),
    [
        ("get_agenda", {"agenda_id": 1}, "Agenda niet gevonden.", "get_agendas"),
        ("get_appointment_type", {"appointment_type_id": 1}, "Afspraaktype niet gevonden.", "get_appointment_types"),
        ("get_resource", {"resource_id": 1}, "Resource niet gevonden.", "get_resources"),
        ("get_customer", {"customer_id": 1}, "Klant niet gevonden.", "get_customers"),
        ("remove_appointment", {"appointment_id": 1}, "Afspraak niet gevonden.", "get_appointments"),
        (
            "get_bookable_times",
            {"agenda_id": PHYSIO, "appointment_type_id": KNIPPEN_HEREN, "date": TUESDAY},
            "Afspraaktype hoort niet bij deze agenda.",
            "get_appointment_types",
        ),
        (
            "remove_availability_block",
            {"agenda_id": SALON, "block_id": 1},
            "Blok niet gevonden.",
            "add_availability_block",
        ),
    ],
)
async def test_vendor_failures_come_back_as_tool_errors(
    shared: Client, tool: str, arguments: dict[str, Any], message: str, hint: str
) -> None:
    text = await call_error(shared, tool, arguments)
    assert text.startswith("Error executing tool") or text.startswith("OnlineAfspraken.nl")
    assert "OnlineAfspraken.nl: " in text and message in text and hint in text


@pytest.mark.parametrize(
    ("tool", "arguments", "expected"),
    [
        ("get_bookable_times", {**HAIRCUT, "date": TUESDAY, "end_date": "2026-03-01"}, "is before date"),
        ("get_bookable_times", {**HAIRCUT, "date": TUESDAY, "end_date": "2026-05-01"}, "at most 31 days"),
        ("get_bookable_days", {**HAIRCUT, "start_date": TUESDAY, "end_date": "2026-12-01"}, "at most 92 days"),
        ("get_bookable_times", {**HAIRCUT, "date": "03-03-2026"}, "date"),
        (
            "add_availability_block",
            {"agenda_id": SALON, "date": SUNDAY, "start_time": "12:00", "end_time": "10:00"},
            "end_time 10:00 is not after start_time 12:00",
        ),
        ("set_customer", {"first_name": "A", "last_name": "B", "email": "geen-mail"}, "not an e-mail address"),
        ("set_customer", {"first_name": "A", "last_name": "B", "email": "a@b.nl", "username": "ab"}, "together"),
        (
            "set_customer",
            {
                "customer_id": JAN,
                "first_name": "A",
                "last_name": "B",
                "email": "a@b.nl",
                "username": "ab",
                "password": "geheim123",
            },
            "only be set when creating",
        ),
    ],
)
async def test_arguments_are_checked_before_sending(
    shared: Client, tool: str, arguments: dict[str, Any], expected: str
) -> None:
    assert expected in await call_error(shared, tool, arguments)


async def test_customers(client: Client) -> None:
    created = await call_ok(
        client,
        "set_customer",
        {
            "first_name": "Sophie",
            "insertions": "van der",
            "last_name": "Linden",
            "email": "sophie@example.nl",
            "mobile_phone": "06-98765432",
            "birth_date": "1990-05-17",
            "gender": "F",
            "house_nr": 12,
            "username": "sophie.vdl",
            "password": "geheim123",
            "fields": {"Zorgverzekeraar": "Zilveren Kruis"},
        },
    )
    assert created["created"] is True and created["status"] == "enabled" and created["sandbox"] is True
    customer = await call_ok(client, "get_customer", {"customer_id": created["customer_id"]})
    assert (customer["insertions"], customer["birth_date"], customer["house_nr"]) == ("van der", "1990-05-17", "12")
    assert customer["fields"] == {"Zorgverzekeraar": "Zilveren Kruis"}
    found = await call_ok(client, "get_customers", {"email": "sophie@example.nl"})
    assert [c["id"] for c in found["customers"]] == [created["customer_id"]]

    changed = await call_ok(
        client,
        "set_customer",
        {
            "customer_id": created["customer_id"],
            "first_name": "Sophie",
            "last_name": "Linden-Bakker",
            "email": "sophie@example.nl",
            "status": "disabled",
        },
    )
    assert (changed["created"], changed["status"]) == (False, "disabled")
    text = await call_error(
        client, "set_customer", {"first_name": "A", "last_name": "B", "email": "a@b.nl", "phone": "bel me"}
    )
    assert "Ongeldig telefoonnummer" in text


async def test_a_customer_is_deleted_with_status_deleted(agenda: AgendaServer) -> None:
    """setCustomer's documented Status values are 1 enabled, 2 disabled and 3 deleted."""
    person = Person("accept")
    async with Client(agenda.server, elicitation_callback=person) as client:
        who = {"first_name": "Sophie", "last_name": "Linden", "email": "sophie@example.nl"}
        created = await call_ok(client, "set_customer", who)
        deleted = await call_ok(
            client, "set_customer", {**who, "customer_id": created["customer_id"], "status": "deleted"}
        )
        found = await call_ok(client, "get_customers", {"email": "sophie@example.nl"})
    assert (deleted["created"], deleted["status"]) == (False, "deleted")
    assert sandbox_of(agenda).customer(created["customer_id"]).status == 3
    assert found["customers"] == []  # deleted customers only come back to updated_after
    assert f"customer {created['customer_id']}" in person.asked[-1] and "deleted" in person.asked[-1]


async def test_get_customers_pages_and_deleted(shared: Client) -> None:
    first = await call_ok(shared, "get_customers", {"limit": 4})
    assert len(first["customers"]) == 4 and first["page"]["has_more"] is True
    rest = await call_ok(shared, "get_customers", {"limit": 100, "offset": 4})
    assert first["page"]["total"] == 4 + len(rest["customers"]) and rest["page"]["has_more"] is False
    changed = await call_ok(shared, "get_customers", {"updated_after": "2026-02-20T00:00:00+01:00"})
    assert {"id": 14180549, "status": "deleted", "fields": {}} in changed["customers"]


async def test_login_customer_never_echoes_the_password(shared: Client) -> None:
    customer = await call_ok(shared, "login_customer", {"username": "fleur.vandenberg", "password": "Knipoog2024"})
    assert customer["first_name"] == "Fleur"
    assert "Knipoog2024" not in json.dumps(customer) and "password" not in json.dumps(customer).lower()
    text = await call_error(shared, "login_customer", {"username": "fleur.vandenberg", "password": "Raden12345"})
    assert "Ongeldige gebruikersnaam of wachtwoord." in text and "Raden12345" not in text


async def test_availability_blocks(client: Client) -> None:
    assert await free_times(client, SUNDAY) == []
    added = await call_ok(
        client,
        "add_availability_block",
        {"agenda_id": SALON, "date": SUNDAY, "start_time": "10:00", "end_time": "11:00", "resource_id": SANNE},
    )
    assert added["sandbox"] is True
    assert [hhmm(t["start"]) for t in await free_times(client, SUNDAY)] == ["10:00", "10:15", "10:30"]
    blocks = await call_ok(client, "get_bookable_blocks", {**HAIRCUT, "date": SUNDAY})
    spans = [(b["start"], b["end"]) for b in blocks["blocks"]]
    assert spans == [(f"{SUNDAY}T10:00:00+01:00", f"{SUNDAY}T11:00:00+01:00")]
    await call_ok(client, "remove_availability_block", {"agenda_id": SALON, "block_id": added["block_id"]})
    assert await free_times(client, SUNDAY) == []


async def test_calculation_model_settings(client: Client) -> None:
    key = {"agenda_id": PHYSIO, "app_type_id": GROEPSTRAINING, "calculation_model": "multiple"}
    initial = await call_ok(client, "get_calculation_model_settings", key)
    assert (initial["value"], initial["enabled"]) == ({}, False)
    saved = await call_ok(client, "set_calculation_model_settings", {**key, "value": {"max": 6}, "enabled": True})
    assert (saved["value"], saved["enabled"], saved["sandbox"]) == ({"max": 6}, True, True)
    assert (await call_ok(client, "get_calculation_model_settings", key))["value"] == {"max": 6}
    text = await call_error(client, "get_calculation_model_settings", {**key, "app_type_id": KNIPPEN_HEREN})
    assert "Afspraaktype hoort niet bij deze agenda." in text


async def test_resources(shared: Client) -> None:
    listed = {str(r.uri) for r in (await shared.list_resources()).resources}
    assert {
        "onlineafspraken://agendas",
        "onlineafspraken://appointment-types",
        "onlineafspraken://resources",
    } <= listed
    agendas = json.loads((await shared.read_resource("onlineafspraken://agendas")).contents[0].text)  # type: ignore[union-attr]
    assert {a["id"] for a in agendas["agendas"]} == {SALON, PHYSIO}
    types = json.loads((await shared.read_resource("onlineafspraken://appointment-types")).contents[0].text)  # type: ignore[union-attr]
    assert len(types["appointment_types"]) == 11
    resources = json.loads((await shared.read_resource("onlineafspraken://resources")).contents[0].text)  # type: ignore[union-attr]
    assert SANNE in {r["id"] for r in resources["resources"]}


# -- protocol behaviour -----------------------------------------------------------------------


async def test_clock_skew_is_corrected_once_then_remembered(agenda: AgendaServer, client: Client) -> None:
    http = agenda.vendors["onlineafspraken"].http
    before = http.requests_sent
    await call_ok(client, "get_agendas")
    # The client's real clock is far from the sandbox's 2 March 2026: rejected, re-signed, accepted.
    first = http.requests_sent - before
    await call_ok(client, "get_agendas")
    assert (first, http.requests_sent - before - first) in ((2, 1), (1, 1))
    # A write after a skew rejection is executed exactly once.
    sandbox_of(agenda).set_clock(TickingClock())  # a fresh account; the client still has its offset
    count = len(sandbox_of(agenda).appointments)
    await book(client, (await free_times(client, TUESDAY))[0])
    assert len(sandbox_of(agenda).appointments) == count + 1


async def test_annotations(shared: Client) -> None:
    listed = (await shared.list_tools()).tools
    # find_slots and book_slot span every vendor with availability (server/slots/service.py, tests/test_slots.py).
    tools = {tool.name: tool for tool in listed if tool.name not in ("find_slots", "book_slot")}
    assert len(tools) == 25
    for name in ("remove_appointment", "cancel_appointment", "remove_availability_block"):
        assert tools[name].annotations.destructive_hint is True, name  # type: ignore[union-attr]
    setter = tools["set_appointment"].annotations
    assert setter is not None and (setter.read_only_hint, setter.destructive_hint) == (False, False)
    for name in ("get_bookable_times", "login_customer", "requires_confirmation", "get_bookable_blocks"):
        assert tools[name].annotations.read_only_hint is True, name  # type: ignore[union-attr]


async def test_read_only_mode_keeps_only_reads() -> None:
    agenda = build_agenda(sandbox_settings(toolsets=("onlineafspraken",), read_only=True))
    async with Client(agenda.server) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
    assert "get_bookable_times" in names and "login_customer" in names
    assert not names & {"set_appointment", "cancel_appointment", "remove_appointment", "set_customer"}


# -- consent and duplicate creates (the shared toolkit's safety, with this vendor's wording) -----


@pytest.mark.parametrize("answer", ["accept", "decline"])
async def test_cancel_asks_naming_who_and_when(agenda: AgendaServer, answer: str) -> None:
    person = Person("accept")  # to the booking; every write asks
    async with Client(agenda.server, elicitation_callback=person) as client:
        slot = (await free_times(client, WEDNESDAY, resource_id=SANNE))[0]
        saved = await book(client, slot)
        appointment_id = saved["appointment_id"]
        person.action, person.asked = answer, []
        await call_ok(client, "cancel_appointment", {"appointment_id": appointment_id, "dry_run": True})
        assert person.asked == []  # a dry run changes nothing, so nobody is asked
        result = await client.call_tool("cancel_appointment", {"appointment_id": appointment_id})
    assert len(person.asked) == 1
    question = person.asked[0]
    assert str(appointment_id) in question and "Jan de Vries" in question
    assert f"04-03-2026 {hhmm(slot['start'])}" in question
    label = sandbox_of(agenda).appointment(appointment_id).label
    assert (result.is_error, label) == ((False, 4) if answer == "accept" else (True, 2))


async def test_block_removal_question_names_the_block(agenda: AgendaServer) -> None:
    person = Person("accept")
    async with Client(agenda.server, elicitation_callback=person) as client:
        block = {"agenda_id": SALON, "date": SUNDAY, "start_time": "10:00", "end_time": "12:00"}
        added = await call_ok(client, "add_availability_block", block)
        await call_ok(client, "remove_availability_block", {"agenda_id": SALON, "block_id": added["block_id"]})
    adding, removing = person.asked
    assert f"{SUNDAY} 10:00-12:00" in adding and "every appointment type" in adding
    assert f"{SUNDAY} 10:00-12:00" in removing and str(added["block_id"]) in removing


async def test_booking_and_moving_ask_naming_what_whom_and_when(agenda: AgendaServer) -> None:
    person = Person("accept")
    async with Client(agenda.server, elicitation_callback=person) as client:
        slot = (await free_times(client, WEDNESDAY, resource_id=SANNE))[0]
        saved = await book(client, slot)
        later = (await free_times(client, WEDNESDAY, resource_id=SANNE))[-1]
        move = {"agenda_id": SALON, "appointment_id": saved["appointment_id"], "start_time": later["start"]}
        await call_ok(client, "set_appointment", move)
    booking, moving = person.asked
    assert "\u201cKnippen heren\u201d" in booking and "\u201cJan de Vries\u201d" in booking
    assert f"04-03-2026 {hhmm(slot['start'])}-{hhmm(slot['end'])}" in booking
    assert str(saved["appointment_id"]) in moving and f"04-03-2026 {hhmm(later['start'])}" in moving


async def test_identical_booking_moments_later_is_not_made_twice(agenda: AgendaServer, client: Client) -> None:
    slot = (await free_times(client, WEDNESDAY))[0]
    before = len(sandbox_of(agenda).appointments)
    first = await book(client, slot)
    again = await book(client, slot)
    assert again["repeated"] is True and again["appointment_id"] == first["appointment_id"]
    assert len(sandbox_of(agenda).appointments) == before + 1
