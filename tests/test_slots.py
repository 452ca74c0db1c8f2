"""find_slots + book_slot: a question answered and booked in two calls, across three vendors, through
a real MCP client against the sandboxes.

Each scenario also makes the same booking with the vendor's own tools in a second, fresh sandbox and
compares what the two vendors hold: same wall-clock time, resource, type (or course) and customer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from mcp import Client

from agenda_mcp.server.guards.audit import AUDIT_ENV
from agenda_mcp.server.kit.slots import Found
from agenda_mcp.server.startup.app import AgendaServer, build_agenda
from tests.support import call_error, call_ok, sandbox_settings
from tests.support.person import Person
from tests.support.schemas import output_schemas, validated
from tests.support.team import audit_lines
from tests.support.vendor_cases import REPORT

pytestmark = pytest.mark.anyio
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def state(agenda: AgendaServer, vendor: str) -> Any:
    return agenda.vendors[vendor].sandbox_app.state.sandbox  # type: ignore[union-attr]


def ref_of(slot: dict[str, Any]) -> dict[str, Any]:
    # The ids a token carries, read without its signature (a token is signed, not secret).
    _vendor, _start, _minutes, *ids, _mac = slot["slot"].split(":")
    return {part[0]: int(part[1:]) if part[1:] else None for part in ids}


def next_weekday(weekday: int, weeks: int = 1) -> date:
    today = date.today()
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks)


def next_month(month: int) -> date:
    """The first Tuesday of the next `month` at least two weeks away (Tuesday: no Sunday closing)."""
    today = date.today()
    year = today.year if (month, 1) > (today.month, today.day + 14) else today.year + 1
    day = date(year, month, 1)
    return day + timedelta(days=(1 - day.weekday()) % 7)


@dataclass
class Customer:
    name: str
    email: str

    @property
    def split(self) -> tuple[str, str]:
        first, last = self.name.split(maxsplit=1)
        return first, last

    def as_arguments(self) -> dict[str, str]:
        """book_slot's customer arguments."""
        return {"name": self.name, "email": self.email}


ANNA = Customer("Anna de Vries", "anna.devries@example.nl")
ZOE = Customer("Zoë Müller-Lüdenscheidt", "zoe.mueller@example.de")


async def two_calls(client: Client, find: dict[str, Any], person: Customer, pick: int = 0) -> tuple[dict, dict]:
    schemas = await output_schemas(client)
    found = await call_ok(client, "find_slots", find)
    assert found["slots"], f"nothing found for {find}: {found.get('note')}"
    slot = found["slots"][pick]
    booked = await call_ok(client, "book_slot", {"slot": slot["slot"], "name": person.name, "email": person.email})
    assert booked["booked"] is True, booked.get("note")
    checked = validated(schemas, "find_slots", found) + validated(schemas, "book_slot", booked)
    REPORT["results validated against their outputSchema, formats checked (slot scenarios)"] += checked
    assert booked["start"] == slot["start"] and booked["sandbox"] is True
    return slot, booked


# -- what each vendor holds, and the same booking made with the vendor's own tools ----------------


async def onlineafspraken_twin(client: Client, slot: dict[str, Any], person: Customer) -> Any:
    ref = ref_of(slot)
    first, last = person.split
    customer = await call_ok(client, "set_customer", {"email": person.email, "first_name": first, "last_name": last})
    saved = await call_ok(
        client,
        "set_appointment",
        {
            "agenda_id": ref["a"],
            "start_time": slot["start"],
            "appointment_type_id": ref["t"],
            "resource_id": ref["r"],
            "customer_id": customer["customer_id"],
        },
    )
    return saved["appointment_id"]


def onlineafspraken_record(agenda: AgendaServer, appointment_id: int) -> tuple[Any, ...]:
    sandbox = state(agenda, "onlineafspraken")
    a = sandbox.appointments[appointment_id]
    customer = sandbox.customer(a.customer_id)
    return (a.agenda_id, a.type_id, a.resource_id, a.start, a.finish, a.label, customer.full_name, customer.email)


