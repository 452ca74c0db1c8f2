"""From question to booking: tool calls and tokens with the vendor tools versus find_slots + book_slot.

The questions are the scenario tests' (tests/test_slots.py): a salon appointment, a room for an
evening, a course seat, a wanted time that is taken, a summer and a winter date, a name with
accents. The vendor-tool path of each is the walk the vendor's own prompt prescribes
(tools/<vendor>/prompts.py), with a new customer, up to what the person is shown before agreeing:
Planaday's walk includes the dayparts and the location call its prompt names, since a course list
carries no dates and dayparts name their location by id only. Both paths run against fresh
sandboxes through a real MCP client, in process: these rows count calls and tokens, they time
nothing. Tokens are the suite's estimate (JSON characters / 4) of each result's text block, plus
each path's share of tools/list (the definitions of the tools it uses).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from bench.rows import Row


def _tokens(text: str) -> float:
    return len(text) / 4


@dataclass
class Path:
    """The calls one way of answering made, and what they cost."""

    client: Any
    calls: list[str] = field(default_factory=list)
    result_tokens: float = 0.0
    indented_tokens: float = 0.0
    """The same results as the SDK's default indented text would have cost."""
    attached_tokens: float = 0.0
    """Embedded resources beside the text (book_slot's iCalendar event), which a host may show the model."""

    async def call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        result = await self.client.call_tool(name, arguments)
        text = result.content[0].text if result.content else ""
        if result.is_error or result.structured_content is None:
            raise RuntimeError(f"bench: {name} failed: {text}")
        self.calls.append(name)
        self.result_tokens += _tokens(text)
        # book_slot's iCalendar event follows its JSON text, as an embedded resource: counted apart.
        attached = "".join(getattr(getattr(block, "resource", None), "text", "") for block in result.content[1:])
        self.attached_tokens += _tokens(attached)
        self.indented_tokens += _tokens(json.dumps(result.structured_content, indent=2, ensure_ascii=False))
        data: dict[str, Any] = result.structured_content
        return data


def _weekday(weekday: int, weeks: int = 1) -> date:
    today = date.today()
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks)


def _month(month: int) -> date:
    today = date.today()
    year = today.year if (month, 1) > (today.month, today.day + 14) else today.year + 1
    first = date(year, month, 1)
    return first + timedelta(days=(1 - first.weekday()) % 7)


@dataclass(frozen=True)
class Person:
    name: str
    email: str

    @property
    def first_last(self) -> tuple[str, str]:
        first, last = self.name.split(maxsplit=1)
        return first, last


ANNA = Person("Anna de Vries", "anna.devries@example.nl")
ZOE = Person("Zoë Müller-Lüdenscheidt", "zoe.mueller@example.de")


# -- the vendor-tool walks --------------------------------------------------------------------


async def onlineafspraken_walk(p: Path, type_name: str, first: date, last: date, at: str | None, who: Person) -> None:
    agendas = await p.call("get_agendas", {})
    agenda_id = next(a["id"] for a in agendas["agendas"] if "Kapsalon" in a.get("name", ""))
    types = await p.call("get_appointment_types", {})
    type_id = next(t["id"] for t in types["appointment_types"] if t.get("name") == type_name)
    ids = {"agenda_id": agenda_id, "appointment_type_id": type_id}
    days = await p.call("get_bookable_days", {**ids, "start_date": str(first), "end_date": str(last)})
    times = await p.call("get_bookable_times", {**ids, "date": days["days"][0]})
    chosen = times["times"][0]
    if at is not None:  # the wanted time, or the nearest free one
        chosen = min(times["times"], key=lambda t: abs(int(t["start"][11:13]) * 60 + int(t["start"][14:16]) - _min(at)))
    await p.call("get_customers", {"email": who.email})
    first_name, last_name = who.first_last
    customer = await p.call("set_customer", {"email": who.email, "first_name": first_name, "last_name": last_name})
    booking = {**ids, "start_time": chosen["start"], "customer_id": customer["customer_id"]}
    await p.call("set_appointment", {**booking, "resource_id": chosen["resource_id"]})


def _min(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:5])


