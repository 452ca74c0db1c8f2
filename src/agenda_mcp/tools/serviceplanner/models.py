"""Pydantic models of ServicePlanner's requests and answers.

Answers are parsed leniently (the vendor mixes strings and numbers: `"time": "60"`,
`"plan_cycle": "12"`, tinyint flags) into the shapes tools return: ints, booleans, ISO dates,
and moments as ISO 8601 datetimes with their offset (server/kit/times.py). Lists are flattened to
what a planner reads (a client's name, an address on one line) to keep tool results small.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator

from agenda_mcp.server.kit import Moment, ResultModel, WriteResult, moment

VENDOR_TZ = ZoneInfo("Europe/Amsterdam")
"""ServicePlanner's zone: the one place it is named (a Dutch planning tool; reference 1.3)."""
AddressType = Literal["invoice", "work"]
AppointmentOrInvite = Literal["appointment", "invite"]
SendMail = Literal["default", "direct"]
Direction = Literal["asc", "desc"]


# -- vendor values ----------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _parse(value: Any) -> datetime | None:
    """The vendor's stamps: `2021-02-23T15:14:13.000000Z`, and `2016-11-16 09:00:00` in the
    `*_order` helpers (Python 3.11's ISO reader takes both)."""
    if _blank(value):
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).strip())


def vendor_time(value: Any) -> datetime | None:
    """Every ServicePlanner timestamp, by one rule: its digits are Europe/Amsterdam wall-clock time.

    The vendor tags all its stamps "Z", but the docs show the digits are local: `time_from`
    `2016-11-16T09:00:00.000000Z` next to its own `time_from_order` `2016-11-16 09:00:00`, and a
    month's planning window ending at `plan_to` `2016-11-30T23:59:59.000000Z`. The docs give no
    other kind of stamp and say nothing of UTC. SAFE CHOICE (reference 1.3 and 4, "display as
    Europe/Amsterdam"): read every stamp this way, planning times and created_at / updated_at
    alike, so two stamps of one answer are never read two ways. Reading a created_at as UTC
    instead would be off by an hour or two if it is not; reading a visit time as UTC would send
    a technician at the wrong hour. An hour the clocks repeat reads as its first occurrence,
    a skipped one moves on by the gap (server/kit/times.py `moment`). This is the one place
    that decides it; a value that already carries an offset (our own result, read back) keeps
    its digits too, so reading is idempotent."""
    parsed = _parse(value)
    if parsed is None:
        return None
    return moment(parsed.date(), parsed.time().replace(tzinfo=None), VENDOR_TZ)


def day(value: Any) -> date | None:
    """Dates arrive as `2016-11-16`, and in some answers as full timestamps (`date_from`
    `2019-03-01T00:00:00.000000Z`): their wall-clock date, by `vendor_time`'s rule."""
    if _blank(value):
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    text = str(value).strip()
    return date.fromisoformat(text[:10])


def number(value: Any) -> int | None:
    """Ints sent as ints or strings; a placeholder such as `"Dorpstraat"` (seen in the docs'
    examples) reads as unknown rather than failing the whole answer."""
    if _blank(value):
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def decimal(value: Any) -> float | None:
    if _blank(value):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None  # e.g. the docs' "geocode_lat": "51.----"


def flag(value: Any) -> bool | None:
    if _blank(value):
        return None
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def text(value: Any) -> str | None:
    return None if _blank(value) else str(value)


_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def stamps(value: Any) -> Any:
    """Vendor stamps inside records we pass on as they come (the undocumented user and invoice
    objects), as moments with their offset, by `vendor_time`'s one rule ("…Z" and zoneless alike)."""
    if isinstance(value, dict):
        return {key: stamps(item) for key, item in value.items()}
    if isinstance(value, list):
        return [stamps(item) for item in value]
    if isinstance(value, str) and _STAMP.match(value):
        try:
            return vendor_time(value)
        except ValueError:
            return value
    return value


Stamp = Annotated[Moment | None, BeforeValidator(vendor_time)]
"""Any vendor timestamp: a visit's time, a planning window, a created_at (see `vendor_time`)."""
# A result's dates say what they are (`2016-11-16`); the schema does not repeat it on every field.
Day = Annotated[date | None, BeforeValidator(day), WithJsonSchema({"type": "string"})]
Num = Annotated[int | None, BeforeValidator(number)]
Dec = Annotated[float | None, BeforeValidator(decimal)]
Flag = Annotated[bool | None, BeforeValidator(flag)]
Text = Annotated[str | None, BeforeValidator(text)]


def vendor_datetime(value: date) -> str:
    """Item dates go in as naive local datetimes (`2025-03-13T00:00:00`), as in the docs."""
    return f"{value.isoformat()}T00:00:00"


