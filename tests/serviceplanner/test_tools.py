"""Every ServicePlanner tool and the resource through a real MCP client, against the sandbox."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from mcp import Client

from agenda_mcp.server.startup.app import AgendaServer, build_agenda
from agenda_mcp.tools.serviceplanner import client as sp_client
from agenda_mcp.tools.serviceplanner.sandbox.data import COMPANY_ID
from agenda_mcp.tools.serviceplanner.sandbox.state import ServicePlannerSandbox
from tests.support import call_error, call_ok, requests_sent, sandbox_settings
from tests.support.person import Person
from tests.support.simulators import serviceplanner as state_of

pytestmark = pytest.mark.anyio
WRITE_TOOLS = {
    "sp_create_address", "sp_update_address", "sp_delete_address", "sp_create_appointment",
    "sp_delete_appointment", "sp_create_client", "sp_update_client", "sp_delete_client",
    "sp_create_client_item", "sp_update_client_item", "sp_add_client_item_attachments", "sp_delete_item",
}  # fmt: skip
READ_TOOLS = {
    "sp_list_addresses", "sp_get_address", "sp_list_appointment_types", "sp_list_appointments",
    "sp_get_appointment", "sp_list_clients", "sp_get_client", "sp_list_client_items", "sp_get_client_item",
    "sp_list_items", "sp_list_invoices", "sp_get_invoice", "sp_list_users",
}  # fmt: skip


@pytest.fixture
def agenda(tmp_path: Path) -> AgendaServer:
    # Uploads read local files only inside the operator's folder (server/guards/attachments.py).
    return build_agenda(sandbox_settings(toolsets=("serviceplanner",), attachments_dir=str(tmp_path)))


def demo_client(state: ServicePlannerSandbox, *, with_items: bool = True) -> dict[str, Any]:
    owners = {row["client_id"] for row in state.items.values()}
    return next(
        row
        for row in state.clients.values()
        if row["company_id"] == COMPANY_ID and (row["id"] in owners) == with_items and not row["company_name"]
    )


def item_of(state: ServicePlannerSandbox, client_id: int) -> dict[str, Any]:
    return next(row for row in state.items.values() if row["client_id"] == client_id)


def amsterdam_today() -> date:
    """The sandbox's "today" is the vendor's: Europe/Amsterdam, not this machine's zone."""
    return datetime.now(ZoneInfo("Europe/Amsterdam")).date()


def offset_datetime(text: str) -> datetime:
    parsed = datetime.fromisoformat(text)
    assert parsed.utcoffset() is not None, f"{text} has no UTC offset"
    return parsed


def enum_of(schema: dict[str, Any]) -> list[str] | None:
    """The enumeration of a parameter, whether or not its schema also spells out null."""
    if "enum" in schema:
        return list(schema["enum"])
    return next((list(branch["enum"]) for branch in schema.get("anyOf", []) if "enum" in branch), None)


# ------------------------------------------------------------------------------------------
# The tool list
# ------------------------------------------------------------------------------------------


async def test_every_operation_is_a_tool_with_the_right_annotations(client: Client) -> None:
    tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert set(tools) == READ_TOOLS | WRITE_TOOLS
    for name, tool in tools.items():
        hints = tool.annotations
        assert hints is not None and hints.open_world_hint is True, name
        assert hints.read_only_hint is (name in READ_TOOLS), name
        if name.startswith("sp_delete_"):
            assert hints.destructive_hint is True, f"{name} must be annotated destructive"
        assert tool.output_schema is not None, name
    schema = tools["sp_create_address"].input_schema["properties"]
    assert enum_of(schema["type"]) == ["invoice", "work"]
    create = tools["sp_create_appointment"]
    assert enum_of(create.input_schema["properties"]["appointment_or_invite"]) == ["appointment", "invite"]
    send_mail = create.input_schema["properties"]["send_mail_to_client"]
    assert enum_of(send_mail) == ["default", "direct"]
    assert "plan_appointment=false" in (create.description or "")
    assert "send_mail_to_client=direct" in (create.description or "")
    attach = tools["sp_add_client_item_attachments"]
    assert "multipart" in (attach.description or "")
    files = attach.input_schema["properties"]["attachments"]["description"]
    assert "file_path inside AGENDA_MCP_ATTACHMENTS_DIR" in files and "content_base64 with filename" in files


