"""The simulator's records and its request-parameter checks.

Times inside the simulator are naive wall-clock values in the venue's zone (Europe/Berlin), as
Locaboo itself writes them; only ``created``/``last_login``/``created_on`` carry an offset.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Literal
from zoneinfo import ZoneInfo

from agenda_mcp.tools.locaboo.phpform import as_list

BERLIN = ZoneInfo("Europe/Berlin")

#: Statuses a booking can have. ``Request`` is a ``booking_request`` awaiting the manager.
BookingStatus = Literal["Live", "Draft", "Complete", "Cancel", "Request"]
#: Statuses that occupy their slots. Drafts and pending requests do not (reference L2, L10:
#: unknown at Locaboo, SAFE CHOICE "they do not").
BLOCKING_STATUSES: frozenset[str] = frozenset({"Live", "Complete"})

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{2}:\d{2}")
HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


class SandboxError(Exception):
    """An answer other than 200: status and the message that goes into the error body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def bad_request(message: str) -> SandboxError:
    return SandboxError(400, message)


# --- records ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FreeTextField:
    id: int
    name: str
    type: Literal["numeric", "select"]
    options: tuple[str, ...] = ()


@dataclass
class Part:
    id: int
    title: str
    field_values: dict[int, str] = field(default_factory=dict)


@dataclass
class Resource:
    id: int
    title: str
    category_id: int
    category_name: str
    opening_hours: dict[int, list[tuple[time, time]]]  # weekday (0 = Monday) -> windows
    parts: list[Part] = field(default_factory=list)
    field_values: dict[int, str] = field(default_factory=dict)
    manager: int = 46
    image: str = ""
    street_hnr: str = ""
    zip: str = ""
    city: str = ""
    country: str = "DE"
    phone: str = ""
    fax: str = ""
    public_comment: str = ""


@dataclass(frozen=True)
class Holiday:
    title: str
    start: date
    end: date
    resource_id: int | None = None  # None: the whole venue is closed


@dataclass
class Customer:
    id: int
    created: datetime  # aware
    fields: dict[str, Any]  # every documented customer field that has been set
    last_login: datetime | None = None
    addresses: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Price:
    price: str
    customer_groups: tuple[int, ...] | None  # None: "All"
    interval: str
    tax: int | str  # Locaboo mixes 19 and "34"


@dataclass
class Item:
    """An inventory item or a service."""

    id: int
    kind: Literal["inventory", "service"]
    name: str
    created_on: datetime  # aware
    prices: list[Price]
    resource_ids: list[int]
    description: str = ""
    image: str = ""
    inventory_no: str = ""
    i_type: str = ""
    model: str = ""
    serial_no: str = ""
    quantity: int = 1
    price_cost: str = "0"


@dataclass
class Instance:
    id: int
    resource_id: int  # a part, or the main resource when booked whole
    start: datetime
    end: datetime
    custom_fields: dict[int, dict[int, str]] = field(default_factory=dict)


@dataclass
class BookedResource:
    main_id: int
    instances: list[Instance]
    inventory: dict[int, int] = field(default_factory=dict)  # item id -> quantity
    services: dict[int, int] = field(default_factory=dict)


@dataclass
class Booking:
    id: int
    title: str
    status: BookingStatus
    resources: list[BookedResource]
    customer_id: int | None = None
    persons: list[int] = field(default_factory=list)
    color: str = "#1e88e5"
    comments: str = ""
    internal_comments: str = ""
    custom_fields: dict[int, dict[int, str]] = field(default_factory=dict)  # resource -> field -> value
    season_id: int | None = None
    entrance_hall: int = 0
    booking_hidden_widget: int = 0

    def instances(self) -> list[Instance]:
        return [i for r in self.resources for i in r.instances]


@dataclass(frozen=True)
class Document:
    document_type: Literal["Offer", "Order confirmation", "Invoice"]
    document_number: str
    price: float
    document_date: date
    processed_status: int
    processed_date: date | None
    booking_ids: tuple[int, ...] = ()


@dataclass
class Event:
    id: int
    event_title: str
    date_from: date
    date_to: date
    time_from: time
    time_to: time
    entrance_time: time
    beginning_time: time
    marketing_data_title: str = ""
    marketing_data_description: str = ""
    marketing_data_ticket_link: str = ""
    marketing_data_price: str = ""
    marketing_data_notice_text: str = ""
    image: str = ""
    documents: list[Document] = field(default_factory=list)


@dataclass(frozen=True)
class InvoiceRow:
    id: int
    day: date
    resource_id: int
    booking_id: int
    hours: float
    price: float
    discount: float | None
    tax_rate: int