async def locaboo_walk(p: Path, room: str, day: date, earliest: str, latest: str | None, minutes: int, who: Person):
    listed = await p.call("locaboo_resource_list", {})
    main, part = next(
        (r["id"], x["id"]) if x else (r["id"], None)
        for r in listed["resources"]
        for x in [*r.get("parts", []), None]
        if room in (r["title"] if x is None else x["title"])
    )
    wanted = {"date_from": str(day), "date_to": str(day), "resource_id": [part or main], "time_from": earliest}
    if latest:
        wanted["time_to"] = latest
    free = await p.call("locaboo_availability", {**wanted, "duration": f"{minutes // 60:02d}:{minutes % 60:02d}"})
    slot = free["resources"][0]["slots"][0]
    await p.call("locaboo_customer_list", {"search": who.email})
    first_name, last_name = who.first_last
    customer = await p.call(
        "locaboo_customer_add", {"customer": {"first_name": first_name, "last_name": last_name, "email": who.email}}
    )
    booking: dict[str, Any] = {
        "booking_mode": "direct_booking",
        "main_resource": main,
        "time_from": slot["start"],
        "time_to": slot["end"],
        "title": who.name,
        "customer_id": customer["customer_id"],
    }
    if part:
        booking["resource_parts"] = [{"resource_id": main, "part_ids": [part]}]
    await p.call("locaboo_booking_add", booking)


async def planaday_walk(p: Path, label: str, first: date, last: date, who: Person) -> None:
    await p.call("list_planaday_labels", {})
    courses = await p.call("list_planaday_courses", {"start": str(first), "end": str(last), "label": [label]})
    course = next(c for c in courses["courses"] if (c.get("users") or {}).get("available", 0) > 0)
    await p.call("get_planaday_course", {"course_id": course["id"]})
    dayparts = await p.call("list_planaday_course_dayparts", {"course_id": course["id"]})
    # The prompt's next step shows the person the course's location, and dayparts name it by id only.
    location = next(i for d in dayparts["dayparts"] for i in d.get("location_ids", []))
    await p.call("get_planaday_location", {"location_id": location})
    first_name, last_name = who.first_last
    student = {"first_name": first_name, "last_name": last_name, "email": who.email}
    await p.call("create_planaday_booking", {"course_id": course["id"], "students": [student]})


async def slots_path(p: Path, find: dict[str, Any], who: Person) -> None:
    found = await p.call("find_slots", find)
    await p.call("book_slot", {"slot": found["slots"][0]["slot"], "name": who.name, "email": who.email})


# -- the questions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    name: str
    vendor_walk: Callable[[Path], Awaitable[None]]
    find: dict[str, Any]
    who: Person
    setup: Callable[[Any], Awaitable[None]] | None = None


def _taker(start: str, resource_id: int) -> Callable[[Any], Awaitable[None]]:
    async def take(client: Any) -> None:
        """Someone else books the wanted time first (not counted)."""
        who = {"email": "x@example.nl", "first_name": "X", "last_name": "Y"}
        customer = (await client.call_tool("set_customer", who)).structured_content["customer_id"]
        arguments = {"agenda_id": 3101, "start_time": start, "appointment_type_id": 286854, "resource_id": resource_id}
        await client.call_tool("set_appointment", {**arguments, "customer_id": customer})

    return take