async def test_read_only_mode_registers_no_writes() -> None:
    agenda = build_agenda(sandbox_settings(toolsets=("serviceplanner",), read_only=True))
    async with Client(agenda.server) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
    assert names == READ_TOOLS


# ------------------------------------------------------------------------------------------
# Finding a client, its addresses and items
# ------------------------------------------------------------------------------------------


async def test_find_a_client_and_see_addresses_and_items(agenda: AgendaServer, client: Client) -> None:
    state = state_of(agenda)
    wanted = demo_client(state)
    found = await call_ok(client, "sp_list_clients", {"search": wanted["last_name"], "per_page": 100})
    assert wanted["id"] in {row["id"] for row in found["clients"]}
    by_number = await call_ok(client, "sp_list_clients", {"client_number": wanted["client_number"]})
    assert [row["id"] for row in by_number["clients"]] == [wanted["id"]]
    assert by_number["clients"][0]["name"] == f"{wanted['first_name']} {wanted['last_name']}"

    detail = await call_ok(client, "sp_get_client", {"client_id": wanted["id"]})
    assert detail["addresses"] and {a["type"] for a in detail["addresses"]} <= {"invoice", "work"}
    for row in detail["addresses"]:  # one line each, as a planner reads it
        stored = state.addresses[row["id"]]
        assert stored["client_id"] == wanted["id"]
        assert row["address"].startswith(stored["street"]) and row["address"].endswith(stored["city"])
        assert f"{stored['zipcode']} {stored['city']}" in row["address"]
    items = await call_ok(client, "sp_list_client_items", {"client_id": wanted["id"]})
    assert items["items"] and all(isinstance(i["plan_cycle"], int) for i in items["items"])
    owned = {i["id"] for i in state.items.values() if i["client_id"] == wanted["id"]}
    assert {i["id"] for i in items["items"]} == owned
    assert all(date.fromisoformat(i["plan_next_date"]) >= amsterdam_today() for i in items["items"])
    first = await call_ok(client, "sp_get_client_item", {"client_id": wanted["id"], "item_id": items["items"][0]["id"]})
    assert isinstance(first["time"], int) and first["recurring"] is True and first["comments"] == []


async def test_client_create_get_update_delete_then_404(client: Client) -> None:
    address = {"street": "Oudegracht", "house_number": "12", "zipcode": "3511 AB", "city": "Utrecht"}
    created = await call_ok(
        client,
        "sp_create_client",
        {
            "first_name": "Dhr.",
            "last_name": "Bosman",
            "gender": "M",
            "email": "bosman@ziggo.nl",
            "phone": "0301234567",
            "invoice_address": address,
            "work_address": {**address, "street": "Slotlaan", "city": "Zeist", "zipcode": "3701 AB"},
            "contact_persons": [{"first_name": "Els", "last_name": "Bosman"}],
        },
    )
    assert created["sandbox"] is True and created["name"] == "Dhr. Bosman" and created["client_number"] >= 1
    assert sorted((a["type"], a["address"]) for a in created["addresses"]) == [
        ("invoice", "Oudegracht 12, 3511 AB Utrecht"),
        ("work", "Slotlaan 12, 3701 AB Zeist"),
    ]

    shown = await call_ok(client, "sp_get_client", {"client_id": created["id"]})
    assert shown["contact_persons"] == [{"name": "Els Bosman"}]
    assert (shown["email"], shown["phone"]) == ("bosman@ziggo.nl", "0301234567")
    assert sorted(a["id"] for a in shown["addresses"]) == sorted(a["id"] for a in created["addresses"])

    updated = await call_ok(client, "sp_update_client", {"client_id": created["id"], "phone": "0307654321"})
    assert (updated["phone"], updated["email"], updated["name"]) == ("0307654321", "bosman@ziggo.nl", "Dhr. Bosman")
    nothing = await call_error(client, "sp_update_client", {"client_id": created["id"]})
    assert "at least one field" in nothing

    deleted = await call_ok(client, "sp_delete_client", {"client_id": created["id"]})
    assert deleted == {"deleted": created["id"], "sandbox": True}
    gone = await call_error(client, "sp_get_client", {"client_id": created["id"]})
    assert "HTTP 404" in gone and f"no client with id {created['id']}" in gone
    for address_row in created["addresses"]:
        assert "HTTP 404" in await call_error(client, "sp_get_address", {"address_id": address_row["id"]})


