"""Typed async client for the Planaday public API v1: one method per operation."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError

from agenda_mcp.server.kit import ConfigError, Connection, VendorHTTP, path_segment
from agenda_mcp.tools.planaday.models import (
    BookingChanged,
    BookingCreated,
    Course,
    CourseDetail,
    CoursePage,
    CourseTemplate,
    CourseTemplateDetail,
    Daypart,
    DaypartPage,
    DaypartSummary,
    ExtraFieldList,
    Label,
    Location,
    Material,
    MaterialPage,
    page_from,
    vendor_date,
)


def connection(env: Mapping[str, str]) -> Connection:
    key = env.get("PLANADAY_API_KEY", "").strip()
    # No default host: every company has its own (https://{company}.api.planaday.nl/v1).
    base_url = env.get("PLANADAY_BASE_URL", "").strip()
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"PLANADAY_BASE_URL must be a URL like https://mycompany.api.planaday.nl/v1 (got {base_url!r})"
        )
    return Connection(
        base_url=base_url,
        # The vendor answers 415 unless both JSON headers are on every request, GETs included.
        headers={"X-Api-Key": key, "Accept": "application/json", "Content-Type": "application/json"},
        secrets=(key,),
    )


# Advice for a 404 on a call without an id: the address is wrong, not an id.
NO_ENDPOINT = (
    "Planaday has no such call at this address: check PLANADAY_BASE_URL (https://mycompany.api.planaday.nl/v1)."
)
# Advice for a 404 on a call that names one thing, by what it names.
NO_COURSE = "No course with that course_id; list_planaday_courses shows valid ones."
NO_DAYPART = "No daypart with that daypart_id; list_planaday_course_dayparts shows valid ones."


class PlanadayClient:
    def __init__(self, http: VendorHTTP) -> None:
        self.http = http

    async def _get(
        self, path: str, action: str, params: Mapping[str, Any] | None = None, *, missing: str = NO_ENDPOINT
    ) -> dict[str, Any]:
        """GET a JSON object; `missing` is the advice for a 404, which fits the call (an unknown
        id where the path has one; for a list without an id, the base URL)."""
        body = await self.http.json("GET", path, params=params, action=action, hints={404: missing})
        if not isinstance(body, dict):
            raise ToolError(f"Planaday: {action} gave an empty or unexpected answer; try again.")
        return body

    async def ping(self) -> bool:
        await self.http.request("GET", "ping", action="ping")
        return True

    async def list_courses(
        self,
        start: date,
        end: date,
        *,
        template_id: int | None = None,
        label: str | None = None,
        offset: int = 0,
        limit: int = 25,
    ) -> CoursePage:
        params = {
            "start": vendor_date(start),
            "end": vendor_date(end),
            "templateid": template_id,
            "label": label,
            "offset": offset,
            "limit": limit,
        }
        # SAFE CHOICE: the docs list "404 Course not found" for this list without saying when. It is
        # reported with advice that fits a filter (and a wrong base URL, which answers 404 too), not
        # turned into an empty page that would hide a misconfiguration.
        missing = (
            "No course matches this period and these filters: widen start/end or drop label/template_id "
            "(if every call answers 404, check PLANADAY_BASE_URL)."
        )
        body = await self._get("course/list", "list courses", params, missing=missing)
        courses = [Course.model_validate(c) for c in body.get("data") or []]
        return CoursePage(courses=courses, page=page_from(body, offset, len(courses), limit))

    async def get_course(self, course_id: int) -> CourseDetail:
        return CourseDetail.model_validate(await self._get(f"course/{course_id}", "get course", missing=NO_COURSE))

    async def list_course_dayparts(self, course_id: int, *, offset: int = 0, limit: int = 25) -> DaypartPage:
        params = {"offset": offset, "limit": limit}
        body = await self._get(f"course/{course_id}/dayparts", "list course dayparts", params, missing=NO_COURSE)
        dayparts = [DaypartSummary.model_validate(d) for d in body.get("data") or []]
        return DaypartPage(dayparts=dayparts, page=page_from(body, offset, len(dayparts), limit))

    async def list_course_materials(
        self, course_id: int, *, label: str | None = None, offset: int = 0, limit: int = 25
    ) -> MaterialPage:
        params = {"offset": offset, "limit": limit, "label": label}
        body = await self._get(f"course/{course_id}/materials", "list course materials", params, missing=NO_COURSE)
        return self._materials(body, offset, limit)

    async def list_daypart_materials(
        self, daypart_id: int, *, label: str | None = None, offset: int = 0, limit: int = 25
    ) -> MaterialPage:
        params = {"offset": offset, "limit": limit, "label": label}
        body = await self._get(f"daypart/{daypart_id}/materials", "list daypart materials", params, missing=NO_DAYPART)
        return self._materials(body, offset, limit)

    @staticmethod
    def _materials(body: dict[str, Any], offset: int, limit: int) -> MaterialPage:
        materials = [Material.model_validate(m) for m in body.get("data") or []]
        return MaterialPage(materials=materials, page=page_from(body, offset, len(materials), limit))

    async def list_course_templates(self) -> list[CourseTemplate]:
        body = await self._get("coursetemplate/list", "list course templates")
        return [CourseTemplate.model_validate(t) for t in body.get("coursetemplates") or []]

    async def get_course_template(self, template_id: int) -> CourseTemplateDetail:
        missing = "No course template with that template_id; list_planaday_course_templates shows valid ones."
        body = await self._get(f"coursetemplate/{template_id}", "get template", missing=missing)
        return CourseTemplateDetail.model_validate(body)

    async def get_daypart(self, daypart_id: int) -> Daypart:
        return Daypart.model_validate(await self._get(f"daypart/{daypart_id}", "get daypart", missing=NO_DAYPART))

    async def list_labels(self) -> list[Label]:
        body = await self._get("label/list", "list labels")
        return [Label.model_validate(label) for label in body.get("labels") or []]

    async def get_location(self, location_id: int) -> Location:
        missing = "No location with that location_id; a daypart's location_ids are valid ones."
        return Location.model_validate(await self._get(f"location/{location_id}", "get location", missing=missing))

    async def list_extrafields(self) -> ExtraFieldList:
        body = await self._get("extrafields/list", "list extra fields")
        groups = body.get("extrafields")
        # An account without extra fields may answer `[]` or `{"student": []}`.
        return ExtraFieldList.model_validate(groups if isinstance(groups, dict) else {})

    async def create_booking(self, course_id: int, booking: dict[str, Any]) -> BookingCreated:
        verify_with = "get_planaday_course (its seat count)"
        body = await self.http.json(
            "POST",
            f"booking/{course_id}",
            json_body={**booking, "course_id": course_id},
            action="create booking",
            verify_with=verify_with,
            # The vendor answers 404 "Unavailable course selected" for a full course too.
            hints={
                404: "The course is no longer available: no seats left, or it does not exist. "
                "Check it with get_planaday_course."
            },
        )
        booking_id = _booking_id(body)
        if not booking_id:
            raise self.http.uncertain_write("create booking", "was answered without a booking id", verify_with)
        details = body.get("details") or {}
        return BookingCreated.model_validate(
            {
                "booking_id": booking_id,
                "company": details.get("company") or None,
                "students": details.get("students") or [],
            }
        )

    async def mark_booking_paid(self, booking_id: str, party: str, transaction_id: str) -> BookingChanged:
        body = await self.http.json(
            "POST",
            f"booking/payed/{path_segment(booking_id)}",
            json_body={"is_payed": True, "payment": {"party": party, "transaction_id": transaction_id}},
            action="mark booking paid",
            hints={404: "No booking with that booking_id; it is the id create_planaday_booking returned."},
        )
        return BookingChanged(result=str((body or {}).get("result", "OK")))

    async def delete_booking(self, booking_id: str, reason: str | None = None) -> BookingChanged:
        payload = {"reason": reason, "deleting_source": "agenda-mcp"} if reason else None
        body = await self.http.json(
            "DELETE",
            f"booking/{path_segment(booking_id)}",
            json_body=payload,
            action="delete booking",
            hints={
                404: "No open booking with that booking_id: it may be wrong, already deleted, or already "
                "accepted in Planaday (then cancel it there)."
            },
        )
        return BookingChanged(result=str((body or {}).get("result", "OK")))


def _booking_id(body: Any) -> str:
    # The docs write bookingId, one client library booking_id: accept both.
    if not isinstance(body, dict):
        return ""
    return str(body.get("booking_id") or body.get("bookingId") or "")