async def _busy_moment() -> tuple[str, int]:
    """A time in the middle of next week's fullest day for "Uitgroei kleuren" (one resource)."""
    from mcp import Client

    first = _weekday(1)
    async with Client(_agenda().server) as client:
        week = await client.call_tool(
            "find_slots",
            {
                "what": "uitgroei kleuren",
                "date_from": str(first),
                "date_to": str(first + timedelta(days=4)),
                "limit": 50,
            },
        )
        times = await client.call_tool(
            "get_bookable_times",
            {
                "agenda_id": 3101,
                "appointment_type_id": 286854,
                "date": str(first),
                "end_date": str(first + timedelta(days=4)),
            },
        )
    days: dict[str, list[str]] = {}
    for slot in week.structured_content["slots"]:
        days.setdefault(slot["start"][:10], []).append(slot["start"])
    busiest = max(days.values(), key=len)
    start = busiest[len(busiest) // 2]
    resource = next(t["resource_id"] for t in times.structured_content["times"] if t["start"].startswith(start[:16]))
    return start, resource


async def questions() -> list[Question]:
    tue, thu, mon = _weekday(1), _weekday(3), _weekday(0)
    taken, resource = await _busy_moment()
    taken_day = date.fromisoformat(taken[:10])
    summer, winter = _month(7), _month(1)
    return [
        Question(
            "salon appointment",
            lambda p: onlineafspraken_walk(p, "Knippen dames", tue, tue + timedelta(days=4), None, ANNA),
            {"what": "knippen dames", "date_from": str(tue), "date_to": str(tue + timedelta(days=4))},
            ANNA,
        ),
        Question(
            "room for an evening",
            lambda p: locaboo_walk(p, "Seminarraum Linde", thu, "18:00", "21:00", 120, ANNA),
            {"what": "seminarraum linde", "date_from": str(thu), "date_to": str(thu), "earliest": "18:00"}
            | {"latest": "21:00", "duration": 120},
            ANNA,
        ),
        Question(
            "course seat",
            lambda p: planaday_walk(p, "BHV", mon, mon + timedelta(days=30), ANNA),
            {"what": "bhv", "date_from": str(mon), "date_to": str(mon + timedelta(days=30))},
            ANNA,
        ),
        Question(
            "wanted time taken",
            lambda p: onlineafspraken_walk(p, "Uitgroei kleuren", taken_day, taken_day, taken[11:16], ZOE),
            {"what": "uitgroei kleuren", "preferred": taken},
            ZOE,
            setup=_taker(taken, resource),
        ),
        Question(
            "summer date",
            lambda p: locaboo_walk(p, "Saal Rhein", summer, "19:00", None, 60, ANNA),
            {"what": "saal rhein", "date_from": str(summer), "date_to": str(summer), "earliest": "19:00"},
            ANNA,
        ),
        Question(
            "winter date",
            lambda p: locaboo_walk(p, "Saal Rhein", winter, "19:00", None, 60, ANNA),
            {"what": "saal rhein", "date_from": str(winter), "date_to": str(winter), "earliest": "19:00"},
            ANNA,
        ),
        Question(
            "name with accents",
            lambda p: onlineafspraken_walk(p, "Knippen en föhnen", thu, thu, "14:00", ZOE),
            {"what": "fohnen", "date_from": str(thu), "date_to": str(thu), "earliest": "14:00"},
            ZOE,
        ),
    ]


async def _run(question: Question, slots: bool) -> tuple[Path, dict[str, float]]:
    from mcp import Client

    async with Client(_agenda().server) as client:
        listed = {
            t.name: t.model_dump(mode="json", by_alias=True, exclude_none=True)
            for t in (await client.list_tools()).tools
        }
        if question.setup is not None:
            await question.setup(client)
        path = Path(client)
        if slots:
            await slots_path(path, question.find, question.who)
        else:
            await question.vendor_walk(path)
    share = {
        name: _tokens(json.dumps(listed[name], separators=(",", ":"), ensure_ascii=False)) for name in set(path.calls)
    }
    return path, share


def _agenda() -> Any:
    from agenda_mcp.server.startup.app import build_agenda
    from agenda_mcp.server.startup.config import Settings

    # Sandbox, no rate limit in the way, nothing asked (the bench is not a person).
    env = {"AGENDA_MCP_RATE_LIMIT": "10000", "AGENDA_MCP_CONFIRM": "never", "AGENDA_MCP_CACHE_DIR": "off"}
    return build_agenda(Settings.from_env({**env, "AGENDA_MCP_SANDBOX": "1"}))


async def both_free_row() -> Row:
    """ "When can I get a haircut?" means when the salon is free AND I am: find_slots reads the
    person's calendars (the sandbox's demo person: a dentist appointment in the coming week) and
    leaves out what clashes, book_slot adds the booking to their calendar. Two calls, as without a
    calendar; the row holds what the calendar costs in tokens against the same two calls without it."""
    from mcp import Client

    from agenda_mcp.server.calendars.sandbox import dentist_day

    day = dentist_day(date.today())
    find = {"what": "knippen dames", "date_from": str(day), "date_to": str(day), "preferred": f"{day}T17:00"}
    paths: dict[bool, Path] = {}
    left_out = others = 0
    for mine in (False, True):
        async with Client(_agenda().server) as client:
            path = paths[mine] = Path(client)
            found = await path.call("find_slots", {**find, "respect_my_calendar": mine, "limit": 50})
            if mine:
                if found["preferred"]["free"] or "Tandarts" not in found["preferred"].get("why", ""):
                    raise RuntimeError(f"bench: the dentist appointment was not seen: {found['preferred']}")
                left_out = others - len(found["slots"])
            else:
                others = len(found["slots"])
            booked = await path.call(
                "book_slot", {"slot": found["slots"][0]["slot"], "name": ANNA.name, "email": ANNA.email}
            )
            if mine and not str(booked.get("calendar", "")).startswith("added to"):
                raise RuntimeError(f"bench: the booking was not added to the calendar: {booked.get('calendar')}")
    with_calendar, without = paths[True], paths[False]
    return Row(
        "when am I and the salon both free",
        f"{len(with_calendar.calls)} calls, {with_calendar.result_tokens:,.0f} tokens",
        f"{without.result_tokens:,.0f} without the calendar",
        with_calendar.result_tokens / without.result_tokens,
        1.25,
        "x",
        f"find_slots with the person's calendars + book_slot adding the event: {left_out} of {others} slots "
        f"that day left out as busy, the wanted 17:00 explained; the attached iCalendar event is "
        f"{with_calendar.attached_tokens:,.0f} tokens more",
    )


async def slot_rows() -> list[Row]:
    vendor_calls = slot_calls = 0
    vendor_results = slot_results = 0.0
    vendor_list: dict[str, float] = {}
    slot_list: dict[str, float] = {}
    compact = indented = 0.0
    asked = await questions()
    for question in asked:
        walk, walk_share = await _run(question, slots=False)
        picked, picked_share = await _run(question, slots=True)
        vendor_calls += len(walk.calls)
        slot_calls += len(picked.calls)
        vendor_results += walk.result_tokens
        slot_results += picked.result_tokens
        vendor_list |= walk_share
        slot_list |= picked_share
        compact += walk.result_tokens + picked.result_tokens
        indented += walk.indented_tokens + picked.indented_tokens
    n = len(asked)
    vendor_total = vendor_results + sum(vendor_list.values())
    slot_total = slot_results + sum(slot_list.values())
    return [
        Row(
            "question to booking: tool calls",
            f"{slot_calls} calls ({slot_calls / n:.0f} per question)",
            f"{vendor_calls} with vendor tools ({vendor_calls / n:.1f} per question)",
            slot_calls / vendor_calls,
            1 / 3,
            "x",
            f"find_slots + book_slot vs the vendor prompts' walks, {n} questions, 3 vendors "
            f"({vendor_calls / slot_calls:.1f}x fewer calls)",
        ),
        Row(
            "question to booking: result tokens",
            f"{slot_results:,.0f} tokens",
            f"{vendor_results:,.0f} with vendor tools",
            slot_results / vendor_results,
            1 / 2,
            "x",
            f"text blocks of every result on the way ({vendor_results / slot_results:.1f}x fewer)",
        ),
        Row(
            "question to booking: tokens incl. tools/list share",
            f"{slot_total:,.0f} tokens",
            f"{vendor_total:,.0f} with vendor tools",
            slot_total / vendor_total,
            1 / 2,
            "x",
            f"results + the definitions of the tools each path uses ({sum(slot_list.values()):,.0f} vs "
            f"{sum(vendor_list.values()):,.0f} listed)",
        ),
        await both_free_row(),
        Row(
            "text block: compact JSON",
            f"{compact:,.0f} tokens",
            f"{indented:,.0f} indented (the SDK's default)",
            compact / indented,
            0.8,
            "x",
            f"the same results, compact vs indented text ({indented / compact:.2f}x more when indented)",
        ),
    ]