async def test_address_create_get_update_delete_then_404(agenda: AgendaServer, client: Client) -> None:
    owner = demo_client(state_of(agenda))
    created = await call_ok(
        client,
        "sp_create_address",
        {
            "client_id": owner["id"],
            "type": "work",
            "street": "Dorpstraat",
            "house_number": "1",
            "house_number_addition": "A",
            "zipcode": "3991 AA",
            "city": "Houten",
        },
    )
    assert (created["type"], created["address"], created["client_id"], created["sandbox"]) == (
        "work",
        "Dorpstraat 1A, 3991 AA Houten",
        owner["id"],
        True,
    )
    shown = await call_ok(client, "sp_get_address", {"address_id": created["id"]})
    assert (shown["street"], shown["house_number"], shown["house_number_addition"]) == ("Dorpstraat", "1", "A")

    # Only the city changes: the tool sends the whole address the vendor's PUT requires.
    moved = await call_ok(client, "sp_update_address", {"address_id": created["id"], "city": "Bunnik"})
    assert (moved["address"], moved["type"]) == ("Dorpstraat 1A, 3991 AA Bunnik", "work")
    shown = await call_ok(client, "sp_get_address", {"address_id": created["id"]})
    assert (shown["city"], shown["street"], shown["zipcode"]) == ("Bunnik", "Dorpstraat", "3991 AA")
    listed = await call_ok(client, "sp_list_addresses", {"client_id": owner["id"], "order_by": "city"})
    assert {"id": created["id"], "client_id": owner["id"], "type": "work", "address": moved["address"]} in listed[
        "addresses"
    ]
    assert {row["client_id"] for row in listed["addresses"]} == {owner["id"]}
    cities = [state_of(agenda).addresses[row["id"]]["city"] for row in listed["addresses"]]
    assert cities == sorted(cities)

    deleted = await call_ok(client, "sp_delete_address", {"address_id": created["id"]})
    assert deleted["deleted"] == created["id"]
    gone = await call_error(client, "sp_get_address", {"address_id": created["id"]})
    assert "HTTP 404" in gone and f"no address with id {created['id']}" in gone


# ------------------------------------------------------------------------------------------
# Appointments and invitations
# ------------------------------------------------------------------------------------------


async def test_appointment_create_get_delete_then_404(agenda: AgendaServer, client: Client) -> None:
    state = state_of(agenda)
    owner = demo_client(state)
    item = item_of(state, owner["id"])
    created = await call_ok(
        client,
        "sp_create_appointment",
        {
            "client_id": owner["id"],
            "address_id": item["address_id"],
            "appointment_type_id": item["appointment_type_id"],
            "services": [item["id"]],
        },
    )
    assert created["sandbox"] is True and "start" not in created  # not planned: waits in the window
    window = offset_datetime(created["plan_from"]), offset_datetime(created["plan_to"])
    assert window[0] <= window[1] and window[0].date() == amsterdam_today()

    shown = await call_ok(client, "sp_get_appointment", {"appointment_id": created["id"]})
    assert shown["status_system"] == "open" and shown["client_name"] == f"{owner['first_name']} {owner['last_name']}"
    assert shown["services"] == [{"id": item["id"], "name": item["name"]}]
    assert shown["address"].endswith(state.addresses[item["address_id"]]["city"])
    in_client = await call_ok(client, "sp_get_client", {"client_id": owner["id"]})
    assert created["id"] in {row["id"] for row in in_client["appointments"]}

    deleted = await call_ok(client, "sp_delete_appointment", {"appointment_id": created["id"]})
    assert deleted["deleted"] == created["id"]
    gone = await call_error(client, "sp_get_appointment", {"appointment_id": created["id"]})
    assert "HTTP 404" in gone and f"no appointment with id {created['id']}" in gone


async def test_planned_appointment_has_a_time_with_offset(agenda: AgendaServer, client: Client) -> None:
    state = state_of(agenda)
    owner = demo_client(state)
    technician = next(row["id"] for row in state.users.values() if row.get("role") == "monteur")
    types = await call_ok(client, "sp_list_appointment_types")
    kind = next(t for t in types["appointment_types"] if t["name"] == "Onderhoud warmtepomp")
    created = await call_ok(
        client,
        "sp_create_appointment",
        {
            "client_id": owner["id"],
            "address_id": item_of(state, owner["id"])["address_id"],
            "appointment_type_id": kind["id"],
            "plan_appointment": True,
            "users": [technician],
        },
    )
    start, end = offset_datetime(created["start"]), offset_datetime(created["end"])
    assert (end - start).total_seconds() == kind["time"] * 60 and start.date() > amsterdam_today()
    assert created["planned_at"] == amsterdam_today().isoformat()
    shown = await call_ok(client, "sp_get_appointment", {"appointment_id": created["id"]})
    assert shown["status_system"] == "planned" and [u["id"] for u in shown["users"]] == [technician]
    # The vendor's wall-clock digits are Amsterdam time: 08:00-17:00 working hours stay so.
    assert start.hour >= 8 and end.hour * 60 + end.minute <= 17 * 60


