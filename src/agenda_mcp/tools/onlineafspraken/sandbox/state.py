"""Simulator state and business rules for the OnlineAfspraken sandbox (reference section 3).

Protocol concerns (signature, parameters, XML) live in ``app.py``; this module only knows
agendas, availability and appointments. A rule violation raises ``SandboxFailure`` with the
message the simulated service puts in ``Status/Message``. Message texts are Dutch like the
vendor's; apart from "Geen vrij tijdslot voor afspraak." the exact texts are unknown (reference
§4), so they are our own and kept together here.
"""

from __future__ import annotations

import json
import random
import re
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from ..signing import SignatureHash
from .data import (
    AGENDAS,
    APPOINTMENT_TYPES,
    DEMO_SEED,
    FIELDS,
    FIRST_APPOINTMENT_ID,
    FIRST_BLOCK_ID,
    RESOURCES,
    TZ,
    Agenda,
    AppointmentType,
    Customer,
    FieldDef,
    Resource,
    demo_customers,
)

NO_FREE_SLOT = "Geen vrij tijdslot voor afspraak."
APPOINTMENT_NOT_FOUND = "Afspraak niet gevonden."
CUSTOMER_NOT_FOUND = "Klant niet gevonden."
AGENDA_NOT_FOUND = "Agenda niet gevonden."
TYPE_NOT_FOUND = "Afspraaktype niet gevonden."
TYPE_NOT_IN_AGENDA = "Afspraaktype hoort niet bij deze agenda."
RESOURCE_NOT_FOUND = "Resource niet gevonden."
RESOURCE_NOT_FOR_TYPE = "Deze resource kan dit afspraaktype niet uitvoeren."
EDIT_NEEDS_CUSTOMER_MODE = "Een bestaande afspraak wijzigen kan alleen met BookingMode=customer."
END_TIME_NEEDS_CUSTOMER_MODE = "EndTime kan alleen worden opgegeven met BookingMode=customer."
NOT_CONSUMER_BOOKABLE = "Dit afspraaktype kan niet door consumenten worden geboekt."
ALREADY_CANCELLED = "Afspraak is al geannuleerd."
CANCELLED_NOT_EDITABLE = "Een geannuleerde afspraak kan niet worden gewijzigd."
LOGIN_FAILED = "Ongeldige gebruikersnaam of wachtwoord."
BLOCK_NOT_FOUND = "Blok niet gevonden."

# Appointment Label codes (reference 2.2).
PENDING, APPROVED, FINISHED, CANCELLED, IN_PROGRESS = 1, 2, 3, 4, 5

CALCULATION_MODELS = ("specificTimes", "multiple", "limit", "combination", "complex", "travel", "connectingApps")

# SAFE CHOICE (reference R14: deadline value unknown): 24 hours, changeable through the test hook.
DEFAULT_CANCELLATION_DEADLINE = timedelta(hours=24)
# Inferred: getBookableDays without EndDate looks one month ahead.
DEFAULT_BOOKABLE_DAYS_SPAN = timedelta(days=30)
# getCustomers: "by default a maximum of 500 customers" (reference 2.2); used for appointments too.
MAX_PAGE = 500

_PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{8,16}[0-9]$")


