"""find_slots and book_slot with the person's calendars, through a real MCP client: the sandbox's demo
calendars, calendars that fail, and the variables that configure them."""

from __future__ import annotations

import json
import logging
import time
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from mcp import Client

from agenda_mcp.server.calendars.sandbox import dentist_day
from agenda_mcp.server.calendars.service import CalendarService
from agenda_mcp.server.calendars.sources import calendar_settings
from agenda_mcp.server.startup.app import AgendaServer, build_agenda
from agenda_mcp.server.startup.config import ConfigError
from tests.support import call_error, call_ok, sandbox_settings
from tests.support.calendars import feed_server, vcalendar
from tests.support.person import Person
from tests.support.schemas import output_schemas, validated
from tests.support.vendor_cases import REPORT

pytestmark = pytest.mark.anyio

TOKEN = "feedtoken-7d1e0c9b8a7f6e5d4c3b"
PASSWORD = "app-password-for-work-calendar"


def overlaps(slot: dict[str, Any], busy: dict[str, Any], pad: timedelta = timedelta(0)) -> bool:
    start, end = datetime.fromisoformat(slot["start"]) - pad, datetime.fromisoformat(slot["end"]) + pad
    busy_start, busy_end = datetime.fromisoformat(busy["start"]), datetime.fromisoformat(busy["end"])
    return busy_start < end and busy_end > start


def at(day: date, hour: int, minute: int = 0) -> str:
    """The demo person's local time as results give it (RFC 3339 with seconds and offset)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo("Europe/Amsterdam")).isoformat()


def calendars_of(agenda: AgendaServer) -> CalendarService:
    assert agenda.calendars is not None
    return agenda.calendars


@pytest.fixture(scope="module")
def salon() -> AgendaServer:
    """The salon's sandbox (OnlineAfspraken.nl only: quick to build) with the demo person's calendars."""
    return build_agenda(sandbox_settings(toolsets=("onlineafspraken",)))


async def find(client: Client, schemas: dict[str, Any], **arguments: Any) -> dict[str, Any]:
    found = await call_ok(client, "find_slots", arguments)
    REPORT["results validated against their outputSchema, formats checked (calendars)"] += validated(
        schemas, "find_slots", found
    )
    return found


async def test_the_sandbox_leaves_out_the_slots_the_demo_person_is_busy_at(salon: AgendaServer) -> None:
    """ "When can I get a haircut?" on the day of the demo person's dentist appointment."""
    day = dentist_day(datetime.now(salon.settings.tz).date())
    ask = {"what": "knippen dames", "date_from": str(day), "date_to": str(day), "limit": 50}
    async with Client(salon.server) as client:
        schemas = await output_schemas(client)
        everything = await find(client, schemas, **ask, respect_my_calendar=False)
        mine = await find(client, schemas, **ask)
        padded = await find(client, schemas, **ask, buffer=30)
    assert "busy" not in everything and everything["total"] <= 50
    assert [b["what"] for b in mine["busy"]] == ["Tandarts"] and mine["busy"][0]["calendar"] == "sandbox-agenda"
    dentist = mine["busy"][0]
    assert dentist["start"] == at(day, 17) and dentist["end"] == at(day, 17, 30)
    kept = [s for s in everything["slots"] if not overlaps(s, dentist)]
    assert mine["slots"] == kept and len(kept) < len(everything["slots"]), "at least one slot left out as busy"
    assert [s for s in everything["slots"] if not overlaps(s, dentist, timedelta(minutes=30))] == padded["slots"]
    assert len(padded["slots"]) < len(mine["slots"])
    REPORT["calendars: sandbox slots left out because the demo person is busy"] += len(everything["slots"]) - len(kept)


async def test_a_busy_wanted_moment_says_what_the_person_has_then(salon: AgendaServer) -> None:
    day = dentist_day(datetime.now(salon.settings.tz).date())
    async with Client(salon.server) as client:
        schemas = await output_schemas(client)
        found = await find(client, schemas, what="knippen dames", preferred=f"{day}T17:00")
        unchecked = await find(
            client, schemas, what="knippen dames", preferred=f"{day}T17:00", respect_my_calendar=False
        )
    assert found["preferred"] == {
        "moment": at(day, 17),
        "free": False,
        "why": "you have “Tandarts” 17:00–17:30 (calendar sandbox-agenda)",
    }
    assert not any(overlaps(s, {"start": at(day, 17), "end": at(day, 17, 30)}) for s in found["slots"])
    assert any(overlaps(s, {"start": at(day, 17), "end": at(day, 17, 30)}) for s in unchecked["slots"])


