"""find_slots and book_slot against a REAL CalDAV server (Radicale, started once for this module on
loopback) and an iCalendar feed on loopback, across the spring DST change of 2027 (28 March).

The calendars hold a daily series with an EXDATE and a moved instance, an all-day event, a
transparent event, a floating time, a weekly series on both sides of the DST change and an event
that spans it. Locaboo's seminar rooms are free every morning of that week (its sandbox), so which
slots are left out says exactly which busy times were understood.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import anyio
import anyio.from_thread
import icalendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client

from agenda_mcp.server.calendars.busy import busy_times
from agenda_mcp.server.startup.app import build_agenda
from tests.calendars.test_busy_property import SimpleEvent, model, simple_events, to_ics
from tests.support import call_ok, sandbox_settings
from tests.support.calendars import Radicale, feed_server, radicale, vcalendar
from tests.support.person import Person
from tests.support.schemas import output_schemas, validated
from tests.support.vendor_cases import REPORT

pytestmark = pytest.mark.anyio
AMS = ZoneInfo("Europe/Amsterdam")
WEEK = {"what": "seminarraum", "date_from": "2027-03-23", "date_to": "2027-03-30", "latest": "12:30", "limit": 50}

STANDUP = """
UID:standup@test
SUMMARY:Standup
DTSTART;TZID=Europe/Amsterdam:20270322T090000
DTEND;TZID=Europe/Amsterdam:20270322T093000
RRULE:FREQ=DAILY;COUNT=10
EXDATE;TZID=Europe/Amsterdam:20270324T090000
"""
STANDUP_MOVED = """
UID:standup@test
RECURRENCE-ID;TZID=Europe/Amsterdam:20270325T090000
SUMMARY:Standup (moved)
DTSTART;TZID=Europe/Amsterdam:20270325T113000
DTEND;TZID=Europe/Amsterdam:20270325T120000
"""
CONFERENCE = "UID:conference@test\nSUMMARY:Conference\nDTSTART;VALUE=DATE:20270327\nDTEND;VALUE=DATE:20270328"
FEED = vcalendar(
    # Transparent: shown as free, blocks nothing.
    "UID:lunch@test\nSUMMARY:Lunch\nDTSTART;TZID=Europe/Amsterdam:20270323T103000\n"
    "DTEND;TZID=Europe/Amsterdam:20270323T113000\nTRANSP:TRANSPARENT",
    # Floating: the person's own zone (AGENDA_MCP_TIMEZONE, Europe/Amsterdam).
    "UID:dentist@test\nSUMMARY:Dentist\nDTSTART:20270323T100000\nDTEND:20270323T103000",
    # Weekly at 07:00 local on both sides of the DST change: 06:00Z, then 05:00Z.
    "UID:swim@test\nSUMMARY:Swimming\nDTSTART;TZID=Europe/Amsterdam:20270302T070000\n"
    "DTEND;TZID=Europe/Amsterdam:20270302T074500\nRRULE:FREQ=WEEKLY",
    # Across the change itself: three real hours.
    "UID:flight@test\nSUMMARY:Night flight\nDTSTART:20270328T003000Z\nDURATION:PT3H",
)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=UTC)


EXPECTED_BUSY = [  # worked out by hand, in UTC (CET is UTC+1 until the 28th, CEST UTC+2 from then)
    *[(utc(d, 8), utc(d, 8, 30)) for d in (22, 23, 26, 27)],  # Standup 09:00 CET (24th: EXDATE, 25th: moved)
    *[(utc(d, 7), utc(d, 7, 30)) for d in (28, 29, 30, 31)],  # Standup 09:00 CEST
    (utc(25, 10, 30), utc(25, 11)),  # Standup (moved) 11:30 CET
    (utc(26, 23), utc(27, 23)),  # Conference, the 27th all day
    (utc(23, 9), utc(23, 9, 30)),  # Dentist, floating 10:00
    (utc(23, 6), utc(23, 6, 45)),  # Swimming 07:00 CET
    (utc(30, 5), utc(30, 5, 45)),  # Swimming 07:00 CEST
    (utc(28, 0, 30), utc(28, 3, 30)),  # Night flight
]
# Local starts (both rooms) that must go and stay, where the sandbox offers them.
MUST_GO = ["2027-03-23T07:30", "2027-03-23T08:30", "2027-03-23T09:30", "2027-03-25T11:30", "2027-03-27T08:00"]
MUST_GO += ["2027-03-30T07:30", "2027-03-30T08:30"]
MUST_STAY = ["2027-03-23T10:30", "2027-03-24T08:30", "2027-03-25T08:30", "2027-03-30T09:30"]


def clashes(slot: dict[str, Any], periods: list[tuple[datetime, datetime]]) -> bool:
    start, end = datetime.fromisoformat(slot["start"]), datetime.fromisoformat(slot["end"])
    return any(s < end and e > start if e > s else start <= s < end for s, e in periods)


def touches(start: datetime, end: datetime, day: date) -> bool:
    first = datetime(day.year, day.month, day.day, tzinfo=AMS)
    last = first + timedelta(days=1)
    return (start < last and end > first) or (start == end and first <= start < last)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Radicale]:
    with radicale(tmp_path_factory.mktemp("radicale")) as running:
        yield running


def environment(server: Radicale, collection: str, feed: str) -> dict[str, str]:
    return {
        "AGENDA_MCP_CALENDARS": f"work=caldav:{collection},home={feed}",
        "AGENDA_MCP_CALENDAR_WORK_USER": server.user,
        "AGENDA_MCP_CALENDAR_WORK_PASSWORD": server.password,
        "AGENDA_MCP_CALENDAR_WRITE": "work",
    }


async def test_find_slots_leaves_out_exactly_the_busy_times_across_dst(server: Radicale) -> None:
    collection = await server.new_calendar()
    await server.put(collection, "standup.ics", vcalendar(STANDUP, STANDUP_MOVED))
    await server.put(collection, "conference.ics", vcalendar(CONFERENCE))
    async with feed_server() as feeds:
        feeds.feeds["/home.ics"] = FEED
        agenda = build_agenda(
            sandbox_settings(toolsets=("locaboo",), env=environment(server, collection, f"{feeds.base}/home.ics"))
        )
        async with Client(agenda.server) as client:
            schemas = await output_schemas(client)
            everything = await call_ok(client, "find_slots", {**WEEK, "respect_my_calendar": False})
            mine = await call_ok(client, "find_slots", WEEK)
    validated(schemas, "find_slots", everything) + validated(schemas, "find_slots", mine)
    assert everything["total"] == len(everything["slots"]), "every slot of the week is listed"
    expected = [s for s in everything["slots"] if not clashes(s, EXPECTED_BUSY)]
    assert mine["slots"] == expected and mine["total"] == len(expected)
    offered = {s["start"][:16] for s in everything["slots"]}
    kept = {s["start"][:16] for s in mine["slots"]}
    assert {"2027-03-30T08:30", "2027-03-30T09:30", "2027-03-23T09:30"} <= offered, "the week is not what it was"
    assert not kept & set(MUST_GO) and set(MUST_STAY) & offered <= kept
    shown = {(b["what"], b["start"], b["calendar"]) for b in mine["busy"]}
    assert ("Standup", "2027-03-30T09:00:00+02:00", "work") in shown  # 09:00 local after the change
    assert ("Standup (moved)", "2027-03-25T11:30:00+01:00", "work") in shown
    assert ("Conference", "2027-03-27T00:00:00+01:00", "work") in shown
    assert ("Dentist", "2027-03-23T10:00:00+01:00", "home") in shown
    # Not listed: the transparent lunch, and the night flight on the Sunday, which has no slots to grey out.
    assert not any(what in ("Lunch", "Night flight") for what, _, _ in shown)
    assert not any(b["start"].startswith("2027-03-24T09:00") for b in mine["busy"])  # the EXDATE
    REPORT["calendars: slots checked against a real CalDAV server and a feed across DST"] += len(everything["slots"])
    REPORT["calendars: of those left out as busy"] += len(everything["slots"]) - len(expected)


def test_find_slots_against_generated_calendars(server: Radicale) -> None:
    """Property: for any calendar (series, exceptions, moved and cancelled instances, all-day,
    floating, transparent, around the DST change), find_slots offers no slot that overlaps a busy
    time and every slot that does not, by the naive model of tests/calendars/test_busy_property.py."""
    base = date(2027, 3, 23)
    counts = {"calendars": 0, "offered": 0, "left out": 0}
    with anyio.from_thread.start_blocking_portal() as portal:
        feeds = portal.wrap_async_context_manager(feed_server())
        with feeds as served:
            env = {"AGENDA_MCP_CALENDARS": f"gen={served.base}/gen.ics", "AGENDA_MCP_CALENDAR_CACHE_SECONDS": "0"}
            agenda = build_agenda(sandbox_settings(toolsets=("locaboo",), env=env))
            with portal.wrap_async_context_manager(Client(agenda.server)) as client:
                served.feeds["/gen.ics"] = vcalendar()
                everything = portal.call(call_ok, client, "find_slots", {**WEEK, "respect_my_calendar": False})
                assert everything["total"] == len(everything["slots"]) > 20
                days = {date.fromisoformat(slot["start"][:10]) for slot in everything["slots"]}

                @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
                @given(events=st.lists(simple_events(dst_days=(4, 5, 7), last_day=7), min_size=1, max_size=5))
                def check(events: list[SimpleEvent]) -> None:
                    ics = to_ics(events, base)
                    served.feeds["/gen.ics"] = ics
                    found = portal.call(call_ok, client, "find_slots", WEEK)
                    busy = model(events, AMS, base)
                    expected = [s for s in everything["slots"] if not clashes(s, busy)]
                    assert found["slots"] == expected, ics
                    # The listed busy times are the model's, on the days that have slots.
                    inside = [(s, e) for s, e in busy if any(touches(s, e, day) for day in days)]
                    listed = [
                        (datetime.fromisoformat(b["start"]), datetime.fromisoformat(b["end"]))
                        for b in found.get("busy", [])
                    ]
                    assert sorted(listed) == inside, ics
                    counts["calendars"] += 1
                    counts["offered"] += len(expected)
                    counts["left out"] += len(everything["slots"]) - len(expected)

                check()
    REPORT["calendars: generated calendars run through find_slots"] += counts["calendars"]
    REPORT["calendars: generated-calendar slots offered (none overlapping a busy time)"] += counts["offered"]
    REPORT["calendars: generated-calendar slots left out as busy"] += counts["left out"]
    assert counts["left out"] > 0 and counts["offered"] > 0


async def test_a_booking_round_trips_into_radicale_and_its_cancel_removes_it(server: Radicale) -> None:
    collection = await server.new_calendar()
    await server.put(collection, "conference.ics", vcalendar(CONFERENCE))
    person = Person("accept")
    async with feed_server() as feeds:
        feeds.feeds["/home.ics"] = FEED
        agenda = build_agenda(
            sandbox_settings(toolsets=("locaboo",), env=environment(server, collection, f"{feeds.base}/home.ics"))
        )
        async with Client(agenda.server, elicitation_callback=person) as client:
            schemas = await output_schemas(client)
            found = await call_ok(client, "find_slots", {**WEEK, "date_from": "2027-03-24", "date_to": "2027-03-24"})
            slot = found["slots"][0]
            result = await client.call_tool("book_slot", {"slot": slot["slot"], "name": "Anna Berg", "email": "a@x.de"})
            booked = result.structured_content
            assert booked is not None and booked["booked"] is True, result
            validated(schemas, "book_slot", booked)
            stored = await server.objects(collection)
            after = await call_ok(client, "find_slots", {**WEEK, "date_from": "2027-03-24", "date_to": "2027-03-24"})
            cancel = booked["cancel_with"]
            await call_ok(client, cancel["tool"], cancel["arguments"])
            left = await server.objects(collection)
    assert "It is also added to your calendar work." in person.asked[0]
    assert booked["calendar"] == "added to your calendar work"
    returned = icalendar.Calendar.from_ical(result.content[1].resource.text)  # type: ignore[union-attr]
    (event,) = returned.walk("VEVENT")
    uid = str(event["UID"])
    (href,) = [h for h in stored if "conference" not in h]
    kept = icalendar.Calendar.from_ical(stored[href])
    (kept_event,) = kept.walk("VEVENT")
    assert str(kept_event["UID"]) == uid and "METHOD" not in kept and str(returned["METHOD"]) == "PUBLISH"
    assert kept_event.start == datetime.fromisoformat(slot["start"]) and kept_event["DTSTART"].params["TZID"]
    start, end = datetime.fromisoformat(slot["start"]), datetime.fromisoformat(slot["end"])
    [(b_start, b_end)] = [
        (b.start, b.end) for b in busy_times(stored[href], start - timedelta(days=1), end, AMS, source="work")
    ]
    assert (b_start, b_end) == (start.astimezone(UTC), end.astimezone(UTC))
    assert any(b["calendar"] == "work" and b["start"] == slot["start"] for b in after["busy"])
    assert list(left) == [h for h in stored if "conference" in h], "the cancel through cancel_with removed it"
    REPORT["calendars: booking events round-tripped through Radicale"] += 1


async def test_nothing_is_written_to_radicale_without_the_yes(server: Radicale, tmp_path: Path) -> None:
    collection = await server.new_calendar()
    person = Person("decline")
    async with feed_server() as feeds:
        feeds.feeds["/home.ics"] = FEED
        agenda = build_agenda(
            sandbox_settings(toolsets=("locaboo",), env=environment(server, collection, f"{feeds.base}/home.ics"))
        )
        async with Client(agenda.server, elicitation_callback=person) as client:
            slot = (await call_ok(client, "find_slots", {**WEEK, "limit": 1}))["slots"][0]
            result = await client.call_tool("book_slot", {"slot": slot["slot"], "name": "Bo Berg", "email": "b@x.de"})
    assert result.is_error and len(person.asked) == 1 and "calendar work" in person.asked[0]
    assert await server.objects(collection) == {}
