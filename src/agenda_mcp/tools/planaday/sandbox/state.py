"""The Planaday simulator's state and rules: the catalogue, the bookings, and the documented
booking contract (reference §3 P2-P16): the numbered booking errors 400-436 in a fixed order, seat
accounting and the pending -> converted booking life cycle. HTTP (routes, key, media types, rate
limit) is app.py's.

Where the vendor's behaviour is undocumented the reference names a safe choice; each such choice
is marked "SAFE CHOICE" below and made in one place.
"""

from __future__ import annotations

import hmac
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from agenda_mcp.tools.planaday.models import ZONE as TIMEZONE
from agenda_mcp.tools.planaday.sandbox.data import JSON, Catalogue, Course, Daypart

SANDBOX_API_KEY = "sandbox-planaday-key"
"""The one API key the simulator's account accepts."""

GENDERS = {"m", "f", "nvt", "nr", "u"}
LANGUAGES = ["NL", "ENG", "FR", "DU", "PL"]
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
BOOKING_LABEL = re.compile(r"^[A-Za-z0-9-]+$")

# Booking error texts as in the vendor's table (wording and typos kept; clients key on the code).
BOOKING_MESSAGES: dict[int, str] = {
    400: "parameters missing: id",
    401: "unable to parse posted json",
    402: "missing students block",
    403: "students:gender missing, empty or invalid value (m/f/nvt/u/nr allowed)",
    404: "students:first_name missing or empty",
    405: "students:last_name missing or empty",
    406: "students:email contains invalid value ({})",
    407: "course_id missing or not the same as url parameter",
    408: "company:name missing or empty",
    409: "company:address missing or empty",
    410: "company:house_number missing or empty",
    411: "company:postal_code missing or empty",
    412: "company:city missing or empty",
    413: "course selected without dayparts",
    414: "unknown course selected",
    416: "dayparts includes id not present in given course",
    417: "material includes id not present in given course",
    418: "payment block is missing",
    419: "attribute:attributes block is missing",
    420: "attribute:only 1 student allowed when attributes block is set",
    421: "attribute:code is missing",
    422: "attribute:value is missing",
    423: "attribute:unknown attribute code given for this course/daypart: {}. Allowed codes: [{}]",
    424: "attribute:not all required attributes are posted. Missing attributes: [{}]",
    425: "attribute:unkown value given for attribute {}: [{}], Allowed values: [{}]",
    426: "students:unknown language given ({}), allowed: [{}]",
    427: "attribute:Attributes given, but none required/configured",
    428: "attribute:Multiple item given for attribute {}. Only 1 allowed",
    429: "attribute:Value required, but non given",
    430: "students:Bad date of birth given",
    431: "students:date of birth is required for STAP courses",
    432: "students:address is required for STAP courses",
    433: "students:house_number is required for STAP courses",
    434: "students:postal_code is required for STAP courses",
    435: "students:city is required for STAP courses",
    436: "Non STAP booking is not allowed on STAP only course",
}
COMPANY_FIELDS = [("name", 408), ("address", 409), ("house_number", 410), ("postal_code", 411), ("city", 412)]
STAP_FIELDS = [("date_of_birth", 431), ("address", 432), ("house_number", 433), ("postal_code", 434), ("city", 435)]

UNAVAILABLE_COURSE = "Unavailable course selected"