async def test_without_calendars_find_slots_does_not_grow() -> None:
    agenda = build_agenda(sandbox_settings(toolsets=("onlineafspraken",), env={"AGENDA_MCP_CALENDARS": "off"}))
    async with Client(agenda.server) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        message = await call_error(client, "find_slots", {"respect_my_calendar": False})
    find_slots = tools["find_slots"]
    assert agenda.calendars is None
    assert "respect_my_calendar" not in find_slots.input_schema["properties"]
    assert "buffer" not in find_slots.input_schema["properties"]
    assert "busy" not in (find_slots.output_schema or {})["properties"]
    assert "own calendar" not in (find_slots.description or "")
    assert "respect_my_calendar" in message  # refused by name, like any unknown argument


async def test_book_slot_returns_the_event_adds_it_after_the_yes_and_the_cancel_removes_it(salon: AgendaServer) -> None:
    sandbox = calendars_of(salon).sandbox
    person = Person("accept")
    async with Client(salon.server, elicitation_callback=person) as client:
        schemas = await output_schemas(client)
        slot = (await find(client, schemas, what="knippen heren", limit=1))["slots"][0]
        result = await client.call_tool("book_slot", {"slot": slot["slot"], "name": "Anna de Vries", "email": "a@x.nl"})
        booked = result.structured_content
        assert booked is not None and not result.is_error
        validated(schemas, "book_slot", booked)
        again = await call_ok(client, "book_slot", {"slot": slot["slot"], "name": "Anna de Vries", "email": "a@x.nl"})
        stored = dict(sandbox.objects)
        later = await find(
            client, schemas, what="knippen heren", date_from=slot["start"][:10], date_to=slot["start"][:10]
        )
        cancel = booked["cancel_with"]
        # Not exactly the booking's cancel (a dry run): the event stays.
        await call_ok(client, cancel["tool"], {**cancel["arguments"], "dry_run": True})
        after_dry_run = set(sandbox.objects)
        await call_ok(client, cancel["tool"], cancel["arguments"])
    assert after_dry_run == set(stored)
    assert "It is also added to your calendar sandbox-agenda." in person.asked[0]
    assert booked["calendar"] == "added to your calendar sandbox-agenda"
    assert again["repeated"] is True and again["calendar"] == "already in your calendar sandbox-agenda"
    assert again["event"] == booked["event"], "one UID per booking"
    # The JSON text first (as for every tool), then the event as an embedded text/calendar resource.
    text, attached = result.content
    assert json.loads(text.text) == booked  # type: ignore[union-attr]
    resource = attached.resource  # type: ignore[union-attr]
    assert resource.mime_type == "text/calendar" and str(resource.uri) == booked["event"]
    assert booked["event"].startswith("agenda://bookings/onlineafspraken-") and booked["event"].endswith(".ics")
    calendar = icalendar.Calendar.from_ical(resource.text)
    (event,) = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "PUBLISH" and [tz.tz_name for tz in calendar.timezones] == ["Europe/Amsterdam"]
    assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert event.start == datetime.fromisoformat(slot["start"]) and event.end == datetime.fromisoformat(slot["end"])
    assert str(event["LOCATION"]).startswith("Kapsalon Knipoog Utrecht")
    description = str(event["DESCRIPTION"])
    assert "OnlineAfspraken.nl" in description and str(booked["ids"]["appointment_id"]) in description
    # Stored in the CalDAV collection under its UID, without METHOD (RFC 4791 4.1).
    uid = str(event["UID"])
    (name,) = [n for n in stored if n != "dentist.ics"]
    assert uid in icalendar.Calendar.from_ical(stored[name].text).walk("VEVENT")[0]["UID"]
    assert "METHOD" not in stored[name].text
    # The booking now counts as busy, and the cancel through cancel_with removed it again.
    assert any(b["what"] == "Knippen heren" for b in later["busy"])
    assert set(sandbox.objects) == {"dentist.ics"}
    assert ("DELETE", f"/dav/demo/agenda/{name}") in sandbox.requests
    REPORT["calendars: booking events added and removed again by their cancel"] += 1


async def test_nothing_is_written_to_a_calendar_without_the_yes(salon: AgendaServer) -> None:
    sandbox = calendars_of(salon).sandbox
    person = Person("decline")
    before = len(sandbox.requests)
    async with Client(salon.server, elicitation_callback=person) as client:
        slot = (await call_ok(client, "find_slots", {"what": "knippen heren", "limit": 1}))["slots"][0]
        message = await call_error(client, "book_slot", {"slot": slot["slot"], "name": "Bo Bakker", "email": "b@x.nl"})
    assert len(person.asked) == 1 and "sandbox-agenda" in person.asked[0]
    assert "book_slot" in message
    writes = [r for r in sandbox.requests[before:] if r[0] in ("PUT", "DELETE")]
    assert writes == [] and set(sandbox.objects) == {"dentist.ics"}


