"""Times in and out of the OnlineAfspraken.nl tools, checked on what the vendor receives.

Every availability tool's answer is booked by passing its values on as they came (or the same
moment written with `Z` or another offset), in winter (UTC+1) and in summer (UTC+2), and the
request the simulator receives must carry the Amsterdam wall clock of that moment. A local time
the clocks skip, or one they repeat without an offset to pick it, is refused with nothing sent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from mcp import Client

from agenda_mcp.server.startup.app import AgendaServer, build_agenda
from agenda_mcp.tools.onlineafspraken.models import BookableTime
from agenda_mcp.tools.onlineafspraken.sandbox import app as oa_sandbox
from agenda_mcp.tools.onlineafspraken.sandbox.data import TZ
from agenda_mcp.tools.onlineafspraken.sandbox.state import OnlineAfsprakenSandbox
from tests.support import call_error, call_ok, sandbox_settings
from tests.support.moments import check_moments
from tests.support.onlineafspraken import JAN, KNIPPEN_HEREN, SALON, SANNE, TickingClock

pytestmark = pytest.mark.anyio

HAIRCUT = {"agenda_id": SALON, "appointment_type_id": KNIPPEN_HEREN}


@dataclass(frozen=True)
class Season:
    name: str
    now: datetime  # the simulator's clock: a Monday morning
    offset: str  # Amsterdam's offset then

    @property
    def wednesday(self) -> str:
        return (self.now.date() + timedelta(days=2)).isoformat()

    @property
    def sunday(self) -> str:
        return (self.now.date() + timedelta(days=6)).isoformat()


WINTER = Season("winter", datetime(2026, 3, 2, 9, 0, tzinfo=TZ), "+01:00")
SUMMER = Season("summer", datetime(2026, 7, 6, 9, 0, tzinfo=TZ), "+02:00")
SEASONS = [pytest.param(WINTER, id="winter"), pytest.param(SUMMER, id="summer")]


def written(moment: str, form: str) -> str:
    """The same moment as a model might write it: as returned, in UTC with `Z`, or at +05:00."""
    parsed = datetime.fromisoformat(moment)
    if form == "as-returned":
        return moment
    if form == "utc-z":
        return parsed.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return parsed.astimezone(timezone(timedelta(hours=5))).isoformat()


FORMS = ["as-returned", "utc-z", "plus-five"]


@dataclass
class Vendor:
    """The simulated vendor, with every request it received (query parameters as sent)."""

    agenda: AgendaServer
    received: list[dict[str, str]]

    @property
    def state(self) -> OnlineAfsprakenSandbox:
        state: OnlineAfsprakenSandbox = self.agenda.vendors["onlineafspraken"].sandbox_app.state.sandbox  # type: ignore[union-attr]
        return state

    @property
    def requests_sent(self) -> int:
        return self.agenda.vendors["onlineafspraken"].http.requests_sent

    def last(self, method: str) -> dict[str, str]:
        found = [query for query in self.received if query.get("method") == method]
        assert found, f"the vendor received no {method}"
        return found[-1]


@pytest.fixture
def received(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, str]]]:
    seen: list[dict[str, str]] = []
    original = oa_sandbox.handle

    def recording(state: OnlineAfsprakenSandbox, raw: Mapping[str, str]) -> bytes:
        seen.append(dict(raw))
        return original(state, raw)

    monkeypatch.setattr(oa_sandbox, "handle", recording)
    yield seen


@pytest.fixture
async def opened(received: list[dict[str, str]]) -> AsyncIterator[tuple[Client, Vendor]]:
    agenda = build_agenda(sandbox_settings(toolsets=("onlineafspraken",), dedup_seconds=0))
    async with Client(agenda.server) as client:
        yield client, Vendor(agenda, received)


def at(vendor: Vendor, season: Season) -> None:
    vendor.state.set_clock(TickingClock(season.now))


def local(moment: str) -> tuple[str, str]:
    """The Amsterdam (Date, StartTime) the vendor must receive for a moment."""
    wall = datetime.fromisoformat(moment).astimezone(TZ)
    return wall.date().isoformat(), wall.strftime("%H:%M")


# -- get_bookable_days -> get_bookable_times -> set_appointment ---------------------------------


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("season", SEASONS)
async def test_a_free_time_is_booked_at_its_wall_clock_time(
    opened: tuple[Client, Vendor], season: Season, form: str
) -> None:
    client, vendor = opened
    at(vendor, season)
    days = await call_ok(client, "get_bookable_days", {**HAIRCUT, "start_date": season.wednesday})
    assert days["timezone"] == "Europe/Amsterdam" and days["days"][0] == season.wednesday
    times = await call_ok(client, "get_bookable_times", {**HAIRCUT, "date": days["days"][0]})
    assert times["timezone"] == "Europe/Amsterdam" and check_moments(times) == 2 * len(times["times"])
    slot = times["times"][len(times["times"]) // 2]  # mid-day, away from any edge
    assert slot["start"].startswith(f"{season.wednesday}T") and slot["start"].endswith(season.offset)

    saved = await call_ok(
        client,
        "set_appointment",
        {**HAIRCUT, "customer_id": JAN, "start_time": written(slot["start"], form), "resource_id": slot["resource_id"]},
    )

    sent = vendor.last("setAppointment")
    assert (sent["Date"], sent["StartTime"]) == local(slot["start"])
    assert "EndTime" not in sent  # consumer mode: the vendor takes the type's duration
    stored = vendor.state.appointment(saved["appointment_id"])
    assert stored.start.isoformat() == slot["start"] and stored.finish.isoformat() == slot["end"]
    assert (saved["appointment"]["start"], saved["appointment"]["end"]) == (slot["start"], slot["end"])


@pytest.mark.parametrize("season", SEASONS)
async def test_a_time_with_an_offset_and_a_separate_date_is_converted(
    opened: tuple[Client, Vendor], season: Season
) -> None:
    """The issue's own case: `08:00:00Z` on a winter day means 09:00 in Amsterdam (10:00 in summer)."""
    client, vendor = opened
    at(vendor, season)
    day = season.wednesday
    saved = await call_ok(
        client,
        "set_appointment",
        {**HAIRCUT, "customer_id": JAN, "date": day, "start_time": "08:00:00Z", "resource_id": SANNE},
    )
    expected = "09:00" if season is WINTER else "10:00"
    assert (vendor.last("setAppointment")["Date"], vendor.last("setAppointment")["StartTime"]) == (day, expected)
    assert saved["appointment"]["start"] == f"{day}T{expected}:00{season.offset}"
    # `14:00+05:00` is 10:00 in Amsterdam in winter, 11:00 in summer; never 14:00.
    moved = await call_ok(
        client,
        "set_appointment",
        {"agenda_id": SALON, "appointment_id": saved["appointment_id"], "date": day, "start_time": "14:00+05:00"},
    )
    later = "10:00" if season is WINTER else "11:00"
    assert vendor.last("setAppointment")["StartTime"] == later
    assert moved["appointment"]["start"] == f"{day}T{later}:00{season.offset}"


