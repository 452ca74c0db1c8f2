"""Pydantic models of OnlineAfspraken.nl answers, as the tools return them.

The vendor answers in XML with PascalCase element names, text values ("" for empty), numeric
codes and naive Europe/Amsterdam wall-clock times. The models take the parsed element dicts and
give snake_case names, real types, readable enums and moments (`start` / `end`, ISO 8601 with
their offset, built with server.times). Vendor names are mapped to field names *before*
validation (no aliases), so the published output schema and the structured output use the same
names.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, ClassVar, Literal, Self
from zoneinfo import ZoneInfo

from pydantic import BeforeValidator, Field, model_validator

from agenda_mcp.server.kit import Moment, ResultModel, WriteResult, moment, zone_name

# Reference 1.4: wall-clock values are Europe/Amsterdam (with daylight saving), whatever the
# server's AGENDA_MCP_TIMEZONE is. The one zone constant of this vendor (the simulator uses it too).
VENDOR_TZ = ZoneInfo("Europe/Amsterdam")
TIMEZONE = zone_name(VENDOR_TZ)

Label = Literal["pending", "approved", "finished", "cancelled", "in_progress"]
RecordStatus = Literal["enabled", "disabled", "deleted"]
PriceType = Literal["fixed", "from", "not_applicable"]
BookingMode = Literal["consumer", "customer"]
CancelMode = Literal["customer", "company"]
Confirmations = Literal["none", "email", "sms", "email_and_sms"]
CalculationModel = Literal["specificTimes", "multiple", "limit", "combination", "complex", "travel", "connectingApps"]

LABELS: dict[str, Label] = {"1": "pending", "2": "approved", "3": "finished", "4": "cancelled", "5": "in_progress"}
STATUSES: dict[str, RecordStatus] = {"1": "enabled", "2": "disabled", "3": "deleted"}
STATUS_CODES: dict[RecordStatus, int] = {"enabled": 1, "disabled": 2, "deleted": 3}
PRICE_TYPES: dict[str, PriceType] = {"1": "fixed", "2": "from", "3": "not_applicable"}
CONFIRMATION_CODES: dict[Confirmations, int] = {"none": 0, "email": 1, "sms": 2, "email_and_sms": 3}

_EMPTY_DATES = ("", "0000-00-00", "0000-00-00 00:00:00")


# -- vendor formats ---------------------------------------------------------------------------


# What goes out is already the vendor's wall clock (naive), resolved by server.times.wall_clock /
# wall_span in VENDOR_TZ; these only write it in the vendor's notation.


def vendor_date(value: date) -> str:
    return value.isoformat()  # yyyy-mm-dd


def vendor_time(local: datetime) -> str:
    return local.strftime("%H:%M")


def vendor_datetime(local: datetime) -> str:
    return local.strftime("%Y-%m-%d %H:%M:%S")


def _blank(value: Any) -> Any:
    if value is None or value == "" or value == {}:
        return None
    return value


def _datetime(value: Any) -> Any:
    """The vendor's `yyyy-mm-dd hh:mm[:ss]` (Amsterdam wall clock) as a moment; anything else,
    such as our own ISO 8601 output validated again when a result is cleaned or cut, is left to
    the Moment type (which refuses a value without an offset)."""
    if isinstance(value, datetime) or value is None:
        return value
    text = str(value).strip()
    if text in _EMPTY_DATES:
        return None
    if len(text) >= 16 and text[10] == " ":
        return moment(date.fromisoformat(text[:10]), time.fromisoformat(text[11:]), VENDOR_TZ)
    return text


def _date(value: Any) -> Any:
    if value is None or isinstance(value, date):
        return value
    text = str(value).strip()
    return None if text in _EMPTY_DATES else date.fromisoformat(text[:10])


def _time(value: Any) -> Any:
    if value is None or isinstance(value, time):
        return value
    text = str(value).strip()
    if not text:
        return None
    # `HH:MM` (seconds, if any, ignored). Not strptime: a free-times answer has thousands of these.
    hours, colon, minutes = text[:5].partition(":")
    if not colon or len(minutes) != 2 or not (hours.isdigit() and minutes.isdigit()):
        raise ValueError(f"{text[:20]!r} is not a time of day")
    return time(int(hours), int(minutes))


def _flag(value: Any) -> Any:
    value = _blank(value)
    return None if value is None else str(value).strip().lower() in ("1", "true", "yes")


def _code(table: dict[str, Any]) -> Any:
    def convert(value: Any) -> Any:
        value = _blank(value)
        if value is None or value in table.values():
            return value
        # An undocumented code is left out rather than guessed at.
        return table.get(str(value).strip())

    return convert


Text = Annotated[str | None, BeforeValidator(_blank)]
Int = Annotated[int | None, BeforeValidator(_blank)]
Flag = Annotated[bool | None, BeforeValidator(_flag)]
VDate = Annotated[date | None, BeforeValidator(_date)]
VMoment = Annotated[Moment | None, BeforeValidator(_datetime)]
LabelField = Annotated[Label | None, BeforeValidator(_code(LABELS))]
StatusField = Annotated[RecordStatus | None, BeforeValidator(_code(STATUSES))]


def snake(name: str) -> str:
    """`HouseNrAddition` -> `house_nr_addition`."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


