"""Planaday's times, round trip: what a read returns for a moment, the next call takes verbatim.

Planaday takes no time of day anywhere: a booking names its course and dayparts by id, and the
course list takes days (`YYYYMMDD`). So the round trip is: a daypart's `start` (a moment with its
offset) from list_planaday_course_dayparts, passed verbatim as the course list's `start`/`end`,
reaches the vendor as that daypart's local day, and booking the daypart ids that came with it
books the daypart whose wall-clock time in Amsterdam is that moment. In winter and in summer,
with the moment written with `Z` or another offset instead, and with the clocks changing on the
day. A local time the zone skips or repeats, written without an offset, is refused with nothing
sent.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from mcp import Client

from agenda_mcp.server.startup.app import AgendaServer, build_agenda
from agenda_mcp.tools.planaday.models import ZONE, DaypartSummary
from agenda_mcp.tools.planaday.sandbox import app as planaday_app
from agenda_mcp.tools.planaday.sandbox.state import PlanadaySandbox
from tests.support import call_error, call_ok, sandbox_settings
from tests.support.moments import check_moments
from tests.support.simulators import planaday as sandbox_of

pytestmark = pytest.mark.anyio
SANNE = {"first_name": "Sanne", "last_name": "de Vries", "email": "sanne@example.nl", "gender": "f"}
WINTER = datetime(2026, 12, 1, 9, 0, tzinfo=ZONE)  # every demo course then runs in winter time
SUMMER = datetime(2027, 6, 1, 9, 0, tzinfo=ZONE)  # and in summer time from here
SPRING_FORWARD = date(2027, 3, 28)  # 02:00 -> 03:00 in Amsterdam
FALL_BACK = date(2027, 10, 31)  # 03:00 -> 02:00


def agenda_at(monkeypatch: pytest.MonkeyPatch, now: datetime) -> AgendaServer:
    # The simulator anchors its courses on "today"; pin it so the season is known.
    monkeypatch.setattr(planaday_app, "_default_now", lambda: now)
    return build_agenda(sandbox_settings(toolsets=("planaday",)))


@pytest.fixture(params=[WINTER, SUMMER], ids=["winter", "summer"])
def agenda(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> AgendaServer:
    return agenda_at(monkeypatch, request.param)


def wall(moment: str) -> datetime:
    """The Amsterdam wall-clock time a moment names (naive)."""
    return datetime.fromisoformat(moment).astimezone(ZONE).replace(tzinfo=None)


async def courses_on(
    client: Client, sandbox: PlanadaySandbox, start: str, end: str
) -> tuple[list[int], dict[str, str]]:
    found = await call_ok(client, "list_planaday_courses", {"start": start, "end": end, "limit": 100})
    sent = sandbox.requests[-1]
    assert sent.path == "/v1/course/list"
    return [c["id"] for c in found["courses"]], sent.query


@pytest.mark.parametrize("course_id", [101, 104, 107])
async def test_a_daypart_moment_round_trips_to_the_course_list_and_the_booking(
    agenda: AgendaServer, client: Client, course_id: int
) -> None:
    sandbox = sandbox_of(agenda)
    listed = await call_ok(client, "list_planaday_course_dayparts", {"course_id": course_id})
    assert listed["timezone"] == "Europe/Amsterdam" and check_moments(listed) >= 2
    daypart = listed["dayparts"][-1]
    start = datetime.fromisoformat(daypart["start"])
    summer = sandbox.today() > date(2027, 3, 28)
    assert start.utcoffset() == timedelta(hours=2 if summer else 1), daypart["start"]
    # The vendor's own record of the daypart is the wall-clock time the moment names.
    stored = sandbox.catalogue.dayparts[daypart["id"]]
    assert datetime.combine(stored.date, time.fromisoformat(stored.start_time)) == wall(daypart["start"])
    assert datetime.combine(stored.date, time.fromisoformat(stored.end_time)) == wall(daypart["end"])

    # The moment verbatim as the period: the vendor is asked for that local day.
    ids, query = await courses_on(client, sandbox, daypart["start"], daypart["end"])
    local_day = stored.date.strftime("%Y%m%d")
    assert (query["start"], query["end"]) == (local_day, local_day) and course_id in ids

    # The same moment with Z, and with another offset: converted, not stripped.
    utc = start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    new_york = start.astimezone(timezone(timedelta(hours=-5))).isoformat()
    for written in (utc, new_york):
        ids, query = await courses_on(client, sandbox, written, written)
        assert (query["start"], query["end"]) == (local_day, local_day), written
        assert course_id in ids

    # Booking the ids that came with it books exactly that daypart.
    booking = await call_ok(
        client, "create_planaday_booking", {"course_id": course_id, "students": [SANNE], "dayparts": [daypart["id"]]}
    )
    booked = sandbox.booking(booking["booking_id"])
    assert booked.course_id == course_id and booked.daypart_ids == [daypart["id"]]
    assert [datetime.combine(d.date, time.fromisoformat(d.start_time)) for d in sandbox._dayparts_of(booked)] == [
        wall(daypart["start"])
    ]


async def test_an_offset_moves_the_day_to_the_one_in_amsterdam(agenda: AgendaServer, client: Client) -> None:
    # 00:30 in Amsterdam is still the day before in UTC and in New York: the text's own date is
    # not what the vendor must get.
    sandbox = sandbox_of(agenda)
    listed = await call_ok(client, "list_planaday_course_dayparts", {"course_id": 101})
    stored = sandbox.catalogue.dayparts[listed["dayparts"][0]["id"]]
    just_after_midnight = datetime.combine(stored.date, time(0, 30), tzinfo=ZONE)
    utc = just_after_midnight.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    new_york = just_after_midnight.astimezone(timezone(timedelta(hours=-5))).isoformat()
    for written in (utc, new_york):
        assert written[:10] == (stored.date - timedelta(days=1)).isoformat()
        ids, query = await courses_on(client, sandbox, written, written)
        assert query["start"] == query["end"] == stored.date.strftime("%Y%m%d") and 101 in ids


async def test_dayparts_on_the_days_the_clocks_change(monkeypatch: pytest.MonkeyPatch) -> None:
    agenda = agenda_at(monkeypatch, datetime(2027, 3, 1, 9, 0, tzinfo=ZONE))
    sandbox = sandbox_of(agenda)
    first, second = sandbox.catalogue.courses[101].dayparts
    first.date, first.start_time, first.end_time = SPRING_FORWARD - timedelta(days=1), "09:00", "17:00"
    second.date, second.start_time, second.end_time = SPRING_FORWARD, "01:30", "04:30"  # across the jump
    async with Client(agenda.server) as client:
        listed = await call_ok(client, "list_planaday_course_dayparts", {"course_id": 101})
        before, across = listed["dayparts"]
        assert (before["start"], before["end"]) == ("2027-03-27T09:00:00+01:00", "2027-03-27T17:00:00+01:00")
        assert (across["start"], across["end"]) == ("2027-03-28T01:30:00+01:00", "2027-03-28T04:30:00+02:00")
        ids, query = await courses_on(client, sandbox, across["end"], across["end"])
        assert query["start"] == "20270328" and 101 in ids


@pytest.mark.parametrize(
    ("start", "refusal"),
    [
        (f"{SPRING_FORWARD}T02:30", "02:30 on 2027-03-28 does not exist in Europe/Amsterdam"),
        (f"{FALL_BACK}T02:30", "02:30 on 2027-10-31 occurs twice in Europe/Amsterdam"),
        (f"{FALL_BACK} 02:15:00", "say which with an offset"),
    ],
)
async def test_a_gap_or_fold_time_without_offset_is_refused_and_nothing_is_sent(
    agenda: AgendaServer, client: Client, start: str, refusal: str
) -> None:
    sandbox, http = sandbox_of(agenda), agenda.vendors["planaday"].http
    before, sent_before = len(sandbox.requests), http.requests_sent
    text = await call_error(client, "list_planaday_courses", {"start": start, "end": f"{FALL_BACK}"})
    assert refusal in text and "start: " in text  # names the argument
    assert len(sandbox.requests) == before and http.requests_sent == sent_before


async def test_a_fold_time_with_an_offset_picks_its_day(agenda: AgendaServer, client: Client) -> None:
    sandbox = sandbox_of(agenda)
    for written in (f"{FALL_BACK}T02:30:00+02:00", f"{FALL_BACK}T02:30:00+01:00"):
        _, query = await courses_on(client, sandbox, written, written)
        assert query["start"] == query["end"] == "20271031", written


def test_a_daypart_without_times_keeps_its_date_and_24_00_ends_the_day() -> None:
    # An e-learning daypart may come without times: its day stays a date, since a date alone is
    # not a moment (and check_moments accepts it, as nothing pairs it with a bare clock time).
    untimed = DaypartSummary.model_validate(
        {"id": 2, "date": "20270301", "start_time": "", "end_time": None, "is_elearning": 1}
    ).model_dump(mode="json")
    assert untimed["date"] == "2027-03-01" and "start" not in untimed and "end" not in untimed
    check_moments(untimed)
    whole_day = DaypartSummary.model_validate({"id": 3, "date": "20270301", "start_time": "00:00", "end_time": "24:00"})
    assert (whole_day.start, whole_day.end) == (
        datetime(2027, 3, 1, tzinfo=ZONE),
        datetime(2027, 3, 2, tzinfo=ZONE),
    )
    # A result validated again from its own JSON (the size cap does that) keeps its moments.
    again = DaypartSummary.model_validate(whole_day.model_dump(mode="json"))
    assert again == whole_day and again.date is None