async def test_invitation_flow(agenda: AgendaServer, client: Client) -> None:
    state = state_of(agenda)
    owner = demo_client(state)
    item = item_of(state, owner["id"])
    invite_mode = await call_ok(
        client,
        "sp_update_client_item",
        {"client_id": owner["id"], "item_id": item["id"], "appointment_or_invite": "invite"},
    )
    assert invite_mode["appointment_or_invite"] == "invite" and invite_mode["name"] == item["name"]
    arguments = {
        "client_id": owner["id"],
        "address_id": item["address_id"],
        "appointment_type_id": item["appointment_type_id"],
        "services": [item["id"]],
        "appointment_or_invite": "invite",
        "send_mail_to_client": "direct",
    }
    before = len(state.appointments)
    refused = await call_error(client, "sp_create_appointment", arguments | {"plan_appointment": True})
    assert "plan_appointment=false" in refused and len(state.appointments) == before
    invited = await call_ok(client, "sp_create_appointment", arguments)
    assert invited["appointment_or_invite"] == "invite" and invited["send_at"] == amsterdam_today().isoformat()
    shown = await call_ok(client, "sp_get_appointment", {"appointment_id": invited["id"]})
    assert shown["status_system"] == "invited"


async def test_appointment_list_filters_and_order(agenda: AgendaServer, client: Client) -> None:
    state = state_of(agenda)
    technician = next(row["id"] for row in state.users.values() if row.get("role") == "monteur")
    kinds = await call_ok(client, "sp_list_appointment_types")
    kind = next(t["id"] for t in kinds["appointment_types"] if t["name"] == "Onderhoud cv-ketel")
    page = await call_ok(
        client,
        "sp_list_appointments",
        {"users": [technician], "appointment_type": [kind], "ordertype": "desc", "per_page": 100},
    )
    rows = page["appointments"]
    assert rows and all(r["appointment_type"] == "Onderhoud cv-ketel" for r in rows)
    assert all(state.appointments[r["id"]]["appointment_type_id"] == kind for r in rows)
    assert all(technician in state.appointments[r["id"]]["users"] for r in rows)
    starts = [offset_datetime(r["start"]) for r in rows]
    assert starts == sorted(starts, reverse=True)


# ------------------------------------------------------------------------------------------
# Validation errors, field by field
# ------------------------------------------------------------------------------------------


async def test_a_422_names_every_offending_field(agenda: AgendaServer, client: Client) -> None:
    state = state_of(agenda)
    owner = demo_client(state)
    stranger = demo_client(state, with_items=False)
    text = await call_error(
        client,
        "sp_create_appointment",
        {
            "client_id": owner["id"],
            "address_id": next(a["id"] for a in state.addresses.values() if a["client_id"] == stranger["id"]),
            "appointment_type_id": 999999,
            "users": [1],
        },
    )
    assert "create appointment failed (HTTP 422)" in text
    assert "appointment_type_id: The selected appointment type id is invalid" in text
    assert "address_id: The selected address id does not belong to the selected client" in text
    assert "users.0: The selected users.0 is invalid" in text
    assert "Traceback" not in text


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"first_name": "Jan"}, "last_name: The last name field is required when company name is not present"),
        ({"last_name": "Smit", "client_number": 10001}, "client_number: The client number has already been taken"),
        ({"last_name": "Smit", "email": "geen-mail"}, "email: The email field must be a valid email address"),
        (
            {"last_name": "Smit", "contact_persons": [{"email": "els@example.nl"}]},
            "contact_persons.0.last_name: The contactPerson.0.last name field is required",
        ),
    ],
    ids=["no-name", "taken-number", "bad-email", "nameless-contact"],
)
async def test_client_validation_comes_back_per_field(client: Client, arguments: dict[str, Any], expected: str) -> None:
    text = await call_error(client, "sp_create_client", arguments)
    assert "HTTP 422" in text and expected in text