async def test_a_calendar_write_that_fails_leaves_the_booking_and_still_returns_the_event(salon: AgendaServer) -> None:
    sandbox = calendars_of(salon).sandbox
    sandbox.faults.inject("500", method="PUT")
    async with Client(salon.server, elicitation_callback=Person("accept")) as client:
        slot = (await call_ok(client, "find_slots", {"what": "knippen heren", "limit": 1}))["slots"][0]
        result = await client.call_tool("book_slot", {"slot": slot["slot"], "name": "Cas de Boer", "email": "c@x.nl"})
    booked = result.structured_content
    assert booked is not None and booked["booked"] is True
    assert booked["calendar"].startswith("NOT added to your calendar sandbox-agenda (answered 500)")
    assert len(result.content) == 2 and result.content[1].resource.mime_type == "text/calendar"  # type: ignore[union-attr]


async def test_unreadable_calendars_are_named_and_the_slots_said_to_be_unchecked() -> None:
    """A calendar that times out, answers 500 or sends 20 MB: named in `skipped` within the call's
    deadline; the slots are all still offered, with a note that they were not checked against it."""
    async with feed_server() as server:
        server.feeds["/home.ics"] = vcalendar("UID:x\nSUMMARY:Home\nDTSTART:20300101T090000Z\nDTEND:20300101T100000Z")
        env = {
            "AGENDA_MCP_CALENDARS": (
                f"home={server.base}/home.ics?token={TOKEN},slow={server.base}/silent,"
                f"broken={server.base}/500\nhuge={server.base}/huge,drip={server.base}/trickle,"
                f"work=caldav:{server.base}/silent/"
            ),
            "AGENDA_MCP_CALENDAR_WORK_USER": "anna",
            "AGENDA_MCP_CALENDAR_WORK_PASSWORD": PASSWORD,
        }
        agenda = build_agenda(sandbox_settings(toolsets=("onlineafspraken",), http_timeout=2, env=env))
        async with Client(agenda.server) as client:
            schemas = await output_schemas(client)
            plain = await find(client, schemas, what="knippen heren", respect_my_calendar=False)
            began = time.monotonic()
            found = await find(client, schemas, what="knippen heren")
            took = time.monotonic() - began
    assert took < 2 + 1.0, f"find_slots took {took:.1f} s with a 2 s deadline"
    assert found["skipped"] == {
        "calendar slow": "timed out",
        "calendar broken": "answered 500",
        "calendar huge": "more than 8 MB",
        "calendar drip": "timed out",
        "calendar work": "timed out",
    }
    assert found["slots"] == plain["slots"], "nothing is left out on account of a calendar that was not read"
    assert "NOT checked against your calendar broken, drip, huge, slow, work" in found["note"]
    assert "busy" not in found  # the readable one has nothing in these days
    text = json.dumps(found)
    assert TOKEN not in text and PASSWORD not in text
    REPORT["calendars: unreadable calendars named in skipped"] += len(found["skipped"])


