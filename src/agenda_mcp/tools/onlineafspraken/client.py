"""Typed async client for the OnlineAfspraken.nl APIREST endpoint: one method per vendor method.

Every request is a GET to the base URL with `method=...`, the method's parameters, `api_key`,
`api_salt` (Unix seconds) and `api_signature` (see `signing.py`). Answers are XML envelopes,
delivered with HTTP 200 even on failure: `Status/Status == failed` becomes a ToolError carrying
the vendor's `Message`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

import httpx2
from mcp.server.mcpserver.exceptions import ToolError

from agenda_mcp.server.kit import ConfigError, Connection, ErrorDetail, VendorHTTP, call_secrets, redact
from agenda_mcp.tools.onlineafspraken.models import (
    CONFIRMATION_CODES,
    STATUS_CODES,
    Agenda,
    Appointment,
    AppointmentPage,
    AppointmentType,
    BookableBlock,
    BookableTime,
    BookingMode,
    CalculationModelSettings,
    CancelMode,
    Confirmations,
    Customer,
    CustomerPage,
    ExtraField,
    RecordStatus,
    Resource,
    calculation_settings,
    page_from,
    vendor_date,
    vendor_datetime,
    vendor_time,
)
from agenda_mcp.tools.onlineafspraken.signing import (
    DEFAULT_SIGNATURE_HASH,
    SIGNATURE_HASHES,
    ParamValue,
    SignatureHash,
    salt_in_window,
    signed_query,
)
from agenda_mcp.tools.onlineafspraken.xmlenvelope import Envelope, XmlEnvelopeError, parse_envelope

TITLE = "OnlineAfspraken.nl"
DEFAULT_BASE_URL = "https://agenda.onlineafspraken.nl/APIREST"
AUTH_HINT = "check ONLINEAFSPRAKEN_API_KEY, ONLINEAFSPRAKEN_API_SECRET and ONLINEAFSPRAKEN_SIGNATURE_HASH (sha1|sha256)"
NO_FREE_SLOT_HINT = (
    "That time is no longer available (taken, closed, or too soon or too far ahead): "
    "call get_bookable_times and pick one of the listed times."
)
# Vendor messages are free Dutch text without codes (reference 1.5); these words mark the
# authentication failures, whatever the exact wording.
_AUTH_WORDS = re.compile(r"api_key|api_secret|api_salt|api_signature|handtekening|signature|sleutel", re.I)
_FIELD_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
_RESERVED = frozenset({"method", "api_key", "api_salt", "api_signature", "api_format", "api_lang"})


@dataclass(frozen=True)
class SignedConnection(Connection):
    """A Connection plus what signing needs; the HTTP layer only sees the Connection part."""

    api_secret: str = field(default="", repr=False)
    signature_hash: SignatureHash = DEFAULT_SIGNATURE_HASH


def connection(env: Mapping[str, str]) -> SignedConnection:
    key = env.get("ONLINEAFSPRAKEN_API_KEY", "").strip()
    secret = env.get("ONLINEAFSPRAKEN_API_SECRET", "").strip()
    base_url = env.get("ONLINEAFSPRAKEN_BASE_URL", "").strip() or DEFAULT_BASE_URL
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(f"ONLINEAFSPRAKEN_BASE_URL must be a URL like {DEFAULT_BASE_URL} (got {base_url!r})")
    hash_name = env.get("ONLINEAFSPRAKEN_SIGNATURE_HASH", "").strip().lower() or DEFAULT_SIGNATURE_HASH
    if hash_name not in SIGNATURE_HASHES:
        raise ConfigError(f"ONLINEAFSPRAKEN_SIGNATURE_HASH must be sha1 or sha256 (got {hash_name!r})")
    return SignedConnection(
        base_url=base_url,
        headers={"Accept": "text/xml, application/xml"},
        params={"api_key": key},
        secrets=(key, secret),
        api_secret=secret,
        signature_hash=cast(SignatureHash, hash_name),
    )


def describe_error(response: httpx2.Response) -> ErrorDetail:
    """A non-2xx answer may still carry the XML envelope; take its message and code."""
    try:
        envelope = parse_envelope(response.content)
    except XmlEnvelopeError:
        return ErrorDetail()
    return ErrorDetail(code=envelope.code, message=envelope.message or None)


def with_fields(params: dict[str, ParamValue], fields: Mapping[str, str]) -> dict[str, ParamValue]:
    """Extra fields travel as parameters named by their getFields Key; they must not shadow ours."""
    taken = {name.lower() for name in params} | _RESERVED
    out = dict(params)
    for key, value in fields.items():
        if not _FIELD_KEY.match(key):
            raise ToolError(f"{TITLE}: field key {key!r} is not a valid key; use the Key from get_fields.")
        if key.lower() in taken:
            raise ToolError(
                f"{TITLE}: field key {key!r} clashes with a parameter of the same name; use the tool's own parameter."
            )
        out[key] = value
    return out


class OnlineAfsprakenClient:
    def __init__(self, http: VendorHTTP, clock: Callable[[], float] = time.time) -> None:
        if not isinstance(http.connection, SignedConnection):
            raise TypeError("OnlineAfspraken needs the SignedConnection from agenda_mcp.tools.onlineafspraken.client")
        self.http = http
        self.conn: SignedConnection = http.connection
        self._clock = clock
        # Server clock minus ours, in seconds, learned from Status/Timestamp (reference 1.2).
        self.clock_offset = 0

    # -- transport --------------------------------------------------------------------------------

    async def call(
        self,
        method: str,
        params: Mapping[str, ParamValue] | None = None,
        *,
        action: str,
        write: bool = False,
        verify_with: str | None = None,
        hint: str | None = None,
    ) -> Envelope:
        """Sign, send, parse; a `failed` envelope becomes a ToolError with the vendor's message."""
        params = dict(params or {})
        salt = int(self._clock()) + self.clock_offset
        envelope = await self._send(method, params, salt, action, write, verify_with)
        if (
            not envelope.ok
            and envelope.timestamp is not None
            and not salt_in_window(salt, envelope.timestamp)
            and not _after_authentication(envelope.message)
        ):
            # Rejected for the salt: authentication comes before anything is executed, so nothing
            # happened and re-signing once with the server's own time is safe, writes included.
            salt = envelope.timestamp
            envelope = await self._send(method, params, salt, action, write, verify_with)
        if envelope.timestamp is not None:
            self.clock_offset = envelope.timestamp - int(self._clock())
        if not envelope.ok:
            raise ToolError(self._failure(action, envelope.message, hint))
        return envelope

    async def _send(
        self,
        method: str,
        params: dict[str, ParamValue],
        salt: int,
        action: str,
        write: bool,
        verify_with: str | None,
    ) -> Envelope:
        query = signed_query(
            method,
            params,
            api_key=self.conn.params.get("api_key", ""),
            secret=self.conn.api_secret,
            salt=salt,
            hash_name=self.conn.signature_hash,
        )
        query.pop("api_key")  # sent on every request by the HTTP layer (Connection.params)
        # The absolute base URL, so the request goes to exactly ONLINEAFSPRAKEN_BASE_URL (no added "/").
        response = await self.http.request(
            "GET", self.conn.base_url, params=query, write=write, action=action, verify_with=verify_with
        )
        try:
            return parse_envelope(response.content)
        except XmlEnvelopeError as exc:
            looks_html = response.content.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html"))
            what = "an HTML page" if looks_html else f"something that is not an OnlineAfspraken XML answer ({exc})"
            if write:  # the request arrived: the shared layer's uncertain write, remembered by the guard
                raise self.http.uncertain_write(action, f"was answered with {what}", verify_with) from None
            tail = "Check ONLINEAFSPRAKEN_BASE_URL; if it is right, try again later."
            raise ToolError(redact(f"{TITLE}: {action} answered with {what}. {tail}")) from None

    @staticmethod
    def _failure(action: str, message: str, hint: str | None) -> str:
        said = message.strip() or "no message"
        if _AUTH_WORDS.search(said):
            advice = f"The request was refused: {AUTH_HINT}."
        elif said.startswith("Geen vrij tijdslot"):
            advice = NO_FREE_SLOT_HINT
        else:
            advice = hint or "Correct the arguments and try again."
        return redact(f"{TITLE}: {action} failed — {said} {advice}")

    # -- reference data ---------------------------------------------------------------------------

    async def get_agendas(self) -> list[Agenda]:
        envelope = await self.call("getAgendas", action="get agendas")
        return [Agenda.model_validate(item) for item in envelope.items("Agenda")]

    async def get_agenda(self, agenda_id: int) -> Agenda:
        envelope = await self.call("getAgenda", {"Id": agenda_id}, action="get agenda", hint=_ID_HINT["agenda"])
        return Agenda.model_validate(_one(envelope, "Agenda", "get agenda"))

    async def get_appointment_types(self) -> list[AppointmentType]:
        envelope = await self.call("getAppointmentTypes", action="get appointment types")
        return [AppointmentType.model_validate(item) for item in envelope.items("AppointmentType")]

    async def get_appointment_type(self, type_id: int) -> AppointmentType:
        envelope = await self.call(
            "getAppointmentType", {"Id": type_id}, action="get appointment type", hint=_ID_HINT["type"]
        )
        return AppointmentType.model_validate(_one(envelope, "AppointmentType", "get appointment type"))

    async def get_resources(self) -> list[Resource]:
        envelope = await self.call("getResources", action="get resources")
        return [Resource.model_validate(item) for item in envelope.items("Resource")]

    async def get_resource(self, resource_id: int) -> Resource:
        envelope = await self.call("getResource", {"Id": resource_id}, action="get resource", hint=_ID_HINT["resource"])
        return Resource.model_validate(_one(envelope, "Resource", "get resource"))

    async def get_fields(self, agenda_id: int, type_id: int | None, generic: bool) -> list[ExtraField]:
        params: dict[str, ParamValue] = {
            "AgendaId": agenda_id,
            "AppointmentTypeId": type_id,
            "GenericFields": 1 if generic else None,
        }
        envelope = await self.call("getFields", params, action="get fields")
        return [ExtraField.model_validate(item) for item in envelope.items("Field")]

    # -- availability -----------------------------------------------------------------------------

    async def get_bookable_days(
        self, agenda_id: int, type_id: int, start: date | None, end: date | None, resource_id: int | None
    ) -> list[date]:
        params: dict[str, ParamValue] = {
            "AgendaId": agenda_id,
            "AppointmentTypeId": type_id,
            "ResourceId": resource_id,
            "StartDate": vendor_date(start) if start else None,
            "EndDate": vendor_date(end) if end else None,
        }
        envelope = await self.call("getBookableDays", params, action="get bookable days", hint=_AVAILABILITY_HINT)
        return [
            date.fromisoformat(str(item["Date"])[:10]) for item in envelope.items("BookableDay") if item.get("Date")
        ]

    async def get_bookable_times(
        self, agenda_id: int, type_id: int, day: date, end: date | None, resource_id: int | None
    ) -> list[BookableTime]:
        params: dict[str, ParamValue] = {
            "AgendaId": agenda_id,
            "AppointmentTypeId": type_id,
            "Date": vendor_date(day),
            "EndDate": vendor_date(end) if end else None,
            "ResourceId": resource_id,
        }
        envelope = await self.call("getBookableTimes", params, action="get bookable times", hint=_AVAILABILITY_HINT)
        return [BookableTime.from_vendor(item) for item in envelope.items("BookableTime")]

    async def get_bookable_blocks(
        self,
        agenda_id: int,
        type_id: int,
        day: date,
        end: date | None,
        resource_id: int | None,
        consumer_bookable: bool,
    ) -> list[BookableBlock]:
        params: dict[str, ParamValue] = {
            "AgendaId": agenda_id,
            "AppointmentTypeId": type_id,
            "ResourceId": resource_id,
            "Date": vendor_date(day),
            "EndDate": vendor_date(end) if end else None,
            # SAFE CHOICE (reference §4 "Bookable-blocks flag"): the documented spelling.
            "ConsumerBookable": 1 if consumer_bookable else None,
        }
        envelope = await self.call("getBookableBlocks", params, action="get bookable blocks", hint=_AVAILABILITY_HINT)
        return [BookableBlock.from_vendor(item) for item in envelope.items("BookableBlock")]

    # -- appointments -----------------------------------------------------------------------------

    async def get_appointments(
        self,
        agenda_id: int,
        start: date,
        end: date,
        *,
        updated_after: datetime | None = None,
        created_after: datetime | None = None,
        customer_id: int | None = None,
        type_id: int | None = None,
        resource_id: int | None = None,
        include_cancelled: bool = False,
        limit: int = 100,
        offset: int = 0,
    ) -> AppointmentPage:
        params: dict[str, ParamValue] = {
            # SAFE CHOICE (reference §4): AgendaId, StartDate and EndDate are always sent.
            "AgendaId": agenda_id,
            "StartDate": vendor_date(start),
            "EndDate": vendor_date(end),
            "UpdatedAfter": vendor_datetime(updated_after) if updated_after else None,
            "CreatedAfter": vendor_datetime(created_after) if created_after else None,
            "CustomerId": customer_id,
            "AppointmentTypeId": type_id,
            "ResourceId": resource_id,
            "IncludeCancelled": 1 if include_cancelled else None,
            "Limit": limit,
            "Offset": offset,
        }
        envelope = await self.call("getAppointments", params, action="get appointments")
        found = [Appointment.model_validate(item) for item in envelope.items("Appointment")]
        return AppointmentPage(appointments=found, page=page_from(envelope.stats, offset, limit, len(found)))

    async def get_appointment(self, appointment_id: int) -> Appointment:
        envelope = await self.call(
            "getAppointment", {"Id": appointment_id}, action="get appointment", hint=_ID_HINT["appointment"]
        )
        return Appointment.model_validate(_one(envelope, "Appointment", "get appointment"))

    async def set_appointment(
        self,
        *,
        agenda_id: int,
        customer_id: int,
        start: datetime,
        type_id: int | None = None,
        resource_id: int | None = None,
        end: datetime | None = None,
        appointment_id: int | None = None,
        name: str | None = None,
        description: str | None = None,
        fields: Mapping[str, str] | None = None,
        booking_mode: BookingMode = "consumer",
        override_mode: bool = False,
        required_fields_check: bool = True,
    ) -> int:
        params: dict[str, ParamValue] = {
            "AgendaId": agenda_id,
            "CustomerId": customer_id,
            "AppointmentTypeId": type_id,
            "ResourceId": resource_id,
            "Date": vendor_date(start.date()),
            "StartTime": vendor_time(start),
            "EndTime": vendor_time(end) if end else None,
            "Id": appointment_id,
            "Name": name,
            "Description": description,
            "BookingMode": booking_mode,
            # SAFE CHOICE (reference §4 "OverrideMode default"): always sent explicitly.
            "OverrideMode": 1 if override_mode else 0,
            "RequiredFieldsCheck": None if required_fields_check else 0,
        }
        envelope = await self.call(
            "setAppointment",
            with_fields(params, fields or {}),
            action="change appointment" if appointment_id else "book appointment",
            write=True,
            verify_with="get_appointments for that agenda and date",
            hint="Check the ids and required fields (get_fields), then try again.",
        )
        saved = _one(envelope, "Appointment", "book appointment")
        try:
            return int(saved.get("Id") or appointment_id or 0)
        except ValueError:
            raise ToolError(f"{TITLE}: the booking answer carried no appointment id; check get_appointments.") from None

    async def cancel_appointment(
        self,
        appointment_id: int,
        *,
        mode: CancelMode = "customer",
        remarks: str | None = None,
        confirmations: Confirmations | None = None,
        dry_run: bool = False,
    ) -> None:
        params: dict[str, ParamValue] = {
            "Id": appointment_id,
            "Mode": mode,
            "Remarks": remarks,
            "Confirmations": CONFIRMATION_CODES[confirmations] if confirmations else None,
            "DryRun": 1 if dry_run else None,
        }
        await self.call(
            "cancelAppointment",
            params,
            action="check cancellation" if dry_run else "cancel appointment",
            write=not dry_run,
            verify_with="get_appointment (label cancelled)",
            hint="Check the appointment with get_appointment; a business can cancel late with mode=company.",
        )

    async def confirm_appointment(self, appointment_id: int, code: str) -> bool | None:
        envelope = await self.call(
            "confirmAppointment",
            {"id": appointment_id, "ConfirmationCode": code},
            action="confirm appointment",
            write=True,
            verify_with="get_appointment (label approved)",
            hint=_ID_HINT["appointment"],
        )
        # SAFE CHOICE (reference §4): the container of `Confirmed` is unknown; search anywhere.
        flag = envelope.find_text("Confirmed")
        return None if flag is None or flag == "" else flag.strip().lower() in ("1", "true")

    async def remove_appointment(self, appointment_id: int) -> None:
        await self.call(
            "removeAppointment",
            {"Id": appointment_id},
            action="remove appointment",
            write=True,
            verify_with="get_appointment",
            hint=_ID_HINT["appointment"],
        )

    async def requires_confirmation(self) -> bool:
        envelope = await self.call("requiresConfirmation", action="read the confirmation setting")
        # SAFE CHOICE (reference §4): the element is `Required` in one client and `Confirmation` in
        # another; accept either, with 1/true as yes.
        for tag in ("Required", "Confirmation", "RequiresConfirmation"):
            flag = envelope.find_text(tag)
            if flag:
                return flag.strip().lower() in ("1", "true", "yes")
        return False

    # -- customers --------------------------------------------------------------------------------

    async def get_customers(
        self,
        *,
        limit: int = 100,
        offset: int = 0,
        updated_after: datetime | None = None,
        email: str | None = None,
        birth_date: date | None = None,
        account_number: str | None = None,
    ) -> CustomerPage:
        params: dict[str, ParamValue] = {
            "Limit": limit,
            "Offset": offset,
            "UpdatedAfter": vendor_datetime(updated_after) if updated_after else None,
            "Email": email,
            "BirthDate": vendor_date(birth_date) if birth_date else None,
            "AccountNumber": account_number,
        }
        envelope = await self.call("getCustomers", params, action="get customers")
        found = [Customer.model_validate(item) for item in envelope.items("Customer")]
        return CustomerPage(customers=found, page=page_from(envelope.stats, offset, limit, len(found)))

    async def get_customer(self, customer_id: int) -> Customer:
        envelope = await self.call("getCustomer", {"Id": customer_id}, action="get customer", hint=_ID_HINT["customer"])
        return Customer.model_validate(_one(envelope, "Customer", "get customer"))

    async def set_customer(
        self,
        values: Mapping[str, ParamValue],
        *,
        customer_id: int | None = None,
        status: RecordStatus | None = None,
        fields: Mapping[str, str] | None = None,
    ) -> tuple[int, str | None]:
        params: dict[str, ParamValue] = {"id": customer_id, **values}
        if status is not None:
            params["Status"] = STATUS_CODES[status]
        password = values.get("Password")
        # The customer's password is masked in this call's logs and errors only: a caller's secret
        # never joins the operator's (server/guards/redaction.py), so it cannot change what others see.
        with call_secrets([password] if isinstance(password, str) else []):
            envelope = await self.call(
                "setCustomer",
                with_fields(params, fields or {}),
                action="change customer" if customer_id else "create customer",
                write=True,
                verify_with="get_customers (filter by email)",
            )
        saved = _one(envelope, "Customer", "save customer")
        return int(saved.get("Id") or customer_id or 0), _text(saved.get("Status"))

    async def login_customer(self, username: str, password: str) -> Customer:
        with call_secrets([password]):  # this call's logs and errors only, see set_customer
            envelope = await self.call(
                "loginCustomer",
                {"Username": username, "Password": password},
                action="check customer login",
                hint="The username or password is wrong; the customer can reset it in the booking widget.",
            )
        return Customer.model_validate(_one(envelope, "Customer", "check customer login"))

    # -- availability administration ----------------------------------------------------------

    async def add_block(
        self,
        agenda_id: int,
        start: datetime,
        end: datetime,
        type_id: int | None,
        resource_id: int | None,
    ) -> int:
        params: dict[str, ParamValue] = {
            "AgendaId": agenda_id,
            "AppointmentType": type_id,  # sic: no Id suffix (reference 2.6)
            "ResourceId": resource_id,
            "Date": vendor_date(start.date()),
            "StartTime": vendor_time(start),
            "EndTime": vendor_time(end),
        }
        envelope = await self.call(
            "CHAddBlock", params, action="add availability block", write=True, verify_with="get_bookable_blocks"
        )
        block = _one(envelope, "Block", "add availability block")
        try:
            return int(str(block.get("Id")))
        except ValueError:
            raise ToolError(
                f"{TITLE}: the block was probably added but no block id came back; check get_bookable_blocks."
            ) from None

    async def remove_block(self, agenda_id: int, block_id: int) -> None:
        await self.call(
            "CHRemoveBlock",
            {"AgendaId": agenda_id, "id": block_id},
            action="remove availability block",
            write=True,
            verify_with="get_bookable_blocks",
            hint="Only blocks added with add_availability_block can be removed, by the block_id it returned.",
        )

    async def get_calculation_model(self, agenda_id: int, type_id: int, model: str) -> CalculationModelSettings:
        params: dict[str, ParamValue] = {"AgendaId": agenda_id, "AppTypeId": type_id, "CalculationModel": model}
        envelope = await self.call(
            "getCalculationModelSettings",
            params,
            action="get calculation model settings",
            hint="The plugin must be enabled under Settings > Extra functionality.",
        )
        return calculation_settings(model, _first_with(envelope, ("Value", "Enabled")))

    async def set_calculation_model(
        self, agenda_id: int, type_id: int, model: str, value: str, enabled: bool | None
    ) -> CalculationModelSettings:
        params: dict[str, ParamValue] = {
            "AgendaId": agenda_id,
            "AppTypeId": type_id,
            "CalculationModel": model,
            "Value": value,
            "Enabled": None if enabled is None else int(enabled),
        }
        envelope = await self.call(
            "setCalculationModelSettings",
            params,
            action="set calculation model settings",
            write=True,
            verify_with="get_calculation_model_settings",
            hint="The plugin must be enabled under Settings > Extra functionality.",
        )
        return calculation_settings(model, _first_with(envelope, ("Value", "Enabled")))


_ID_HINT = {
    "agenda": "Check the id with get_agendas.",
    "type": "Check the id with get_appointment_types.",
    "resource": "Check the id with get_resources.",
    "appointment": "Check the id with get_appointments.",
    "customer": "Check the id with get_customers.",
}
_AVAILABILITY_HINT = "Check agenda_id and appointment_type_id with get_agendas and get_appointment_types."


def _after_authentication(message: str) -> bool:
    """A refusal only a signed-in request can get (the slot is taken): our salt was accepted, so
    re-signing would only send the same request again. The documented failure answer carries a
    Timestamp far from any client's clock, which once made a refused booking go out twice."""
    return message.strip().startswith("Geen vrij tijdslot")


def _one(envelope: Envelope, tag: str, action: str) -> dict[str, Any]:
    found = envelope.one(tag)
    if found is None:
        raise ToolError(f"{TITLE}: {action} succeeded but the answer carried no <{tag}>; try again or report it.")
    return found


def _first_with(envelope: Envelope, keys: tuple[str, ...]) -> dict[str, Any]:
    """The flat key/value view of an answer whose shape is undocumented."""
    return {key: text for key in keys if (text := envelope.find_text(key)) is not None}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
