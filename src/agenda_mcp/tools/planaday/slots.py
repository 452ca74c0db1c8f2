"""Planaday for find_slots / book_slot (server/slots/service.py): courses with free seats whose name,
code or labels match, as one slot each (its first daypart's start and end), and a booking the way
create_planaday_booking makes one (one student, every daypart).

book_slot sends one student with a name, an e-mail address and a phone number, nothing more, so a
course is offered only when such a booking can succeed: not one that requires an attribute choice
(error 419/424), nor a STAP-only course (436), nor one that has begun (404 "Unavailable course
selected"). Those are left to create_planaday_booking, which takes what they need."""

from __future__ import annotations

from datetime import date, datetime

import anyio
from mcp.server.mcpserver.exceptions import ToolError

from agenda_mcp.server.kit import Booked, Customer, Found, Offer, SlotQuery, SlotTaken, Toolkit, matches, zone_name
from agenda_mcp.tools.planaday.client import PlanadayClient
from agenda_mcp.tools.planaday.models import ZONE, Course, CourseDetail, DaypartSummary, Student

COMPLETES = {("enrol_student", "course"): "course_templates"}
PAGE = 100
MAX_PAGES = 5  # 500 courses in one period is more than any question needs


async def reference(kit: Toolkit) -> dict[str, list[str]]:
    templates = await PlanadayClient(kit.http).list_course_templates()
    return {"course_templates": [t.name for t in templates]}


def needs_more_than_a_name(course: CourseDetail) -> bool:
    """Whether a booking of one student by name, e-mail and phone, for every daypart and without
    attributes, would be refused: a required attribute of the course or of any of its dayparts
    (all are booked) needs a choice, and a STAP-only course needs STAP details."""
    attributes = [*course.attributes.values(), *(a for d in course.dayparts for a in d.attributes.values())]
    return bool(course.stap_only) or any(a.is_required for a in attributes)


def _day(daypart: DaypartSummary) -> date | None:
    return daypart.start.date() if daypart.start is not None else daypart.date


async def find(kit: Toolkit, query: SlotQuery) -> Found:
    client = PlanadayClient(kit.http)
    courses: list[Course] = []
    for page in range(MAX_PAGES):
        try:
            listed = await client.list_courses(query.date_from, query.date_to, offset=page * PAGE, limit=PAGE)
        except ToolError as exc:
            if "No course matches" in str(exc):
                break  # Planaday answers 404 for an empty period
            raise
        courses += listed.courses
        if not listed.page.has_more:
            break
    ref = query.ref

    def wanted_course(c: Course) -> bool:
        if ref is None:
            return matches(query.what, c.name, c.code, *c.labels)
        # One slot's course (re-check), or courses of its template (alternatives).
        return c.id == ref["c"] if query.exact else c.coursetemplate_id == ref.get("t")

    wanted = [c for c in courses if (c.users.available or 0) > 0 and c.status != "cancelled" and wanted_course(c)]
    found = Found(zone=zone_name(ZONE))
    locations: dict[int, str] = {}
    today = datetime.now(ZONE).date()
    left_out = 0

    async def offer(course: Course) -> None:
        nonlocal left_out
        if needs_more_than_a_name(await client.get_course(course.id)):
            left_out += 1
            return
        dayparts = (await client.list_course_dayparts(course.id, limit=100)).dayparts
        days = [day for day in map(_day, dayparts) if day is not None]
        if days and min(days) < today:
            return  # begun: Planaday no longer takes bookings for it
        timed = sorted(
            ((d.start, d.end, d) for d in dayparts if d.start is not None and d.end is not None), key=lambda t: t[0]
        )
        if not timed:
            return  # e-learning only: no moment to offer
        start, end, first = timed[0]
        if not query.fits(start, end):
            return
        where = None
        if first.location_ids:
            where = await _location(client, first.location_ids[0], locations)
        sessions = f" (1st of {len(timed)} dayparts)" if len(timed) > 1 else ""
        found.offers.append(
            Offer(
                start,
                end,
                f"{course.name or course.code}{sessions}",
                {"c": course.id, "t": course.coursetemplate_id},
                where=where,
                price=course.costs.user,
                seats_left=course.users.available,
            )
        )

    async with anyio.create_task_group() as tg:
        for course in wanted[: query.limit]:
            tg.start_soon(offer, course)
    if left_out and ref is None:
        found.notes.append(
            f"{left_out} matching course(s) need an attribute choice or STAP details, which book_slot cannot "
            "give: list_planaday_courses and create_planaday_booking book those."
        )
    return found


async def book(kit: Toolkit, offer: Offer, customer: Customer) -> Booked:
    client = PlanadayClient(kit.http)
    ref = offer.ref
    first, last = customer.first_and_last
    student = Student(first_name=first, last_name=last, email=customer.email, phonenumber=customer.phone)
    body = {
        "students": [student.to_vendor()],
        "dayparts": [],
        "materials": [],
        "is_payed": False,
        "creating_source": "agenda-mcp",
    }
    try:
        created = await client.create_booking(ref["c"], body)
    except ToolError as exc:
        if "no longer available" in str(exc):
            raise SlotTaken("Planaday has no seat left on that course") from None
        raise
    return Booked(
        ids={"booking_id": created.booking_id, "course_id": ref["c"]},
        # The booking as create_planaday_booking shows it, without its write flags: book_slot's
        # own result says whether it was made in the sandbox.
        booking=created.model_dump(mode="json", exclude={"sandbox", "repeated"}),
        cancel_tool="delete_planaday_booking",
        cancel_arguments={"booking_id": created.booking_id},
        note="A booking request: the institute still accepts it in Planaday.",
    )


async def existing(kit: Toolkit, offer: Offer, customer: Customer) -> Booked | None:
    """Always None: Planaday's API cannot read bookings back (no booking list or lookup; reference
    §2), so whether this customer already holds this course cannot be asked. The server keeps its
    own record of what book_slot booked, which stops a repeat."""
    return None


async def _location(client: PlanadayClient, location_id: int, known: dict[int, str]) -> str | None:
    if location_id not in known:
        try:
            known[location_id] = (await client.get_location(location_id)).name
        except ToolError:
            known[location_id] = ""
    return known[location_id] or None
