"""Locaboo times, end to end: what locaboo_availability returns books exactly that slot, and every
time a model sends reaches Locaboo as the right wall-clock time in LOCABOO_TIMEZONE.

A slot's `start`/`end` go to locaboo_booking_add (and locaboo_booking_save) verbatim, in winter
and in summer, or converted to `Z` or another offset first; the sandbox must then hold the slot's
Berlin wall-clock time. A local time the clocks skip or repeat is refused before anything is sent
(the HTTP layer's request count and the sandbox's bookings do not move)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from mcp import Client
from mcp.server.mcpserver.exceptions import ToolError

from agenda_mcp.server.kit.times import parse_clock
from agenda_mcp.server.startup.app import AgendaServer, build_agenda
from agenda_mcp.tools.locaboo.inputs import Days, booking_add_fields, days_and_times
from agenda_mcp.tools.locaboo.sandbox.state import LocabooSandbox
from tests.support import call_error, call_ok, sandbox_settings
from tests.support.simulators import locaboo as sandbox_of

pytestmark = pytest.mark.anyio
BERLIN = ZoneInfo("Europe/Berlin")
ROOM = 121  # Seminarraum Eiche: open 07:30-21:00 on weekdays, hardly booked
PLUS_FIVE = timezone(timedelta(hours=5))


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def agenda() -> AgendaServer:
    return build_agenda(sandbox_settings(toolsets=("locaboo",)))


@pytest.fixture(scope="module")
async def client(agenda: AgendaServer) -> AsyncIterator[Client]:
    async with Client(agenda.server) as client:
        yield client


def sent(agenda: AgendaServer) -> int:
    return agenda.vendors["locaboo"].http.requests_sent


def weekday_in(state: LocabooSandbox, month: int, day: int, weekday: int) -> date:
    """The first such weekday from `day` of `month` next year on which ROOM is open."""
    found = date(state.now().year + 1, month, day)
    while found.weekday() != weekday or state.is_holiday(ROOM, found):
        found += timedelta(days=1)
    return found


SEASONS = {"winter": (1, 11), "summer": (7, 12)}


def stored(state: LocabooSandbox, booking_id: int) -> list[tuple[datetime, datetime]]:
    """What Locaboo holds: naive wall-clock times in its zone, as the vendor keeps them."""
    return [(i.start, i.end) for i in state.booking(booking_id).instances()]


def as_offset(moment: str, zone: timezone | ZoneInfo) -> str:
    """The same moment written with another offset (`Z` for UTC), as a converting model would."""
    converted = datetime.fromisoformat(moment).astimezone(zone)
    return converted.isoformat().replace("+00:00", "Z")


async def free_slot(client: Client, day: date, weekday_slot: int) -> tuple[dict[str, Any], dict[str, str]]:
    result = await call_ok(
        client,
        "locaboo_availability",
        {"resource_id": [ROOM], "date_from": day.isoformat(), "date_to": day.isoformat(), "duration": "02:00"},
    )
    assert result["timezone"] == "Europe/Berlin"
    return result, result["resources"][0]["slots"][weekday_slot]


# --- availability -> booking_add, verbatim and re-written -------------------------------------


@pytest.mark.parametrize("season", SEASONS)
@pytest.mark.parametrize(
    ("form", "weekday", "slot_index"),
    [("verbatim", 0, 1), ("utc", 1, 2), ("plus-five", 2, 3), ("clock-with-offset", 3, 4)],
)
async def test_a_returned_slot_books_exactly_that_slot(
    agenda: AgendaServer, client: Client, season: str, form: str, weekday: int, slot_index: int
) -> None:
    state = sandbox_of(agenda)
    day = weekday_in(state, *SEASONS[season], weekday)
    _result, slot = await free_slot(client, day, slot_index)
    start, end = datetime.fromisoformat(slot["start"]), datetime.fromisoformat(slot["end"])
    assert start.utcoffset() == timedelta(hours=1 if season == "winter" else 2)  # Berlin's offset that day
    arguments: dict[str, Any] = {"booking_mode": "direct_booking", "main_resource": ROOM}
    if form == "verbatim":
        arguments |= {"time_from": slot["start"], "time_to": slot["end"]}  # no date: the slot carries it
    elif form == "utc":
        arguments |= {"time_from": as_offset(slot["start"], UTC), "time_to": as_offset(slot["end"], UTC)}
        assert arguments["time_from"].endswith("Z")
    elif form == "plus-five":
        arguments |= {"time_from": as_offset(slot["start"], PLUS_FIVE), "time_to": as_offset(slot["end"], PLUS_FIVE)}
    else:  # `HH:MM` with an offset and the day given apart
        utc_from, utc_to = start.astimezone(UTC), end.astimezone(UTC)
        arguments |= {"date_from": day.isoformat(), "time_from": f"{utc_from:%H:%M}Z", "time_to": f"{utc_to:%H:%M}Z"}
    booked = await call_ok(client, "locaboo_booking_add", arguments)
    wall = (start.replace(tzinfo=None), end.replace(tzinfo=None))
    assert wall[0].date() == day and start.astimezone(BERLIN).replace(tzinfo=None) == wall[0]
    assert stored(state, booked["booking_id"]) == [wall]
    after = await call_ok(
        client,
        "locaboo_availability",
        {"resource_id": [ROOM], "date_from": day.isoformat(), "date_to": day.isoformat(), "duration": "02:00"},
    )
    assert slot not in after["resources"][0]["slots"]


@pytest.mark.parametrize("season", SEASONS)
async def test_booking_save_takes_a_slot_and_converts_offsets(
    agenda: AgendaServer, client: Client, season: str
) -> None:
    state = sandbox_of(agenda)
    day = weekday_in(state, *SEASONS[season], 4)
    _result, slot = await free_slot(client, day, 0)
    saved = await call_ok(
        client, "locaboo_booking_save", {"resource_id": ROOM, "time_from": slot["start"], "time_to": slot["end"]}
    )
    start = datetime.fromisoformat(slot["start"]).replace(tzinfo=None)
    assert stored(state, saved["booking_id"]) == [(start, start + timedelta(hours=2))]

    # The case: 07:00:00Z is 08:00 in Berlin in winter and 09:00 in summer.
    moved = await call_ok(
        client,
        "locaboo_booking_save",
        {
            "booking_id": saved["booking_id"],
            "date_from": day.isoformat(),
            "time_from": "07:00:00Z",
            "time_to": "08:00Z",
        },
    )
    assert moved["booking_id"] == saved["booking_id"]
    hour = 8 if season == "winter" else 9
    assert stored(state, saved["booking_id"]) == [
        (datetime.combine(day, time(hour)), datetime.combine(day, time(hour + 1)))
    ]


async def test_an_instance_start_from_booking_details_is_accepted_back(agenda: AgendaServer, client: Client) -> None:
    state = sandbox_of(agenda)
    day = weekday_in(state, 7, 19, 1)
    _result, slot = await free_slot(client, day, 1)
    booked = await call_ok(
        client,
        "locaboo_booking_add",
        {"booking_mode": "direct_booking", "main_resource": ROOM, "time_from": slot["start"], "time_to": slot["end"]},
    )
    details = await call_ok(client, "locaboo_booking_details", {"booking_id": booked["booking_id"]})
    (instance,) = details["resources"][0]["instances"]
    assert (instance["start"], instance["end"]) == (slot["start"], slot["end"])
    # Moving it to where it is: the instance's own moments, verbatim.
    await call_ok(
        client,
        "locaboo_booking_save",
        {"booking_id": booked["booking_id"], "time_from": instance["start"], "time_to": instance["end"]},
    )
    start = datetime.fromisoformat(slot["start"]).replace(tzinfo=None)
    assert stored(state, booked["booking_id"]) == [(start, start + timedelta(hours=2))]


@pytest.mark.parametrize(("season", "local_start"), [("winter", "08:00"), ("summer", "09:00")])
async def test_an_availability_window_with_an_offset_is_the_zone_s_wall_clock(
    agenda: AgendaServer, client: Client, season: str, local_start: str
) -> None:
    month, first = SEASONS[season]
    day = weekday_in(sandbox_of(agenda), month, first + 7, 0)  # a week no other test books in
    result = await call_ok(
        client,
        "locaboo_availability",
        {
            "resource_id": [ROOM],
            "date_from": day.isoformat(),
            "date_to": day.isoformat(),
            "time_from": "07:00Z",
            "time_to": "13:00+00:00",
        },
    )
    slots = result["resources"][0]["slots"]
    assert slots[0]["start"][11:16] == local_start
    assert datetime.fromisoformat(slots[-1]["end"]).astimezone(UTC).time() <= time(13)


# --- refused before anything is sent -----------------------------------------------------------

SPRING = "2027-03-28"  # Berlin: 02:00 -> 03:00
AUTUMN = "2027-10-31"  # Berlin: 03:00 -> 02:00


@pytest.mark.parametrize(
    ("tool", "arguments", "expected"),
    [
        (
            "locaboo_booking_add",
            {"date_from": SPRING, "time_from": "02:30", "time_to": "04:00"},
            ["time_from: 02:30 on 2027-03-28 does not exist in Europe/Berlin", "choose 01:59 or earlier, or 03:00"],
        ),
        (
            "locaboo_booking_add",
            {"time_from": f"{AUTUMN}T02:30", "time_to": f"{AUTUMN}T04:00"},
            ["time_from: 02:30 on 2027-10-31 occurs twice", f"{AUTUMN}T02:30+02:00 (the first)"],
        ),
        (
            # Every day of a multi-day booking gets the time: the gap on the last day counts too.
            "locaboo_booking_add",
            {"date_from": "2027-03-26", "date_to": SPRING, "time_from": "02:15", "time_to": "05:00"},
            ["02:15 on 2027-03-28 does not exist"],
        ),
        (
            # One offset is two wall-clock times either side of the change: Locaboo repeats one.
            "locaboo_booking_add",
            {"date_from": "2027-03-26", "date_to": "2027-03-29", "time_from": "08:00Z", "time_to": "09:00Z"},
            ["time_from 08:00Z is 09:00 in Europe/Berlin on 2027-03-26 but 10:00 on 2027-03-28", "local HH:MM"],
        ),
        (
            "locaboo_booking_save",
            {"resource_id": ROOM, "date_from": SPRING, "time_from": "10:00", "time_to": "02:30"},
            ["time_to: 02:30 on 2027-03-28 does not exist"],
        ),
        (
            "locaboo_booking_save",
            {"booking_id": 5004, "time_from": f"{AUTUMN}T02:10", "time_to": f"{AUTUMN}T05:00"},
            ["occurs twice in Europe/Berlin (the clocks go back)"],
        ),
        (
            "locaboo_availability",
            {"date_from": SPRING, "date_to": SPRING, "time_from": "02:30"},
            ["time_from: 02:30 on 2027-03-28 does not exist"],
        ),
        (
            "locaboo_booking_list",
            {"date_from": AUTUMN, "date_to": AUTUMN, "time_from": "02:30"},
            ["time_from: 02:30 on 2027-10-31 occurs twice"],
        ),
    ],
    ids=[
        "add-gap",
        "add-fold",
        "add-gap-on-a-later-day",
        "add-offset-across-the-change",
        "save-gap",
        "save-fold",
        "availability-gap",
        "list-fold",
    ],
)
async def test_times_the_clocks_skip_or_repeat_are_refused_and_nothing_is_sent(
    agenda: AgendaServer, client: Client, tool: str, arguments: dict[str, Any], expected: list[str]
) -> None:
    if tool == "locaboo_booking_add":
        arguments = {"booking_mode": "direct_booking", "main_resource": ROOM, **arguments}
    state = sandbox_of(agenda)
    before_sent, before = sent(agenda), {b.id: stored(state, b.id) for b in state.bookings.values()}
    text = await call_error(client, tool, arguments)
    for part in ["Locaboo", *expected]:
        assert part in text, text
    assert sent(agenda) == before_sent
    assert {b.id: stored(state, b.id) for b in state.bookings.values()} == before


@pytest.mark.parametrize("given", [f"{AUTUMN}T02:30:00+02:00", "02:30+01:00", "00:30Z", "01:30Z"])
async def test_a_fold_time_with_an_offset_is_taken(agenda: AgendaServer, client: Client, given: str) -> None:
    """The offset says which 02:30 is meant (00:30Z the first, 01:30Z the second); Locaboo, which
    keeps wall-clock time, gets 02:30 either way."""
    before = sent(agenda)
    await call_ok(client, "locaboo_booking_list", {"date_from": AUTUMN, "date_to": AUTUMN, "time_from": given})
    assert sent(agenda) == before + 1
    days = days_and_times(BERLIN, date.fromisoformat(AUTUMN), None, clock(given), None)
    assert days is not None and (days.date_from.isoformat(), days.time_from) == (AUTUMN, time(2, 30))


# --- the resolver itself: days, shifts and the full-day fields ------------------------------


def clock(text: str) -> Any:
    return parse_clock(text)


@pytest.mark.parametrize(
    ("date_from", "date_to", "time_from", "time_to", "expected"),
    [
        # A slot's moments alone: their day is the booking's only day.
        (None, None, "2027-07-14T10:00:00+02:00", "2027-07-14T12:00:00+02:00", ("2027-07-14", "2027-07-14", 10, 12)),
        # date_to defaults to date_from; local times stay as they are
        ("2027-01-13", None, "10:00", "12:00", ("2027-01-13", "2027-01-13", 10, 12)),
        # the days move with an offset that crosses midnight in Berlin, date_to with them
        ("2027-07-14", "2027-07-16", "23:00Z", "23:30Z", ("2027-07-15", "2027-07-17", 1, 1)),
        # a local time over a change of the clocks is the same wall-clock time every day
        ("2027-03-26", "2027-03-29", "08:00", "09:00", ("2027-03-26", "2027-03-29", 8, 9)),
        # no times: whole days, for a full-day booking
        ("2027-01-13", "2027-01-14", None, None, ("2027-01-13", "2027-01-14", None, None)),
    ],
)
def test_days_and_times(
    date_from: str | None, date_to: str | None, time_from: str | None, time_to: str | None, expected: tuple[Any, ...]
) -> None:
    days = days_and_times(
        BERLIN,
        date.fromisoformat(date_from) if date_from else None,
        date.fromisoformat(date_to) if date_to else None,
        clock(time_from) if time_from else None,
        clock(time_to) if time_to else None,
    )
    assert days is not None
    first, last, hour_from, hour_to = expected
    assert (days.date_from.isoformat(), days.date_to.isoformat()) == (first, last)
    assert (days.time_from.hour if days.time_from else None, days.time_to.hour if days.time_to else None) == (
        hour_from,
        hour_to,
    )


def test_nothing_named_is_no_days_and_a_lone_date_to_is_refused() -> None:
    assert days_and_times(BERLIN, None, None, None, None) is None
    with pytest.raises(ToolError, match="date_to needs date_from"):
        days_and_times(BERLIN, None, date(2027, 1, 2), None, None)


def test_full_day_is_sent_as_multi_day_with_the_whole_day_s_times() -> None:
    """Locaboo: multi_day=1 is 'a full day booking'; the whole day's times satisfy the docs'
    'time_from/time_to required if recurring is 0' as well (SAFE CHOICE in inputs.py)."""
    common: dict[str, Any] = {
        "booking_mode": "direct_booking",
        "main_resource": ROOM,
        "recurrence": None,
        "resource_parts": [],
        "category_fields": [],
        "inventory": [],
        "services": [],
        "color": None,
    }
    whole = booking_add_fields(days=Days(date(2027, 1, 13), date(2027, 1, 15)), full_day=True, **common)
    assert {k: whole[k] for k in ("recurring", "multi_day", "time_from", "time_to", "date_from", "date_to")} == {
        "recurring": 0,
        "multi_day": 1,
        "time_from": "00:00",
        "time_to": "23:59",
        "date_from": "2027-01-13",
        "date_to": "2027-01-15",
    }
    timed = booking_add_fields(
        days=Days(date(2027, 1, 13), date(2027, 1, 13), time(9, 30), time(11)), full_day=False, **common
    )
    assert (timed["multi_day"], timed["time_from"], timed["time_to"]) == (0, "09:30", "11:00")


async def test_full_day_books_every_day_whole_through_the_tool(agenda: AgendaServer, client: Client) -> None:
    state = sandbox_of(agenda)
    first = weekday_in(state, 2, 8, 0)
    booked = await call_ok(
        client,
        "locaboo_booking_add",
        {
            "booking_mode": "direct_booking",
            "main_resource": ROOM,
            "date_from": first.isoformat(),
            "date_to": (first + timedelta(days=1)).isoformat(),
            "full_day": True,
        },
    )
    days = (first, first + timedelta(days=1))
    assert stored(state, booked["booking_id"]) == [
        (datetime.combine(d, time(0)), datetime.combine(d, time(23, 59))) for d in days
    ]