async def test_item_validation_and_typed_refusals(agenda: AgendaServer, client: Client) -> None:
    state = state_of(agenda)
    owner = demo_client(state)
    stranger = demo_client(state, with_items=False)
    foreign = next(a["id"] for a in state.addresses.values() if a["client_id"] == stranger["id"])
    kind = next(iter(state.appointment_types))
    text = await call_error(
        client,
        "sp_create_client_item",
        {"client_id": owner["id"], "address_id": foreign, "name": "Nefit", "appointment_type_id": kind},
    )
    assert "HTTP 422" in text and "address_id: The selected address id is invalid" in text
    typed = await call_error(client, "sp_create_address", {"client_id": owner["id"], "type": "home"})
    assert "type" in typed  # refused by the schema before anything is sent


# ------------------------------------------------------------------------------------------
# Items and attachments
# ------------------------------------------------------------------------------------------


async def test_item_create_update_attach_delete(agenda: AgendaServer, client: Client, tmp_path: Path) -> None:
    state = state_of(agenda)
    owner = demo_client(state)
    address_id = next(a["id"] for a in state.addresses.values() if a["client_id"] == owner["id"])
    kinds = await call_ok(client, "sp_list_appointment_types")
    kind = next(t for t in kinds["appointment_types"] if t["name"] == "Onderhoud warmtepomp")
    created = await call_ok(
        client,
        "sp_create_client_item",
        {
            "client_id": owner["id"],
            "address_id": address_id,
            "name": "Daikin Altherma 3 H HT 16 kW",
            "appointment_type_id": kind["id"],
            "recurring": True,
            "plan_cycle": 12,
            "date_from": "2025-03-13",
        },
    )
    assert (created["name"], created["sandbox"]) == ("Daikin Altherma 3 H HT 16 kW", True)
    assert date.fromisoformat(created["plan_next_date"]) >= amsterdam_today()  # the next 12-monthly service
    assert state.items[created["id"]]["date_from"] == date(2025, 3, 13)
    assert state.items[created["id"]]["plan_cycle"] == 12
    changed = await call_ok(
        client, "sp_update_client_item", {"client_id": owner["id"], "item_id": created["id"], "plan_cycle": 24}
    )
    # The result says what the vendor made of it, not the fields sent back again.
    assert (changed["id"], changed["appointment_or_invite"]) == (created["id"], "appointment")
    assert "plan_cycle" not in changed and "address_id" not in changed
    stored = state.items[created["id"]]
    assert (stored["plan_cycle"], stored["address_id"], stored["appointment_type_id"]) == (24, address_id, kind["id"])
    detail = await call_ok(client, "sp_get_client_item", {"client_id": owner["id"], "item_id": created["id"]})
    assert (detail["time"], detail["date_from"], detail["recurring"]) == (kind["time"], "2025-03-13", True)
    assert (detail["plan_cycle"], detail["appointment_or_invite"]) == (24, "appointment")
    assert changed["plan_next_date"] == detail["plan_next_date"]

    werkbon = tmp_path / "werkbon.pdf"
    werkbon.write_bytes(b"%PDF-1.4 werkbon 2026")
    photo = base64.b64encode(b"\xff\xd8\xff foto").decode()
    attached = await call_ok(
        client,
        "sp_add_client_item_attachments",
        {
            "client_id": owner["id"],
            "item_id": created["id"],
            "attachments": [{"file_path": "werkbon.pdf"}, {"content_base64": photo, "filename": "ketel.jpg"}],
        },
    )
    assert [(a["name"], a["mime_type"]) for a in attached["attachments"]] == [
        ("werkbon.pdf", "application/pdf"),
        ("ketel.jpg", "image/jpeg"),
    ]
    stored = state.items[created["id"]]["attachments"][0]
    assert state.attachment_content[stored["id"]] == b"%PDF-1.4 werkbon 2026"
    replaced = await call_ok(
        client,
        "sp_add_client_item_attachments",
        {
            "client_id": owner["id"],
            "item_id": created["id"],
            "attachments": [{"content_base64": photo, "filename": "nieuw.jpg"}],
            "delete_attachments": True,
        },
    )
    assert [a["name"] for a in replaced["attachments"]] == ["nieuw.jpg"]

    deleted = await call_ok(client, "sp_delete_item", {"item_id": created["id"]})
    assert deleted["deleted"] == created["id"]
    gone = await call_error(client, "sp_get_client_item", {"client_id": owner["id"], "item_id": created["id"]})
    assert "HTTP 404" in gone and "sp_list_client_items" in gone