class VendorModel(ResultModel):
    """A model fed with a parsed XML element: PascalCase keys become field names; with a `fields`
    field, the remaining text elements are the account's extra fields (by their getFields Key)."""

    # Standard elements we do not model and that must not pass for extra fields.
    vendor_only: ClassVar[frozenset[str]] = frozenset()
    renamed: ClassVar[dict[str, str]] = {}

    @model_validator(mode="before")
    @classmethod
    def _from_vendor(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not any(key[:1].isupper() for key in data):
            return data
        out: dict[str, Any] = {}
        extras: dict[str, str] = {}
        for key, value in data.items():
            name = cls.renamed.get(key, snake(key))
            if name in cls.model_fields:
                out.setdefault(name, value)
            elif key not in cls.vendor_only and isinstance(value, str) and value:
                extras[key] = value
        if "fields" in cls.model_fields:
            out["fields"] = extras
        return out


# -- reference data ---------------------------------------------------------------------------


class Agenda(VendorModel):
    id: int
    name: Text = None
    align_grid: Int = Field(None, description="minutes; start times fall on this grid")
    is_default: Flag = None


class AppointmentType(VendorModel):
    id: int
    name: Text = None
    description: Text = None
    category: Text = None
    duration: Int = Field(None, description="minutes")
    buffer: Int = Field(None, description="minutes kept free after")
    min_time_before_appointment: Int = Field(None, description="minutes")
    max_time_before_appointment: Int = Field(None, description="minutes")
    scheduling_type: Text = Field(None, description="resource or capacity")
    capacity: Int = None
    price: Annotated[float | None, BeforeValidator(_blank)] = None
    price_type: Annotated[PriceType | None, BeforeValidator(_code(PRICE_TYPES))] = None
    bookable_by_consumer: Annotated[bool | None, BeforeValidator(lambda v: None if _blank(v) is None else v == "1")] = (
        None
    )

    renamed: ClassVar[dict[str, str]] = {"CanBeBookedByConsumer": "bookable_by_consumer"}


class Resource(VendorModel):
    id: int
    name: Text = None
    description: Text = None
    email: Text = None
    phone: Text = None
    mobile_phone: Text = None


class ExtraField(VendorModel):
    key: str = Field(description="parameter name to use in fields")
    label: Text = None
    type: Annotated[
        Literal["appointment", "registration"] | None, BeforeValidator(lambda v: _blank(v) and str(v).lower())
    ] = Field(None, description="appointment field or customer (registration) field")
    required: Flag = None


def vendor_span(item: dict[str, Any]) -> dict[str, Any]:
    """A bookable time's or block's `Date` + `StartTime` / `EndTime` as `start` / `end` moments.

    SAFE CHOICE (reference 1.4 "Wall-clock values"): the moment comes from `Timestamp` when there is
    one. Live answers write Date/StartTime/EndTime on the Amsterdam wall clock; the docs' own
    examples write them in UTC. Only `Timestamp` is unambiguous (it also tells the two 02:30s of the
    autumn night apart), so the start is taken from it, and the clocks then give only the length."""
    day, start_clock, end_clock = _date(item.get("Date")), _time(item.get("StartTime")), _time(item.get("EndTime"))
    if day is None or start_clock is None:
        return {}  # fails validation as a missing start: the answer is not understood
    start = moment(day, start_clock, VENDOR_TZ)
    stamp = str(item.get("Timestamp") or "").strip()
    if stamp.isdigit():
        stamped = datetime.fromtimestamp(int(stamp), VENDOR_TZ)
        if (stamped.date(), stamped.time()) != (day, start_clock):
            # Not the Amsterdam wall clock (the docs' UTC rendering): the length the clocks span,
            # after the moment the Timestamp names.
            if end_clock is None:
                return {"start": stamped, "end": None}
            length = (datetime.combine(day, end_clock) - datetime.combine(day, start_clock)) % timedelta(days=1)
            after = (stamped.astimezone(UTC) + (length or timedelta(days=1))).astimezone(VENDOR_TZ)
            return {"start": stamped, "end": after}
        start = stamped
    end: datetime | None = None
    if end_clock is not None:
        end_day = start.date() + timedelta(days=1) if end_clock <= start.time() else start.date()
        end = moment(end_day, end_clock, VENDOR_TZ)
        if end.timestamp() <= start.timestamp():  # as instants: within one zone Python compares wall clocks
            # The autumn night's repeated hour: a start in its second pass ends in it too.
            end = datetime.combine(end_day, end_clock, tzinfo=VENDOR_TZ).replace(fold=1)
    return {"start": start, "end": end}


class Span(ResultModel):
    start: Moment
    end: Moment | None = None
    resource_id: int | None = None

    @classmethod
    def from_vendor(cls, item: dict[str, Any]) -> Self:
        return cls.model_validate({**vendor_span(item), "resource_id": _blank(item.get("ResourceId"))})


# A free time (the vendor's `BookableTime`): its start goes to set_appointment as it is. (No
# docstrings: they would be published in every outputSchema.)
class BookableTime(Span):
    pass


# An availability block (`BookableBlock`), not split into bookable times.
class BookableBlock(Span):
    pass


# -- appointments and customers ---------------------------------------------------------------


def _resource_ids(value: Any) -> Any:
    """`Resources` repeats per linked resource; children are `ResourceId` (one client) or `Id`
    (another). SAFE CHOICE (reference §4 "Resources children"): accept both. A plain id is the
    model's own dump read back (a result kept by the duplicate guard and rebuilt on a replica)."""
    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else [value]
    ids = []
    for item in items:
        if isinstance(item, dict):
            found = item.get("ResourceId") or item.get("Id")
            if found:
                ids.append(found)
        elif isinstance(item, int | str) and str(item).isdigit():
            ids.append(int(item))
    return ids


class Appointment(VendorModel):
    id: int
    name: Text = None
    description: Text = None
    start: VMoment = None
    end: VMoment = None
    label: LabelField = None
    status: StatusField = None
    appointment_type_id: Int = None
    customer_id: Int = None
    customer_name: Text = None
    resource_ids: Annotated[list[int], BeforeValidator(_resource_ids)] = []
    fields: dict[str, str] = {}

    renamed: ClassVar[dict[str, str]] = {"Resources": "resource_ids", "StartTime": "start", "FinishTime": "end"}
    vendor_only: ClassVar[frozenset[str]] = frozenset(
        {"AgendaId", "ResourceId", "ConfirmationCode", "Capacity", "BlockedTime", "CreateTime", "UpdateTime"}
    )


class Customer(VendorModel):
    id: int
    first_name: Text = None
    insertions: Text = None
    last_name: Text = None
    email: Text = None
    phone: Text = None
    mobile_phone: Text = None
    birth_date: VDate = None
    gender: Text = None
    street: Text = None
    house_nr: Text = None
    house_nr_addition: Text = None
    zip_code: Text = None
    city: Text = None
    country: Text = None
    account_number: Text = None
    status: StatusField = None
    fields: dict[str, str] = {}

    # Never let a password (or a login name) pass through as an extra field.
    vendor_only: ClassVar[frozenset[str]] = frozenset({"Password", "Username", "AgendaId", "CreateTime", "UpdateTime"})

    @property
    def full_name(self) -> str:
        """`Jan de Vries`: first name, insertions, last name."""
        return " ".join(part for part in (self.first_name, self.insertions, self.last_name) if part)


# -- lists and pages --------------------------------------------------------------------------


class Page(ResultModel):
    offset: int
    limit: int
    total: int
    has_more: bool


def page_from(stats: dict[str, int], offset: int, limit: int, count: int) -> Page:
    total = stats.get("TotalRecords", offset + count)
    return Page(offset=offset, limit=stats.get("Limit", limit), total=total, has_more=offset + count < total)


class AgendaList(ResultModel):
    agendas: list[Agenda]


class AppointmentTypeList(ResultModel):
    appointment_types: list[AppointmentType]


class ResourceList(ResultModel):
    resources: list[Resource]


class FieldList(ResultModel):
    fields: list[ExtraField]


class BookableDays(ResultModel):
    timezone: str = TIMEZONE
    days: list[date]


class BookableTimes(ResultModel):
    timezone: str = TIMEZONE
    times: list[BookableTime]


class BookableBlocks(ResultModel):
    timezone: str = TIMEZONE
    blocks: list[BookableBlock]


class AppointmentPage(ResultModel):
    appointments: list[Appointment]
    page: Page


class CustomerPage(ResultModel):
    customers: list[Customer]
    page: Page


class ConfirmationSetting(ResultModel):
    required: bool = Field(description="new appointments stay pending until confirm_appointment")


# -- write results (WriteResult carries `sandbox` and `repeated`) -------------------------------


class AppointmentSaved(WriteResult):
    appointment_id: int
    created: bool = Field(description="false when an existing appointment was changed")
    appointment: Appointment | None = None
    note: str | None = None


class AppointmentCancelled(WriteResult):
    appointment_id: int
    cancelled: bool = Field(description="false for a dry run")
    dry_run: bool
    note: str | None = None


class AppointmentConfirmed(WriteResult):
    appointment_id: int
    confirmed: bool


class Removed(WriteResult):
    id: int
    removed: bool = True


class CustomerSaved(WriteResult):
    customer_id: int
    created: bool
    status: StatusField = None


class BlockAdded(WriteResult):
    block_id: int = Field(description="only returned now; needed to remove the block")


class CalculationModelSettings(ResultModel):
    calculation_model: str
    value: Any = Field(None, description="the configuration (decoded JSON)")
    enabled: bool | None = None


class CalculationModelSaved(CalculationModelSettings, WriteResult):
    pass


def calculation_settings(model: str, found: dict[str, Any] | None) -> CalculationModelSettings:
    """The response shape is undocumented (reference §4): read `Value`/`Enabled` wherever they are."""
    found = found or {}
    raw = found.get("Value")
    value: Any = None
    if isinstance(raw, str) and raw:
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
    enabled = _flag(found.get("Enabled"))
    return CalculationModelSettings(calculation_model=model, value=value, enabled=enabled)
