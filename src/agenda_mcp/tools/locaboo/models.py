"""Pydantic models of Locaboo's answers, as the tools return them.

Locaboo answers in PHP shapes: five date notations, ``[]`` for an empty object, ids as strings
in some places and numbers in others, instances keyed by id in one endpoint and listed in the
next. The models read all of those and give back one shape: ISO dates, moments (``Moment``: ISO 8601
with the offset of ``LOCABOO_TIMEZONE``) wherever a date and a clock time belong together, lists
instead of id-keyed objects, numbers as numbers.

The zone reaches the validators through the validation context (``{"tz": ZoneInfo}``); see
:func:`parse`.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, tzinfo
from typing import Annotated, Any, TypeVar

from pydantic import AliasChoices, BeforeValidator, Field, ValidationInfo, model_validator

from agenda_mcp.server.kit import HHMM, Moment, ResultModel, WriteResult, moment
from agenda_mcp.tools.locaboo import dates

M = TypeVar("M", bound=ResultModel)
_DEFAULT_TZ = dates.resolve_timezone(dates.DEFAULT_TIMEZONE)


def parse(model: type[M], data: Any, tz: tzinfo) -> M:
    """Validate a vendor answer with the zone its wall-clock times are in."""
    return model.model_validate(data, context={"tz": tz})


def _tz(info: ValidationInfo) -> tzinfo:
    context = info.context if isinstance(info.context, dict) else {}
    zone = context.get("tz")
    return zone if isinstance(zone, tzinfo) else _DEFAULT_TZ


def _blank(value: Any) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _datetime(value: Any, info: ValidationInfo) -> datetime | None:
    if type(value) is str and "T" in value:
        # The common case (ISO 8601 with an offset), read without the general parser's detours.
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            # Without an offset: wall time in Locaboo's zone, as its other notations are.
            return parsed.astimezone(_tz(info)) if parsed.tzinfo else moment(parsed.date(), parsed.time(), _tz(info))
    if _blank(value):
        return None
    if isinstance(value, datetime):
        return value
    return dates.parse_vendor_datetime(str(value), _tz(info))


def _date(value: Any) -> date | None:
    if _blank(value):
        return None
    if isinstance(value, date):
        return value
    return dates.parse_vendor_date(str(value))


def _time(value: Any) -> time | None:
    if _blank(value):
        return None
    if isinstance(value, time):
        return value
    return dates.parse_vendor_time(str(value))


def _text(value: Any) -> str | None:
    """Optional text: "" and null read as absent, numbers as their text."""
    # Runs for every text field of every record (70,000 times for 5,000 customers): strings first.
    if type(value) is str:
        return value.strip() or None
    if _blank(value):
        return None
    return str(value).strip() if isinstance(value, int | float) else value


def _number(value: Any) -> Any:
    # Prices, taxes and quantities come as 19 or "19" (reference §4: coerce).
    return None if _blank(value) else value


def _list(value: Any) -> Any:
    """A list, also when PHP wrote it as an object keyed by id (or as [] / null)."""
    if _blank(value):
        return []
    if isinstance(value, dict):
        return list(value.values())
    return value


def _none_if_empty(value: Any) -> Any:
    return None if _blank(value) or value == {} else value


VDateTime = Annotated[Moment | None, BeforeValidator(_datetime)]
VDate = Annotated[date | None, BeforeValidator(_date)]
Text = Annotated[str | None, BeforeValidator(_text)]
Number = Annotated[float | None, BeforeValidator(_number)]
OptInt = Annotated[int | None, BeforeValidator(_number)]


# -- building blocks --------------------------------------------------------------------------


# One free-text (custom) field answer of a booking or an instance.
class CustomFieldValue(ResultModel):
    resource_id: int
    field_id: int | None = None
    label: Text = None
    value: Text = None


def _custom_fields(value: Any) -> Any:
    # {"<resource_id>": {"mf_<field_id>": {"label", "value", "category"}}}, or [] when empty.
    if _blank(value) or value == {}:
        return None
    if isinstance(value, list):
        return value or None
    flat: list[dict[str, Any]] = []
    for resource_id, fields in value.items():
        if not isinstance(fields, dict):
            continue
        for key, field in fields.items():
            match = re.fullmatch(r"mf_(\d+)", str(key))
            entry = field if isinstance(field, dict) else {"value": field}
            flat.append(
                {
                    "resource_id": resource_id,
                    "field_id": int(match[1]) if match else None,
                    "label": entry.get("label"),
                    "value": entry.get("value"),
                }
            )
    return flat or None


CustomFields = Annotated[list[CustomFieldValue] | None, BeforeValidator(_custom_fields)]


# One dated occurrence of a booking on a resource or part ("Hall > Part"), with its id as Locaboo
# writes it in every answer.
class Occurrence(ResultModel):
    id: int
    resource_id: int
    resource: Text = None
    start: VDateTime = Field(None, validation_alias=AliasChoices("start", "from"))
    end: VDateTime = Field(None, validation_alias=AliasChoices("end", "to"))


# An occurrence of a booking with its own field answers (booking_list with show_details, booking/{id}).
class Instance(Occurrence):
    custom_fields: CustomFields = None


# booking_list keys instances by id, booking/{id} lists them (reference L11): accept both.
Instances = Annotated[list[Instance], BeforeValidator(_list)]


def _one_or_many(value: Any) -> Any:
    # The event_details example writes a single resource where a list belongs.
    return [value] if isinstance(value, dict) and "resource_id" in value else _list(value)


def _times_of(data: Any) -> Any:
    """`resources[].instances` (keyed by id or listed) -> one `instances` list.

    Each instance names its own resource ("Hall > Part"), so the grouping by main resource
    repeats what the instances say."""
    if not isinstance(data, dict) or "instances" in data:
        return data
    times = [
        instance
        for resource in _one_or_many(data.get("resources"))
        if isinstance(resource, dict)
        for instance in _list(resource.get("instances"))
    ]
    return {**data, "instances": times}


def _extras(value: Any) -> Any:
    # {"451": {"rule_interval", "rule_price", "rule_name", "price_cost", "quantity"}} or [].
    if _blank(value) or value == {}:
        return None
    if isinstance(value, dict):
        return [{"id": key, **entry} for key, entry in value.items() if isinstance(entry, dict)]
    return value


# An inventory item or service booked with a resource, priced for the booking's customer.
class BookedExtra(ResultModel):
    id: int
    name: Text = Field(None, validation_alias=AliasChoices("name", "rule_name"))
    interval: Text = Field(None, validation_alias=AliasChoices("interval", "rule_interval"))
    price: Number = Field(None, validation_alias=AliasChoices("price", "rule_price"))
    quantity: Number = None


Extras = Annotated[list[BookedExtra] | None, BeforeValidator(_extras)]


class BookedResource(ResultModel):
    resource_id: int
    resource: Text = None
    instances: Instances = []
    # Locaboo calls booked services "features" in booking/{id}.
    services: Extras = Field(None, validation_alias=AliasChoices("services", "features"))
    inventory: Extras = None
    custom_fields: CustomFields = None


class Booking(ResultModel):
    id: int
    title: Text = None
    customer_id: OptInt = None  # a string in bookings, a number elsewhere
    customer: Text = None
    color: Text = None
    comments: Text = None
    persons: list[int] | None = None
    resources: Annotated[list[BookedResource], BeforeValidator(_one_or_many)] = []
    custom_fields: CustomFields = None

    @model_validator(mode="before")
    @classmethod
    def _empty_persons(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("persons") == []:
            return {**data, "persons": None}
        return data


# A booking as booking_list shows it; locaboo_booking_details has the rest.
class BookingSummary(ResultModel):
    id: int
    title: Text = None
    customer_id: OptInt = None
    customer: Text = None
    instances: list[Instance] = []
    custom_fields: CustomFields = None  # with show_details

    @model_validator(mode="before")
    @classmethod
    def _flat(cls, data: Any) -> Any:
        return _times_of(data)


class BookingList(ResultModel):
    bookings: list[BookingSummary]
    total: int


# -- availability ------------------------------------------------------------------------------


# A free slot: its start and end are what locaboo_booking_add takes as time_from / time_to.
class Slot(ResultModel):
    start: Moment
    end: Moment


def _slot(day: str, found: Any, zone: tzinfo) -> dict[str, Any]:
    when = dates.parse_vendor_date(day)
    return {
        "start": moment(when, dates.parse_vendor_time(str(found["time_from"])), zone),
        "end": moment(when, dates.parse_vendor_time(str(found["time_to"])), zone),
    }


class ResourceAvailability(ResultModel):
    resource_id: int
    resource: str | None = None  # "Hall > Part" for a part
    slots: list[Slot]

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, data: Any, info: ValidationInfo) -> Any:
        # {"dates": {"2018-11-01": [{"time_from", "time_to"}]}} or {"dates": []} when nothing is free.
        if not isinstance(data, dict) or "slots" in data:
            return data
        by_date = data.get("dates") or {}
        slots = [
            _slot(day, found, _tz(info))
            for day, listed in (by_date.items() if isinstance(by_date, dict) else [])
            for found in _list(listed)
            if isinstance(found, dict)
        ]
        return {**data, "slots": slots}


class Availability(ResultModel):
    timezone: str  # the zone of every moment below, once
    resources: list[ResourceAvailability]
    total: int  # free slots in the answer


# -- resources --------------------------------------------------------------------------------


class Part(ResultModel):
    id: int
    title: str


class ResourceSummary(ResultModel):
    id: int
    title: str
    parts: list[Part] = []


class FreeTextField(ResultModel):
    id: int
    name: str
    type: Text = None  # numeric or select
    options: list[str] | None = None


class ResourceList(ResultModel):
    resources: list[ResourceSummary]
    free_text_fields: list[FreeTextField] = []  # custom fields: availability conditions, category_fields


class TimeRange(ResultModel):
    time_from: HHMM
    time_to: HHMM


class Holiday(ResultModel):
    title: Text = None
    date_from: VDate = Field(None, validation_alias=AliasChoices("date_from", "from"))
    date_to: VDate = Field(None, validation_alias=AliasChoices("date_to", "to"))


def _ranges(value: Any) -> Any:
    # [["10:30", "23:59"], ...]
    if _blank(value):
        return []
    return [{"time_from": r[0], "time_to": r[1]} if isinstance(r, list | tuple) else r for r in value]


def _times(value: Any) -> Any:
    return [{key: _time(v) for key, v in r.items()} for r in _ranges(value)]


class ResourceDetails(ResultModel):
    id: int
    title: str
    image: Text = None
    category_name: Text = None
    street_hnr: Text = None
    zip: Text = None
    city: Text = None
    country: Text = None
    phone: Text = None
    fax: Text = None
    public_comment: Text = None
    today_opening_times: Annotated[list[TimeRange], BeforeValidator(_times)] = []
    today_holidays: Annotated[list[Holiday], BeforeValidator(_list)] = []


# -- account, customers, catalogue ------------------------------------------------------------


class Profile(ResultModel):
    first_name: Text = None
    last_name: Text = None
    company_name: Text = None
    email: Text = None
    logo: Text = None
    currency: Text = None
    language: Text = None
    created: VDate = None
    address: Text = None
    zip: Text = None
    city: Text = None
    country: Text = None
    phone: Text = None
    fax: Text = None


class Customer(ResultModel):
    id: int
    show_name: Text = None
    company_name: Text = None
    first_name: Text = None
    last_name: Text = None
    email: Text = None
    group_id: OptInt = None
    customer_number: Text = None
    street: Text = None
    zip: Text = None
    city: Text = None
    country: Text = None
    phone: Text = None
    salutation: Text = Field(None, description="0 = Mr., 1 = Ms./Mrs.")
    noletter: Text = None
    active: Text = None
    created: VDateTime = None
    last_login: VDateTime = None


class CustomerList(ResultModel):
    customers: list[Customer]
    total: int


class PriceRule(ResultModel):
    price: Number = None
    interval: Text = None  # per_hour, per_quantity, ...
    tax: Number = Field(None, description="VAT %")
    customer_groups: list[str] = Field([], description="group names; 'All' = every customer")
    customer_group_ids: list[int] | None = None

    @model_validator(mode="before")
    @classmethod
    def _groups(cls, data: Any) -> Any:
        # ["All"] or {"1182": "Group 1", ...} (reference §4: accept both).
        if not isinstance(data, dict):
            return data
        groups = data.get("customer_groups")
        if isinstance(groups, dict):
            return {**data, "customer_groups": list(groups.values()), "customer_group_ids": list(groups)}
        if _blank(groups):
            return {**data, "customer_groups": []}
        return data


def _refs(value: Any) -> Any:
    # {"48": "Sample Resource A"} -> [{"id": 48, "title": ...}]
    if _blank(value) or value == {}:
        return []
    if isinstance(value, dict):
        return [{"id": key, "title": title} for key, title in value.items()]
    return value


class ResourceRef(ResultModel):
    id: int
    title: str


# A service that can be booked with resources (its image and creation date are left out).
class CatalogueItem(ResultModel):
    id: int
    name: str
    description: Text = None
    prices: list[PriceRule] = []
    resources: Annotated[list[ResourceRef], BeforeValidator(_refs)] = []  # bookable with these


# An inventory item: a service's fields plus stock and asset data.
class InventoryItem(CatalogueItem):
    quantity: Number = None  # number in stock
    price_cost: Number = None
    inventory_no: Text = None
    i_type: Text = None
    model: Text = None
    serial_no: Text = None


class InventoryList(ResultModel):
    inventory: list[InventoryItem]


class ServiceList(ResultModel):
    services: list[CatalogueItem]


# -- invoices ---------------------------------------------------------------------------------


class InvoiceCustomer(ResultModel):
    id: OptInt = None
    company: Text = None
    first_name: Text = None
    last_name: Text = None
    street: Text = None
    house_number: Text = None
    zip: Text = None
    city: Text = None
    country: Text = None


# Left out: the row id (no tool takes one) and `type` (Einzel/Serie, the booking's kind).
class InvoiceRow(ResultModel):
    date: VDate = None
    resource_id: OptInt = None
    booking_id: OptInt = None
    rate: Text = None  # the unit price in words, e.g. "25 Pro Stunde"
    duration: Number = None
    unit: Text = None
    price: Number = None
    discount: Number = None
    tax_rate: Number = None
    tax: Number = None
    total: Number = None


class Invoice(ResultModel):
    id: int
    invoice_number: Text = None
    created: VDateTime = None
    due_date: VDate = None
    status: Text = None
    payment_status: Text = None
    payment_type: Text = None
    total_price: Number = None
    discount_price: Number = None  # the discount; its rule ({"type", "rate"}) is left out
    currency: Text = None
    text: Text = None
    file: Text = None
    customer: Annotated[InvoiceCustomer | None, BeforeValidator(_none_if_empty)] = None
    invoice_rows: Annotated[list[InvoiceRow], BeforeValidator(_list)] = []


class InvoiceList(ResultModel):
    invoices: list[Invoice]


# -- events -----------------------------------------------------------------------------------


def _event_moment(day: Any, clock: Any, zone: tzinfo, *, end: bool) -> datetime | None:
    """An event's `d.m.Y` date and `H:i` time as one moment; without a time the day's start or,
    for an end, its last minute (23:59, as Locaboo ends full-day instances)."""
    when = _date(day)
    if when is None:
        return None
    return moment(when, _time(clock) or (time(23, 59) if end else None), zone)


# An event as event_list shows it; locaboo_event_details has its marketing data and documents.
class EventSummary(ResultModel):
    id: int
    event_title: Text = None
    start: Moment | None = None  # Locaboo: date_from + time_from
    end: Moment | None = None  # Locaboo: date_to + time_to

    @model_validator(mode="before")
    @classmethod
    def _moments(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict) or "start" in data or "end" in data:
            return data
        zone = _tz(info)
        extra: dict[str, Any] = {
            "start": _event_moment(data.get("date_from"), data.get("time_from"), zone, end=False),
            "end": _event_moment(data.get("date_to"), data.get("time_to"), zone, end=True),
        }
        # [inferred] The docs give the doors-open and beginning times as bare clock times next to
        # the event's dates; they are read as times on its first day.
        first = _date(data.get("date_from"))
        for name in ("entrance_time", "beginning_time"):
            clock = _time(data.get(name))
            extra[name] = moment(first, clock, zone) if clock and first else None
        return {**data, **extra}


class EventList(ResultModel):
    events: list[EventSummary]


class DocumentBooking(ResultModel):
    id: int
    title: Text = None
    instances: list[Occurrence] = []  # event answers carry no field answers

    @model_validator(mode="before")
    @classmethod
    def _flat(cls, data: Any) -> Any:
        return _times_of(data)


class EventDocument(ResultModel):
    document_type: Text = None  # Offer, Order confirmation or Invoice
    document_number: Text = None
    document_date: VDate = None
    price: Number = None
    processed_status: bool | None = None
    processed_date: VDate = None
    bookings: Annotated[list[DocumentBooking], BeforeValidator(_list)] = []


class EventDetails(EventSummary):
    entrance_time: Moment | None = None  # doors open
    beginning_time: Moment | None = None
    marketing_data_title: Text = None
    marketing_data_description: Text = None
    marketing_data_price: Text = None
    marketing_data_ticket_link: Text = None
    marketing_data_notice_text: Text = None
    image: Text = None
    documents: Annotated[list[EventDocument], BeforeValidator(_list)] = []


# -- write results ----------------------------------------------------------------------------


class BookingWritten(WriteResult):
    booking_id: int
    message: Text = None


class CustomerWritten(WriteResult):
    customer_id: int
    message: Text = None


class AddressesAdded(WriteResult):
    customer_id: int
    address_ids: list[int]
    message: Text = None