class ApiError(Exception):
    """An answer the vendor gives instead of a result: 400 `{"error", "message"}` or `{"message"}`."""

    def __init__(self, status: int, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code

    def body(self) -> JSON:
        return {"message": self.message} if self.code is None else {"error": self.code, "message": self.message}


def booking_error(code: int, *args: object) -> ApiError:
    return ApiError(400, BOOKING_MESSAGES[code].format(*args), code)


def not_found(message: str) -> ApiError:
    return ApiError(404, message)


BookingStatus = Literal["pending", "converted", "cancel_requested", "deleted"]


@dataclass
class Booking:
    """A booking request as the back office would see it under "openstaande aanvragen"."""

    booking_id: str
    course_id: int
    daypart_ids: list[int]
    material_ids: list[int]
    students: list[JSON]
    company: JSON | None
    seats: int
    option_ids: list[int]
    attributes: list[JSON]
    label: str | None
    is_payed: bool
    payment: JSON | None
    received_at: str
    creating_source: str | None = None
    status: BookingStatus = "pending"
    cancel_reason: str | None = None
    extra: JSON = field(default_factory=dict)


@dataclass(frozen=True)
class Received:
    """A request as it reached the simulator (tests check what was sent, and that nothing was)."""

    method: str
    path: str
    query: dict[str, str]


def text_of(value: object) -> str:
    """A required text field's content; numbers count (house numbers), other types do not."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    return str(value).strip()


def as_id(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _parse_birth_date(value: str) -> date | None:
    # SAFE CHOICE: the vendor documents YYYYMMDD, its plugin sends YYYY-MM-DD; accept both.
    for fmt in ("%Y%m%d", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


class PlanadaySandbox:
    """Simulator state: the catalogue, the bookings and the knobs tests may turn."""

    def __init__(
        self,
        catalogue: Catalogue,
        now: Callable[[], datetime],
        *,
        cancel_converted: bool = False,
    ) -> None:
        self.catalogue = catalogue
        self.now = now
        # SAFE CHOICE (reference P13): deleting a converted booking fails like D1 says, unless this
        # is on, in which case it succeeds as a cancel request (the vendor's newer behaviour).
        self.cancel_converted = cancel_converted
        self._bookings: dict[str, Booking] = {}
        self.requests: list[Received] = []
        """Every request received, refused ones included, in order."""
        self._rng = random.Random(5113)
        self._next_option = 70001
        self._next_person = 20001
        self._next_company = 501
        self._companies: dict[str, int] = {}

    # --- test hooks ----------------------------------------------------------------------------

    @property
    def bookings(self) -> list[Booking]:
        """Every booking made in this app, including deleted ones (status tells)."""
        return list(self._bookings.values())

    def booking(self, booking_id: str) -> Booking:
        return self._bookings[booking_id]

    def mark_converted(self, booking_id: str) -> None:
        """What accepting the request in the back office does: options become planned students."""
        booking = self._bookings[booking_id]
        if booking.status != "pending":
            raise ValueError(f"booking {booking_id} is {booking.status}, not pending")
        booking.status = "converted"
        course = self.catalogue.courses[booking.course_id]
        course.options -= booking.seats
        for daypart in self._dayparts_of(booking):
            daypart.options -= booking.seats
            daypart.scheduled += booking.seats

    def set_available_seats(self, course_id: int, seats: int) -> None:
        if seats < 0:
            raise ValueError("seats must be >= 0")
        self.catalogue.courses[course_id].available = seats

    def available_seats(self, course_id: int) -> int:
        return self.catalogue.courses[course_id].available

    def api_key_ok(self, key: str | None) -> bool:
        return key is not None and hmac.compare_digest(key.encode(), SANDBOX_API_KEY.encode())

    def today(self) -> date:
        return self.now().astimezone(TIMEZONE).date()

    # --- bookings -------------------------------------------------------------------------------
    # Each operation validates and commits without awaiting in between, so concurrent requests on
    # one event loop cannot both take the last seat.

    def create_booking(self, raw_course_id: str, body: object) -> JSON:
        """POST /booking/{course_id}; raises ApiError with the first failing rule (reference P2)."""
        if not isinstance(body, dict):
            raise booking_error(401)
        course_id = as_id(raw_course_id)
        if course_id is None:
            raise booking_error(400)
        course = self.catalogue.courses.get(course_id)
        if course is None:
            raise booking_error(414)
        first = course.first_date
        # SAFE CHOICE: a course that has started is "unavailable" (the vendor's 404 text).
        if first is not None and first < self.today():
            raise not_found(UNAVAILABLE_COURSE)
        if as_id(body.get("course_id")) != course_id:
            raise booking_error(407)
        students = body.get("students")
        if not isinstance(students, list) or not students or not all(isinstance(s, dict) for s in students):
            raise booking_error(402)
        for student in students:
            self._check_student(student)
        for student in students:
            self._check_stap(course, student)
        company = body.get("company")
        if company is not None:
            for name, code in COMPANY_FIELDS:
                if not isinstance(company, dict) or not text_of(company.get(name)):
                    raise booking_error(code)
        if not course.dayparts:
            raise booking_error(413)  # SAFE CHOICE: 413, never its duplicate 415
        dayparts = self._check_dayparts(course, body.get("dayparts"))
        materials = self._check_materials(course, body.get("materials"))
        payment = body.get("payment")
        if body.get("is_payed") is True and not (
            isinstance(payment, dict) and text_of(payment.get("party")) and text_of(payment.get("transaction_id"))
        ):
            raise booking_error(418)
        label = body.get("label")
        if label is not None and not (isinstance(label, str) and BOOKING_LABEL.match(label)):
            # SAFE CHOICE (reference P6): the vendor has no code for a bad label.
            raise ApiError(400, "label contains invalid characters", 400)
        attributes = self._check_attributes(course, dayparts, body.get("attributes"), len(students))
        # Contact persons (is_student false) take no seat.
        seats = sum(1 for s in students if s.get("is_student") is not False)
        if seats > course.available:
            raise not_found(UNAVAILABLE_COURSE)
        return self._commit(course, body, students, company, dayparts, materials, attributes, seats, label)

    def mark_paid(self, booking_id: str, body: object) -> JSON:
        """POST /booking/payed/{booking_id}."""
        if not isinstance(body, dict):
            raise ApiError(400, "Unable to parse posted json", 401)
        if not booking_id.strip():
            raise ApiError(400, "Parameters missing: booking_id", 400)
        booking = self._live_booking(booking_id, "Unavailable booking selected")
        if body.get("is_payed") is True:
            payment = body.get("payment")
            if not isinstance(payment, dict):
                raise ApiError(400, "Missing payment block", 402)
            if not text_of(payment.get("party")):
                raise ApiError(400, "Missing party", 403)
            if not text_of(payment.get("transaction_id")):
                raise ApiError(400, "Missing transaction_id", 404)
            booking.is_payed = True
            booking.payment = {"party": payment["party"], "transaction_id": payment["transaction_id"]}
        else:
            # SAFE CHOICE: undocumented; `is_payed` false or absent records the booking as unpaid.
            booking.is_payed, booking.payment = False, None
        return {"result": "OK", "bookingId": booking.booking_id}

    def delete_booking(self, booking_id: str, body: object) -> JSON:
        """DELETE /booking/{booking_id}: only while pending (D1), see `cancel_converted`."""
        if not booking_id.strip():
            raise ApiError(400, "Parameters missing: bookingid", 400)
        booking = self._live_booking(booking_id, "Booking not found")
        if booking.status == "pending":
            self._release(booking)
            booking.status = "deleted"
        elif not self.cancel_converted:
            # SAFE CHOICE: D1 only finds requests that are not yet converted; a converted one
            # answers like an unknown id.
            raise not_found("Booking not found")
        else:
            booking.status = "cancel_requested"
            if isinstance(body, dict) and text_of(body.get("reason")):
                booking.cancel_reason = text_of(body.get("reason"))
        return {"result": "OK", "bookingId": booking.booking_id}

    def _live_booking(self, booking_id: str, message: str) -> Booking:
        booking = self._bookings.get(booking_id)
        if booking is None or booking.status == "deleted":
            raise not_found(message)
        return booking

    def _check_student(self, student: JSON) -> None:
        for name, code in (("first_name", 404), ("last_name", 405)):
            value = student.get(name)
            if not (isinstance(value, str) and value.strip()):
                raise booking_error(code)
        # Absent gender means "u"; "" and anything else are refused (reference P4).
        gender = student.get("gender")
        if gender is not None and not (isinstance(gender, str) and gender in GENDERS):
            raise booking_error(403)
        # SAFE CHOICE: an absent email/phonenumber key is treated as null (no code exists for it).
        email = student.get("email")
        if email is not None and not (isinstance(email, str) and EMAIL.match(email)):
            raise booking_error(406, email)
        language = student.get("language")
        if language is not None and not (isinstance(language, str) and language in LANGUAGES):
            raise booking_error(426, language, ", ".join(LANGUAGES))
        birth = student.get("date_of_birth")
        if birth is not None:
            parsed = _parse_birth_date(birth) if isinstance(birth, str) else None
            if parsed is None or parsed > self.today():
                raise booking_error(430)

    @staticmethod
    def _check_stap(course: Course, student: JSON) -> None:
        # SAFE CHOICE (reference P11): a student books with STAP when `stap_regulation` is true.
        stap = student.get("stap_regulation") is True
        if course.stap_only and not stap:
            raise booking_error(436)
        if stap and course.has_stap:
            for name, code in STAP_FIELDS:
                if not text_of(student.get(name)):
                    raise booking_error(code)

    @staticmethod
    def _check_dayparts(course: Course, requested: object) -> list[Daypart]:
        if requested is None or requested == []:
            return list(course.dayparts)  # empty or absent: all dayparts of the course
        by_id = {d.id: d for d in course.dayparts}
        if not isinstance(requested, list):
            raise booking_error(416)
        chosen: list[Daypart] = []
        for raw in requested:
            key = as_id(raw)
            daypart = by_id.get(key) if key is not None else None
            if daypart is None:
                raise booking_error(416)
            if daypart not in chosen:
                chosen.append(daypart)
        return chosen

    @staticmethod
    def _check_materials(course: Course, requested: object) -> list[int]:
        if requested is None or requested == []:
            return []
        allowed = course.bookable_material_ids
        if not isinstance(requested, list):
            raise booking_error(417)
        ids = [as_id(raw) for raw in requested]
        if any(i not in allowed for i in ids):
            raise booking_error(417)
        return [i for i in ids if i is not None]

    @staticmethod
    def _check_attributes(course: Course, dayparts: list[Daypart], block: object, student_count: int) -> list[JSON]:
        configured = {a.code: a for a in course.attributes}
        for daypart in dayparts:
            configured |= {a.code: a for a in daypart.attributes}
        given = None if block is None or block == [] else block
        if given is not None and not configured:
            raise booking_error(427)
        required = [a for a in configured.values() if a.is_required]
        if given is None:
            if required:
                raise booking_error(419)
            return []
        if student_count > 1:
            raise booking_error(420)
        entries: list[JSON] = []
        for entry in given if isinstance(given, list) else [given]:
            if not isinstance(entry, dict) or not text_of(entry.get("code")):
                raise booking_error(421)
            if not isinstance(entry.get("values"), list):
                raise booking_error(422)
            entries.append(entry)
        for entry in entries:
            if entry["code"] not in configured:
                raise booking_error(423, entry["code"], ", ".join(configured))
        posted = {entry["code"] for entry in entries}
        missing = [f"{a.name} {a.code}" for a in required if a.code not in posted]
        if missing:
            raise booking_error(424, ", ".join(missing))
        for entry in entries:
            attribute = configured[entry["code"]]
            for value in entry["values"]:
                if not isinstance(value, str) or value not in attribute.options:
                    raise booking_error(425, attribute.code, value, ", ".join(attribute.options))
        for entry in entries:
            attribute = configured[entry["code"]]
            if len(entry["values"]) > 1 and not attribute.multiple_values_allowed:
                raise booking_error(428, attribute.code)
            if not entry["values"] and attribute.is_required:
                raise booking_error(429)
        return [{"code": e["code"], "values": list(e["values"])} for e in entries]

    def _commit(
        self,
        course: Course,
        body: JSON,
        students: list[JSON],
        company: JSON | None,
        dayparts: list[Daypart],
        materials: list[int],
        attributes: list[JSON],
        seats: int,
        label: str | None,
    ) -> JSON:
        moment = self.now()
        # The vendor's shape ("API" + a uniqid-like token), but from the seeded generator, not the
        # clock: a fresh simulator hands out the same ids, so demo transcripts can be compared.
        booking_id = f"API{self._rng.getrandbits(56):014x}.{self._rng.randrange(10**7, 10**8)}"
        company_detail = self._company_detail(company)
        details: list[JSON] = []
        option_ids: list[int] = []
        for student in students:
            is_student = student.get("is_student") is not False
            options = list(range(self._next_option, self._next_option + len(dayparts))) if is_student else []
            self._next_option += len(options)
            option_ids += options
            person_id = as_id(student.get("id"))
            if person_id is None:
                person_id, self._next_person = self._next_person, self._next_person + 1
            # SAFE CHOICE: only "employee" is documented; private students and contact-only
            # persons get the type names below.
            kind = "employee" if company is not None else "private"
            details.append(
                {
                    "action": "reused" if as_id(student.get("id")) is not None else "created",
                    "type": kind if is_student else "contact",
                    "id": person_id,
                    "name": f"{student['last_name'].strip()}, {student['first_name'].strip()}",
                    "option_ids": options,
                }
            )
        self._bookings[booking_id] = Booking(
            booking_id=booking_id,
            course_id=course.id,
            daypart_ids=[d.id for d in dayparts],
            material_ids=materials,
            students=[dict(s) for s in students],
            company=dict(company) if company is not None else None,
            seats=seats,
            option_ids=option_ids,
            attributes=attributes,
            label=label,
            is_payed=body.get("is_payed") is True,
            payment=body.get("payment") if body.get("is_payed") is True else None,
            received_at=moment.astimezone(TIMEZONE).isoformat(timespec="seconds"),
            creating_source=body.get("creating_source"),
            extra={k: body[k] for k in ("created_at", "notes") if k in body},
        )
        course.available -= seats
        course.options += seats
        for daypart in dayparts:
            daypart.options += seats
        return {
            "result": "OK",
            "booking_id": booking_id,
            "details": {"company": company_detail, "students": details},
        }

    def _company_detail(self, company: JSON | None) -> JSON | None:
        if company is None:
            return None
        name = text_of(company.get("name"))
        key = name.casefold()
        action = "reused" if key in self._companies else "created"
        if action == "created":
            self._companies[key] = self._next_company
            self._next_company += 1
        return {"action": action, "id": self._companies[key], "name": name}

    def _dayparts_of(self, booking: Booking) -> list[Daypart]:
        return [self.catalogue.dayparts[i] for i in booking.daypart_ids]

    def _release(self, booking: Booking) -> None:
        course = self.catalogue.courses[booking.course_id]
        course.available += booking.seats
        course.options -= booking.seats
        for daypart in self._dayparts_of(booking):
            daypart.options -= booking.seats