@pytest.mark.parametrize(
    ("attachment", "expected"),
    [
        ({"file_path": ".ssh/id_rsa"}, "hidden file or in a hidden folder"),
        ({"file_path": "/etc/passwd"}, "outside the attachments folder"),
        ({"file_path": "werkbon.pdf"}, "No file 'werkbon.pdf' in the attachments folder"),
        ({"content_base64": "not base64!", "filename": "x.pdf"}, "not valid base64"),
        ({"content_base64": "YQ=="}, "filename"),
        ({"file_path": "/tmp/a.pdf", "content_base64": "YQ==", "filename": "a.pdf"}, "exactly one"),
    ],
    ids=["hidden", "outside", "missing", "bad-base64", "no-filename", "both"],
)
async def test_attachments_that_cannot_be_sent_are_refused(
    agenda: AgendaServer, client: Client, attachment: dict[str, Any], expected: str, tmp_path: Path
) -> None:
    (tmp_path / ".ssh").mkdir()
    (tmp_path / ".ssh" / "id_rsa").write_text("-----BEGIN KEY-----")
    item = next(iter(state_of(agenda).items.values()))
    text = await call_error(
        client,
        "sp_add_client_item_attachments",
        {"client_id": item["client_id"], "item_id": item["id"], "attachments": [attachment]},
    )
    assert expected in text
    assert item["attachments"] == []


@pytest.mark.parametrize(
    ("bad", "where"),
    [
        ({"content_base64": "JVBERi0=", "filename": "werkbon\r\nX-Injected: 1.pdf"}, "attachments.0.filename"),
        (
            {"content_base64": "JVBERi0=", "filename": "werkbon.pdf", "content_type": "application/pdf\r\nX: 1"},
            "content_type",
        ),
        ({"file_path": "werkbon\n.pdf"}, "a file name"),  # a name taken from the file on disk
    ],
    ids=["filename", "content-type", "name-on-disk"],
)
async def test_a_line_break_in_an_upload_is_refused_before_anything_is_sent(
    agenda: AgendaServer, tmp_path: Path, bad: dict[str, str], where: str
) -> None:
    """File names and content types travel in the multipart headers: a CR/LF there is refused up
    front, plainly (not as an upload that may or may not have happened), so the corrected call,
    otherwise identical, goes through."""
    (tmp_path / "werkbon\n.pdf").write_bytes(b"%PDF-")
    item = next(iter(state_of(agenda).items.values()))
    arguments: dict[str, Any] = {"client_id": item["client_id"], "item_id": item["id"], "attachments": [bad]}
    person = Person("accept")
    async with Client(agenda.server, elicitation_callback=person) as client:
        before = requests_sent(agenda)
        refused = await call_error(client, "sp_add_client_item_attachments", arguments)
        assert "nothing was sent" in refused.lower() and where in refused, refused
        assert "may or may not" not in refused and "line break" in refused, refused
        assert requests_sent(agenda) == before and item["attachments"] == [] and person.asked == []
        fixed = {**bad, "filename": "werkbon.pdf"}
        fixed.pop("content_type", None)
        sent = await call_ok(client, "sp_add_client_item_attachments", arguments | {"attachments": [fixed]})
    assert [a["name"] for a in sent["attachments"]] == ["werkbon.pdf"] == [a["name"] for a in item["attachments"]]
    assert len(person.asked) == 1 and "\u201cwerkbon.pdf\u201d" in person.asked[0], person.asked


async def test_item_of_another_client_is_not_found(agenda: AgendaServer, client: Client) -> None:
    state = state_of(agenda)
    owner = demo_client(state)
    stranger = demo_client(state, with_items=False)
    item = item_of(state, owner["id"])
    text = await call_error(client, "sp_get_client_item", {"client_id": stranger["id"], "item_id": item["id"]})
    assert "HTTP 404" in text and "belongs to another client" in text


# ------------------------------------------------------------------------------------------
# Paging
# ------------------------------------------------------------------------------------------