# -- get_appointment -> set_appointment ----------------------------------------------------------


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("season", SEASONS)
async def test_an_appointment_is_moved_with_times_echoed_from_results(
    opened: tuple[Client, Vendor], season: Season, form: str
) -> None:
    client, vendor = opened
    at(vendor, season)
    free = (await call_ok(client, "get_bookable_times", {**HAIRCUT, "date": season.wednesday, "resource_id": SANNE}))[
        "times"
    ]
    first, later = free[0], free[-1]
    saved = await call_ok(
        client, "set_appointment", {**HAIRCUT, "customer_id": JAN, "start_time": first["start"], "resource_id": SANNE}
    )
    appointment_id = saved["appointment_id"]

    # The appointment's own start, echoed back with a change of notes: the time stays put.
    got = await call_ok(client, "get_appointment", {"appointment_id": appointment_id})
    await call_ok(
        client,
        "set_appointment",
        {
            "agenda_id": SALON,
            "appointment_id": appointment_id,
            "start_time": written(got["start"], form),
            "description": "Echo",
        },
    )
    sent = vendor.last("setAppointment")
    assert (sent["Date"], sent["StartTime"]) == local(first["start"])
    assert sent["EndTime"] == local(first["end"])[1]  # customer mode: the appointment's own length
    assert vendor.state.appointment(appointment_id).start.isoformat() == first["start"]

    # Moved to another free time, again as returned.
    moved = await call_ok(
        client,
        "set_appointment",
        {"agenda_id": SALON, "appointment_id": appointment_id, "start_time": written(later["start"], form)},
    )
    sent = vendor.last("setAppointment")
    assert (sent["Date"], sent["StartTime"], sent["EndTime"]) == (*local(later["start"]), local(later["end"])[1])
    assert (moved["appointment"]["start"], moved["appointment"]["end"]) == (later["start"], later["end"])


