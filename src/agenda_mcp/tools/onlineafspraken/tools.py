"""OnlineAfspraken.nl's MCP tools and resources."""

from __future__ import annotations

import contextlib
import json
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from agenda_mcp.server.kit import (
    Clock,
    DateTime,
    Question,
    TimeOfDay,
    Toolkit,
    VendorTools,
    When,
    check_period,
    quoted,
    read,
    resource,
    wall_clock,
    wall_span,
    write,
)
from agenda_mcp.tools.onlineafspraken.client import TITLE, OnlineAfsprakenClient
from agenda_mcp.tools.onlineafspraken.models import (
    VENDOR_TZ,
    Agenda,
    AgendaList,
    Appointment,
    AppointmentCancelled,
    AppointmentConfirmed,
    AppointmentPage,
    AppointmentSaved,
    AppointmentType,
    AppointmentTypeList,
    BlockAdded,
    BookableBlocks,
    BookableDays,
    BookableTimes,
    BookingMode,
    CalculationModel,
    CalculationModelSaved,
    CalculationModelSettings,
    CancelMode,
    Confirmations,
    ConfirmationSetting,
    Customer,
    CustomerPage,
    CustomerSaved,
    FieldList,
    RecordStatus,
    Removed,
    Resource,
    ResourceList,
)

# Longest periods one availability call may cover: the answers grow with every day and resource.
MAX_TIMES_DAYS = 31
MAX_DAYS_DAYS = 92

AgendaId = Annotated[int, Field(ge=1, description="from get_agendas")]
TypeId = Annotated[int, Field(ge=1, description="from get_appointment_types")]
AppointmentId = Annotated[int, Field(ge=1, description="appointment id")]
CustomerId = Annotated[int, Field(ge=1, description="from get_customers")]
AnyResource = Annotated[int | None, Field(description="only this resource")]
LastDay = Annotated[date | None, Field(description="last day; omit for one day")]
# A time parameter takes HH:MM (Amsterdam) or, verbatim, a moment a result showed (its date then
# stands for the day); server.times resolves it into the vendor's wall clock.
OnDay = Annotated[date | None, Field(description="day; optional if start_time has one")]
Since = Annotated[DateTime | None, Field(description="only changed after this")]
Limit = Annotated[int, Field(ge=1, le=500, description="page size")]
Offset = Annotated[int, Field(ge=0, description="records to skip")]
Text = Annotated[str | None, Field(description="text")]
Model = Annotated[CalculationModel, Field(description="the plugin")]
AppTypeId = Annotated[int, Field(ge=1, description="appointment type id")]
ExtraFields = Annotated[dict[str, str], Field(description="extra fields by key (get_fields)")]


def _period(first: date, last: date | None, limit_days: int, first_name: str = "start_date") -> None:
    check_period(first, last, max_days=limit_days, names=(first_name, "end_date"))


def _wall(
    day: date | None, start: Clock, end: Clock | None = None, names: tuple[str, str] = ("start_time", "end_time")
) -> tuple[datetime, datetime | None]:
    """The Amsterdam wall clock the vendor takes: one Date with hh:mm start and end (reference 1.4),
    so the end must fall on the start's day and both on a whole minute."""
    first, last = wall_span(day, start, end, VENDOR_TZ, names=names)
    if any(t is not None and t.second for t in (first, last)):
        raise ToolError(f"{TITLE}: times are whole minutes (HH:MM); drop the seconds.")
    if last is not None and last.date() != first.date():
        raise ToolError(
            f"{TITLE}: {names[1]} must be on the start's day ({first:%Y-%m-%d} in Europe/Amsterdam); "
            "the vendor takes one date."
        )
    return first, last


def _since(value: Clock | None, name: str) -> datetime | None:
    """A datetime filter as the Amsterdam wall clock the vendor compares with."""
    return None if value is None else wall_clock(None, value, VENDOR_TZ, name=name)