class SandboxFailure(Exception):
    """A request the simulated service answers with ``Status/Status = failed``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def missing(name: str) -> SandboxFailure:
    return SandboxFailure(f"Verplicht veld ontbreekt: {name}")


@dataclass
class Appointment:
    id: int
    agenda_id: int
    type_id: int
    customer_id: int | None
    name: str
    description: str
    start: datetime
    finish: datetime
    blocked_until: datetime  # finish + the type's buffer (BlockedTime)
    resource_id: int | None
    label: int
    created: datetime
    updated: datetime
    capacity: int = 1
    status: int = 1
    confirmation_code: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    cancel_remarks: str = ""

    @property
    def active(self) -> bool:
        return self.label != CANCELLED


@dataclass
class Block:
    id: int
    agenda_id: int
    day: date
    start: time
    end: time
    type_id: int | None
    resource_id: int | None


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    resource_id: int
    type_id: int


@dataclass(frozen=True)
class AvailabilitySpan:
    start: datetime
    end: datetime
    resource_id: int
    type_id: int


@dataclass(frozen=True)
class BookingRequest:
    agenda_id: int
    customer_id: int
    day: date
    start_time: time
    type_id: int | None = None
    resource_id: int | None = None
    end_time: time | None = None
    appointment_id: int | None = None
    name: str | None = None
    description: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    booking_mode: str = "consumer"
    override: bool = False
    required_fields_check: bool = True


def wall(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=TZ)


def days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _merge(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


class OnlineAfsprakenSandbox:
    """One simulated OnlineAfspraken account. Public methods beyond the API are test hooks."""

    def __init__(
        self,
        now: Callable[[], datetime],
        *,
        credentials: dict[str, str],
        signature_hash: SignatureHash,
    ) -> None:
        self._clock = now
        self.credentials = dict(credentials)  # api_key -> secret
        self.signature_hash = signature_hash
        self._load_demo()

    def _load_demo(self) -> None:
        """(Re)build the account: static catalogue plus customers and bookings anchored on now()."""
        self.agendas: dict[int, Agenda] = {a.id: a for a in AGENDAS}
        self.resources: dict[int, Resource] = {r.id: r for r in RESOURCES}
        self.appointment_types: dict[int, AppointmentType] = {t.id: t for t in APPOINTMENT_TYPES}
        self.fields: tuple[FieldDef, ...] = FIELDS
        self.requires_confirmation = False
        self.cancellation_deadline = DEFAULT_CANCELLATION_DEADLINE
        self.calculation_models: dict[tuple[int, int, str], tuple[str, int]] = {}
        self.appointments: dict[int, Appointment] = {}
        self.blocks: dict[int, Block] = {}
        anchor = self.now()
        self.customers: dict[int, Customer] = {c.id: c for c in demo_customers(anchor)}
        self._next_appointment_id = FIRST_APPOINTMENT_ID
        self._next_block_id = FIRST_BLOCK_ID
        self._next_customer_id = max(self.customers) + 1
        self._codes = random.Random(DEMO_SEED + 1)
        self._seed_appointments(anchor)

    # -- clock ---------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self._clock().astimezone(TZ)

    def server_timestamp(self) -> int:
        return int(self.now().timestamp())

    # -- test hooks ----------------------------------------------------------------------------

    def set_clock(self, now: Callable[[], datetime]) -> None:
        """Move the simulator to another clock and rebuild the demo data anchored on it (for tests
        that run the server in sandbox mode, where the app is created with the real clock)."""
        self._clock = now
        self._load_demo()

    def set_requires_confirmation(self, required: bool) -> None:
        self.requires_confirmation = required

    def set_cancellation_deadline(self, deadline: timedelta) -> None:
        self.cancellation_deadline = deadline

    def confirmation_code(self, appointment_id: int) -> str | None:
        """The code the real service would send by mail/SMS (out of band)."""
        return self.appointment(appointment_id).confirmation_code

    # -- lookups -------------------------------------------------------------------------------

    def agenda(self, agenda_id: int) -> Agenda:
        try:
            return self.agendas[agenda_id]
        except KeyError:
            raise SandboxFailure(AGENDA_NOT_FOUND) from None

    def appointment_type(self, type_id: int, agenda_id: int | None = None) -> AppointmentType:
        type_ = self.appointment_types.get(type_id)
        if type_ is None:
            raise SandboxFailure(TYPE_NOT_FOUND)
        if agenda_id is not None:
            self.agenda(agenda_id)
            if type_.agenda_id != agenda_id:
                raise SandboxFailure(TYPE_NOT_IN_AGENDA)
        return type_

    def resource(self, resource_id: int) -> Resource:
        try:
            return self.resources[resource_id]
        except KeyError:
            raise SandboxFailure(RESOURCE_NOT_FOUND) from None

    def appointment(self, appointment_id: int) -> Appointment:
        try:
            return self.appointments[appointment_id]
        except KeyError:
            raise SandboxFailure(APPOINTMENT_NOT_FOUND) from None

    def customer(self, customer_id: int) -> Customer:
        try:
            return self.customers[customer_id]
        except KeyError:
            raise SandboxFailure(CUSTOMER_NOT_FOUND) from None

    def display_label(self, appt: Appointment) -> int:
        """Stored label, with approved appointments turning in-progress/finished as time passes."""
        if appt.label != APPROVED:
            return appt.label
        now = self.now()
        if appt.finish <= now:
            return FINISHED
        if appt.start <= now:
            return IN_PROGRESS
        return APPROVED

    def fields_for(self, agenda_id: int, type_id: int | None = None, *, generic: bool = False) -> list[FieldDef]:
        """getFields: without a type every field of the agenda; with a type the fields bound to it,
        plus generic (type-independent) ones when ``generic`` (meaning inferred, reference 2.2)."""
        self.agenda(agenda_id)
        if type_id is not None:
            self.appointment_type(type_id, agenda_id)
        out = []
        for f in self.fields:
            if f.agenda_id != agenda_id:
                continue
            bound = f.appointment_type_ids
            if type_id is None or (bound is not None and type_id in bound) or (bound is None and generic):
                out.append(f)
        return out

    # -- availability (R4, R12) ----------------------------------------------------------------

    def _eligible_resources(self, type_: AppointmentType, resource_id: int | None) -> list[Resource]:
        if resource_id is not None:
            resource = self.resource(resource_id)
            if resource.id not in type_.resource_ids:
                raise SandboxFailure(RESOURCE_NOT_FOR_TYPE)
            return [resource]
        return [self.resources[r] for r in type_.resource_ids if self.resources[r].status == 1]

    def availability(self, resource: Resource, type_: AppointmentType, day: date) -> list[tuple[datetime, datetime]]:
        """Weekly opening hours of the resource plus CHAddBlock blocks that apply to it and the type."""
        spans = [(wall(day, s), wall(day, e)) for s, e in resource.weekly_hours.get(day.weekday(), ())]
        for block in self.blocks.values():
            if (
                block.agenda_id == resource.agenda_id
                and block.day == day
                and block.resource_id in (None, resource.id)
                and block.type_id in (None, type_.id)
            ):
                spans.append((wall(day, block.start), wall(day, block.end)))
        return _merge(spans)

    def _busy(self, resource_id: int, day: date, exclude_id: int | None = None) -> list[Appointment]:
        """Active appointments on the resource that touch ``day`` (the candidates for a conflict)."""
        day_start = wall(day, time(0))
        day_end = day_start + timedelta(days=1)
        return [
            appt
            for appt in self.appointments.values()
            if appt.resource_id == resource_id
            and appt.active
            and appt.id != exclude_id
            and appt.start < day_end
            and day_start < appt.blocked_until
        ]

    @staticmethod
    def _is_free(type_: AppointmentType, start: datetime, blocked_until: datetime, busy: list[Appointment]) -> bool:
        """No overlap with the busy appointments; a capacity type accepts up to ``Capacity`` persons
        in the same session."""
        seats = 0
        for appt in busy:
            if not (appt.start < blocked_until and start < appt.blocked_until):
                continue
            if type_.scheduling_type == "capacity" and appt.type_id == type_.id and appt.start == start:
                seats += appt.capacity
                continue
            return False
        return seats < type_.capacity

    def _fits(
        self,
        resource: Resource,
        type_: AppointmentType,
        start: datetime,
        finish: datetime,
        spans: list[tuple[datetime, datetime]],
        *,
        now: datetime | None,
        busy: list[Appointment] | None = None,
        exclude_id: int | None = None,
    ) -> bool:
        grid = self.agendas[type_.agenda_id].align_grid
        if start.second or start.microsecond or (start.hour * 60 + start.minute) % grid:
            return False
        if now is not None and not (
            now + timedelta(minutes=type_.min_before) <= start <= now + timedelta(minutes=type_.max_before)
        ):
            return False
        if not any(s <= start and finish <= e for s, e in spans):
            return False
        if busy is None:
            busy = self._busy(resource.id, start.date(), exclude_id)
        return self._is_free(type_, start, finish + timedelta(minutes=type_.buffer), busy)

    def _slots(
        self, type_: AppointmentType, resources: list[Resource], first: date, last: date, *, window: bool
    ) -> list[Slot]:
        now = self.now() if window else None
        grid = timedelta(minutes=self.agendas[type_.agenda_id].align_grid)
        duration = timedelta(minutes=type_.duration)
        out = []
        for day in days(first, last):
            for resource in resources:
                spans = self.availability(resource, type_, day)
                busy = self._busy(resource.id, day)
                for span_start, span_end in spans:
                    start = _ceil_to_grid(span_start, grid)
                    while start + duration <= span_end:
                        if self._fits(resource, type_, start, start + duration, spans, now=now, busy=busy):
                            out.append(Slot(start, start + duration, resource.id, type_.id))
                        start += grid
        out.sort(key=lambda s: (s.start, s.resource_id))
        return out

    def bookable_times(
        self, agenda_id: int, type_id: int, first: date, last: date | None = None, resource_id: int | None = None
    ) -> list[Slot]:
        """One entry per free (start, resource): without ResourceId the times of all resources."""
        type_ = self.appointment_type(type_id, agenda_id)
        last = last or first
        if last < first:
            raise SandboxFailure("EndDate ligt voor de begindatum.")
        return self._slots(type_, self._eligible_resources(type_, resource_id), first, last, window=True)

    def bookable_days(
        self,
        agenda_id: int,
        type_id: int,
        first: date | None = None,
        last: date | None = None,
        resource_id: int | None = None,
    ) -> list[date]:
        first = first or self.now().date()
        last = last or first + DEFAULT_BOOKABLE_DAYS_SPAN
        return sorted({slot.start.date() for slot in self.bookable_times(agenda_id, type_id, first, last, resource_id)})

    def bookable_blocks(
        self,
        agenda_id: int,
        type_id: int,
        first: date,
        last: date | None = None,
        resource_id: int | None = None,
        consumer_only: bool = False,
    ) -> list[AvailabilitySpan]:
        """Raw availability per resource, not chopped into slots and without appointments removed."""
        type_ = self.appointment_type(type_id, agenda_id)
        last = last or first
        if last < first:
            raise SandboxFailure("EndDate ligt voor de begindatum.")
        if consumer_only and type_.consumer_bookable != 1:
            return []
        out = []
        for day in days(first, last):
            for resource in self._eligible_resources(type_, resource_id):
                for start, end in self.availability(resource, type_, day):
                    out.append(AvailabilitySpan(start, end, resource.id, type_.id))
        return out

    # -- appointments (R5-R16) -----------------------------------------------------------------

    def set_appointment(self, req: BookingRequest) -> Appointment:
        if req.booking_mode not in ("consumer", "customer"):
            raise SandboxFailure(f"Ongeldige BookingMode: {req.booking_mode} (consumer of customer).")
        customer_mode = req.booking_mode == "customer"
        if req.appointment_id is not None and not customer_mode:
            raise SandboxFailure(EDIT_NEEDS_CUSTOMER_MODE)  # R7
        # SAFE CHOICE (reference §4 "EndTime in setAppointment"): refused in consumer mode,
        # required in customer mode.
        if req.end_time is not None and not customer_mode:
            raise SandboxFailure(END_TIME_NEEDS_CUSTOMER_MODE)  # R8
        if customer_mode and req.end_time is None:
            raise missing("EndTime")
        self.agenda(req.agenda_id)
        customer = self.customer(req.customer_id)
        if customer.status == 3:
            raise SandboxFailure(CUSTOMER_NOT_FOUND)
        if req.appointment_id is not None:
            return self._modify(req, customer)
        return self._create(req, customer)

    def _times(self, req: BookingRequest, type_: AppointmentType) -> tuple[datetime, datetime]:
        start = wall(req.day, req.start_time)
        if req.end_time is None:
            return start, start + timedelta(minutes=type_.duration)
        finish = wall(req.day, req.end_time)
        if finish <= start:
            raise SandboxFailure("EndTime moet na StartTime liggen.")
        return start, finish

    def _check_fields(self, req: BookingRequest, type_: AppointmentType) -> dict[str, str]:
        """R10: required appointment fields by Key (unless RequiredFieldsCheck=0); keeps known keys."""
        known = [f for f in self.fields_for(type_.agenda_id, type_.id, generic=True) if f.type == "Appointment"]
        values = {f.key: req.fields[f.key] for f in known if f.key in req.fields}
        if req.required_fields_check:
            for f in known:
                if f.required and not values.get(f.key, "").strip():
                    raise missing(f.key)
        return values

    def _pick_resource(
        self,
        type_: AppointmentType,
        candidates: list[Resource],
        start: datetime,
        finish: datetime,
        exclude_id: int | None = None,
    ) -> Resource | None:
        now = self.now()
        for resource in candidates:
            spans = self.availability(resource, type_, start.date())
            if self._fits(resource, type_, start, finish, spans, now=now, exclude_id=exclude_id):
                return resource
        return None

    def _create(self, req: BookingRequest, customer: Customer) -> Appointment:
        if req.type_id is None:
            raise missing("AppointmentTypeId")
        type_ = self.appointment_type(req.type_id, req.agenda_id)
        if req.booking_mode == "consumer" and type_.consumer_bookable != 1:
            raise SandboxFailure(NOT_CONSUMER_BOOKABLE)  # R11
        candidates = self._eligible_resources(type_, req.resource_id)
        start, finish = self._times(req, type_)
        values = self._check_fields(req, type_)
        resource = self._pick_resource(type_, candidates, start, finish)
        if resource is None and not req.override:
            raise SandboxFailure(NO_FREE_SLOT)  # R5
        # R6: with OverrideMode=1 outside bookable times, the appointment gets no resource.
        appt = self._store(
            type_,
            customer,
            start,
            finish,
            resource.id if resource else None,
            name=req.name,
            description=req.description or "",
            fields=values,
        )
        if self.requires_confirmation:  # R13
            appt.label = PENDING
            appt.confirmation_code = self._new_code()
        return appt

    def _modify(self, req: BookingRequest, customer: Customer) -> Appointment:
        appt = self.appointment(req.appointment_id or 0)
        if appt.agenda_id != req.agenda_id:
            raise SandboxFailure(APPOINTMENT_NOT_FOUND)
        if not appt.active:
            raise SandboxFailure(CANCELLED_NOT_EDITABLE)
        # R9: AppointmentTypeId and ResourceId are ignored when editing.
        type_ = self.appointment_types[appt.type_id]
        start, finish = self._times(req, type_)
        values = self._check_fields(replace_fields(req, appt.fields), type_)
        if appt.resource_id is not None:
            candidates = [self.resources[appt.resource_id]]
        else:
            candidates = self._eligible_resources(type_, None)
        resource = self._pick_resource(type_, candidates, start, finish, exclude_id=appt.id)
        if resource is None and not req.override:
            raise SandboxFailure(NO_FREE_SLOT)
        appt.start, appt.finish = start, finish
        appt.blocked_until = finish + timedelta(minutes=type_.buffer)
        appt.resource_id = resource.id if resource else None
        appt.customer_id = customer.id
        if req.name:
            appt.name = req.name
        if req.description:
            # Reference R9: appended to the existing notes; newline separator is our choice.
            appt.description = f"{appt.description}\n{req.description}" if appt.description else req.description
        appt.fields = values
        appt.updated = self.now().replace(microsecond=0)
        return appt

    def _store(
        self,
        type_: AppointmentType,
        customer: Customer | None,
        start: datetime,
        finish: datetime,
        resource_id: int | None,
        *,
        name: str | None = None,
        description: str = "",
        fields: dict[str, str] | None = None,
        created: datetime | None = None,
    ) -> Appointment:
        created = (created or self.now()).replace(microsecond=0)
        appt = Appointment(
            id=self._next_appointment_id,
            agenda_id=type_.agenda_id,
            type_id=type_.id,
            customer_id=customer.id if customer else None,
            name=name or (customer.full_name if customer else type_.name),
            description=description,
            start=start,
            finish=finish,
            blocked_until=finish + timedelta(minutes=type_.buffer),
            resource_id=resource_id,
            label=APPROVED,
            created=created,
            updated=created,
            fields=dict(fields or {}),
        )
        self._next_appointment_id += 1
        self.appointments[appt.id] = appt
        return appt

    def _new_code(self) -> str:
        alphabet = string.ascii_uppercase.replace("O", "").replace("I", "") + "23456789"
        return "".join(self._codes.choice(alphabet) for _ in range(6))

    def cancel_appointment(
        self,
        appointment_id: int,
        *,
        mode: str = "customer",
        remarks: str | None = None,
        confirmations: int | None = None,
        dry_run: bool = False,
    ) -> None:
        """R14: customer mode honours the cancellation deadline; DryRun checks without changing."""
        if mode not in ("customer", "company"):
            raise SandboxFailure(f"Ongeldige Mode: {mode} (customer of company).")
        if confirmations is not None and confirmations not in (0, 1, 2, 3):
            raise SandboxFailure("Ongeldige waarde voor Confirmations (0, 1, 2 of 3).")
        appt = self.appointment(appointment_id)
        if not appt.active:
            raise SandboxFailure(ALREADY_CANCELLED)
        if mode == "customer" and appt.start - self.now() < self.cancellation_deadline:
            hours = int(self.cancellation_deadline.total_seconds() // 3600)
            raise SandboxFailure(
                f"Annuleren is niet meer mogelijk: dit kan tot {hours} uur voor aanvang van de afspraak."
            )
        if dry_run:
            return
        appt.label = CANCELLED
        appt.updated = self.now().replace(microsecond=0)
        if mode == "company" and remarks:  # Remarks only count in company mode.
            appt.cancel_remarks = remarks

    def confirm_appointment(self, appointment_id: int, code: str) -> bool:
        """R13: the right code moves PENDING to CONFIRMED; a wrong code answers Confirmed=0."""
        appt = self.appointment(appointment_id)
        if not appt.active:
            raise SandboxFailure(ALREADY_CANCELLED)
        if appt.confirmation_code is None or code.strip().upper() != appt.confirmation_code:
            return False
        if appt.label == PENDING:
            appt.label = APPROVED
            appt.updated = self.now().replace(microsecond=0)
        return True

    def remove_appointment(self, appointment_id: int) -> None:
        self.appointment(appointment_id)
        del self.appointments[appointment_id]  # R16: gone for good

    def list_appointments(
        self,
        agenda_id: int,
        first: date,
        last: date | None = None,
        *,
        updated_after: datetime | None = None,
        created_after: datetime | None = None,
        customer_id: int | None = None,
        type_id: int | None = None,
        resource_id: int | None = None,
        include_cancelled: bool = False,
    ) -> list[Appointment]:
        self.agenda(agenda_id)
        out = []
        for appt in self.appointments.values():
            day = appt.start.date()
            if (
                appt.agenda_id != agenda_id
                or day < first
                or (last is not None and day > last)
                or (not include_cancelled and not appt.active)  # R15
                or (updated_after is not None and appt.updated <= updated_after)
                or (created_after is not None and appt.created <= created_after)
                or (customer_id is not None and appt.customer_id != customer_id)
                or (type_id is not None and appt.type_id != type_id)
                or (resource_id is not None and appt.resource_id != resource_id)
            ):
                continue
            out.append(appt)
        return sorted(out, key=lambda a: (a.start, a.id))

    # -- customers (R17-R19) -------------------------------------------------------------------

    def list_customers(
        self,
        *,
        updated_after: datetime | None = None,
        email: str | None = None,
        birth_date: date | None = None,
        account_number: str | None = None,
    ) -> list[Customer]:
        """R18: deleted customers only appear when UpdatedAfter is used (rendered as Id+Status)."""
        out = []
        for customer in sorted(self.customers.values(), key=lambda c: c.id):
            if updated_after is None and customer.status == 3:
                continue
            if (
                (updated_after is not None and customer.updated <= updated_after)
                or (email is not None and customer.email.lower() != email.lower())
                or (birth_date is not None and customer.birth_date != birth_date)
                or (account_number is not None and customer.account_number != account_number)
            ):
                continue
            out.append(customer)
        return out

    def set_customer(self, customer_id: int | None, values: dict[str, str], fields: dict[str, str]) -> Customer:
        for name in ("Email", "FirstName", "LastName"):
            if not values.get(name, "").strip():
                raise missing(name)
        _validate_customer_values(values)
        now = self.now().replace(microsecond=0)
        if customer_id is not None:
            customer = self.customer(customer_id)
            # Username/Password are only used when creating a customer; ignored on modify.
            _apply_customer_values(customer, values)
        else:
            username = values.get("Username", "")
            if username:
                if len(values.get("Password", "")) < 6:
                    raise SandboxFailure("Het wachtwoord moet minimaal 6 tekens lang zijn.")
                if any(c.username.lower() == username.lower() for c in self.customers.values()):
                    raise SandboxFailure("Deze gebruikersnaam is al in gebruik.")
            customer = Customer(
                id=self._next_customer_id,
                first_name="",
                last_name="",
                email="",
                created=now,
                updated=now,
                username=username,
                password=values.get("Password", "") if username else "",
            )
            _apply_customer_values(customer, values)
            self._next_customer_id += 1
            self.customers[customer.id] = customer
        registration = {f.key for f in self.fields if f.type == "Registration"}
        customer.fields.update({k: v for k, v in fields.items() if k in registration})
        customer.updated = now
        return customer

    def login_customer(self, username: str, password: str) -> Customer:
        for customer in self.customers.values():
            if (
                customer.username
                and customer.username.lower() == username.lower()
                and customer.password == password
                and customer.status == 1
            ):
                return customer
        raise SandboxFailure(LOGIN_FAILED)

    # -- availability administration (R20) ----------------------------------------------------

    def add_block(
        self, agenda_id: int, day: date, start: time, end: time, type_id: int | None, resource_id: int | None
    ) -> Block:
        self.agenda(agenda_id)
        if end <= start:
            raise SandboxFailure("EndTime moet na StartTime liggen.")
        if type_id is not None:
            self.appointment_type(type_id, agenda_id)
        if resource_id is not None and self.resource(resource_id).agenda_id != agenda_id:
            raise SandboxFailure(RESOURCE_NOT_FOUND)
        block = Block(self._next_block_id, agenda_id, day, start, end, type_id, resource_id)
        self._next_block_id += 1
        self.blocks[block.id] = block
        return block

    def remove_block(self, agenda_id: int, block_id: int) -> None:
        block = self.blocks.get(block_id)
        if block is None or block.agenda_id != agenda_id:
            raise SandboxFailure(BLOCK_NOT_FOUND)
        del self.blocks[block_id]

    def calculation_model(self, agenda_id: int, type_id: int, model: str) -> tuple[str, int]:
        self._check_model(agenda_id, type_id, model)
        return self.calculation_models.get((agenda_id, type_id, model), ("{}", 0))

    def set_calculation_model(
        self, agenda_id: int, type_id: int, model: str, value: str, enabled: int | None
    ) -> tuple[str, int]:
        self._check_model(agenda_id, type_id, model)
        try:
            json.loads(value)
        except ValueError:
            raise SandboxFailure("Value moet geldige JSON zijn.") from None
        if enabled not in (None, 0, 1):
            raise SandboxFailure("Ongeldige waarde voor Enabled (0 of 1).")
        current = self.calculation_models.get((agenda_id, type_id, model), ("{}", 0))
        stored = (value, current[1] if enabled is None else enabled)
        self.calculation_models[(agenda_id, type_id, model)] = stored
        return stored

    def _check_model(self, agenda_id: int, type_id: int, model: str) -> None:
        self.appointment_type(type_id, agenda_id)
        if model not in CALCULATION_MODELS:
            raise SandboxFailure(f"Ongeldig rekenmodel: {model}. Geldig: {', '.join(CALCULATION_MODELS)}.")

    # -- demo appointments -----------------------------------------------------------------------

    def _seed_appointments(self, now: datetime) -> None:
        """A few existing bookings around `now`, placed through the same availability rules."""
        rng = random.Random(DEMO_SEED)
        customers = [c for c in self.customers.values() if c.status == 1]
        today = now.date()
        for offset in range(-3, 11):
            day = today + timedelta(days=offset)
            for type_ in self.appointment_types.values():
                if type_.consumer_bookable != 1:
                    continue
                # Past days ignore the booking window; upcoming days respect it.
                slots = self._slots(type_, self._eligible_resources(type_, None), day, day, window=offset >= 0)
                for slot in rng.sample(slots, k=min(len(slots), rng.choice((0, 0, 0, 1, 1, 2)))):
                    blocked_until = slot.end + timedelta(minutes=type_.buffer)
                    if not self._is_free(type_, slot.start, blocked_until, self._busy(slot.resource_id, day)):
                        continue
                    customer = rng.choice(customers)
                    created = min(now, slot.start) - timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 8))
                    self._store(type_, customer, slot.start, slot.end, slot.resource_id, created=created)


def replace_fields(req: BookingRequest, existing: dict[str, str]) -> BookingRequest:
    """On modify, fields not sent keep their stored values."""
    return BookingRequest(**{**req.__dict__, "fields": {**existing, **req.fields}})


def _ceil_to_grid(moment: datetime, grid: timedelta) -> datetime:
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    elapsed = moment - midnight
    steps = -(-elapsed // grid)  # ceiling division of timedeltas
    return midnight + steps * grid


_CUSTOMER_ATTRS = {
    "AccountNumber": "account_number",
    "Email": "email",
    "FirstName": "first_name",
    "LastName": "last_name",
    "Insertions": "insertions",
    "Gender": "gender",
    "Street": "street",
    "HouseNr": "house_nr",
    "HouseNrAddition": "house_nr_addition",
    "ZipCode": "zip_code",
    "City": "city",
    "Country": "country",
    "Phone": "phone",
    "MobilePhone": "mobile_phone",
}


def _validate_customer_values(values: dict[str, str]) -> None:
    if "@" not in values["Email"]:
        raise SandboxFailure("Ongeldig e-mailadres.")
    if values.get("Gender", "") not in ("", "M", "F"):
        raise SandboxFailure("Ongeldige waarde voor Gender (M of F).")
    for name in ("Phone", "MobilePhone"):
        number = values.get(name, "")
        if number and not _PHONE_RE.match(number):
            raise SandboxFailure(f"Ongeldig telefoonnummer in {name}.")
    if values.get("HouseNr", "") and not values["HouseNr"].isdigit():
        raise SandboxFailure("Ongeldige waarde voor HouseNr (geheel getal).")
    if values.get("Status", "") not in ("", "1", "2", "3"):
        raise SandboxFailure("Ongeldige waarde voor Status (1, 2 of 3).")
    if values.get("BirthDate"):
        try:
            date.fromisoformat(values["BirthDate"])
        except ValueError:
            raise SandboxFailure("Ongeldige datum in BirthDate (yyyy-mm-dd).") from None


def _apply_customer_values(customer: Customer, values: dict[str, str]) -> None:
    for param, attr in _CUSTOMER_ATTRS.items():
        if param in values:
            setattr(customer, attr, values[param])
    if "BirthDate" in values:
        customer.birth_date = date.fromisoformat(values["BirthDate"]) if values["BirthDate"] else None
    if values.get("Status"):
        customer.status = int(values["Status"])