async def test_a_move_sends_the_appointments_own_type_as_the_business(opened: tuple[Client, Vendor]) -> None:
    """setAppointment requires AppointmentTypeId on every call, a change included (where the vendor
    ignores it), and takes a change only with BookingMode=customer: a move naming neither sends both."""
    client, vendor = opened
    at(vendor, WINTER)
    free = await call_ok(client, "get_bookable_times", {**HAIRCUT, "date": WINTER.wednesday, "resource_id": SANNE})
    first, later = free["times"][0], free["times"][-1]
    saved = await call_ok(
        client, "set_appointment", {**HAIRCUT, "customer_id": JAN, "start_time": first["start"], "resource_id": SANNE}
    )
    moved = {"agenda_id": SALON, "appointment_id": saved["appointment_id"], "start_time": later["start"]}
    await call_ok(client, "set_appointment", moved)
    sent = vendor.last("setAppointment")
    assert (sent["Id"], sent["AppointmentTypeId"], sent["CustomerId"], sent["BookingMode"]) == (
        str(saved["appointment_id"]),
        str(KNIPPEN_HEREN),
        str(JAN),
        "customer",
    )


# -- a free time's moment: from its Timestamp, whichever clock its Date and times are written on --

# 1613030400 is 2021-02-11 09:00 in Amsterdam (08:00 UTC); 1625094000 is 2021-07-01 01:00 in
# Amsterdam (2021-06-30 23:00 UTC); 1616893200 is 2021-03-28 03:00 in Amsterdam, just after the
# clocks went forward (01:00 UTC).
RENDERINGS = [
    pytest.param("2021-02-11", "09:00", "09:10", "2021-02-11T09:00:00+01:00", "2021-02-11T09:10:00+01:00", id="local"),
    pytest.param("2021-02-11", "08:00", "08:10", "2021-02-11T09:00:00+01:00", "2021-02-11T09:10:00+01:00", id="utc"),
    pytest.param(
        "2021-06-30", "23:00", "23:30", "2021-07-01T01:00:00+02:00", "2021-07-01T01:30:00+02:00", id="utc-day-before"
    ),
    pytest.param(
        "2021-03-28", "01:00", "01:45", "2021-03-28T03:00:00+02:00", "2021-03-28T03:45:00+02:00", id="utc-spring-night"
    ),
    pytest.param(
        "2021-02-11", "23:30", "00:00", "2021-02-12T00:30:00+01:00", "2021-02-12T01:00:00+01:00", id="utc-at-midnight"
    ),
]


@pytest.mark.parametrize(("day", "start", "end", "expected_start", "expected_end"), RENDERINGS)
def test_a_free_times_moment_is_its_timestamp_and_its_length_the_clocks(
    day: str, start: str, end: str, expected_start: str, expected_end: str
) -> None:
    stamp = int(datetime.fromisoformat(expected_start).timestamp())
    item = {"Date": day, "StartTime": start, "EndTime": end, "Timestamp": str(stamp), "ResourceId": str(SANNE)}
    free = BookableTime.from_vendor(item)
    assert (free.start.isoformat(), free.end.isoformat() if free.end else None) == (expected_start, expected_end)