class OnlineAfsprakenTools(VendorTools):
    def __init__(self, kit: Toolkit) -> None:
        super().__init__(kit)
        self.client = OnlineAfsprakenClient(kit.http)
        self.locale = kit.settings.locale
        """The language of the consent questions (AGENDA_MCP_LOCALE)."""

    async def describe_cancel(self, appointment_id: int, dry_run: bool = False) -> str | None:
        if dry_run:
            return None  # only checks the rules; nothing to confirm
        what = await _appointment_summary(self.client, appointment_id)
        return Question("Cancel {appointment}? The time becomes free for others.", locale=self.locale, appointment=what)

    async def describe_removal(self, appointment_id: int) -> str:
        what = await _appointment_summary(self.client, appointment_id)
        return Question(
            "Permanently delete {appointment}? This cannot be undone (cancel_appointment keeps a record).",
            locale=self.locale,
            appointment=what,
        )

    async def describe_block_removal(self, agenda_id: int, block_id: int) -> str:
        # A block cannot be read back by id (reference 2.6): what this server added is remembered (on
        # every replica alike) to tell the person what a removal concerns.
        note = await self.kit.recall(f"block:{block_id}")
        what: str = _block_span(note) if note else Question("a block not added by agenda-mcp")
        return Question(
            "Remove OnlineAfspraken.nl availability block {block} ({what}) from agenda {agenda}?",
            locale=self.locale,
            block=block_id,
            what=what,
            agenda=agenda_id,
        )

    async def describe_booking(
        self,
        start_time: Clock,
        date: date | None = None,
        end_time: Clock | None = None,
        customer_id: int | None = None,
        appointment_type_id: int | None = None,
        appointment_id: int | None = None,
    ) -> str | None:
        """What, for whom and when; a change names the appointment as it is now."""
        try:
            start, end = _wall(date, start_time, end_time)
        except ToolError:
            return None  # refused by the tool itself before anything is sent; nothing to ask
        if appointment_id:
            return Question(
                "Change {appointment} to {when}?",
                locale=self.locale,
                appointment=await _appointment_summary(self.client, appointment_id),
                when=_when(start, end),
            )
        if customer_id is None or appointment_type_id is None:
            return None  # refused by the tool before anything is sent
        what: str = Question("appointment type {id}", id=appointment_type_id)
        who: str = Question("customer {id}", id=customer_id)
        with contextlib.suppress(ToolError):
            type_ = await self.client.get_appointment_type(appointment_type_id)
            what = quoted(type_.name) if type_.name else what
            if end is None and type_.duration:
                end = start + timedelta(minutes=type_.duration)  # as the vendor adds it: on the wall clock
        with contextlib.suppress(ToolError):
            full_name = (await self.client.get_customer(customer_id)).full_name
            who = quoted(full_name) if full_name else who
        return Question(
            "Book OnlineAfspraken.nl {what} for {who} on {when}?",
            locale=self.locale,
            what=what,
            who=who,
            when=_when(start, end),
        )

    async def describe_customer(
        self,
        email: str,
        first_name: str,
        last_name: str,
        customer_id: int | None = None,
        insertions: str | None = None,
        status: RecordStatus | None = None,
    ) -> str:
        who = f"{quoted(' '.join(p for p in (first_name, insertions, last_name) if p))}, {quoted(email)}"
        if customer_id is None:
            if status:
                return Question(
                    "Create OnlineAfspraken.nl customer {who} with status {status}?",
                    locale=self.locale,
                    who=who,
                    status=status,
                )
            return Question("Create OnlineAfspraken.nl customer {who}?", locale=self.locale, who=who)
        if status == "deleted":
            return Question(
                "Mark OnlineAfspraken.nl customer {id} ({who}) as deleted?", locale=self.locale, id=customer_id, who=who
            )
        if status:
            return Question(
                "Change OnlineAfspraken.nl customer {id} to {who}, status {status}?",
                locale=self.locale,
                id=customer_id,
                who=who,
                status=status,
            )
        return Question(
            "Change OnlineAfspraken.nl customer {id} to {who}?", locale=self.locale, id=customer_id, who=who
        )

    async def describe_block(
        self,
        agenda_id: int,
        start_time: Clock,
        end_time: Clock,
        date: date | None = None,
        appointment_type: int | None = None,
        resource_id: int | None = None,
    ) -> str | None:
        try:
            start, end = _wall(date, start_time, end_time)
        except ToolError:
            return None  # refused by the tool itself before anything is sent; nothing to ask
        assert end is not None  # _wall was given an end
        return Question(
            "Open OnlineAfspraken.nl agenda {agenda} for booking {start}-{end} ({zone}), {which}, {on}?",
            locale=self.locale,
            agenda=agenda_id,
            start=When(start, "yyyy-MM-dd HH:mm"),
            end=When(end, "HH:mm"),
            zone=VENDOR_TZ.key,
            which=Question("appointment type {id}", id=appointment_type)
            if appointment_type
            else Question("every appointment type"),
            on=Question("resource {id}", id=resource_id) if resource_id else Question("every resource"),
        )

    # -- reference data -----------------------------------------------------------------------

    @read("get_agendas", title="List agendas")
    async def get_agendas(self) -> AgendaList:
        """OnlineAfspraken.nl: the account's agendas (calendars); most tools need an agenda_id."""
        return AgendaList(agendas=await self.client.get_agendas())

    @read("get_agenda", title="Get an agenda")
    async def get_agenda(self, agenda_id: AgendaId) -> Agenda:
        """OnlineAfspraken.nl: one agenda with its start-time grid."""
        return await self.client.get_agenda(agenda_id)

    @read("get_appointment_types", title="List appointment types")
    async def get_appointment_types(self) -> AppointmentTypeList:
        """OnlineAfspraken.nl: the appointment types (services) with duration, price and category."""
        return AppointmentTypeList(appointment_types=await self.client.get_appointment_types())

    @read("get_appointment_type", title="Get an appointment type")
    async def get_appointment_type(self, appointment_type_id: TypeId) -> AppointmentType:
        """OnlineAfspraken.nl: one appointment type with duration, booking window and capacity."""
        return await self.client.get_appointment_type(appointment_type_id)

    @read("get_resources", title="List resources")
    async def get_resources(self) -> ResourceList:
        """OnlineAfspraken.nl: the resources (staff, rooms) appointments are booked on."""
        return ResourceList(resources=await self.client.get_resources())

    @read("get_resource", title="Get a resource")
    async def get_resource(
        self,
        resource_id: Annotated[int, Field(ge=1, description="from get_resources")],
    ) -> Resource:
        """OnlineAfspraken.nl: one resource (a staff member or room)."""
        return await self.client.get_resource(resource_id)

    @read("get_fields", title="List extra fields")
    async def get_fields(
        self,
        agenda_id: AgendaId,
        appointment_type_id: Annotated[int | None, Field(description="only fields of this type")] = None,
        generic_fields: Annotated[bool, Field(description="with a type: also fields of every type")] = False,
    ) -> FieldList:
        """OnlineAfspraken.nl: extra booking and customer fields; send required ones to set_appointment as fields."""
        return FieldList(fields=await self.client.get_fields(agenda_id, appointment_type_id, generic_fields))

    # -- availability -------------------------------------------------------------------------

    @read("get_bookable_days", title="Find bookable days")
    async def get_bookable_days(
        self,
        agenda_id: AgendaId,
        appointment_type_id: TypeId,
        start_date: Annotated[date | None, Field(description="first day; default today")] = None,
        end_date: Annotated[date | None, Field(description="last day; default a month on")] = None,
        resource_id: AnyResource = None,
    ) -> BookableDays:
        """OnlineAfspraken.nl: days that still have a free slot for an appointment type."""
        _period(start_date or date.today(), end_date, MAX_DAYS_DAYS)
        days = await self.client.get_bookable_days(agenda_id, appointment_type_id, start_date, end_date, resource_id)
        return BookableDays(days=days)

    @read("get_bookable_times", title="Find free times")
    async def get_bookable_times(
        self,
        agenda_id: AgendaId,
        appointment_type_id: TypeId,
        date: Annotated[date, Field(description="day")],
        end_date: LastDay = None,
        resource_id: AnyResource = None,
    ) -> BookableTimes:
        """OnlineAfspraken.nl: free times for an appointment type, per resource; book one by passing its
        start and resource_id to set_appointment."""
        _period(date, end_date, MAX_TIMES_DAYS, "date")
        times = await self.client.get_bookable_times(agenda_id, appointment_type_id, date, end_date, resource_id)
        return BookableTimes(times=times)

    @read("get_bookable_blocks", title="Read availability blocks")
    async def get_bookable_blocks(
        self,
        agenda_id: AgendaId,
        appointment_type_id: TypeId,
        date: Annotated[date, Field(description="first day")],
        end_date: LastDay = None,
        resource_id: AnyResource = None,
        consumer_bookable: Annotated[bool, Field(description="only blocks customers may book online")] = False,
    ) -> BookableBlocks:
        """OnlineAfspraken.nl: raw availability blocks (opening hours), not split into bookable times."""
        _period(date, end_date, MAX_TIMES_DAYS, "date")
        blocks = await self.client.get_bookable_blocks(
            agenda_id, appointment_type_id, date, end_date, resource_id, consumer_bookable
        )
        return BookableBlocks(blocks=blocks)

    # -- appointments -------------------------------------------------------------------------

    @read("get_appointments", title="List appointments")
    async def get_appointments(
        self,
        agenda_id: AgendaId,
        start_date: Annotated[date, Field(description="first day")],
        end_date: Annotated[date | None, Field(description="last day; default a week on")] = None,
        customer_id: Annotated[int | None, Field(description="only this customer's")] = None,
        appointment_type_id: Annotated[int | None, Field(description="only this type")] = None,
        resource_id: AnyResource = None,
        updated_after: Since = None,
        created_after: Annotated[DateTime | None, Field(description="only created after this")] = None,
        include_cancelled: Annotated[bool, Field(description="also cancelled appointments")] = False,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> AppointmentPage:
        """OnlineAfspraken.nl: an agenda's appointments in a period."""
        last = end_date or start_date + timedelta(days=6)
        _period(start_date, last, 366)
        return await self.client.get_appointments(
            agenda_id,
            start_date,
            last,
            updated_after=_since(updated_after, "updated_after"),
            created_after=_since(created_after, "created_after"),
            customer_id=customer_id,
            type_id=appointment_type_id,
            resource_id=resource_id,
            include_cancelled=include_cancelled,
            limit=limit,
            offset=offset,
        )

    @read("get_appointment", title="Get an appointment")
    async def get_appointment(self, appointment_id: AppointmentId) -> Appointment:
        """OnlineAfspraken.nl: one appointment with its times, label and fields."""
        return await self.client.get_appointment(appointment_id)

    @write(
        "set_appointment",
        destructive=False,
        idempotent=False,
        title="Book or move an appointment",
        confirm=describe_booking,
    )
    async def set_appointment(
        self,
        agenda_id: AgendaId,
        start_time: Annotated[TimeOfDay, Field(description="HH:MM, or a result's start as it is")],
        date: OnDay = None,
        customer_id: Annotated[
            int | None, Field(ge=1, description="customer (get_customers, set_customer); required to book")
        ] = None,
        appointment_type_id: Annotated[int | None, Field(ge=1, description="required to book")] = None,
        resource_id: Annotated[int | None, Field(ge=1, description="from get_bookable_times")] = None,
        end_time: Annotated[
            TimeOfDay | None, Field(description="only with booking_mode=customer; default start + duration")
        ] = None,
        appointment_id: Annotated[int | None, Field(ge=1, description="move/change this appointment")] = None,
        name: Text = None,
        description: Annotated[str | None, Field(max_length=2000, description="notes; appended on change")] = None,
        fields: ExtraFields = {},  # noqa: B006 - never mutated
        booking_mode: Annotated[
            BookingMode | None,
            Field(
                description="consumer: as the customer (default to book); customer: as the business, needed to change"
            ),
        ] = None,
        override_mode: Annotated[bool, Field(description="skip availability checks (business only)")] = False,
        required_fields_check: Annotated[bool, Field(description="false skips required-field checks")] = True,
    ) -> AppointmentSaved:
        """OnlineAfspraken.nl: book an appointment for a customer in a free time from get_bookable_times,
        or move/change one with appointment_id. Times without an offset are Europe/Amsterdam."""
        mode: BookingMode = booking_mode or ("customer" if appointment_id else "consumer")
        if appointment_id and mode == "consumer":
            raise ToolError(f"{TITLE}: changing an appointment needs booking_mode=customer (or leave it out).")
        if end_time is not None and mode == "consumer":
            raise ToolError(
                f"{TITLE}: end_time can only be set with booking_mode=customer; "
                "leave it out to use the appointment type's duration."
            )
        # Before any request: a time that does not exist, or is ambiguous, is refused with nothing sent.
        start, end = _wall(date, start_time, end_time)
        existing = await self.client.get_appointment(appointment_id) if appointment_id else None
        customer = customer_id or (existing.customer_id if existing else None)
        if customer is None:
            raise ToolError(f"{TITLE}: give customer_id (find it with get_customers or create it with set_customer).")
        # The docs mark AppointmentTypeId required on every setAppointment, a change included (where
        # the vendor ignores it): a change sends the appointment's own type.
        type_id = appointment_type_id or (existing.appointment_type_id if existing else None)
        if type_id is None:
            raise ToolError(f"{TITLE}: give appointment_type_id (see get_appointment_types).")
        if mode == "customer" and end is None:
            end = await _default_end(self.client, start, existing, type_id)
        saved_id = await self.client.set_appointment(
            agenda_id=agenda_id,
            customer_id=customer,
            start=start,
            type_id=type_id,
            resource_id=resource_id,
            end=end,
            appointment_id=appointment_id,
            name=name,
            description=description,
            fields=fields,
            booking_mode=mode,
            override_mode=override_mode,
            required_fields_check=required_fields_check,
        )
        try:
            appointment: Appointment | None = await self.client.get_appointment(saved_id)
        except ToolError:
            appointment = None
        note = None
        if appointment is None:
            note = "Saved, but the details could not be read back; check with get_appointment."
        elif appointment.label == "pending":
            note = "Pending: confirm with confirm_appointment and the code the customer received."
        return AppointmentSaved(
            appointment_id=saved_id, created=appointment_id is None, appointment=appointment, note=note
        )

    @write(
        "cancel_appointment", destructive=True, idempotent=True, title="Cancel an appointment", confirm=describe_cancel
    )
    async def cancel_appointment(
        self,
        appointment_id: AppointmentId,
        mode: Annotated[
            CancelMode,
            Field(description="customer: as the customer, honours the cancellation deadline; company: as the business"),
        ] = "customer",
        dry_run: Annotated[bool, Field(description="only check the rules")] = False,
        remarks: Annotated[str | None, Field(max_length=1000, description="mode=company only")] = None,
        confirmations: Annotated[
            Confirmations | None, Field(description="notify the customer; mode=company only")
        ] = None,
    ) -> AppointmentCancelled:
        """OnlineAfspraken.nl: cancel an appointment (its time becomes free again); dry_run only checks the rules."""
        if mode == "customer" and (remarks or confirmations):
            raise ToolError(f"{TITLE}: remarks and confirmations only apply with mode=company.")
        await self.client.cancel_appointment(
            appointment_id, mode=mode, remarks=remarks, confirmations=confirmations, dry_run=dry_run
        )
        note = "It may be cancelled; call again without dry_run to cancel." if dry_run else None
        return AppointmentCancelled(appointment_id=appointment_id, cancelled=not dry_run, dry_run=dry_run, note=note)

    @write("confirm_appointment", destructive=False, idempotent=True, title="Confirm a pending appointment")
    async def confirm_appointment(
        self,
        appointment_id: AppointmentId,
        confirmation_code: Annotated[
            str, Field(min_length=1, max_length=64, description="code the customer got by e-mail or SMS")
        ],
    ) -> AppointmentConfirmed:
        """OnlineAfspraken.nl: confirm a pending appointment with the customer's confirmation code."""
        confirmed = await self.client.confirm_appointment(appointment_id, confirmation_code.strip())
        if confirmed is None:
            raise ToolError(f"{TITLE}: the answer did not say whether it was confirmed; check get_appointment.")
        if not confirmed:
            raise ToolError(
                f"{TITLE}: the confirmation code was not accepted for appointment {appointment_id}; "
                "check the code the customer received and try again."
            )
        return AppointmentConfirmed(appointment_id=appointment_id, confirmed=True)

    @write(
        "remove_appointment", destructive=True, idempotent=True, title="Delete an appointment", confirm=describe_removal
    )
    async def remove_appointment(self, appointment_id: AppointmentId) -> Removed:
        """OnlineAfspraken.nl: delete an appointment permanently; to keep a record, use cancel_appointment."""
        await self.client.remove_appointment(appointment_id)
        return Removed(id=appointment_id)

    @read("requires_confirmation", title="Is a confirmation code required?")
    async def requires_confirmation(self) -> ConfirmationSetting:
        """OnlineAfspraken.nl: whether new appointments stay pending until confirmed with a code."""
        return ConfirmationSetting(required=await self.client.requires_confirmation())

    # -- customers ----------------------------------------------------------------------------

    @read("get_customers", title="List customers")
    async def get_customers(
        self,
        email: Annotated[str | None, Field(description="only this e-mail address")] = None,
        birth_date: Annotated[date | None, Field(description="only this birth date")] = None,
        account_number: Annotated[str | None, Field(description="only this account number")] = None,
        updated_after: Annotated[
            DateTime | None, Field(description="only changed after this; includes deleted ones")
        ] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> CustomerPage:
        """OnlineAfspraken.nl: customers, optionally by e-mail, birth date or account number."""
        return await self.client.get_customers(
            limit=limit,
            offset=offset,
            updated_after=_since(updated_after, "updated_after"),
            email=email,
            birth_date=birth_date,
            account_number=account_number,
        )

    @read("get_customer", title="Get a customer")
    async def get_customer(self, customer_id: CustomerId) -> Customer:
        """OnlineAfspraken.nl: one customer with contact details and extra fields."""
        return await self.client.get_customer(customer_id)

    @write(
        "set_customer",
        destructive=False,
        idempotent=False,
        title="Create or change a customer",
        confirm=describe_customer,
    )
    async def set_customer(
        self,
        email: Annotated[str, Field(min_length=3, description="e-mail address")],
        first_name: Annotated[str, Field(min_length=1, description="first name")],
        last_name: Annotated[str, Field(min_length=1, description="last name")],
        customer_id: Annotated[int | None, Field(ge=1, description="change this customer; omit to create")] = None,
        insertions: Annotated[str | None, Field(description="tussenvoegsel, e.g. van der")] = None,
        phone: Annotated[str | None, Field(description="phone number")] = None,
        mobile_phone: Annotated[str | None, Field(description="mobile number")] = None,
        birth_date: Annotated[date | None, Field(description="birth date")] = None,
        gender: Annotated[Literal["M", "F"] | None, Field(description="M or F")] = None,
        street: Text = None,
        house_nr: Annotated[int | None, Field(ge=0, description="house number")] = None,
        house_nr_addition: Annotated[str | None, Field(description="e.g. A, bis")] = None,
        zip_code: Annotated[str | None, Field(description="postcode")] = None,
        city: Text = None,
        country: Annotated[str | None, Field(description="country, e.g. NL")] = None,
        account_number: Annotated[str | None, Field(description="your own reference")] = None,
        status: Annotated[RecordStatus | None, Field(description="account status")] = None,
        username: Annotated[str | None, Field(description="login name; new customers only")] = None,
        password: Annotated[str | None, Field(min_length=6, description="with username")] = None,
        fields: ExtraFields = {},  # noqa: B006 - never mutated
    ) -> CustomerSaved:
        """OnlineAfspraken.nl: create a customer (needed before booking) or change one with customer_id."""
        if "@" not in email:
            raise ToolError(f"{TITLE}: email {email!r} is not an e-mail address.")
        if customer_id and (username or password):
            raise ToolError(f"{TITLE}: username and password can only be set when creating a customer.")
        if bool(username) != bool(password):
            raise ToolError(f"{TITLE}: give username and password together (password at least 6 characters).")
        values = {
            "Email": email,
            "FirstName": first_name,
            "LastName": last_name,
            "Insertions": insertions,
            "Phone": phone,
            "MobilePhone": mobile_phone,
            "BirthDate": birth_date.isoformat() if birth_date else None,
            "Gender": gender,
            "Street": street,
            "HouseNr": house_nr,
            "HouseNrAddition": house_nr_addition,
            "ZipCode": zip_code,
            "City": city,
            "Country": country,
            "AccountNumber": account_number,
            "Username": username,
            "Password": password,
        }
        saved_id, code = await self.client.set_customer(values, customer_id=customer_id, status=status, fields=fields)
        return CustomerSaved.model_validate(
            {"customer_id": saved_id, "created": customer_id is None, "status": code or status}
        )

    @read("login_customer", title="Check a customer's login")
    async def login_customer(
        self,
        username: Annotated[str, Field(min_length=1, description="the customer's username")],
        password: Annotated[str, Field(min_length=1, description="the customer's password")],
    ) -> Customer:
        """OnlineAfspraken.nl: check a customer's username and password and return the customer (no session)."""
        return await self.client.login_customer(username, password)

    # -- availability administration ----------------------------------------------------------

    @write(
        "add_availability_block",
        destructive=False,
        idempotent=False,
        title="Open extra bookable time",
        confirm=describe_block,
    )
    async def add_availability_block(
        self,
        agenda_id: AgendaId,
        start_time: Annotated[TimeOfDay, Field(description="HH:MM or a datetime")],
        end_time: Annotated[TimeOfDay, Field(description="as start_time, same day")],
        date: OnDay = None,
        appointment_type: Annotated[int | None, Field(ge=1, description="appointment type id; omit for all")] = None,
        resource_id: Annotated[int | None, Field(ge=1, description="resource id; omit for all")] = None,
    ) -> BlockAdded:
        """OnlineAfspraken.nl: add a bookable availability block (CHAddBlock); times without an offset are
        Europe/Amsterdam. Keep the block_id to remove it later."""
        start, end = _wall(date, start_time, end_time)
        assert end is not None  # wall_span was given an end
        block_id = await self.client.add_block(agenda_id, start, end, appointment_type, resource_id)
        await self.kit.remember(f"block:{block_id}", _block_note(start, end))
        return BlockAdded(block_id=block_id)

    @write(
        "remove_availability_block",
        destructive=True,
        idempotent=True,
        title="Remove an availability block",
        confirm=describe_block_removal,
    )
    async def remove_availability_block(
        self,
        agenda_id: AgendaId,
        block_id: Annotated[int, Field(ge=1, description="id from add_availability_block")],
    ) -> Removed:
        """OnlineAfspraken.nl: remove a block added with add_availability_block (CHRemoveBlock)."""
        await self.client.remove_block(agenda_id, block_id)
        return Removed(id=block_id)

    # -- calculation models (plugins) ----------------------------------------------------------

    @read("get_calculation_model_settings", title="Read a calculation model")
    async def get_calculation_model_settings(
        self, agenda_id: AgendaId, app_type_id: AppTypeId, calculation_model: Model
    ) -> CalculationModelSettings:
        """OnlineAfspraken.nl: the settings of a calculation-model plugin for an appointment type."""
        return await self.client.get_calculation_model(agenda_id, app_type_id, calculation_model)

    @write("set_calculation_model_settings", destructive=False, idempotent=True, title="Change a calculation model")
    async def set_calculation_model_settings(
        self,
        agenda_id: AgendaId,
        app_type_id: AppTypeId,
        calculation_model: Model,
        value: Annotated[dict[str, Any] | list[Any], Field(description="the plugin's configuration (JSON)")],
        enabled: Annotated[bool | None, Field(description="switch the plugin on or off")] = None,
    ) -> CalculationModelSaved:
        """OnlineAfspraken.nl: replace a calculation-model plugin's settings for an appointment type."""
        encoded = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        saved = await self.client.set_calculation_model(agenda_id, app_type_id, calculation_model, encoded, enabled)
        return CalculationModelSaved(**saved.model_dump())

    # -- resources ----------------------------------------------------------------------------

    @resource("onlineafspraken://agendas", name="onlineafspraken-agendas", description="OnlineAfspraken.nl agendas")
    async def agendas(self) -> AgendaList:
        return AgendaList(agendas=await self.client.get_agendas())

    @resource(
        "onlineafspraken://appointment-types",
        name="onlineafspraken-appointment-types",
        description="OnlineAfspraken.nl appointment types",
    )
    async def appointment_types(self) -> AppointmentTypeList:
        return AppointmentTypeList(appointment_types=await self.client.get_appointment_types())

    @resource(
        "onlineafspraken://resources", name="onlineafspraken-resources", description="OnlineAfspraken.nl resources"
    )
    async def resources(self) -> ResourceList:
        return ResourceList(resources=await self.client.get_resources())


async def _appointment_summary(client: OnlineAfsprakenClient, appointment_id: int) -> Question:
    """`OnlineAfspraken.nl appointment 123 (“Jan de Vries”, Wed 04-03-2026 09:00-09:30)` for a consent question."""
    try:
        found = await client.get_appointment(appointment_id)
    except ToolError:
        return Question("OnlineAfspraken.nl appointment {id}", id=appointment_id)
    name = found.customer_name or found.name
    who: str = quoted(name) if name else Question("no customer")
    if found.start is None:
        return Question("OnlineAfspraken.nl appointment {id} ({who})", id=appointment_id, who=who)
    start = When(found.start, "EEE dd-MM-yyyy HH:mm")
    if found.end is None:
        return Question("OnlineAfspraken.nl appointment {id} ({who}, {start})", id=appointment_id, who=who, start=start)
    return Question(
        "OnlineAfspraken.nl appointment {id} ({who}, {start}-{end})",
        id=appointment_id,
        who=who,
        start=start,
        end=When(found.end, "HH:mm"),
    )


def _when(start: datetime, end: datetime | None) -> Question:
    """`Wed 04-03-2026 09:00-09:30 (Europe/Amsterdam)`."""
    if end is None:
        return Question("{start} ({zone})", start=When(start, "EEE dd-MM-yyyy HH:mm"), zone=VENDOR_TZ.key)
    return Question(
        "{start}-{end} ({zone})",
        start=When(start, "EEE dd-MM-yyyy HH:mm"),
        end=When(end, "HH:mm"),
        zone=VENDOR_TZ.key,
    )


def _block_note(start: datetime, end: datetime) -> str:
    """What `add_availability_block` remembers of a block: its wall-clock span, in no language."""
    return json.dumps({"start": start.isoformat(), "end": end.isoformat()})


def _block_span(note: str) -> str:
    """A remembered block as a question names it (`2026-03-08 10:00-12:00`); a note kept in an older
    form is shown as it was written."""
    try:
        span = json.loads(note)
        start, end = datetime.fromisoformat(span["start"]), datetime.fromisoformat(span["end"])
    except (ValueError, TypeError, KeyError):
        return note
    return Question("{start}-{end}", start=When(start, "yyyy-MM-dd HH:mm"), end=When(end, "HH:mm"))


async def _default_end(
    client: OnlineAfsprakenClient, start: datetime, existing: Appointment | None, type_id: int | None
) -> datetime:
    """Customer mode needs EndTime: keep a moved appointment's length, or use the type's duration.
    Added on the wall clock, as the vendor itself derives EndTime from StartTime + Duration."""
    if existing is not None and existing.start and existing.end:
        minutes = int((existing.end - existing.start).total_seconds() // 60)
    elif type_id is not None:
        minutes = (await client.get_appointment_type(type_id)).duration or 0
    else:
        minutes = 0
    end = start + timedelta(minutes=minutes)
    if minutes <= 0 or end.date() != start.date():
        raise ToolError(f"{TITLE}: give end_time (HH:MM); it could not be worked out from the appointment type.")
    return end


def register(kit: Toolkit) -> None:
    kit.add(OnlineAfsprakenTools(kit))