async def test_one_page_then_all_pages_with_progress(agenda: AgendaServer, client: Client) -> None:
    one = await call_ok(client, "sp_list_clients", {"search": "utrecht", "per_page": 5})
    total = one["page"]["total"]
    assert total > 10 and len(one["clients"]) == 5 and one["page"]["next_page"] == 2

    progress: list[tuple[float, float | None]] = []

    async def record(done: float, of: float | None, message: str | None) -> None:
        progress.append((done, of))

    result = await client.call_tool(
        "sp_list_clients", {"search": "utrecht", "per_page": 5, "all_pages": True}, progress_callback=record
    )
    assert not result.is_error
    everything = result.structured_content
    assert everything is not None
    pages = -(-total // 5)
    assert len(everything["clients"]) == total == len({row["id"] for row in everything["clients"]})
    assert everything["page"] == {"total": total}  # no next_page: every page was fetched
    assert progress[-1] == (pages, pages) and len(progress) == pages

    later = await call_ok(client, "sp_list_clients", {"search": "utrecht", "per_page": 5, "page": 2, "all_pages": True})
    assert len(later["clients"]) == total - 5


async def test_all_pages_stops_at_its_limit_and_says_so(monkeypatch: pytest.MonkeyPatch, client: Client) -> None:
    monkeypatch.setattr(sp_client, "MAX_PAGES", 3)
    result = await call_ok(client, "sp_list_items", {"per_page": 10, "all_pages": True})
    assert len(result["items"]) == 30
    assert result["page"]["next_page"] == 4  # pages 1-3 fetched: continue at 4


@pytest.mark.parametrize(
    ("tool", "key", "arguments"),
    [
        ("sp_list_users", "users", {"per_page": 2}),
        ("sp_list_invoices", "invoices", {"per_page": 50}),
        ("sp_list_addresses", "addresses", {"per_page": 100, "order_direction": "desc"}),
        ("sp_list_items", "items", {"per_page": 100}),
        ("sp_list_appointments", "appointments", {"per_page": 50, "ordertype": "asc"}),
    ],
)
async def test_every_list_pages_the_same_way(tool: str, key: str, arguments: dict[str, Any]) -> None:
    # Whole lists can exceed the server's result cap (AGENDA_MCP_MAX_RESULT_KB); this is about paging.
    agenda = build_agenda(sandbox_settings(toolsets=("serviceplanner",), max_result_kb=2048))
    async with Client(agenda.server) as client:
        first = await call_ok(client, tool, arguments)
        assert first["page"]["next_page"] == 2 and len(first[key]) == arguments["per_page"]
        everything = await call_ok(client, tool, arguments | {"all_pages": True})
    assert len(everything[key]) == first["page"]["total"] and "next_page" not in everything["page"]
    assert "truncated" not in everything


# ------------------------------------------------------------------------------------------
# Invoices, users, appointment types
# ------------------------------------------------------------------------------------------


async def test_invoices_by_date_and_one_invoice(agenda: AgendaServer, client: Client) -> None:
    everything = await call_ok(client, "sp_list_invoices", {"per_page": 100, "all_pages": True})
    recent_day = sorted(inv["created_at"][:10] for inv in everything["invoices"])[-5]
    recent = await call_ok(client, "sp_list_invoices", {"created_at": recent_day, "per_page": 100})
    assert 5 <= len(recent["invoices"]) < len(everything["invoices"])
    assert all(offset_datetime(inv["created_at"]).date().isoformat() >= recent_day for inv in recent["invoices"])
    one = await call_ok(client, "sp_get_invoice", {"invoice_id": recent["invoices"][0]["id"]})
    assert one["lines"] and one["total_incl_vat"]  # undocumented fields pass through
    assert "HTTP 404" in await call_error(client, "sp_get_invoice", {"invoice_id": 1})
    bad = await call_error(client, "sp_list_invoices", {"created_at": "04-03-2026"})
    assert "created_at" in bad


async def test_users_and_appointment_types_tool_and_resource(client: Client) -> None:
    users = await call_ok(client, "sp_list_users")
    assert "Jeroen Bakker" in {user["name"] for user in users["users"]}
    types = await call_ok(client, "sp_list_appointment_types")
    assert {"Onderhoud cv-ketel", "Storing"} <= {t["name"] for t in types["appointment_types"]}
    resource = await client.read_resource("serviceplanner://appointment-types")
    assert json.loads(resource.contents[0].text) == types  # type: ignore[union-attr]


# ------------------------------------------------------------------------------------------
# The vendor answering badly
# ------------------------------------------------------------------------------------------


async def test_an_unknown_token_says_which_variable_to_check(agenda: AgendaServer, client: Client) -> None:
    state_of(agenda).tokens.clear()
    text = await call_error(client, "sp_list_clients")
    assert "HTTP 401" in text and "Unauthenticated" in text and "check SERVICEPLANNER_API_TOKEN" in text


@pytest.mark.parametrize(
    ("path", "kind", "tool", "arguments", "expected"),
    [
        ("/client", "redirect", "sp_list_clients", {}, "HTTP 302"),
        ("/user", "page", "sp_list_users", {}, "HTML page instead of JSON"),
        ("*", "page", "sp_get_invoice", {"invoice_id": 71201}, "HTML page instead of JSON"),
        ("/address", "redirect", "sp_create_address", None, "HTTP 302"),
    ],
    ids=["redirect-on-read", "html-page", "html-everywhere", "redirect-on-write"],
)
async def test_html_or_a_redirect_instead_of_json_is_a_clear_error(
    agenda: AgendaServer,
    client: Client,
    path: str,
    kind: Any,
    tool: str,
    arguments: dict[str, Any] | None,
    expected: str,
) -> None:
    state = state_of(agenda)
    if arguments is None:
        owner = demo_client(state)
        arguments = {
            "client_id": owner["id"], "type": "work", "street": "A", "house_number": "1", "zipcode": "1", "city": "B",
        }  # fmt: skip
    state.serve_html(path, kind)
    text = await call_error(client, tool, arguments)
    assert expected in text and "SERVICEPLANNER_BASE_URL" in text
    assert "Expecting value" not in text and "Traceback" not in text and "JSONDecodeError" not in text


async def test_rate_limit_is_reported_with_when_to_retry(agenda: AgendaServer, client: Client) -> None:
    state = state_of(agenda)
    # Early in the throttle minute, so Retry-After is far beyond what the HTTP layer waits out
    # for a read (at the end of a minute it would rightly wait and succeed).
    frozen = state._now().replace(second=5, microsecond=0)
    state._now = lambda: frozen
    state.limit_requests(1)
    await call_ok(client, "sp_list_users")
    text = await call_error(client, "sp_list_users", {"page": 2})
    assert "HTTP 429" in text and "try again after" in text


async def test_deleting_asks_first_naming_what_goes(agenda: AgendaServer) -> None:
    state = state_of(agenda)
    visit = next(row for row in state.appointments.values() if row["time_from"] and not row["canceled_at"])
    owner = state.clients[visit["client_id"]]
    person = Person("decline")
    asked = person.asked

    async with Client(agenda.server, elicitation_callback=person) as client:
        refused = await call_error(client, "sp_delete_appointment", {"appointment_id": visit["id"]})
        assert "Nothing was changed" in refused and state.appointments[visit["id"]]["deleted_at"] is None
        assert owner["last_name"] in asked[0] and f"{visit['time_from']:%d %b %Y %H:%M}" in asked[0]
        person.action = "accept"
        await call_ok(client, "sp_delete_appointment", {"appointment_id": visit["id"]})
        assert state.appointments[visit["id"]]["deleted_at"] is not None
        item = next(iter(state.items.values()))
        files = {"client_id": item["client_id"], "item_id": item["id"]}
        files["attachments"] = [{"content_base64": "YQ==", "filename": "a.txt"}]  # type: ignore[assignment]
        asked.clear()
        await call_ok(client, "sp_add_client_item_attachments", files)
        # Files leave the machine: the person is asked, and told each file (quoted: the model named it) and its size.
        assert asked == [
            f"Send to ServicePlanner item {item['id']} (client {item['client_id']}): \u201ca.txt\u201d (1 bytes)?"
        ]


async def test_creating_an_appointment_asks_naming_what_for_whom_where_and_when(agenda: AgendaServer) -> None:
    state = state_of(agenda)
    owner = demo_client(state)
    item = item_of(state, owner["id"])
    address = state.addresses[item["address_id"]]
    kind = state.appointment_types[item["appointment_type_id"]]["name"]
    person = Person("decline")
    arguments = {
        "client_id": owner["id"],
        "address_id": item["address_id"],
        "appointment_type_id": item["appointment_type_id"],
    }
    async with Client(agenda.server, elicitation_callback=person) as client:
        before = len(state.appointments)
        refused = await call_error(client, "sp_create_appointment", arguments)
        assert "Nothing was changed" in refused and len(state.appointments) == before
    question = person.asked[0]
    assert question.startswith(f"Create a ServicePlanner visit ({kind}) for {owner['first_name']} {owner['last_name']}")
    assert f"at {address['street']} {address['house_number']}" in question
    assert question.endswith("it waits in this month's planning?")