# -- paging -----------------------------------------------------------------------------------


class PageInfo(ResultModel):
    # next_page is left out when there is none: the last page, or all_pages fetched to the end.
    # (After all_pages stopped at MAX_PAGES it is the first page not fetched.) The page asked
    # for is not repeated: the caller sent it.
    total: int | None = None
    next_page: int | None = None


class VendorPage(BaseModel):
    """Laravel's length-aware paginator; only `data` and `next_page_url` are always there."""

    model_config = ConfigDict(extra="ignore")

    current_page: Num = None
    data: list[dict[str, Any]] = []
    per_page: Num = None
    last_page: Num = None
    total: Num = None
    next_page_url: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_list(cls, value: Any) -> Any:
        return {"data": value, "last_page": 1} if isinstance(value, list) else value


# -- addresses --------------------------------------------------------------------------------


class Address(ResultModel):
    id: int
    client_id: Num = None
    client_name: Text = None  # the vendor embeds the client in an address it shows
    type: str | None = None
    street: Text = None
    house_number: Text = None
    house_number_addition: Text = None
    zipcode: Text = None
    city: Text = None

    @model_validator(mode="before")
    @classmethod
    def _client(cls, value: Any) -> Any:
        if isinstance(value, dict) and isinstance(value.get("client"), dict):
            return {**value, "client_name": client_name(value["client"])}
        return value


def one_line(address: dict[str, Any] | None) -> str | None:
    """`Dorpstraat 1A, 1234 XX Amsterdam` — how a planner reads an embedded address."""
    if not isinstance(address, dict):
        return None
    number_part = "".join(str(address.get(key) or "") for key in ("house_number", "house_number_addition"))
    street = " ".join(part for part in (str(address.get("street") or ""), number_part) if part)
    place = " ".join(str(address.get(key) or "") for key in ("zipcode", "city") if address.get(key))
    return ", ".join(part for part in (street, place) if part) or None


class AddressLine(ResultModel):
    # An address as a planner reads it, `Dorpstraat 1A, 1234 XX Amsterdam`: how lists and a
    # client's addresses show it (a docstring would land in every schema); sp_get_address has
    # the fields one by one.
    id: int
    type: str | None = None
    address: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _line(cls, value: Any) -> Any:
        if isinstance(value, dict) and "address" not in value:
            return {**value, "address": one_line(value)}
        return value


class AddressRow(AddressLine):
    client_id: Num = None


class AddressSaved(AddressRow, WriteResult):
    pass


class AddressPage(ResultModel):
    addresses: list[AddressRow]
    page: PageInfo


class AddressInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    street: str = Field(min_length=1)
    house_number: str = Field(min_length=1)
    zipcode: str = Field(min_length=1)
    city: str = Field(min_length=1)
    house_number_addition: str | None = None
    country_id: int = 157


# -- appointment types and users --------------------------------------------------------------


class AppointmentType(ResultModel):
    id: int
    name: str
    time: Num = Field(None, description="minutes")
    description: Text = None
    location: Text = None
    publicly_visible: Flag = None


class AppointmentTypeList(ResultModel):
    appointment_types: list[AppointmentType]


