"""ServicePlanner and time: every moment a tool returns is an ISO 8601 datetime with the offset
Europe/Amsterdam has at that moment, in winter and in summer, and the date filters keep working.

ServicePlanner documents no availability and no time input (an appointment gets its time from
the vendor's planning), so there is no slot to book back; what matters is reading. Every stamp the
vendor writes ends in "Z", and every one is read by one rule: its digits are Amsterdam wall-clock
time (SAFE CHOICE in tools/serviceplanner/models.py `vendor_time`), planning times (time_from,
plan_from, ...) and created_at and friends alike. The simulator stores planning times as naive
wall-clock times and created_at as aware moments, which it writes on Amsterdam's clock, so each
can be checked against what it stores."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from mcp import Client

from agenda_mcp.server.startup.app import AgendaServer, build_agenda
from agenda_mcp.tools.serviceplanner import sandbox as sp_sandbox
from agenda_mcp.tools.serviceplanner.models import Appointment, Comment, stamps
from agenda_mcp.tools.serviceplanner.sandbox.data import COMPANY_ID
from agenda_mcp.tools.serviceplanner.sandbox.state import ServicePlannerSandbox
from tests.support import call_ok, sandbox_settings
from tests.support.documented import cases
from tests.support.moments import check_moments
from tests.support.simulators import serviceplanner as state_of

pytestmark = pytest.mark.anyio
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# Our result fields and the vendor's names for the same appointment times.
VENDOR_NAMES = {"start": "time_from", "end": "time_to", "plan_from": "plan_from", "plan_to": "plan_to"}


@dataclass(frozen=True)
class Season:
    name: str
    now: datetime
    offset: timedelta


WINTER = Season("winter", datetime(2026, 1, 14, 10, 30, tzinfo=AMSTERDAM), timedelta(hours=1))
SUMMER = Season("summer", datetime(2026, 7, 15, 10, 30, tzinfo=AMSTERDAM), timedelta(hours=2))


@pytest.fixture(params=[WINTER, SUMMER], ids=lambda season: season.name)
def season(request: pytest.FixtureRequest) -> Season:
    season: Season = request.param
    return season


@pytest.fixture
def agenda(season: Season, monkeypatch: pytest.MonkeyPatch) -> Iterator[AgendaServer]:
    # The simulator's clock is fixed on the season's day; sandbox mode builds it through the module.
    monkeypatch.setattr(sp_sandbox, "create_app", functools.partial(sp_sandbox.create_app, now=lambda: season.now))
    yield build_agenda(sandbox_settings(toolsets=("serviceplanner",)))


def moment_of(text: str) -> datetime:
    parsed = datetime.fromisoformat(text)
    assert parsed.utcoffset() is not None, f"{text} has no offset"
    return parsed


def amsterdam_offset(local: datetime) -> timedelta | None:
    return local.replace(tzinfo=AMSTERDAM).utcoffset()


def shows_wall_time(shown: str, stored: datetime) -> None:
    """A planning time: the vendor's wall-clock digits, with Amsterdam's offset at that time."""
    value = moment_of(shown)
    assert value.replace(tzinfo=None) == stored, f"{shown} does not show the vendor's wall time {stored}"
    assert value.utcoffset() == amsterdam_offset(stored), f"{shown} has not Amsterdam's offset"


def shows_instant(shown: str, stored: datetime) -> None:
    """A created_at: the moment the simulator stored, told in Amsterdam time."""
    value = moment_of(shown)
    assert value == stored, f"{shown} is not the instant {stored.isoformat()}"
    assert value.utcoffset() == stored.astimezone(AMSTERDAM).utcoffset()


def demo_owner(state: ServicePlannerSandbox) -> dict[str, Any]:
    owners = {row["client_id"] for row in state.items.values()}
    return next(row for row in state.clients.values() if row["company_id"] == COMPANY_ID and row["id"] in owners)


async def test_planned_visit_reads_back_with_the_seasons_offset(
    season: Season, agenda: AgendaServer, client: Client
) -> None:
    state = state_of(agenda)
    owner = demo_owner(state)
    item = next(row for row in state.items.values() if row["client_id"] == owner["id"])
    created = await call_ok(
        client,
        "sp_create_appointment",
        {
            "client_id": owner["id"],
            "address_id": item["address_id"],
            "appointment_type_id": item["appointment_type_id"],
            "plan_appointment": True,
        },
    )
    stored = state.appointments[created["id"]]
    # The vendor's next free slot is a working-day morning shortly after "today": same season.
    assert moment_of(created["start"]).utcoffset() == season.offset
    shows_wall_time(created["start"], stored["time_from"])
    shows_wall_time(created["end"], stored["time_to"])
    shows_wall_time(created["plan_from"], stored["plan_from"])
    shown = await call_ok(client, "sp_get_appointment", {"appointment_id": created["id"]})
    assert (shown["start"], shown["end"]) == (created["start"], created["end"])
    assert check_moments(shown, where=f"{season.name} sp_get_appointment") == 4


async def test_every_moment_in_every_read_has_amsterdams_offset(
    season: Season, agenda: AgendaServer, client: Client
) -> None:
    state = state_of(agenda)
    listed = await call_ok(client, "sp_list_appointments", {"per_page": 100})
    planned = [row for row in listed["appointments"] if "start" in row]
    assert planned and any(moment_of(row["start"]).utcoffset() == season.offset for row in planned)
    for row in listed["appointments"]:
        stored = state.appointments[row["id"]]
        for ours, theirs in VENDOR_NAMES.items():
            if stored[theirs] is not None:
                shows_wall_time(row[ours], stored[theirs])

    owner = state.clients[state.appointments[planned[0]["id"]]["client_id"]]
    detail = await call_ok(client, "sp_get_client", {"client_id": owner["id"]})
    for row in detail["appointments"]:
        stored = state.appointments[row["id"]]
        if stored["time_from"] is not None:
            shows_wall_time(row["start"], stored["time_from"])

    invoices = await call_ok(client, "sp_list_invoices", {"per_page": 100})
    for row in invoices["invoices"]:
        shows_instant(row["created_at"], state.invoices[row["id"]]["created_at"])
        shows_instant(row["updated_at"], state.invoices[row["id"]]["updated_at"])
    users = await call_ok(client, "sp_list_users")
    for row in users["users"]:  # an undocumented object: its stamps too come out with an offset
        shows_instant(row["created_at"], state.users[row["id"]]["created_at"])

    results = [listed, detail, invoices, users]
    results.append(await call_ok(client, "sp_get_invoice", {"invoice_id": invoices["invoices"][0]["id"]}))
    counted = sum(check_moments(result, where=f"{season.name} ServicePlanner") for result in results)
    assert counted > len(planned) * 2


@pytest.mark.parametrize(
    ("vendor_wall_time", "shown"),
    [
        (datetime(2026, 1, 20, 9, 0), "2026-01-20T09:00:00+01:00"),
        (datetime(2026, 7, 20, 9, 0), "2026-07-20T09:00:00+02:00"),
        # Vendor data is not refused: an hour the clocks skip moves on by the gap, one they
        # repeat is read as the first (server/kit/times.py `moment`).
        (datetime(2026, 3, 29, 2, 30), "2026-03-29T03:30:00+02:00"),
        (datetime(2026, 10, 25, 2, 30), "2026-10-25T02:30:00+02:00"),
    ],
)
async def test_a_wall_time_on_either_side_of_the_clock_change(
    agenda: AgendaServer, client: Client, vendor_wall_time: datetime, shown: str
) -> None:
    state = state_of(agenda)
    visit = next(row for row in state.appointments.values() if row["time_from"] and row["company_id"] == COMPANY_ID)
    visit["time_from"], visit["time_to"] = vendor_wall_time, vendor_wall_time + timedelta(hours=1)
    got = await call_ok(client, "sp_get_appointment", {"appointment_id": visit["id"]})
    assert got["start"] == shown


def z_stamps(value: Any, path: str = "") -> dict[str, str]:
    """Every "...Z" stamp in a vendor answer, by its dotted path."""
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in z_stamps(item, f"{path}{key}.").items()}
    if isinstance(value, list):
        return {k: v for index, item in enumerate(value) for k, v in z_stamps(item, f"{path}{index}.").items()}
    return {path.rstrip("."): value} if isinstance(value, str) and value.endswith("Z") and "T" in value else {}


def test_every_stamp_of_a_documented_answer_is_read_by_one_rule() -> None:
    """The docs' appointment list answer holds both kinds of "Z" stamp: planning times (time_from,
    plan_to, an item's date_from) and bookkeeping ones (updated_at, the embedded type's and item's
    created_at). Every one is read the same way: its digits, on Amsterdam's clock (the docs'
    own `time_from_order` shows time_from's digits as local time)."""
    case = next(case for case in cases("serviceplanner") if case.name == "list_appointments_200")
    record = case.spec["answers"][0]["json"]["data"][0]
    found = z_stamps(record)
    assert {"time_from", "plan_to", "updated_at", "appointment_type.created_at", "services.0.created_at"} <= set(found)
    assert record["time_from_order"] == found["time_from"][:19].replace("T", " ")
    read = stamps(record)  # how records passed on as they come (users, invoices) are read
    for path, raw in found.items():
        value = read
        for part in path.split("."):
            value = value[int(part)] if isinstance(value, list) else value[part]
        expected = datetime.fromisoformat(raw.removesuffix("Z")).replace(tzinfo=AMSTERDAM)
        assert (value, value.utcoffset()) == (expected, expected.utcoffset()), f"{path} = {raw} read as {value}"
    assert read["time_from"].isoformat() == "2016-11-16T09:00:00+01:00"
    assert read["updated_at"].isoformat() == "2020-08-11T12:11:08+02:00"
    # The typed models agree with it: a visit's start and a comment's created_at alike.
    assert Appointment.model_validate(record).start == read["time_from"]
    assert Comment.model_validate({"created_at": record["updated_at"]}).created_at == read["updated_at"]