async def test_no_credential_in_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with feed_server() as server:
        server.feeds["/home.ics"] = vcalendar("UID:y\nDTSTART:20300101T090000Z\nDTEND:20300101T100000Z")
        env = {
            "AGENDA_MCP_CALENDARS": f"home={server.base}/home.ics?token={TOKEN},work=caldav:{server.base}/500/",
            "AGENDA_MCP_CALENDAR_WORK_USER": "anna",
            "AGENDA_MCP_CALENDAR_WORK_PASSWORD": PASSWORD,
        }
        agenda = build_agenda(sandbox_settings(toolsets=("onlineafspraken",), env=env))
        async with Client(agenda.server) as client:
            found = await call_ok(client, "find_slots", {"what": "knippen heren"})
    assert found["skipped"] == {"calendar work": "answered 500"}
    assert "HTTP Request" in caplog.text and TOKEN not in caplog.text and PASSWORD not in caplog.text


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"AGENDA_MCP_CALENDARS": f"home=http://calendar.example.com/{TOKEN}.ics"}, "only https"),
        ({"AGENDA_MCP_CALENDARS": "work=caldav:https://dav.example.com/anna/work/"}, "AGENDA_MCP_CALENDAR_WORK_USER"),
        (
            {"AGENDA_MCP_CALENDARS": "work=caldav:https://dav.example.com/w/", "AGENDA_MCP_CALENDAR_WORK_USER": "a"},
            "set AGENDA_MCP_CALENDAR_WORK_PASSWORD as well",
        ),
        (
            {"AGENDA_MCP_CALENDARS": f"home=https://c.example.com/{TOKEN}.ics", "AGENDA_MCP_CALENDAR_WRITE": "home"},
            "is a feed",
        ),
        ({"AGENDA_MCP_CALENDARS": "a=https://c.example.com/1.ics", "AGENDA_MCP_CALENDAR_WRITE": "b"}, "'b' is not one"),
        ({"AGENDA_MCP_CALENDARS": "a=https://c.example.com/1.ics,A=https://c.example.com/2.ics"}, "used twice"),
        ({"AGENDA_MCP_CALENDAR_WRITE": "work"}, "lists none"),
        ({"AGENDA_MCP_CALENDARS": "https://c.example.com/1.ics", "AGENDA_MCP_CALENDAR_CACHE_SECONDS": "-1"}, "between"),
    ],
)
def test_a_wrong_setting_stops_the_server_with_one_line_and_no_secret(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        calendar_settings(env, sandbox=False)
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_the_variable_format() -> None:
    env = {
        "AGENDA_MCP_CALENDARS": "webcal://c.example.com/a.ics, work=caldav:https://dav.example.com/anna/work/\n"
        "family-2=https://c.example.com/b.ics?x=1,y=2",
        "AGENDA_MCP_CALENDAR_WORK_USER": "anna",
        "AGENDA_MCP_CALENDAR_WORK_PASSWORD": PASSWORD,
        "AGENDA_MCP_CALENDAR_WRITE": "WORK",
        "AGENDA_MCP_CALENDAR_CACHE_SECONDS": "0",
    }
    with pytest.raises(ConfigError, match=r"calendar y: invalid URL.*%2C"):  # a comma in a URL is written %2C
        calendar_settings(env, sandbox=False)
    env["AGENDA_MCP_CALENDARS"] = env["AGENDA_MCP_CALENDARS"].replace("x=1,y=2", "x=1%2Cy=2")
    settings = calendar_settings(env, sandbox=False)
    assert settings is not None and settings.cache_seconds == 0
    assert [(s.name, s.kind) for s in settings.sources] == [
        ("calendar", "ics"),
        ("work", "caldav"),
        ("family-2", "ics"),
    ]
    assert settings.write is not None and settings.write.name == "work" and settings.write.auth == ("anna", PASSWORD)
    assert PASSWORD not in repr(settings)
    assert calendar_settings({}, sandbox=False) is None
    assert calendar_settings({"AGENDA_MCP_CALENDARS": "off"}, sandbox=True) is None
    sandboxed = calendar_settings({}, sandbox=True)
    assert sandboxed is not None and sandboxed.sandbox and sandboxed.names == ["sandbox-personal", "sandbox-agenda"]


def test_the_demo_week_is_relative_to_today() -> None:
    for offset in range(7):
        today = date(2026, 12, 7) + timedelta(days=offset)
        day = dentist_day(today)
        assert today < day <= today + timedelta(days=7) and day.weekday() in (1, 2, 3, 4)


async def test_a_long_busy_list_is_cut_and_says_so(salon: AgendaServer) -> None:
    day = dentist_day(datetime.now(salon.settings.tz).date())
    events = [
        f"UID:e{n}\nSUMMARY:Slot {n}\nDTSTART;TZID=Europe/Amsterdam:{day:%Y%m%d}T{6 + n // 6:02d}{n % 6 * 10:02d}00\n"
        "DURATION:PT5M"
        for n in range(60)
    ]
    async with feed_server() as server:
        server.feeds["/busy.ics"] = vcalendar(*events)
        env = {"AGENDA_MCP_CALENDARS": f"busy={server.base}/busy.ics"}
        agenda = build_agenda(sandbox_settings(toolsets=("onlineafspraken",), env=env))
        async with Client(agenda.server) as client:
            found = await call_ok(client, "find_slots", {"date_from": str(day), "date_to": str(day), "limit": 50})
    assert len(found["busy"]) == 50 and found["busy"][0]["what"] == "Slot 0"
    assert "busy lists the first 50 of your 60 busy times; all were checked" in found["notes"]
    assert found["slots"] == [] or all(s["start"] >= at(day, 16) for s in found["slots"])


async def test_a_bookings_event_is_remembered_for_every_replica_and_taken_once() -> None:
    """With Redis (AGENDA_MCP_REDIS_URL), the booking's event is remembered where every replica reads
    it, so a cancel on another replica removes it; it is taken once (GETDEL)."""
    from agenda_mcp.server.team.shared_state import RedisState
    from tests.support.team import redis_server

    with redis_server() as redis:
        store = RedisState(redis.url)
        try:
            settings = sandbox_settings(toolsets=("onlineafspraken",))
            calendars = calendar_settings({}, sandbox=True)
            assert calendars is not None
            one, other = (CalendarService(settings, calendars, lambda _vendor: store) for _ in range(2))
            await one._remember("onlineafspraken", "cancel_appointment:abc", {"calendar": "x", "uid": "u"}, 60)
            assert await other._recall("onlineafspraken", "cancel_appointment:abc") == {"calendar": "x", "uid": "u"}
            assert await one._recall("onlineafspraken", "cancel_appointment:abc") is None
        finally:
            await store.aclose()