class PassedOn(ResultModel):
    """A record the vendor does not document: the known fields, plus whatever else it sends, with
    any stamps among the rest made moments with their offset like every other time we show."""

    model_config = ConfigDict(extra="allow")

    @model_validator(mode="before")
    @classmethod
    def _stamps(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        return {key: item if key in cls.model_fields else stamps(item) for key, item in value.items()}


class User(PassedOn):
    # The vendor does not document its user object (reference 2.8).
    id: int
    name: Text = None

    @model_validator(mode="before")
    @classmethod
    def _name(cls, value: Any) -> Any:
        return {**value, "name": client_name(value)} if isinstance(value, dict) else value


class UserPage(ResultModel):
    users: list[User]
    page: PageInfo


# -- clients ----------------------------------------------------------------------------------


def client_name(client: dict[str, Any]) -> str | None:
    """The vendor's `name` (client show), else the company name, else salutation + last name."""
    if not _blank(client.get("name")):
        return str(client["name"])
    person = " ".join(str(client[key]) for key in ("first_name", "last_name") if not _blank(client.get(key)))
    return text(client.get("company_name")) or person or None


class Client(ResultModel):
    id: int
    client_number: Num = None
    name: Text = None
    email: Text = None
    phone: Text = None
    mobile_phone: Text = None

    @model_validator(mode="before")
    @classmethod
    def _name(cls, value: Any) -> Any:
        return {**value, "name": client_name(value)} if isinstance(value, dict) else value


class ClientPage(ResultModel):
    clients: list[Client]
    page: PageInfo


class ContactPerson(ResultModel):
    name: Text = None  # first and last name in one
    email: Text = None
    phone: Text = None

    @model_validator(mode="before")
    @classmethod
    def _name(cls, value: Any) -> Any:
        return {**value, "name": client_name(value)} if isinstance(value, dict) else value


class ContactPersonInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None


class Visit(ResultModel):
    """An appointment's visit time is a span, so it is `start`/`end` (the vendor's time_from /
    time_to), as every vendor's results name a span; the planning window keeps the vendor's
    plan_from/plan_to."""

    @model_validator(mode="before")
    @classmethod
    def _start_end(cls, value: Any) -> Any:
        if isinstance(value, dict) and ("time_from" in value or "time_to" in value):
            value = dict(value)
            value.setdefault("start", value.pop("time_from", None))
            value.setdefault("end", value.pop("time_to", None))
        return value


class AppointmentSummary(Visit):
    id: int
    start: Stamp = None
    plan_from: Stamp = None
    visited_at: Day = None
    canceled_at: Day = None


class InvoiceSummary(PassedOn):
    id: int


class ClientDetail(Client):
    # work_address_same_as_invoice_address is left out: the addresses show whether there is a work address.
    first_name: Text = None  # often a salutation: Dhr., Mevr., Fam.
    last_name: Text = None
    company_name: Text = None
    note: Text = None
    addresses: list[AddressLine] = []
    contact_persons: list[ContactPerson] = []
    appointments: list[AppointmentSummary] = []
    invoices: list[InvoiceSummary] = []


class ClientUpdated(Client, WriteResult):
    pass


class ClientSaved(WriteResult):
    # A new client: what the vendor chose (id, client number, name) and the new addresses, whose
    # ids sp_create_appointment needs; the contact details sent are not repeated.
    id: int
    client_number: Num = None
    name: Text = None
    addresses: list[AddressLine] = []

    @model_validator(mode="before")
    @classmethod
    def _name(cls, value: Any) -> Any:
        return {**value, "name": client_name(value)} if isinstance(value, dict) else value


# -- items ------------------------------------------------------------------------------------


class ItemSummary(ResultModel):
    # A serviced installation (boiler, heat pump, ...) at one of the client's addresses, as lists
    # show it. Without client_id: every tool that shows one was given it, except sp_list_items
    # (ItemRow).
    id: int
    address_id: Num = None
    name: Text = None
    appointment_type_id: Num = None
    plan_cycle: Num = Field(None, description="months")
    plan_next_date: Day = None


class Item(ItemSummary):
    appointment_or_invite: Text = None
    time: Num = Field(None, description="minutes")
    recurring: Flag = None
    date_from: Day = None
    date_to: Day = None
    contract: Text = None
    reminders: Text = None
    note: Text = None


class ClientItemPage(ResultModel):
    items: list[ItemSummary]
    page: PageInfo


class ItemRow(ItemSummary):
    client_id: Num = None


class ItemPage(ResultModel):
    items: list[ItemRow]
    page: PageInfo


class Attachment(ResultModel):
    # No tool takes an attachment's or a comment's id, so neither is shown.
    name: Text = None
    mime_type: Text = None
    size: Num = None


class Comment(ResultModel):
    user_id: Num = None
    description: Text = None
    created_at: Stamp = None


class ItemDetail(Item):
    comments: list[Comment] = []
    attachments: list[Attachment] = []


class ItemCreated(WriteResult):
    # The new id and the next service date the vendor worked out; the fields sent are not repeated.
    id: int
    name: Text = None
    plan_next_date: Day = None


class ItemSaved(ItemCreated):
    # As ItemCreated, plus the mode the invitation flow sets first (sp_create_appointment says so).
    appointment_or_invite: Text = None


class AttachmentsSaved(WriteResult):
    attachments: list[Attachment] = []


# C0 and C1 control characters (CR and LF among them) and the Unicode line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def header_text(value: str | None) -> str | None:
    """A file name or content type as an upload may carry it. Both travel in the multipart part's
    headers, where a line break or another control character is mangled (percent-encoded into the
    stored name) or refused by the HTTP layer after the request may have started, an upload that
    may or may not have happened. So it is refused here, before anything is sent: the one check,
    used by the tool's arguments and by the tool for a name taken from a file on disk."""
    if value is not None and _CONTROL.search(value):
        raise ValueError("has a line break or another control character; give it on one line")
    return value


HeaderText = Annotated[str, AfterValidator(header_text)]


class AttachmentContent(BaseModel):
    # One file as base64 content with a filename: all a team server (HTTP) accepts, since a path
    # would name a file on the server's machine (server/guards/attachments.py).
    model_config = ConfigDict(extra="forbid")

    # The rules are in the tool's `attachments` description (said once, not per field).
    content_base64: str = Field(max_length=14_000_000)
    filename: HeaderText = Field(min_length=1, max_length=255)
    content_type: HeaderText | None = None  # guessed from the file name if left out

    @property
    def file_path(self) -> str | None:
        return None


class AttachmentInput(BaseModel):
    # One file: a path inside AGENDA_MCP_ATTACHMENTS_DIR (stdio only), or base64 content with a filename.
    model_config = ConfigDict(extra="forbid")

    file_path: str | None = Field(None, max_length=1000)
    content_base64: str | None = Field(None, max_length=14_000_000)
    filename: HeaderText | None = Field(None, max_length=255)
    content_type: HeaderText | None = None

    @model_validator(mode="after")
    def _one_source(self) -> AttachmentInput:
        if (self.file_path is None) == (self.content_base64 is None):
            raise ValueError("give exactly one of file_path or content_base64")
        if self.content_base64 is not None and not self.filename:
            raise ValueError("filename is required with content_base64")
        return self


# -- appointments -----------------------------------------------------------------------------


class Ref(ResultModel):
    id: int
    name: Text = None


class Appointment(Visit):
    id: int
    client_id: Num = None
    client_name: Text = None
    address: Text = None
    appointment_type: Text = None
    appointment_or_invite: Text = None
    start: Stamp = None  # the visit, once planned
    end: Stamp = None
    plan_from: Stamp = None  # the planning window
    plan_to: Stamp = None
    visited_at: Day = None
    canceled_at: Day = None

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, value: Any) -> Any:
        """Embedded client/address/type objects become a name, a line and a name."""
        if not isinstance(value, dict):
            return value
        flat = dict(value)
        client = flat.pop("client", None)
        if isinstance(client, dict):
            flat.setdefault("client_name", client_name(client))
        address = flat.pop("address", None)
        flat["address"] = one_line(address) if isinstance(address, dict) else address
        kind = flat.pop("appointment_type", None)
        flat["appointment_type"] = kind.get("name") if isinstance(kind, dict) else kind
        # The docs' examples hold placeholders (`"services": [{}]`, `"id": ,`): only real records.
        flat["services"] = [s for s in flat.get("services") or [] if isinstance(s, dict) and number(s.get("id"))]
        return flat