async def test_created_at_in_the_repeated_hour_reads_like_every_wall_time(agenda: AgendaServer, client: Client) -> None:
    """00:30Z and 01:30Z on the autumn change are both 02:30 in Amsterdam: the vendor's digits
    (02:30, tagged "Z") cannot tell them apart, so a created_at there is read as the first 02:30,
    exactly as a visit's time would be (one rule for every stamp, models.py `vendor_time`)."""
    state = state_of(agenda)
    first, second = sorted(row["id"] for row in state.invoices.values() if row["company_id"] == COMPANY_ID)[:2]
    state.invoices[first]["created_at"] = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    state.invoices[second]["created_at"] = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    shown = [(await call_ok(client, "sp_get_invoice", {"invoice_id": key}))["created_at"] for key in (first, second)]
    assert shown == ["2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+02:00"]
    visit = next(row for row in state.appointments.values() if row["time_from"] and row["company_id"] == COMPANY_ID)
    visit["time_from"], visit["time_to"] = datetime(2026, 10, 25, 2, 30), datetime(2026, 10, 25, 3, 30)
    assert (await call_ok(client, "sp_get_appointment", {"appointment_id": visit["id"]}))["start"] == shown[0]


async def test_invoice_date_filter_agrees_with_the_dates_results_show(
    season: Season, agenda: AgendaServer, client: Client
) -> None:
    """Just after local midnight is still the previous day in UTC: the filter and the shown
    created_at must both say the local day, or a model filtering on what it read misses records."""
    state = state_of(agenda)
    invoice = next(row for row in state.invoices.values() if row["company_id"] == COMPANY_ID)
    day = season.now.date() + timedelta(days=2)
    after_midnight = datetime.combine(day, datetime.min.time(), AMSTERDAM) + timedelta(minutes=30)
    invoice["created_at"] = invoice["updated_at"] = after_midnight.astimezone(UTC)
    assert invoice["created_at"].date() == day - timedelta(days=1)  # the UTC stamp names the day before

    shown = (await call_ok(client, "sp_get_invoice", {"invoice_id": invoice["id"]}))["created_at"]
    assert shown.startswith(day.isoformat()) and moment_of(shown).utcoffset() == season.offset
    found = await call_ok(client, "sp_list_invoices", {"created_at": day.isoformat(), "per_page": 100})
    assert [row["id"] for row in found["invoices"]] == [invoice["id"]]
    assert all(row["created_at"].startswith(day.isoformat()) for row in found["invoices"])
    later = await call_ok(client, "sp_list_invoices", {"created_at": (day + timedelta(days=1)).isoformat()})
    assert later["invoices"] == []


