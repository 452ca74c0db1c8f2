"""The simulator's routes: the OnlineAfspraken.nl APIREST endpoint as an ASGI app (no network).

Speaks the vendor's protocol: one URL, ``GET ?method=...``, every request signed (checked with the
same ``signing`` module the client uses), answers are XML envelopes, always HTTP 200 with
``Status/Status`` success or failed (reference R21). Here: parameters, XML shapes, one handler
per vendor method; the rules live in ``state.py``, the demo account in ``data.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from types import MappingProxyType
from typing import TypeAlias, cast

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..signing import (
    DEFAULT_SIGNATURE_HASH,
    SIGNATURE_HASHES,
    SignatureHash,
    salt_in_window,
    signature_matches,
)
from ..xmlenvelope import Renderable, render_envelope
from .data import TZ, Agenda, AppointmentType, Customer, FieldDef, Resource
from .state import (
    MAX_PAGE,
    Appointment,
    AvailabilitySpan,
    BookingRequest,
    OnlineAfsprakenSandbox,
    SandboxFailure,
    Slot,
    missing,
)

SANDBOX_BASE_URL = "http://onlineafspraken.sandbox/APIREST"
SANDBOX_ENV: dict[str, str] = {
    "ONLINEAFSPRAKEN_API_KEY": "sandbox-onlineafspraken-key",
    "ONLINEAFSPRAKEN_API_SECRET": "sandbox-onlineafspraken-secret",
    # The simulator checks SHA-1 signatures (create_app's default); pinning the setting here keeps a
    # user's ONLINEAFSPRAKEN_SIGNATURE_HASH from breaking sandbox mode.
    "ONLINEAFSPRAKEN_SIGNATURE_HASH": DEFAULT_SIGNATURE_HASH,
}

# Authentication failures (reference R1). The vendor's wording is unknown (reference 1.3), so these
# are ours; they name the parameter at fault so a client author can act on them.
INVALID_KEY = "Ongeldige API-sleutel (api_key)."
INVALID_SALT = "Ongeldige api_salt: verwacht een Unix-tijd in seconden."
INVALID_SIGNATURE = "Ongeldige handtekening (api_signature)."
STALE_SALT = "Verlopen api_salt: de salt moet binnen 5 minuten voor de servertijd liggen (zie Status/Timestamp)."
UNKNOWN_METHOD = "Onbekende methode: {method}"

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME_RE = re.compile(r"^\d{1,2}:\d{2}$")
_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def _fmt_dt(moment: datetime | None) -> str:
    return moment.astimezone(TZ).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


# Params names its readers after what they read (``p.int``, ``p.date``), which hides those types
# inside its class body: these names reach them there.
Int: TypeAlias = int
Date: TypeAlias = date
Time: TypeAlias = time
DateTime: TypeAlias = datetime


class Params:
    """Query parameters with case-insensitive names (the docs mix ``Id`` and ``id``, reference §4).

    Empty values count as absent: required ones fail, optional ones are ignored.
    """

    def __init__(self, raw: Mapping[str, str]) -> None:
        self.raw = dict(raw)
        self._by_lower = {k.lower(): v for k, v in raw.items()}

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self._by_lower.get(name.lower(), "")
        if value == "":
            if required:
                raise missing(name)
            return None
        return value

    def req(self, name: str) -> str:
        value = self.text(name, required=True)
        assert value is not None
        return value

    def int(self, name: str, *, required: bool = False) -> Int | None:
        value = self.text(name, required=required)
        if value is None:
            return None
        if not value.isdigit():
            raise SandboxFailure(f"Ongeldige waarde voor {name}: verwacht een geheel getal.")
        return Int(value)

    def req_int(self, name: str) -> Int:
        value = self.int(name, required=True)
        assert value is not None
        return value

    def flag(self, *names: str) -> bool:
        for name in names:
            value = self.text(name)
            if value is not None:
                if value not in ("0", "1"):
                    raise SandboxFailure(f"Ongeldige waarde voor {name}: 0 of 1.")
                return value == "1"
        return False

    def date(self, name: str, *, required: bool = False) -> Date | None:
        value = self.text(name, required=required)
        if value is None:
            return None
        try:
            if not _DATE_RE.match(value):
                raise ValueError
            return Date.fromisoformat(value)
        except ValueError:
            raise SandboxFailure(f"Ongeldige datum in {name}: gebruik yyyy-mm-dd.") from None

    def req_date(self, name: str) -> Date:
        value = self.date(name, required=True)
        assert value is not None
        return value

    def time(self, name: str, *, required: bool = False) -> Time | None:
        value = self.text(name, required=required)
        if value is None:
            return None
        try:
            if not _TIME_RE.match(value):
                raise ValueError
            hours, minutes = value.split(":")
            return Time(Int(hours), Int(minutes))
        except ValueError:
            raise SandboxFailure(f"Ongeldige tijd in {name}: gebruik hh:mm.") from None

    def req_time(self, name: str) -> Time:
        value = self.time(name, required=True)
        assert value is not None
        return value

    def datetime(self, name: str) -> DateTime | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            if not _DATETIME_RE.match(value):
                raise ValueError
            return DateTime.fromisoformat(value).replace(tzinfo=TZ)
        except ValueError:
            raise SandboxFailure(f"Ongeldige datum/tijd in {name}: gebruik yyyy-mm-dd hh:mm:ss.") from None


@dataclass
class Reply:
    objects: list[tuple[str, Renderable]] = field(default_factory=list)
    root_objects: list[tuple[str, Renderable]] = field(default_factory=list)
    stats: dict[str, int] | None = None


# -- XML shapes (reference 2.2) ----------------------------------------------------------------


def agenda_xml(a: Agenda) -> Renderable:
    return {
        "Id": a.id,
        "Name": a.name,
        "DateFormat": a.date_format,
        "TimeFormat": a.time_format,
        "AlignGrid": a.align_grid,
        "IsDefault": int(a.is_default),
    }


def type_xml(t: AppointmentType) -> Renderable:
    return {
        "Id": t.id,
        "Name": t.name,
        "Description": t.description,
        "Status": t.status,
        "SchedulingType": t.scheduling_type,
        "PriceType": t.price_type,
        "Price": t.price,
        "Duration": t.duration,
        "MinTimeBeforeAppointment": t.min_before,
        "MaxTimeBeforeAppointment": t.max_before,
        "Buffer": t.buffer,
        "CanBeBookedByConsumer": t.consumer_bookable,
        "ExplicitEndDate": None,
        "Category": t.category,
        "CategoryId": t.category_id,
        "Capacity": t.capacity,
        "ResourceId": None,
    }


def resource_xml(r: Resource) -> Renderable:
    return {
        "Id": r.id,
        "Name": r.name,
        "Code": r.code,
        "Description": r.description,
        "Phone": r.phone,
        "MobilePhone": r.mobile_phone,
        "Email": r.email,
        "Status": r.status,
        "Label": r.label,
    }


def field_xml(f: FieldDef) -> Renderable:
    return {"Id": f.id, "Label": f.label, "Key": f.key, "Type": f.type, "Required": int(f.required)}


def slot_xml(s: Slot) -> Renderable:
    return {
        "Date": s.start.date().isoformat(),
        "StartTime": s.start.strftime("%H:%M"),
        "LabelTime": s.start.strftime("%H:%M"),
        "EndTime": s.end.strftime("%H:%M"),
        "Timestamp": int(s.start.timestamp()),
        "AppointmentTypeId": s.type_id,
        "ResourceId": s.resource_id,
    }


def block_span_xml(b: AvailabilitySpan) -> Renderable:
    return {
        "Date": b.start.date().isoformat(),
        "StartTime": b.start.strftime("%H:%M"),
        "EndTime": b.end.strftime("%H:%M"),
        "ResourceId": b.resource_id,
        "AppointmentTypeId": b.type_id,
    }


def appointment_xml(state: OnlineAfsprakenSandbox, a: Appointment) -> Renderable:
    customer = state.customers.get(a.customer_id) if a.customer_id else None
    out: dict[str, Renderable] = {
        "Id": a.id,
        "Name": a.name,
        "Description": a.description,
        "StartTime": _fmt_dt(a.start),
        "FinishTime": _fmt_dt(a.finish),
        "BlockedTime": _fmt_dt(a.blocked_until),
        "Capacity": a.capacity,
        "AppointmentTypeId": a.type_id,
        "CustomerId": a.customer_id,
        "CustomerName": customer.full_name if customer else None,
        "Status": a.status,
        "Label": state.display_label(a),
        # SAFE CHOICE (reference §4 "Resources children"): the simulator emits C2's names.
        "Resources": [
            {
                "ResourceId": a.resource_id,
                "AssignedStartTime": _fmt_dt(a.start),
                "AssignedFinishTime": _fmt_dt(a.finish),
            }
        ]
        if a.resource_id is not None
        else [],
        "CreateTime": _fmt_dt(a.created),
        "UpdateTime": _fmt_dt(a.updated),
    }
    out.update(a.fields)
    return out


def customer_xml(c: Customer) -> Renderable:
    out: dict[str, Renderable] = {
        "Id": c.id,
        "AccountNumber": c.account_number,
        "FirstName": c.first_name,
        "LastName": c.last_name,
        "Insertions": c.insertions,
        "BirthDate": c.birth_date.isoformat() if c.birth_date else None,
        "Gender": c.gender,
        "Street": c.street,
        "HouseNr": c.house_nr,
        "HouseNrAddition": c.house_nr_addition,
        "ZipCode": c.zip_code,
        "City": c.city,
        "Country": c.country,
        "Phone": c.phone,
        "MobilePhone": c.mobile_phone,
        "Email": c.email,
        "Status": c.status,
        "UpdateTime": _fmt_dt(c.updated),
        "CreateTime": _fmt_dt(c.created),
    }
    out.update(c.fields)  # registration extra fields by Key; the password is never rendered
    return out


def _page(items: list[Renderable], tag: str, p: Params) -> Reply:
    limit = min(p.int("Limit") or MAX_PAGE, MAX_PAGE)
    offset = p.int("Offset") or 0
    page = items[offset : offset + limit]
    stats = {"Limit": limit, "Offset": offset, "Records": len(page), "TotalRecords": len(items)}
    return Reply(objects=[(tag, item) for item in page], stats=stats)


# -- method handlers ---------------------------------------------------------------------------

Handler = Callable[[OnlineAfsprakenSandbox, Params], Reply]


def get_agendas(s: OnlineAfsprakenSandbox, p: Params) -> Reply:
    return Reply(objects=[("Agenda", agenda_xml(a)) for a in s.agendas.values()])


def get_agenda(s: OnlineAfsprakenSandbox, p: Params) -> Reply:
    return Reply(root_objects=[("Agenda", agenda_xml(s.agenda(p.req_int("Id"))))])


def get_appointment_types(s: OnlineAfsprakenSandbox, p: Params) -> Reply:
    return Reply(objects=[("AppointmentType", type_xml(t)) for t in s.appointment_types.values()])


def get_appointment_type(s: OnlineAfsprakenSandbox, p: Params) -> Reply:
    return Reply(objects=[("AppointmentType", type_xml(s.appointment_type(p.req_int("Id"))))])


def get_resources(s: OnlineAfsprakenSandbox, p: Params) -> Reply:
    return Reply(objects=[("Resource", resource_xml(r)) for r in s.resources.values()])


def get_resource(s: OnlineAfsprakenSandbox, p: Params) -> Reply:
    return Reply(root_objects=[("Resource", resource_xml(s.resource(p.req_int("Id"))))])


def get_fields(s: OnlineAfsprakenSandbox, p: Params) -> Reply:
    found = s.fields_for(p.req_int("AgendaId"), p.int("AppointmentTypeId"), generic=p.flag("GenericFields"))
    return Reply(objects=[("Field", field_xml(f)) for f in found])


def get_bookable_days(s: OnlineAfsprakenSandbox, p: Params) -> Reply:
    found = s.bookable_days(
        p.req_int("AgendaId"),
        p.req_int("AppointmentTypeId"),
        p.date("StartDate"),
        p.date("EndDate"),
        p.int("ResourceId"),
    )
    return Reply(
        objects=[
            ("BookableDay", {"Date": d.isoformat(), "Month": f"{d.month:02d}", "Day": f"{d.day:02d}"}) for d in found
        ]
    )


def get_bookable_times(s: OnlineAfsprakenSandbox, p: Params) -> Reply:
    agenda_id = p.req_int("AgendaId")
    first = p.req_date("Date")
    slots = s.bookable_times(agenda_id, p.req_int("AppointmentTypeId"), first, p.date("EndDate"), p.int("ResourceId"))
    return Reply(objects=[("BookableTime", slot_xml(slot)) for slot in slots])


def get_bookable_blocks(s: OnlineAfsprakenSandbox, p: Params) -> Reply:
    agenda_id = p.req_int("AgendaId")
    type_id = p.req_int("AppointmentTypeId")
    spans = s.bookable_blocks(
        agenda_id,
        type_id,
        p.req_date("Date"),
        p.date("EndDate"),
        p.int("ResourceId"),
        # SAFE CHOICE (reference §4 "Bookable-blocks flag"): accept both spellings.
        consumer_only=p.flag("ConsumerBookable", "CustomerBookable"),
    )
    return Reply(objects=[("BookableBlock", block_span_xml(b)) for b in spans])


def get_appointments(s: OnlineAfsprakenSandbox, p: Params) -> Reply:
    # SAFE CHOICE (reference §4 "getAppointments required params"): AgendaId and StartDate required.
    found = s.list_appointments(
        p.req_int("AgendaId"),
        p.req_date("StartDate"),
        p.date("EndDate"),
        updated_after=p.datetime("UpdatedAfter"),
        created_after=p.datetime("CreatedAfter"),
        customer_id=p.int("CustomerId"),
        type_id=p.int("AppointmentTypeId"),
        resource_id=p.int("ResourceId"),
        include_cancelled=p.flag("IncludeCancelled", "IncludeCanceled"),
    )
    return _page([appointment_xml(s, a) for a in found], "Appointment", p)


def get_appointment(s: OnlineAfsprakenSandbox, p: Params) -> Reply:
    return Reply(root_objects=[("Appointment", appointment_xml(s, s.appointment(p.req_int("Id"))))])


def set_appointment(s: OnlineAfsprakenSandbox, p: Params) -> Reply:
    agenda_id = p.req_int("AgendaId")
    appointment_id = p.int("Id")
    fields = {f.key: v for f in s.fields if f.agenda_id == agenda_id and (v := p.text(f.key)) is not None}
    req = BookingRequest(
        agenda_id=agenda_id,
        customer_id=p.req_int("CustomerId"),
        # Required on every call (D1), a change included, where its value is then ignored (R9).
        type_id=p.req_int("AppointmentTypeId"),
        resource_id=p.int("ResourceId"),
        day=p.req_date("Date"),
        start_time=p.req_time("StartTime"),
        end_time=p.time("EndTime"),
        appointment_id=appointment_id,
        name=p.text("Name"),
        description=p.text("Description"),
        fields=fields,
        booking_mode=p.text("BookingMode") or "consumer",
        override=p.flag("OverrideMode"),
        required_fields_check=p.text("RequiredFieldsCheck") != "0",
    )
    appt = s.set_appointment(req)
    return Reply(objects=[("Appointment", {"Id": appt.id, "Status": appt.status})])


def cancel_appointment(s: OnlineAfsprakenSandbox, p: Params) -> Reply:
    s.cancel_appointment(
        p.req_int("Id"),
        mode=p.text("Mode") or "customer",
        remarks=p.text("Remarks"),
        confirmations=p.int("Confirmations"),
        dry_run=p.flag("DryRun"),
    )
    return Reply()


def confirm_appointment(s: OnlineAfsprakenSandbox, p: Params) -> Reply:
    confirmed = s.confirm_appointment(p.req_int("id"), p.req("ConfirmationCode"))
    return Reply(objects=[("Appointment", {"Confirmed": int(confirmed)})])


def remove_appointment(s: OnlineAfsprakenSandbox, p: Params) -> Reply:
    s.remove_appointment(p.req_int("Id"))
    return Reply()


def requires_confirmation(s: OnlineAfsprakenSandbox, p: Params) -> Reply:
    # Element name is uncertain (reference §4): emit both names, nested, as the reference suggests.
    return Reply(objects=[("Confirmation", {"Required": int(s.requires_confirmation)})])


def get_customers(s: OnlineAfsprakenSandbox, p: Params) -> Reply:
    updated_after = p.datetime("UpdatedAfter")
    found = s.list_customers(
        updated_after=updated_after,
        email=p.text("Email"),
        birth_date=p.date("BirthDate"),
        account_number=p.text("AccountNumber"),
    )
    items: list[Renderable] = [{"Id": c.id, "Status": c.status} if c.status == 3 else customer_xml(c) for c in found]
    return _page(items, "Customer", p)


def get_customer(s: OnlineAfsprakenSandbox, p: Params) -> Reply:
    return Reply(root_objects=[("Customer", customer_xml(s.customer(p.req_int("Id"))))])


_CUSTOMER_PARAMS = (
    "AccountNumber",
    "Email",
    "FirstName",
    "LastName",
    "Insertions",
    "BirthDate",
    "Gender",
    "Street",
    "HouseNr",
    "HouseNrAddition",
    "ZipCode",
    "City",
    "Country",
    "Phone",
    "MobilePhone",
    "Status",
    "Username",
    "Password",
)


def set_customer(s: OnlineAfsprakenSandbox, p: Params) -> Reply:
    values = {name: v for name in _CUSTOMER_PARAMS if (v := p.text(name)) is not None}
    fields = {f.key: v for f in s.fields if f.type == "Registration" and (v := p.text(f.key)) is not None}
    customer = s.set_customer(p.int("id"), values, fields)
    return Reply(objects=[("Customer", {"Id": customer.id, "Status": customer.status})])


def login_customer(s: OnlineAfsprakenSandbox, p: Params) -> Reply:
    customer = s.login_customer(p.req("Username"), p.req("Password"))
    return Reply(root_objects=[("Customer", customer_xml(customer))])


def add_block(s: OnlineAfsprakenSandbox, p: Params) -> Reply:
    block = s.add_block(
        p.req_int("AgendaId"),
        p.req_date("Date"),
        p.req_time("StartTime"),
        p.req_time("EndTime"),
        p.int("AppointmentType"),
        p.int("ResourceId"),
    )
    return Reply(objects=[("Block", {"Id": block.id})])


def remove_block(s: OnlineAfsprakenSandbox, p: Params) -> Reply:
    s.remove_block(p.req_int("AgendaId"), p.req_int("id"))
    return Reply()


def _calc_xml(agenda_id: int, type_id: int, model: str, stored: tuple[str, int]) -> Reply:
    # Response shape undocumented (reference §4): local convention, echoing what is stored.
    value, enabled = stored
    body: dict[str, Renderable] = {
        "AgendaId": agenda_id,
        "AppTypeId": type_id,
        "CalculationModel": model,
        "Value": value,
        "Enabled": enabled,
    }
    return Reply(objects=[("CalculationModelSettings", body)])


def get_calculation_model_settings(s: OnlineAfsprakenSandbox, p: Params) -> Reply:
    agenda_id, type_id, model = p.req_int("AgendaId"), p.req_int("AppTypeId"), p.req("CalculationModel")
    return _calc_xml(agenda_id, type_id, model, s.calculation_model(agenda_id, type_id, model))


def set_calculation_model_settings(s: OnlineAfsprakenSandbox, p: Params) -> Reply:
    agenda_id, type_id, model = p.req_int("AgendaId"), p.req_int("AppTypeId"), p.req("CalculationModel")
    stored = s.set_calculation_model(agenda_id, type_id, model, p.req("Value"), p.int("Enabled"))
    return _calc_xml(agenda_id, type_id, model, stored)


METHODS: Mapping[str, Handler] = MappingProxyType(
    {
        "getAgendas": get_agendas,
        "getAgenda": get_agenda,
        "getAppointmentTypes": get_appointment_types,
        "getAppointmentType": get_appointment_type,
        "getResources": get_resources,
        "getResource": get_resource,
        "getFields": get_fields,
        "getBookableDays": get_bookable_days,
        "getBookableTimes": get_bookable_times,
        "getBookableBlocks": get_bookable_blocks,
        "getAppointments": get_appointments,
        "getAppointment": get_appointment,
        "setAppointment": set_appointment,
        "cancelAppointment": cancel_appointment,
        "confirmAppointment": confirm_appointment,
        "removeAppointment": remove_appointment,
        "requiresConfirmation": requires_confirmation,
        "getCustomers": get_customers,
        "getCustomer": get_customer,
        "setCustomer": set_customer,
        "loginCustomer": login_customer,
        "CHAddBlock": add_block,
        "CHRemoveBlock": remove_block,
        "getCalculationModelSettings": get_calculation_model_settings,
        "setCalculationModelSettings": set_calculation_model_settings,
    }
)


# -- protocol ----------------------------------------------------------------------------------


def authenticate(state: OnlineAfsprakenSandbox, raw: Mapping[str, str]) -> None:
    """R1: known api_key, numeric salt, correct signature, salt within [now-300, now]."""
    secret = state.credentials.get(raw.get("api_key", ""))
    if not secret:
        raise SandboxFailure(INVALID_KEY)
    salt = raw.get("api_salt", "")
    if not salt.isdigit():
        raise SandboxFailure(INVALID_SALT)
    if not raw.get("api_signature") or not signature_matches(raw, secret, state.signature_hash):
        raise SandboxFailure(INVALID_SIGNATURE)
    if not salt_in_window(int(salt), state.server_timestamp()):
        raise SandboxFailure(STALE_SALT)


def handle(state: OnlineAfsprakenSandbox, raw: Mapping[str, str]) -> bytes:
    """One request (query parameters) -> one XML envelope."""
    try:
        authenticate(state, raw)
        method = raw.get("method", "")
        handler = METHODS.get(method)
        if handler is None:
            raise SandboxFailure(UNKNOWN_METHOD.format(method=method or "(geen)"))  # R2
        reply = handler(state, Params(raw))
    except SandboxFailure as failure:
        return render_envelope(server_time=state.now(), status="failed", message=failure.message)
    return render_envelope(
        server_time=state.now(),
        stats=reply.stats,
        objects=reply.objects,
        root_objects=reply.root_objects,
    )


async def _endpoint(request: Request) -> Response:
    state: OnlineAfsprakenSandbox = request.app.state.sandbox
    # Repeated names: the last value wins, as in PHP; it is also the value that gets signed.
    raw = dict(request.query_params.multi_items())
    return Response(handle(state, raw), media_type="text/xml; charset=UTF-8")


def create_app(
    *,
    now: Callable[[], datetime] | None = None,
    signature_hash: str = DEFAULT_SIGNATURE_HASH,
) -> Starlette:
    """A fresh simulator. ``signature_hash`` mirrors ONLINEAFSPRAKEN_SIGNATURE_HASH: the simulator
    accepts the configured algorithm only (reference §4 "Hash function")."""
    if signature_hash not in SIGNATURE_HASHES:
        raise ValueError(f"unsupported signature hash {signature_hash!r}")
    clock = now or (lambda: datetime.now(TZ))
    state = OnlineAfsprakenSandbox(
        clock,
        credentials={SANDBOX_ENV["ONLINEAFSPRAKEN_API_KEY"]: SANDBOX_ENV["ONLINEAFSPRAKEN_API_SECRET"]},
        signature_hash=cast(SignatureHash, signature_hash),
    )
    path = "/" + SANDBOX_BASE_URL.split("://", 1)[1].split("/", 1)[1]
    app = Starlette(routes=[Route(path, _endpoint, methods=["GET"]), Route(path + "/", _endpoint, methods=["GET"])])
    app.state.sandbox = state
    return app
