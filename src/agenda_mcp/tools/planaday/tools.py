"""Planaday's MCP tools and resources."""

from __future__ import annotations

import contextlib
import json
from typing import Annotated

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field, WithJsonSchema

from agenda_mcp.server.kit import (
    DateTime,
    Question,
    Toolkit,
    VendorTools,
    When,
    check_period,
    quoted,
    read,
    resource,
    wall_clock,
    write,
)
from agenda_mcp.tools.planaday.client import PlanadayClient
from agenda_mcp.tools.planaday.models import (
    BOOKING_LABEL_PATTERN,
    ZONE,
    BookingChanged,
    BookingCreated,
    Company,
    CourseDetail,
    CoursePage,
    CourseTemplateDetail,
    CourseTemplateList,
    Daypart,
    DaypartPage,
    ExtraFieldList,
    LabelList,
    LabelName,
    Location,
    MaterialPage,
    Payment,
    PingResult,
    Student,
)

Id = Annotated[int, Field(ge=1)]
CourseId = Annotated[int, Field(ge=1, description="from list_planaday_courses")]
DaypartId = Annotated[int, Field(ge=1, description="from list_planaday_course_dayparts")]
Offset = Annotated[int, Field(ge=0, description="rows to skip")]
Limit = Annotated[int, Field(ge=1, le=100, description="page size")]
MaterialLabel = Annotated[LabelName | None, Field(description="filter by label")]
# A course list's period is days, but a moment a result showed (a daypart's start) is accepted too,
# as its day in Planaday's zone. The schema names the usual value: format date-time would tell a
# validating client to refuse a plain date.
Day = Annotated[DateTime, WithJsonSchema({"type": "string", "format": "date"})]


# Longest period one course list may cover: Planaday pages through it, but years of courses
# are never what a person means and would cost the vendor a long query.
MAX_PERIOD_DAYS = 731