@dataclass
class Invoice:
    id: int
    invoice_number: str
    created: datetime
    due_date: date
    customer_id: int
    rows: list[InvoiceRow]
    payment_status: str
    payment_type: str
    status: str
    text: str = ""
    discount_rate: float = 0
    currency: str = "EUR"


# --- request parameters ----------------------------------------------------------------------


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def to_int(value: Any, name: str) -> int:
    """An integer from JSON (int) or a form (digit string)."""
    if isinstance(value, bool):
        raise bad_request(f"{name} must be an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value.strip())
    raise bad_request(f"{name} must be an integer")


def to_date(value: Any, name: str) -> date:
    if not isinstance(value, str) or not _DATE.fullmatch(value.strip()):
        raise bad_request(f"{name} must be a date in format Y-m-d")
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise bad_request(f"{name} must be a date in format Y-m-d") from exc


def to_time(value: Any, name: str) -> time:
    if not isinstance(value, str) or not _TIME.fullmatch(value.strip()):
        raise bad_request(f"{name} must be a time in format H:i")
    hours, minutes = (int(x) for x in value.strip().split(":"))
    if hours > 23 or minutes > 59:
        raise bad_request(f"{name} must be a time in format H:i")
    return time(hours, minutes)


def to_flag(value: Any, name: str) -> int:
    """``0``/``1`` (also JSON booleans)."""
    if isinstance(value, bool):
        return int(value)
    number = to_int(value, name) if not is_blank(value) else None
    if number not in (0, 1):
        raise bad_request(f"{name} must be 0 or 1")
    return number


class Params:
    """The request's parameters (query string or body), with Locaboo-style checks."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = dict(values)

    def raw(self, name: str) -> Any:
        value = self.values.get(name)
        return None if is_blank(value) else value

    def has(self, name: str) -> bool:
        return self.raw(name) is not None

    def _need(self, name: str, required: bool) -> Any:
        value = self.raw(name)
        if value is None and required:
            raise bad_request(f"{name} is required")
        return value

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self._need(name, required)
        if value is None:
            return None
        if isinstance(value, dict | list):
            raise bad_request(f"{name} must be a string")
        return str(value).strip()

    def integer(self, name: str, *, required: bool = False) -> int | None:
        value = self._need(name, required)
        return None if value is None else to_int(value, name)

    def flag(self, name: str, *, required: bool = False, default: int = 0) -> int:
        value = self._need(name, required)
        return default if value is None else to_flag(value, name)

    def date(self, name: str, *, required: bool = False) -> date | None:
        value = self._need(name, required)
        return None if value is None else to_date(value, name)

    def time(self, name: str, *, required: bool = False) -> time | None:
        value = self._need(name, required)
        return None if value is None else to_time(value, name)

    def choice(self, name: str, options: tuple[str, ...], *, required: bool = False) -> str | None:
        value = self.text(name, required=required)
        if value is not None and value not in options:
            raise bad_request(f"{name} must be one of {', '.join(options)}")
        return value

    def mapping(self, name: str) -> dict[str, Any] | None:
        value = self.raw(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise bad_request(f"{name} must be an array keyed by id")
        return value

    def listing(self, name: str) -> list[Any] | None:
        value = self.raw(name)
        if value is None:
            return None
        items = as_list(value)
        if items is None:
            raise bad_request(f"{name} must be an array")
        return items


def as_mapping(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad_request(f"{name} must be an array with named keys")
    return value


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def date_range(p: Params) -> tuple[date, date]:
    """The required ``date_from``/``date_to`` pair of list, availability and booking calls."""
    date_from = p.date("date_from", required=True)
    date_to = p.date("date_to", required=True)
    assert date_from is not None and date_to is not None
    if date_to < date_from:
        raise bad_request("date_to must not be before date_from")
    return date_from, date_to


# --- Locaboo's notations in answers (reference §1.3) ------------------------------------------
# PHP's date(): `Y` has at least four digits (year 1 is `0001`); strftime("%Y") would write `1`.


def ymd_hm(value: datetime) -> str:
    return f"{value.date().isoformat()} {hm(value.time())}"


def dmy(value: date) -> str:
    return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"


def dmy_hm(value: datetime) -> str:
    return f"{dmy(value.date())} {hm(value.time())}"


def hm(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def iso(value: datetime) -> str:
    return value.astimezone(BERLIN).isoformat(timespec="seconds")


def php_object(mapping: dict[str, Any]) -> dict[str, Any] | list[Any]:
    # PHP's json_encode writes an empty associative array as [] (reference §4 "Empty collections").
    return mapping if mapping else []


def number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 2)


def ok(data: Any, *, total: int | None = None) -> dict[str, Any]:
    """The success envelope; ``total`` is left out where Locaboo leaves it out (customer writes)."""
    return {"data": data, "total": total, "success": True} if total is not None else {"data": data, "success": True}