# -- add_availability_block -> get_bookable_blocks -> set_appointment ----------------------------


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("season", SEASONS)
async def test_a_block_is_added_read_and_booked_at_its_wall_clock_time(
    opened: tuple[Client, Vendor], season: Season, form: str
) -> None:
    client, vendor = opened
    at(vendor, season)
    # Sunday: the salon is closed, so the added block is the only availability.
    opens, closes = f"{season.sunday}T10:00:00{season.offset}", f"{season.sunday}T11:00:00{season.offset}"
    added = await call_ok(
        client,
        "add_availability_block",
        {
            "agenda_id": SALON,
            "start_time": written(opens, form),
            "end_time": written(closes, form),
            "resource_id": SANNE,
        },
    )
    sent = vendor.last("CHAddBlock")
    assert (sent["Date"], sent["StartTime"], sent["EndTime"]) == (season.sunday, "10:00", "11:00")
    assert added["block_id"] in vendor.state.blocks

    blocks = await call_ok(client, "get_bookable_blocks", {**HAIRCUT, "date": season.sunday})
    assert blocks["timezone"] == "Europe/Amsterdam"
    assert [(b["start"], b["end"], b["resource_id"]) for b in blocks["blocks"]] == [(opens, closes, SANNE)]

    block = blocks["blocks"][0]
    saved = await call_ok(
        client,
        "set_appointment",
        {**HAIRCUT, "customer_id": JAN, "start_time": written(block["start"], form), "resource_id": SANNE},
    )
    sent = vendor.last("setAppointment")
    assert (sent["Date"], sent["StartTime"]) == (season.sunday, "10:00")
    assert saved["appointment"]["start"] == opens


# -- datetime filters ------------------------------------------------------------------------------


@pytest.mark.parametrize("season", SEASONS)
async def test_datetime_filters_reach_the_vendor_as_amsterdam_wall_clock(
    opened: tuple[Client, Vendor], season: Season
) -> None:
    client, vendor = opened
    at(vendor, season)
    await call_ok(client, "get_customers", {"updated_after": f"{season.now.date()}T06:30:00Z"})
    expected = "07:30:00" if season is WINTER else "08:30:00"
    assert vendor.last("getCustomers")["UpdatedAfter"] == f"{season.now.date()} {expected}"
    await call_ok(
        client,
        "get_appointments",
        {"agenda_id": SALON, "start_date": season.wednesday, "created_after": f"{season.now.date()}T12:00"},
    )
    assert vendor.last("getAppointments")["CreatedAfter"] == f"{season.now.date()} 12:00:00"  # no offset: local


# -- times the clocks skip or repeat --------------------------------------------------------------