async def locaboo_twin(client: Client, slot: dict[str, Any], person: Customer) -> Any:
    ref = ref_of(slot)
    first, last = person.split
    customer = await call_ok(
        client, "locaboo_customer_add", {"customer": {"first_name": first, "last_name": last, "email": person.email}}
    )
    arguments: dict[str, Any] = {
        "booking_mode": "direct_booking",
        "main_resource": ref["m"],
        "time_from": slot["start"],
        "time_to": slot["end"],
        "title": person.name,
        "customer_id": customer["customer_id"],
    }
    if ref.get("p"):
        arguments["resource_parts"] = [{"resource_id": ref["m"], "part_ids": [ref["p"]]}]
    return (await call_ok(client, "locaboo_booking_add", arguments))["booking_id"]


def locaboo_record(agenda: AgendaServer, booking_id: int) -> tuple[Any, ...]:
    sandbox = state(agenda, "locaboo")
    b = sandbox.booking(booking_id)
    customer = sandbox.customers[b.customer_id]
    instances = [(i.resource_id, i.start, i.end) for i in b.instances()]
    who = [customer.fields.get(k) for k in ("first_name", "last_name", "email")]
    return (b.title, b.status, instances, *who)


async def planaday_twin(client: Client, slot: dict[str, Any], person: Customer) -> Any:
    first, last = person.split
    student = {"first_name": first, "last_name": last, "email": person.email}
    return (await call_ok(client, "create_planaday_booking", {"course_id": ref_of(slot)["c"], "students": [student]}))[
        "booking_id"
    ]


def planaday_record(agenda: AgendaServer, booking_id: str) -> tuple[Any, ...]:
    b = state(agenda, "planaday").booking(booking_id)
    students = [(s.get("first_name"), s.get("last_name"), s.get("email")) for s in b.students]
    return (b.course_id, sorted(b.daypart_ids), students, b.seats, b.is_payed, b.creating_source)


TWINS = {
    "OnlineAfspraken.nl": (onlineafspraken_twin, onlineafspraken_record, "appointment_id"),
    "Locaboo": (locaboo_twin, locaboo_record, "booking_id"),
    "Planaday": (planaday_twin, planaday_record, "booking_id"),
}


async def assert_same_as_vendor_tools(
    agenda: AgendaServer, slot: dict[str, Any], booked: dict[str, Any], person: Customer
):
    twin, record, id_key = TWINS[slot["vendor"]]
    other = build_agenda(sandbox_settings())
    async with Client(other.server) as client:
        twin_id = await twin(client, slot, person)
    assert record(agenda, booked["ids"][id_key]) == record(other, twin_id)
    return record(agenda, booked["ids"][id_key])


# -- the questions ----------------------------------------------------------------------------------


@pytest.fixture
def agenda() -> AgendaServer:
    return build_agenda(sandbox_settings())


async def test_salon_appointment_in_two_calls(agenda: AgendaServer) -> None:
    """ "When can Anna come in next week for a women's cut?" — OnlineAfspraken.nl."""
    tuesday = next_weekday(1)
    async with Client(agenda.server) as client:
        slot, booked = await two_calls(
            client,
            {"what": "knippen dames", "date_from": str(tuesday), "date_to": str(tuesday + timedelta(days=4))},
            ANNA,
        )
    assert slot["vendor"] == "OnlineAfspraken.nl" and slot["what"] == "Knippen dames" and slot["price"] == 34.5
    assert slot["weekday"] == "Tuesday" and slot["start"].startswith(f"{tuesday}T09:00:00+0")
    assert booked["cancel_with"] == {
        "tool": "cancel_appointment",
        "arguments": {"appointment_id": booked["ids"]["appointment_id"], "mode": "company"},
    }
    record = await assert_same_as_vendor_tools(agenda, slot, booked, ANNA)
    assert record[3].astimezone(AMSTERDAM).strftime("%H:%M") == "09:00"


async def test_room_for_an_evening(agenda: AgendaServer) -> None:
    """ "Is a seminar room free Thursday evening, two hours?" — Locaboo, a German venue."""
    thursday = next_weekday(3)
    async with Client(agenda.server) as client:
        slot, booked = await two_calls(
            client,
            {
                "what": "seminarraum",
                "date_from": str(thursday),
                "date_to": str(thursday),
                "earliest": "18:00",
                "latest": "21:00",
                "duration": 120,
            },
            ANNA,
        )
    assert slot["vendor"] == "Locaboo" and slot["what"].startswith("Seminarraum")
    assert slot["start"] == f"{thursday}T18:00:00{slot['start'][-6:]}" and slot["end"][11:16] == "20:00"
    assert booked["cancel_with"]["tool"] == "locaboo_booking_save"
    _title, status, instances, *_ = await assert_same_as_vendor_tools(agenda, slot, booked, ANNA)
    assert status == "Live" and [(s.strftime("%H:%M"), e.strftime("%H:%M")) for _, s, e in instances] == [
        ("18:00", "20:00")
    ]


