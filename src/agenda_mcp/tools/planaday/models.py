"""Pydantic models of Planaday's requests and answers.

Answers are parsed from the vendor's shapes (`YYYYMMDD` dates, `HH:mm` times, `0/1` flags, `[]`
for an empty object, `href`s) into the shapes tools return: moments with their offset, ISO dates,
booleans, ids instead of links.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from agenda_mcp.server.kit import Moment, ResultModel, WriteResult, moment, zone_name

ZONE = ZoneInfo("Europe/Amsterdam")
"""Planaday's zone (the docs: date and time data is "stored in Europe/Amsterdam timezone"). The
one place it is named: tools, results and the sandbox all take it from here."""

# The booking's own `label`: the docs allow only a-z, A-Z, 0-9 and - ("no spaces").
BOOKING_LABEL_PATTERN = r"^[A-Za-z0-9-]+$"
Gender = Literal["m", "f", "nvt", "nr", "u"]
Language = Literal["NL", "ENG", "FR", "DU", "PL"]


def parse_date(value: Any) -> date | None:
    """Planaday writes dates as `YYYYMMDD`; a few places use `YYYY-MM-DD` or `DD-MM-YYYY`."""
    if value in (None, "", 0, "0"):
        return None
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in ("%Y%m%d", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a Planaday date: {text!r}")


def parse_time(value: Any) -> time | None:
    """Planaday writes times as `HH:mm` (`09:00`; `24:00` is read as the end of the day)."""
    if value in (None, ""):
        return None
    if isinstance(value, time):
        return value
    text = str(value).strip()[:5]
    if text == "24:00":
        return time.max
    return datetime.strptime(text, "%H:%M").time()


def daypart_span(day: date, start: time, end: time | None) -> tuple[datetime, datetime | None]:
    """A daypart's `date` + `start_time`/`end_time` (wall clock in ZONE) as moments with offsets.
    An end at or before the start is on the next day (a session past midnight)."""
    first = moment(day, start, ZONE)
    if end is None:
        return first, None
    if end == time.max:
        return first, moment(day + timedelta(days=1), time(0), ZONE)
    last = moment(day, end, ZONE)
    if last <= first:
        last = moment(day + timedelta(days=1), end, ZONE)
    return first, last


def _label_name(value: str) -> str:
    # SAFE CHOICE: Planaday does not say which characters a label name may hold (only the
    # booking's own `label` is restricted), and its labels are free text in the back office, so
    # any name is accepted (httpx percent-encodes it in the query) except a comma: the course
    # list takes several labels as one comma-separated value.
    if "," in value:
        raise ValueError("a label name cannot contain a comma; give each label as its own item")
    if not value.strip() or len(value) > 100:
        raise ValueError("give a label name from list_planaday_labels (1 to 100 characters)")
    return value


def vendor_date(value: date) -> str:
    return value.strftime("%Y%m%d")


def _object_or_empty(value: Any) -> Any:
    # The vendor sends `[]` where an object has no members.
    return {} if value == [] or value is None else value


def _id_of(value: Any) -> Any:
    return value.get("id") if isinstance(value, dict) else value


PDate = Annotated[date | None, BeforeValidator(parse_date)]
# Checked by the validator, not schema keywords: its messages say more, and tools/list stays short.
LabelName = Annotated[str, AfterValidator(_label_name)]
"""A label filter: a name from list_planaday_labels (spaces allowed)."""


def _ids(value: Any) -> list[Any]:
    # Links `[{"id", "href"}]` as ids; the docs show `[{"id": null, "href": null}]` for "none".
    return [i for i in (_id_of(x) for x in value or []) if i is not None]


Ids = Annotated[list[int], BeforeValidator(_ids)]


def _text(value: Any) -> Any:
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


Text = Annotated[str | None, BeforeValidator(_text)]
"""Free text the vendor may also send as a number (a freefield, a default value)."""


# -- reference data ---------------------------------------------------------------------------


class AttributeOption(ResultModel):
    value: str | None = None
    description: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _empty(cls, data: Any) -> Any:
        return {} if data == [] or data is None else data


class Attribute(ResultModel):
    code: str
    values: Annotated[dict[str, AttributeOption], BeforeValidator(_object_or_empty)] = {}
    is_required: bool = False
    multiple_values_allowed: bool = False
    # Not the vendor's is_financial: vat is present exactly when the attribute is financial.
    vat: float | None = None


Attributes = Annotated[dict[str, Attribute], BeforeValidator(_object_or_empty)]


class Label(ResultModel):
    id: int
    name: str
    description: str | None = None


class SeatRange(ResultModel):
    min: int | None = None
    max: int | None = None


class Seats(SeatRange):
    available: int | None = None
    options: int | None = None


class SeatsLeft(ResultModel):
    max: int | None = None
    available: int | None = None


class Price(ResultModel):
    user: float | None = None
    vat: float | None = None  # the vendor's vat_code only restates vat (0/1/2 = 0/9/21 %)


class Costs(Price):
    course: float | None = None
    remark: str | None = None


class Material(ResultModel):
    id: int
    code: str | None = None
    name: str
    description: str | None = None
    selling_price: float | None = None
    vat: float | None = None


class DaypartRef(ResultModel):
    # In a course's details: which dayparts, and the attributes a booking of them chooses from
    # (their status and dates: list_planaday_course_dayparts).
    id: int
    attributes: Attributes = {}


class CourseBase(ResultModel):
    id: int
    code: str | None = None
    name: str | None = None
    status: str | None = None
    language: str | None = None
    coursetemplate_id: Annotated[int | None, BeforeValidator(_id_of)] = Field(
        None, validation_alias=AliasChoices("coursetemplate_id", "coursetemplate")
    )
    labels: list[str] = []
    start_guaranteed: bool | None = None


class Course(CourseBase):
    # A course as a list shows it: what someone scanning for a course needs (get_planaday_course
    # has the rest). Course lists carry no dates: the vendor's list item has only its first daypart.
    daypart_amount: int | None = None
    users: SeatsLeft = SeatsLeft()
    costs: Price = Price()


class CourseDetail(CourseBase):
    # No daypart_amount: it is len(dayparts).
    users: Seats = Seats()
    costs: Costs = Costs()
    description: str | None = None
    type: str | None = None
    dayparts: list[DaypartRef] = []
    attributes: Attributes = {}
    has_elearning: bool | None = None
    has_code95: bool | None = None
    has_soob: bool | None = None
    has_stap: bool | None = None
    stap_only: bool | None = None
    level: str | None = None
    level_description: str | None = None
    freefields: Annotated[dict[str, Text], BeforeValidator(_object_or_empty)] = {}
    repeating_course_ids: Ids = Field([], validation_alias=AliasChoices("repeating_course_ids", "repeating_courses"))


class DaypartSeats(ResultModel):
    scheduled: int | None = None
    options: int | None = None
    waitinglist: int | None = None


class DaypartSummary(ResultModel):
    # A daypart as a course's list shows it; get_planaday_daypart has the rest. Its `date` +
    # `start_time`/`end_time` become `start`/`end` moments; `date` stays only for a daypart
    # without times (e-learning can have none): a date alone is not a moment.

    id: int
    name: str | None = None
    status: str | None = None
    start: Moment | None = None
    end: Moment | None = None
    date: PDate = None
    is_elearning: bool | None = None
    date_finish_before: PDate = Field(None, description="e-learning deadline")
    location_ids: Ids = Field([], validation_alias=AliasChoices("location_ids", "locations"))

    @model_validator(mode="before")
    @classmethod
    def _moments(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not ({"start_time", "end_time"} & data.keys()):
            return data  # not the vendor's shape (say, our own result validated again)
        data = dict(data)
        day = parse_date(data.get("date"))
        start, end = parse_time(data.pop("start_time", None)), parse_time(data.pop("end_time", None))
        if day is not None and start is not None:
            data["start"], data["end"] = daypart_span(day, start, end)
            data.pop("date", None)
        return data


class Daypart(DaypartSummary):
    code: str | None = None
    description: str | None = None
    visible: bool | None = None
    users: DaypartSeats = DaypartSeats()
    instructor_ids: Ids = Field([], validation_alias=AliasChoices("instructor_ids", "instructors"))
    costs: Price = Price()  # a daypart's costs carry no course price or remark
    labels: list[str] = []
    # Its attributes are shown where a booking needs them: in get_planaday_course's dayparts.


class CourseTemplate(ResultModel):
    id: int
    code: str | None = None
    name: str
    description: str | None = None
    daypart_amount: int | None = None
    language: str | None = None
    labels: list[str] = []
    has_elearning: bool | None = None
    has_code95: bool | None = None
    has_soob: bool | None = None


class CourseTemplateDetail(CourseTemplate):
    level: str | None = None
    users: SeatRange = SeatRange()
    costs: Costs = Costs()
    # Not the vendor's `dayparts` (it does not say which course's they are), nor its attributes:
    # a booking chooses from the attributes of the course, which get_planaday_course shows.


class Address(ResultModel):
    street_1: str | None = None
    street_2: str | None = None
    housenumber: str | None = None
    housenumber_extension: str | None = None
    zipcode: str | None = None
    city: str | None = None
    country: str | None = None
    lat: float | None = None
    lng: float | None = None

    @field_validator("housenumber", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        return None if value is None else str(value)


class ContactInfo(ResultModel):
    phonenumber_1: str | None = None
    email: str | None = None
    website: str | None = None


class Location(ResultModel):
    id: int
    name: str
    code: str | None = None
    description: str | None = None
    address: Address = Address()
    contact_info: ContactInfo = ContactInfo()
    capacity: int | None = None
    overbookable: bool | None = None
    is_virtual: bool | None = None
    is_external: bool | None = None


# -- pages ------------------------------------------------------------------------------------


class Page(ResultModel):
    # The offset and limit asked for are not echoed: the caller knows them.
    total: int | None = None  # records in all; left out when Planaday does not say
    has_more: bool


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def page_from(body: dict[str, Any], offset: int, count: int, limit: int) -> Page:
    """Paging facts from Planaday's `meta` block, read as the docs define it: `records` is the number
    of records in all, `page.total` the number of pages of `page.limit` records and `page.current`
    the page shown. Every field is optional (the docs' own examples leave `records` and `current`
    out), and nothing is made up: without `records` the total is unknown.

    `offset` is the one this call sent (0-based) and `count` the rows it got."""
    meta = body.get("meta")
    meta = meta if isinstance(meta, dict) else {}
    page = meta.get("page")
    page = page if isinstance(page, dict) else {}
    records = _count(meta.get("records"))
    if records is not None:
        return Page(total=records, has_more=offset + count < records)
    pages = _count(page.get("total"))
    if pages is not None:
        # SAFE CHOICE: the page shown is the vendor's `current`; without it, it is computed from the
        # offset this call sent (the vendor echoes offsets 0- or 1-based) and the vendor's page size.
        size = _count(page.get("limit")) or limit
        current = _count(page.get("current")) or offset // max(size, 1) + 1
        return Page(has_more=current < pages)
    links = body.get("links")
    if isinstance(links, dict) and "next" in links:
        return Page(has_more=bool(links.get("next")))  # the docs: `next` is "" on the last page
    return Page(has_more=count >= limit)  # a full page may have more; a short one is the last


class CoursePage(ResultModel):
    courses: list[Course]
    page: Page


class DaypartPage(ResultModel):
    timezone: str = zone_name(ZONE)
    dayparts: list[DaypartSummary]
    page: Page


class MaterialPage(ResultModel):
    materials: list[Material]
    page: Page


class LabelList(ResultModel):
    labels: list[Label]


class CourseTemplateList(ResultModel):
    course_templates: list[CourseTemplate]


def _options(value: Any) -> Any:
    # A PHP list may arrive as an object keyed by position; none (a text field) is left out.
    items = value.values() if isinstance(value, dict) else value or []
    return [str(v) for v in items] or None


class ExtraField(ResultModel):
    id: int
    name: str | None = None
    description: str | None = None
    type: str | None = None  # textfield, checkbox, selectbox or radiobutton
    options: Annotated[list[str] | None, BeforeValidator(_options)] = None
    default_value: Annotated[Text, BeforeValidator(lambda v: v or None)] = None
    is_required: bool = False


class ExtraFieldList(ResultModel):
    # SAFE CHOICE: /extrafields/list groups fields per category and only `student` is known (the
    # official plugin reads only that one); a booking takes extra fields only per student.
    student: list[ExtraField] = []


# -- booking requests -------------------------------------------------------------------------


class Student(BaseModel):
    # Unknown keys are refused so a typo is not silently dropped. Which fields STAP courses
    # require is said once, on the tool's `students` parameter.
    model_config = ConfigDict(extra="forbid")

    id: int | None = Field(None, ge=1, description="a person known in Planaday, to link")
    first_name: str = Field(min_length=1)
    last_name: str = Field(min_length=1)
    email: str | None = None
    phonenumber: str | None = None
    gender: Gender = "u"  # nvt = not applicable, nr = not relevant, u = unknown
    initials: str | None = None
    nick_name: str | None = None
    prefix: str | None = Field(None, description="e.g. 'van der'")
    date_of_birth: date | None = None
    hometown: str | None = None
    country_of_birth: str | None = None
    address: str | None = Field(None, description="street")
    house_number: str | None = None
    house_number_extension: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None
    language: Language = Field("NL", description="DU = German")
    employee_id: str | None = None
    costcentercode: str | None = None
    company_position: str | None = None
    is_contact_person: bool | None = Field(None, description="with is_student=false: contact only")
    is_student: bool | None = None
    internal_reference: str | None = None
    remark: str | None = None
    stap_regulation: bool | None = None
    process_code95: bool | None = None
    process_soob: bool | None = None
    extrafields: dict[str, str] | None = Field(
        None, description="id from list_planaday_extrafields -> value (several: a|b)"
    )

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise ValueError("not an e-mail address")
        return value

    def to_vendor(self) -> dict[str, Any]:
        body = self.model_dump(exclude_none=True, exclude={"employee_id", "date_of_birth"})
        # The keys `email` and `phonenumber` are required even when empty.
        body.setdefault("email", None)
        body.setdefault("phonenumber", None)
        if self.employee_id is not None:
            # The documented and plugin spelling; one client library says employee_id.
            body["employeeId"] = self.employee_id
        if self.date_of_birth is not None:
            body["date_of_birth"] = vendor_date(self.date_of_birth)
        return body


class Company(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    address: str = Field(min_length=1, description="street")
    house_number: str = Field(min_length=1)
    postal_code: str = Field(min_length=1)
    city: str = Field(min_length=1)
    house_number_extension: str | None = None
    email: str | None = None
    phonenumber: str | None = None
    invoice_email: str | None = None


class Payment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    party: str = Field(min_length=1, description="provider, e.g. ideal or Mollie")
    transaction_id: str = Field(min_length=1)


# -- booking answers --------------------------------------------------------------------------


class Booked(ResultModel):
    # A student or company as Planaday recorded it (action: created or reused). One model for
    # both, so the schema states it once. Not the students' `option_ids` (one per booked
    # daypart): Planaday-internal, and no tool takes them.
    id: int | None = None
    name: str | None = None
    action: str | None = None
    type: str | None = None  # students only: e.g. employee, or contact


class BookingCreated(WriteResult):
    booking_id: str
    status: str = "requested"  # the institute still accepts it in Planaday (the tool description says so)
    company: Booked | None = None
    students: list[Booked] = []


class BookingChanged(WriteResult):
    # Not the booking_id again: the caller gave it.
    result: str


class PingResult(ResultModel):
    ok: bool
    sandbox: bool = False