class AppointmentDetail(Appointment):
    services: list[Ref] = []  # the client's items to service
    address_id: Num = None
    planned_at: Day = None
    status_system: Text = None
    time: Num = Field(None, description="minutes")
    send_at: Day = None  # the day the client was mailed
    confirmed_at: Day = None
    users: list[Ref] = []  # assigned technicians
    description_intern: Text = None
    description_client: Text = None

    @model_validator(mode="before")
    @classmethod
    def _users(cls, value: Any) -> Any:
        if isinstance(value, dict) and isinstance(value.get("users"), list):
            users = [
                {"id": user["id"], "name": client_name(user)}
                for user in value["users"]
                if isinstance(user, dict) and number(user.get("id"))
            ]
            value = {**value, "users": users}
        return value


class AppointmentPage(ResultModel):
    appointments: list[Appointment]
    page: PageInfo


class AppointmentCreated(Visit, WriteResult):
    id: int
    appointment_or_invite: Text = None
    time: Num = None
    start: Stamp = None
    end: Stamp = None
    plan_from: Stamp = None
    plan_to: Stamp = None
    planned_at: Day = None
    send_at: Day = None


# -- invoices ---------------------------------------------------------------------------------


class Invoice(PassedOn):
    # The vendor does not document its invoice object (reference 2.7).
    id: int
    client_id: Num = None
    created_at: Stamp = None
    updated_at: Stamp = None


class InvoicePage(ResultModel):
    invoices: list[Invoice]
    page: PageInfo


# -- deletes ----------------------------------------------------------------------------------


class Deleted(WriteResult):
    deleted: int  # the id; each delete tool removes one kind of record


MODEL_NAMES = {"Service": "item"}  # the vendor's internal name for an item


def not_found_message(message: str) -> str:
    """`No query results for model [App\\Models\\Client] 12` -> `no client with id 12`."""
    match = re.search(r"model \[(?:[\w\\]+\\)?(\w+)\]\s*(\S*)", message)
    if not match:
        return message
    model = MODEL_NAMES.get(match.group(1), re.sub(r"(?<!^)(?=[A-Z])", " ", match.group(1)).lower())
    return f"no {model} with id {match.group(2)}" if match.group(2) else f"no such {model}"