class PlanadayTools(VendorTools):
    def __init__(self, kit: Toolkit) -> None:
        super().__init__(kit)
        self.client = PlanadayClient(kit.http)

    async def describe_deletion(self, booking_id: str) -> str:
        # The id is free text the model gave (Planaday's ids are strings): quoted like any such value.
        # Planaday has no endpoint to read a booking back: what this server booked is remembered (on
        # every replica alike) to tell the person whom a deletion concerns.
        note = await self.kit.recall(f"booking:{booking_id}")
        what = _booked(note) if note else Question("a booking request not made by agenda-mcp")
        return Question(
            "Delete Planaday booking {booking} ({what})? Its seats are released; this cannot be undone.",
            locale=self.kit.settings.locale,
            booking=quoted(booking_id),
            what=what,
        )

    async def describe_booking(self, course_id: int, students: list[Student], dayparts: list[int] | None = None) -> str:
        """What, for whom and when: the course by name and its first booked session, as Planaday has them."""
        course = Question("course {id}", id=course_id)
        with contextlib.suppress(ToolError):
            name = (await self.client.get_course(course_id)).name
            course = Question("{name} (course {id})", name=quoted(name), id=course_id) if name else course
        first = None
        with contextlib.suppress(ToolError):
            listed = (await self.client.list_course_dayparts(course_id, limit=100)).dayparts
            starts = [d.start for d in listed if d.start is not None and (not dayparts or d.id in dayparts)]
            first = min(starts) if starts else None
        names = _names([f"{s.first_name} {s.last_name}" for s in students])
        if first is None:
            return Question(
                "Request Planaday {course} for {students}? The institute still has to accept it.",
                locale=self.kit.settings.locale,
                course=course,
                students=names,
            )
        return Question(
            "Request Planaday {course}, first session {start} ({zone}) for {students}? "
            "The institute still has to accept it.",
            locale=self.kit.settings.locale,
            course=course,
            start=When(first, "EEE dd-MM-yyyy HH:mm"),
            zone=ZONE.key,
            students=names,
        )

    @read("ping_planaday", title="Check the Planaday connection")
    async def ping_planaday(self) -> PingResult:
        """Planaday: check the connection and the API key."""
        return PingResult(ok=await self.client.ping())

    @read("list_planaday_courses", title="List courses")
    async def list_planaday_courses(
        self,
        start: Annotated[Day, Field(description="first day, or a datetime")],
        end: Annotated[Day, Field(description="last day")],
        template_id: Annotated[Id | None, Field(description="course template id")] = None,
        label: Annotated[list[LabelName] | None, Field(description="courses with all of these", max_length=10)] = None,
        offset: Offset = 0,
        limit: Limit = 25,
    ) -> CoursePage:
        """Planaday: courses in a period, with seats left (users.available) and price per student
        (costs.user)."""
        first = wall_clock(None, start, ZONE, name="start").date()
        last = wall_clock(None, end, ZONE, name="end").date()
        check_period(first, last, max_days=MAX_PERIOD_DAYS, names=("start", "end"))
        return await self.client.list_courses(
            first, last, template_id=template_id, label=",".join(label) if label else None, offset=offset, limit=limit
        )

    @read("get_planaday_course", title="Get a course")
    async def get_planaday_course(self, course_id: CourseId) -> CourseDetail:
        """Planaday: one course: seats, costs, and the attributes (its own, its dayparts') a booking
        chooses from."""
        return await self.client.get_course(course_id)

    @read("list_planaday_course_dayparts", title="List a course's dayparts")
    async def list_planaday_course_dayparts(
        self, course_id: CourseId, offset: Offset = 0, limit: Limit = 25
    ) -> DaypartPage:
        """Planaday: a course's dayparts (sessions): times and location ids."""
        return await self.client.list_course_dayparts(course_id, offset=offset, limit=limit)

    @read("list_planaday_course_materials", title="List a course's materials")
    async def list_planaday_course_materials(
        self, course_id: CourseId, label: MaterialLabel = None, offset: Offset = 0, limit: Limit = 25
    ) -> MaterialPage:
        """Planaday: materials (books, kits) to order with a course."""
        return await self.client.list_course_materials(course_id, label=label, offset=offset, limit=limit)

    @read("list_planaday_course_templates", title="List course templates")
    async def list_planaday_course_templates(self) -> CourseTemplateList:
        """Planaday: the course catalogue (templates courses are planned from)."""
        return CourseTemplateList(course_templates=await self.client.list_course_templates())

    @read("get_planaday_course_template", title="Get a course template")
    async def get_planaday_course_template(
        self,
        template_id: Annotated[int, Field(ge=1, description="from list_planaday_course_templates")],
    ) -> CourseTemplateDetail:
        """Planaday: one course template with group size, costs and level."""
        return await self.client.get_course_template(template_id)

    @read("get_planaday_daypart", title="Get a daypart")
    async def get_planaday_daypart(self, daypart_id: DaypartId) -> Daypart:
        """Planaday: one daypart (session): seats taken, instructors, costs."""
        return await self.client.get_daypart(daypart_id)

    @read("list_planaday_daypart_materials", title="List a daypart's materials")
    async def list_planaday_daypart_materials(
        self, daypart_id: DaypartId, label: MaterialLabel = None, offset: Offset = 0, limit: Limit = 25
    ) -> MaterialPage:
        """Planaday: a daypart's materials."""
        return await self.client.list_daypart_materials(daypart_id, label=label, offset=offset, limit=limit)

    @read("list_planaday_labels", title="List course labels")
    async def list_planaday_labels(self) -> LabelList:
        """Planaday: course labels, the filters of list_planaday_courses."""
        return LabelList(labels=await self.client.list_labels())

    @read("get_planaday_location", title="Get a training location")
    async def get_planaday_location(
        self,
        location_id: Annotated[int, Field(ge=1, description="from a daypart's location_ids")],
    ) -> Location:
        """Planaday: a training location: address, contact details, capacity."""
        return await self.client.get_location(location_id)

    @read("list_planaday_extrafields", title="List student extra fields")
    async def list_planaday_extrafields(self) -> ExtraFieldList:
        """Planaday: the ids and options for a booking's students[].extrafields."""
        return await self.client.list_extrafields()

    @write(
        "create_planaday_booking",
        destructive=False,
        idempotent=False,
        title="Book students on a course",
        confirm=describe_booking,
    )
    async def create_planaday_booking(
        self,
        course_id: CourseId,
        students: Annotated[
            list[Student],
            Field(
                min_length=1,
                max_length=50,
                description="STAP (course has_stap; stap_only: required): stap_regulation=true plus "
                "date_of_birth, address, house_number, postal_code, city",
            ),
        ],
        company: Annotated[Company | None, Field(description="employer; none for private students")] = None,
        dayparts: Annotated[list[Id], Field(description="ids to book; empty = all")] = [],  # noqa: B006
        materials: Annotated[list[Id], Field(description="ids from list_planaday_course_materials")] = [],  # noqa: B006
        label: Annotated[str | None, Field(pattern=BOOKING_LABEL_PATTERN, description="tag for the request")] = None,
        is_payed: Annotated[bool, Field(description="already paid (give payment)")] = False,
        payment: Annotated[Payment | None, Field(description="required if is_payed")] = None,
        attributes: Annotated[
            dict[str, list[str]] | None,
            Field(description="code -> option names (get_planaday_course); one student only"),
        ] = None,
        notes: Annotated[str | None, Field(max_length=2000, description="shown with the request")] = None,
    ) -> BookingCreated:
        """Planaday: enrol students on a course (a seat each) as a booking request the institute still
        accepts."""
        if is_payed and payment is None:
            raise ToolError("Planaday: is_payed is true, so give payment with party and transaction_id.")
        if attributes and len(students) > 1:
            raise ToolError("Planaday: attributes can only be sent for one student; book students one by one.")
        body: dict[str, object] = {
            "students": [student.to_vendor() for student in students],
            "dayparts": dayparts,
            "materials": materials,
            "is_payed": is_payed,
            "creating_source": "agenda-mcp",
        }
        if company is not None:
            body["company"] = company.model_dump(exclude_none=True)
        if label is not None:
            body["label"] = label
        if payment is not None:
            body["payment"] = payment.model_dump()
        if attributes:
            body["attributes"] = [{"code": code, "values": values} for code, values in attributes.items()]
        if notes:
            body["notes"] = notes
        created = await self.client.create_booking(course_id, body)
        await self.kit.remember(f"booking:{created.booking_id}", _booking_note(students, course_id))
        return created

    @write("mark_planaday_booking_paid", destructive=False, idempotent=True, title="Mark a booking paid")
    async def mark_planaday_booking_paid(
        self,
        booking_id: Annotated[str, Field(min_length=1, max_length=100, description="from create_planaday_booking")],
        party: Annotated[str, Field(min_length=1, max_length=100, description="provider, e.g. ideal")],
        transaction_id: Annotated[str, Field(min_length=1, max_length=200, description="provider's reference")],
    ) -> BookingChanged:
        """Planaday: record that a booking has been paid."""
        return await self.client.mark_booking_paid(booking_id, party, transaction_id)

    @write(
        "delete_planaday_booking",
        destructive=True,
        idempotent=True,
        title="Delete a booking request",
        confirm=describe_deletion,
    )
    async def delete_planaday_booking(
        self,
        booking_id: Annotated[str, Field(min_length=1, max_length=100, description="from create_planaday_booking")],
        reason: Annotated[str | None, Field(max_length=500, description="why; stored with the booking")] = None,
    ) -> BookingChanged:
        """Planaday: delete a booking request not yet accepted; frees its seats."""
        return await self.client.delete_booking(booking_id, reason)

    @resource("planaday://labels", name="planaday-labels", description="Planaday labels (JSON)")
    async def labels(self) -> LabelList:
        return LabelList(labels=await self.client.list_labels())

    @resource(
        "planaday://course-templates", name="planaday-course-templates", description="Planaday course templates (JSON)"
    )
    async def course_templates(self) -> CourseTemplateList:
        return CourseTemplateList(course_templates=await self.client.list_course_templates())


def _names(names: list[str], shown: int = 5) -> str:
    """The students as a consent question names them: each name the model gave, quoted."""
    listed = ", ".join(quoted(name) for name in names[:shown])
    if len(names) <= shown:
        return listed
    return Question("{names} and {count} more", names=listed, count=len(names) - shown)


def _booking_note(students: list[Student], course_id: int) -> str:
    """What create_planaday_booking remembers of a booking, in no language: the students and the course."""
    return json.dumps({"students": [f"{s.first_name} {s.last_name}" for s in students], "course": course_id})


def _booked(note: str) -> str:
    """A remembered booking as a question names it (`“Sanne de Vries” on course 101`); a note kept in
    an older form is shown as it was written."""
    try:
        booked = json.loads(note)
        names, course = [str(name) for name in booked["students"]], int(booked["course"])
    except (ValueError, TypeError, KeyError):
        return note
    return Question("{students} on course {course}", students=_names(names), course=course)


def register(kit: Toolkit) -> None:
    kit.add(PlanadayTools(kit))