async def test_item_service_dates_are_dates_in_and_out(agenda: AgendaServer, client: Client) -> None:
    """An item's service period is a pair of dates (the vendor takes `YYYY-MM-DDT00:00:00`): what
    sp_get_client_item shows, sp_update_client_item takes as it is, on a clock-change day too."""
    state = state_of(agenda)
    owner = demo_owner(state)
    item = next(row for row in state.items.values() if row["client_id"] == owner["id"])
    ids = {"client_id": owner["id"], "item_id": item["id"]}
    await call_ok(client, "sp_update_client_item", ids | {"date_from": "2026-03-29", "date_to": "2026-10-25"})
    assert (item["date_from"], item["date_to"]) == (date(2026, 3, 29), date(2026, 10, 25))
    shown = await call_ok(client, "sp_get_client_item", ids)
    assert (shown["date_from"], shown["date_to"]) == ("2026-03-29", "2026-10-25")
    again = await call_ok(client, "sp_update_client_item", ids | {"date_from": shown["date_from"], "name": "Ketel"})
    assert again["name"] == "Ketel" and item["date_from"] == date(2026, 3, 29)


async def test_no_serviceplanner_tool_takes_a_time_outside_server_times(client: Client) -> None:
    """Its only date inputs are whole days. A time or datetime parameter added later must use
    server/kit/times.py (TimeOfDay / DateTime); this list makes that a conscious change."""
    tools = (await client.list_tools()).tools
    dated = {
        (tool.name, name): schema.get("format")
        for tool in tools
        for name, schema in tool.input_schema.get("properties", {}).items()
        if schema.get("format") in ("date", "date-time", "time") or "time" in name
    }
    assert dated == {
        ("sp_list_invoices", "created_at"): "date",
        ("sp_list_invoices", "updated_at"): "date",
        ("sp_create_client_item", "date_from"): "date",
        ("sp_create_client_item", "date_to"): "date",
        ("sp_update_client_item", "date_from"): "date",
        ("sp_update_client_item", "date_to"): "date",
        # `time` is a duration in minutes, not a moment
        ("sp_create_appointment", "time"): None,
        ("sp_create_client_item", "time"): None,
        ("sp_update_client_item", "time"): None,
    }