SPRING_FORWARD, FALL_BACK = "2026-03-29", "2026-10-25"


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("set_appointment", {**HAIRCUT, "customer_id": JAN, "date": SPRING_FORWARD, "start_time": "02:30"}),
        ("set_appointment", {**HAIRCUT, "customer_id": JAN, "start_time": f"{SPRING_FORWARD}T02:30:00"}),
        (
            "set_appointment",
            {
                "agenda_id": SALON,
                "appointment_id": 1,
                "date": SPRING_FORWARD,
                "start_time": "01:30",
                "end_time": "02:15",
            },
        ),
        (
            "add_availability_block",
            {"agenda_id": SALON, "date": SPRING_FORWARD, "start_time": "02:00", "end_time": "04:00"},
        ),
        (
            "get_appointments",
            {"agenda_id": SALON, "start_date": SPRING_FORWARD, "updated_after": f"{SPRING_FORWARD}T02:30"},
        ),
    ],
    ids=["book", "book-datetime", "end-in-gap", "block", "filter"],
)
async def test_a_time_the_clocks_skip_is_refused_with_nothing_sent(
    opened: tuple[Client, Vendor], tool: str, arguments: dict[str, Any]
) -> None:
    client, vendor = opened
    before, appointments, blocks = vendor.requests_sent, len(vendor.state.appointments), len(vendor.state.blocks)
    text = await call_error(client, tool, arguments)
    assert "does not exist in Europe/Amsterdam" in text and "02:00 to 03:00" in text
    assert "01:59 or earlier, or 03:00 or later" in text
    assert vendor.requests_sent == before  # not even the appointment lookup of a move
    assert (len(vendor.state.appointments), len(vendor.state.blocks)) == (appointments, blocks)


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("set_appointment", {**HAIRCUT, "customer_id": JAN, "date": FALL_BACK, "start_time": "02:30"}),
        ("add_availability_block", {"agenda_id": SALON, "start_time": f"{FALL_BACK}T02:15", "end_time": "04:00"}),
        ("get_customers", {"updated_after": f"{FALL_BACK} 02:45"}),
    ],
    ids=["book", "block", "filter"],
)
async def test_a_time_the_clocks_repeat_needs_an_offset(
    opened: tuple[Client, Vendor], tool: str, arguments: dict[str, Any]
) -> None:
    client, vendor = opened
    before, appointments, blocks = vendor.requests_sent, len(vendor.state.appointments), len(vendor.state.blocks)
    text = await call_error(client, tool, arguments)
    assert "occurs twice in Europe/Amsterdam" in text and "+02:00" in text and "+01:00" in text
    assert vendor.requests_sent == before
    assert (len(vendor.state.appointments), len(vendor.state.blocks)) == (appointments, blocks)


@pytest.mark.parametrize("offset", ["+02:00", "+01:00"], ids=["first", "second"])
async def test_a_repeated_time_with_an_offset_is_sent_as_that_wall_clock_time(
    opened: tuple[Client, Vendor], offset: str
) -> None:
    """The vendor keeps only the wall clock, so both 02:30s reach it as 02:30 on that date. (The
    salon is closed at night: the business books it with override_mode, without a resource.)"""
    client, vendor = opened
    at(vendor, WINTER)
    saved = await call_ok(
        client,
        "set_appointment",
        {
            **HAIRCUT,
            "customer_id": JAN,
            "start_time": f"{FALL_BACK}T02:30:00{offset}",
            "booking_mode": "customer",
            "override_mode": True,
        },
    )
    sent = vendor.last("setAppointment")
    assert (sent["Date"], sent["StartTime"], sent["EndTime"]) == (FALL_BACK, "02:30", "03:00")
    assert saved["appointment"]["resource_ids"] == []
    assert check_moments(saved) == 2


async def test_a_booking_must_end_on_its_day(opened: tuple[Client, Vendor]) -> None:
    client, vendor = opened
    before = vendor.requests_sent
    text = await call_error(
        client,
        "add_availability_block",
        {"agenda_id": SALON, "start_time": "2026-03-08T22:00:00+01:00", "end_time": "2026-03-09T01:00:00+01:00"},
    )
    assert "end_time must be on the start's day (2026-03-08" in text
    assert vendor.requests_sent == before


async def test_a_day_and_a_datetime_that_disagree_are_refused(opened: tuple[Client, Vendor]) -> None:
    client, vendor = opened
    before = vendor.requests_sent
    text = await call_error(
        client,
        "set_appointment",
        {**HAIRCUT, "customer_id": JAN, "date": "2026-03-05", "start_time": "2026-03-04T10:00:00+01:00"},
    )
    assert "name different days" in text
    assert vendor.requests_sent == before


def test_seasons_are_what_they_claim() -> None:
    """The fixtures' premise: Amsterdam is UTC+1 in the winter case and UTC+2 in the summer one."""
    for season in (WINTER, SUMMER):
        assert season.now.isoformat().endswith(season.offset)
        assert date.fromisoformat(season.wednesday).weekday() == 2 and date.fromisoformat(season.sunday).weekday() == 6