async def test_course_seat(agenda: AgendaServer) -> None:
    """ "Which BHV course still has a seat in the coming month?" — Planaday."""
    first = next_weekday(0)
    async with Client(agenda.server) as client:
        slot, booked = await two_calls(
            client, {"what": "bhv", "date_from": str(first), "date_to": str(first + timedelta(days=30))}, ANNA
        )
    assert slot["vendor"] == "Planaday" and "BHV" in slot["what"] and slot["seats_left"] >= 1
    assert slot["price"] and slot["where"]
    course_id, _dayparts, students, seats, *_ = await assert_same_as_vendor_tools(agenda, slot, booked, ANNA)
    assert course_id == ref_of(slot)["c"] and students == [("Anna", "de Vries", ANNA.email)] and seats == 1
    assert booked["cancel_with"] == {
        "tool": "delete_planaday_booking",
        "arguments": {"booking_id": booked["ids"]["booking_id"]},
    }


async def test_preferred_time_taken_offers_the_nearest(agenda: AgendaServer) -> None:
    """The wanted time is taken: the answer says so and why, and the nearest free time comes first."""
    first = next_weekday(1)
    async with Client(agenda.server) as client:
        # A day with room for "Uitgroei kleuren" (one resource only); someone else takes a time in it.
        week = await call_ok(
            client,
            "find_slots",
            {
                "what": "uitgroei kleuren",
                "date_from": str(first),
                "date_to": str(first + timedelta(days=4)),
                "limit": 50,
            },
        )
        by_day: dict[str, list[dict[str, Any]]] = {}
        for free in week["slots"]:
            by_day.setdefault(free["start"][:10], []).append(free)
        day = max(by_day.values(), key=len)
        taken = day[len(day) // 2]
        await onlineafspraken_twin(client, taken, Customer("Someone Else", "else@example.nl"))
        wanted = datetime.fromisoformat(taken["start"])
        # The two calls: the question (with the taken moment), then the booking of the nearest.
        found = await call_ok(client, "find_slots", {"what": "uitgroei kleuren", "preferred": taken["start"]})
        slot = found["slots"][0]
        booked = await call_ok(client, "book_slot", {"slot": slot["slot"], "name": ZOE.name, "email": ZOE.email})
    assert found["preferred"] == {
        "moment": taken["start"],
        "free": False,
        "why": "it is taken or not a start time the vendor offers; other times that day are free",
    }
    distances = [abs(datetime.fromisoformat(s["start"]) - wanted) for s in found["slots"]]
    assert distances == sorted(distances) and distances[0] > timedelta(0)
    assert slot["start"][:10] == taken["start"][:10] and slot["what"] == "Uitgroei kleuren"
    assert booked["booked"] is True and booked["start"] == slot["start"]
    await assert_same_as_vendor_tools(agenda, slot, booked, ZOE)


@pytest.mark.parametrize(("month", "offset"), [(7, "+02:00"), (1, "+01:00")], ids=["summer", "winter"])
async def test_summer_and_winter_dates_keep_the_wall_clock(agenda: AgendaServer, month: int, offset: str) -> None:
    """Saal Rhein at 19:00 in July and in January: the offset changes, Locaboo's wall clock does not."""
    day = next_month(month)
    async with Client(agenda.server) as client:
        slot, booked = await two_calls(
            client,
            {"what": "grosser saal rhein", "date_from": str(day), "date_to": str(day), "earliest": "19:00"},
            ANNA,
        )
    assert slot["what"] == "Großer Saal > Saal Rhein"
    assert slot["start"] == f"{day}T19:00:00{offset}"
    _title, _status, instances, *_ = await assert_same_as_vendor_tools(agenda, slot, booked, ANNA)
    assert [(r, s.strftime("%H:%M")) for r, s, _ in instances] == [(ref_of(slot)["p"], "19:00")]


async def test_accents_in_the_question_and_the_name(agenda: AgendaServer) -> None:
    """`fohnen` finds "Knippen en föhnen"; Zoë Müller-Lüdenscheidt is booked with her accents."""
    thursday = next_weekday(3)
    async with Client(agenda.server) as client:
        slot, booked = await two_calls(
            client, {"what": "FOHNEN", "date_from": str(thursday), "date_to": str(thursday), "earliest": "14:00"}, ZOE
        )
    assert slot["what"] == "Knippen en föhnen" and slot["start"].startswith(f"{thursday}T14:00")
    assert booked["customer"] == "Zoë Müller-Lüdenscheidt <zoe.mueller@example.de>"
    record = await assert_same_as_vendor_tools(agenda, slot, booked, ZOE)
    assert record[6] == "Zoë Müller-Lüdenscheidt"


# -- the rules around booking ---------------------------------------------------------------------


async def first_slot(client: Client, **find: Any) -> dict[str, Any]:
    found = await call_ok(client, "find_slots", {"limit": 1, **find})
    return found["slots"][0]


async def test_a_slot_taken_meanwhile_gives_alternatives(tmp_path: Path) -> None:
    log = tmp_path / "audit.log"
    agenda = build_agenda(sandbox_settings(env={AUDIT_ENV: str(log)}))
    thursday = next_weekday(3)
    async with Client(agenda.server) as client:
        slot = await first_slot(client, what="uitgroei kleuren", date_from=str(thursday), date_to=str(thursday))
        # Someone books the same time through the vendor tool first.
        await onlineafspraken_twin(client, slot, Customer("Other Customer", "other@example.nl"))
        result = await call_ok(client, "book_slot", {"slot": slot["slot"], "name": ANNA.name, "email": ANNA.email})
    assert result["booked"] is False and "taken" in result["note"]
    assert result["alternatives"] and all(a["start"] != slot["start"] for a in result["alternatives"])
    assert result["alternatives"][0]["slot"] != slot["slot"]
    booked_for_anna = [a for a in state(agenda, "onlineafspraken").appointments.values() if a.name == ANNA.name]
    assert booked_for_anna == []
    # The audit log tells the same: the other customer's booking done, Anna's refused by the vendor.
    outcomes = [(line["tool"], line["outcome"], line.get("reason")) for line in audit_lines(log)]
    assert outcomes[-1] == ("book_slot", "refused", "vendor"), outcomes
    assert ("set_appointment", "done", None) in outcomes


async def test_a_changed_token_is_refused(agenda: AgendaServer) -> None:
    async with Client(agenda.server) as client:
        slot = await first_slot(client, what="seminarraum", earliest="18:00", date_from=str(next_weekday(3)))
        forged = slot["slot"].replace("1800+", "1700+")
        assert forged != slot["slot"]
        message = await call_error(client, "book_slot", {"slot": forged, "name": ANNA.name, "email": ANNA.email})
    assert "not one find_slots gave" in message and "call find_slots again" in message


async def test_the_same_slot_for_the_same_person_is_booked_once(agenda: AgendaServer) -> None:
    async with Client(agenda.server) as client:
        slot = await first_slot(client, what="seminarraum", earliest="18:00", date_from=str(next_weekday(3)))
        first = await call_ok(client, "book_slot", {"slot": slot["slot"], "name": ANNA.name, "email": ANNA.email})
        again = await call_ok(
            client, "book_slot", {"slot": slot["slot"], "name": "anna de vries", "email": ANNA.email.upper()}
        )
    assert again["repeated"] is True and again["ids"] == first["ids"]
    titles = [b.title for b in state(agenda, "locaboo").bookings.values()]
    assert titles.count(ANNA.name) == 1


@pytest.mark.parametrize("answer", ["accept", "decline"])
async def test_book_slot_asks_the_person_naming_what_when_and_whom(agenda: AgendaServer, answer: str) -> None:
    person = Person(answer)
    thursday = next_weekday(3)
    async with Client(agenda.server, elicitation_callback=person) as client:
        slot = await first_slot(client, what="knippen heren", date_from=str(thursday), date_to=str(thursday))
        result = await client.call_tool("book_slot", {"slot": slot["slot"], "name": ZOE.name, "email": ZOE.email})
    (question,) = person.asked
    assert f"Book Knippen heren (Kapsalon Knipoog Utrecht, {slot['who']}) on Thursday {thursday} 09:00" in question
    assert f"for “{ZOE.name}” “{ZOE.email}”" in question and "sandbox" in question
    assert result.is_error is (answer == "decline")
    made = [a for a in state(agenda, "onlineafspraken").appointments.values() if a.name == ZOE.name]
    assert len(made) == (1 if answer == "accept" else 0)


async def test_find_slots_stays_within_the_cap_and_says_how_to_narrow(agenda: AgendaServer) -> None:
    async with Client(agenda.server) as client:
        found = await call_ok(client, "find_slots", {"limit": 5})
        result = await client.call_tool("find_slots", {"what": "knippen", "limit": 2})
    assert len(found["slots"]) == 5 and found["total"] > 5
    assert found["note"].startswith("5 of") and "spread over the days" in found["note"]
    assert "more with limit, fewer with what" in found["note"]
    starts = [s["start"] for s in found["slots"]]
    assert starts == sorted(starts) and len({s[:10] for s in starts}) > 1
    # The text block is the same result as compact JSON (no indentation: fewer tokens).
    text = result.content[0].text  # type: ignore[union-attr]
    assert text.startswith('{"slots":[{"start":') and "\n" not in text


async def test_nothing_found_says_what_to_try(agenda: AgendaServer) -> None:
    async with Client(agenda.server) as client:
        found = await call_ok(client, "find_slots", {"what": "tandarts"})
    assert found["slots"] == [] and found["total"] == 0 and "Try other words" in found["note"]


async def test_find_slots_names_the_vendors_and_leaves_serviceplanner_out(agenda: AgendaServer) -> None:
    async with Client(agenda.server) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        capabilities = client.server_capabilities
        apps = [r for r in (await client.list_resources()).resources if str(r.uri).startswith("ui://")]
    assert capabilities is not None and capabilities.extensions == {"io.modelcontextprotocol/ui": {}}
    assert capabilities.completions is not None
    assert [(str(r.uri), r.mime_type) for r in apps] == [
        ("ui://agenda-mcp/slot-picker.html", "text/html;profile=mcp-app")
    ]
    find = tools["find_slots"]
    assert "ServicePlanner has no availability" in (find.description or "")
    assert find.input_schema["properties"]["vendor"]["enum"] == ["planaday", "onlineafspraken", "locaboo"]
    assert find.meta == {"ui": {"resourceUri": "ui://agenda-mcp/slot-picker.html"}}
    # Marked destructive so that a host confirms it even where agenda-mcp cannot ask (slots/tools.py).
    assert tools["book_slot"].annotations.destructive_hint is True  # type: ignore[union-attr]


async def test_read_only_offers_find_slots_without_book_slot() -> None:
    async with Client(build_agenda(sandbox_settings(read_only=True)).server) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        prompts = {p.name for p in (await client.list_prompts()).prompts}
    assert "find_slots" in names and "book_slot" not in names and "find_and_book" not in prompts


async def test_every_tool_sends_its_result_as_compact_json_text(agenda: AgendaServer) -> None:
    """The text block beside structured content is the same result without indentation (fewer tokens)."""
    async with Client(agenda.server) as client:
        for name, arguments in [("get_agendas", {}), ("locaboo_resource_list", {}), ("list_planaday_labels", {})]:
            result = await client.call_tool(name, arguments)
            text = result.content[0].text  # type: ignore[union-attr]
            assert text == json.dumps(result.structured_content, separators=(",", ":"), ensure_ascii=False)


async def test_a_vendor_that_fails_is_named_and_the_others_still_answer(agenda: AgendaServer) -> None:
    async with Client(agenda.server) as client:
        await call_ok(client, "find_slots", {"limit": 1})  # every vendor built
        agenda.vendors["locaboo"].faults.inject("500", times=None)  # type: ignore[union-attr]
        found = await call_ok(client, "find_slots", {"what": "knippen dames", "limit": 2})
        only = await call_ok(client, "find_slots", {"what": "saal", "vendor": "locaboo"})
    assert [s["vendor"] for s in found["slots"]] == ["OnlineAfspraken.nl"] * 2
    assert set(found["skipped"]) == {"Locaboo"} and "500" in found["skipped"]["Locaboo"]
    assert "api_secret_key" not in json.dumps(found) or "***" in json.dumps(found)
    assert only["slots"] == [] and only["note"].startswith("No vendor could be asked") and only["skipped"]


@pytest.mark.parametrize(
    ("what", "vendor"), [("knippen dames", "onlineafspraken"), ("seminarraum", "locaboo")], ids=["salon", "venue"]
)
async def test_the_same_person_booking_the_same_slot_again_gets_their_own_booking(what: str, vendor: str) -> None:
    """After the duplicate window (here: none at all), the vendor is asked for the customer's own
    booking of that slot first: the repeat returns it instead of booking twice, or of calling the
    person's own slot taken. The same e-mail address in another case is the same customer, and so
    is the name spelled with other spaces, case and accents."""
    agenda = build_agenda(sandbox_settings(dedup_seconds=0))
    friday = next_weekday(4)
    async with Client(agenda.server) as client:
        slot = await first_slot(client, what=what, date_from=str(friday), date_to=str(friday))
        first = await call_ok(client, "book_slot", {"slot": slot["slot"], "name": ZOE.name, "email": ZOE.email})
        again = await call_ok(
            client, "book_slot", {"slot": slot["slot"], "name": "zoe  MULLER-Ludenscheidt", "email": ZOE.email.upper()}
        )
    assert first["booked"] is True and not first.get("already_booked")
    assert again["booked"] is True and again["already_booked"] is True and again["ids"] == first["ids"]
    assert "nothing new was booked" in again["note"]
    REPORT["slots: repeats answered with the customer's own booking"] += 1


@pytest.mark.parametrize("answer", ["decline", "accept"])
async def test_a_vendor_saying_nothing_free_once_cannot_book_without_a_yes(answer: str) -> None:
    """The question is asked whatever the availability check says: a vendor that answers "nothing
    free" to the check behind the question (and "free" right after) gets the booking only after a
    yes. (Before, a question built from a "gone" answer was skipped, and the second check booked.)"""
    agenda = build_agenda(sandbox_settings())
    person = Person(answer)
    thursday = next_weekday(3)
    async with Client(agenda.server, elicitation_callback=person) as client:
        slot = await first_slot(client, what="knippen heren", date_from=str(thursday), date_to=str(thursday))
        module = agenda.vendors["onlineafspraken"].spec.slots()
        assert module is not None
        honest = module.find
        answers = iter(["nothing free"])

        async def hostile(kit: Any, query: Any) -> Any:
            if next(answers, None) == "nothing free":
                return Found()
            return await honest(kit, query)

        original, module.find = module.find, hostile  # type: ignore[method-assign]
        try:
            result = await client.call_tool("book_slot", {"slot": slot["slot"], "name": ANNA.name, "email": ANNA.email})
        finally:
            module.find = original  # type: ignore[method-assign]
    # Asked at least once; on 2026-07-28 a question whose words changed between rounds (the check
    # behind it said "gone", then "free") is asked again, so the yes is always to the words shown.
    assert person.asked and "may have been taken" in person.asked[0]
    made = [a for a in state(agenda, "onlineafspraken").appointments.values() if a.name == ANNA.name]
    assert len(made) == (1 if answer == "accept" else 0) and result.is_error is (answer == "decline")
    REPORT["slots: bookings after a hostile 'nothing free', asked first"] += 1


async def test_find_slots_at_the_end_of_the_calendar_asks_for_a_nearer_date(agenda: AgendaServer) -> None:
    async with Client(agenda.server) as client:
        text = await call_error(client, "find_slots", {"date_from": "9999-12-25", "date_to": "9999-12-31"})
    assert "give a nearer date" in text and "bug" not in text


async def test_a_sandbox_booking_says_sandbox_once(agenda: AgendaServer) -> None:
    async with Client(agenda.server) as client:
        found = await call_ok(client, "find_slots", {"vendor": "planaday", "limit": 1})
        booked = await call_ok(client, "book_slot", {"slot": found["slots"][0]["slot"], **ANNA.as_arguments()})
    assert booked["sandbox"] is True and "sandbox" not in booked["booking"] and "repeated" not in booked["booking"]
