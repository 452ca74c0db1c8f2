"""Locaboo's MCP tools and resources: one tool per API v2 endpoint, named locaboo_<endpoint>."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from agenda_mcp.server.kit.times import Clock, TimeOfDay, check_period
from agenda_mcp.server.kit.toolkit import Toolkit
from agenda_mcp.tools.locaboo.client import LocabooClient, timezone
from agenda_mcp.tools.locaboo.dates import to_vendor_date, to_vendor_time
from agenda_mcp.tools.locaboo.inputs import (
    HEX_COLOR,
    MAX_DAYS,
    BookedItem,
    CategoryField,
    CustomerAddress,
    CustomerFields,
    Days,
    FieldCondition,
    Recurrence,
    ResourceParts,
    SaveCustomer,
    booking_add_fields,
    condition_params,
    days_and_times,
)
from agenda_mcp.tools.locaboo.models import (
    AddressesAdded,
    Availability,
    Booking,
    BookingList,
    BookingWritten,
    CustomerList,
    CustomerWritten,
    EventDetails,
    EventList,
    InventoryList,
    InvoiceList,
    Profile,
    ResourceDetails,
    ResourceList,
    ServiceList,
)

Id = Annotated[int, Field(ge=1)]
ResourceId = Annotated[int, Field(ge=1, description="resource or part, from locaboo_resource_list")]
BookingId = Annotated[int, Field(ge=1, description="from locaboo_booking_list")]
CustomerId = Annotated[int, Field(ge=1, description="from locaboo_customer_list")]
DateFrom = Annotated[date, Field(description="first day")]
DateTo = Annotated[date, Field(description="last day")]
# Times in the shared vocabulary (server/kit/times.py): HH:MM in the venue's zone, with an offset, or
# a result's full `start`/`end`; a date in them may stand in for date_from.
TimeFrom = Annotated[TimeOfDay | None, Field(description="HH:MM or a slot's start")]
TimeTo = Annotated[TimeOfDay | None, Field(description="HH:MM or a slot's end")]
FirstDay = Annotated[date | None, Field(description="first day; default time_from's date")]
LastDay = Annotated[date | None, Field(description="last day; default date_from")]


def _fail(error: ValueError) -> ToolError:
    return ToolError(f"Locaboo: {error}")


def _when(
    zone: ZoneInfo, date_from: date | None, date_to: date | None, time_from: Clock | None, time_to: Clock | None
) -> Days | None:
    """The days and wall-clock times Locaboo is sent; every failure names Locaboo."""
    try:
        return days_and_times(zone, date_from, date_to, time_from, time_to)
    except ToolError as error:
        text = str(error)
        raise ToolError(text if text.startswith("Locaboo") else f"Locaboo: {text}") from None


def register(kit: Toolkit) -> None:
    zone = timezone(kit.settings.env)
    client = LocabooClient(kit.http, zone)

    async def describe_save(**arguments: Any) -> str | None:
        """What the person is asked before locaboo_booking_save changes an existing booking."""
        booking_id = arguments.get("booking_id")
        if booking_id is None:
            return None  # a new booking takes nothing away
        try:
            when = _when(zone, *(arguments.get(name) for name in ("date_from", "date_to", "time_from", "time_to")))
        except ToolError:
            return None  # the call itself refuses these times, before anything is sent
        moving = when is not None or arguments.get("resource_id") is not None
        status = arguments.get("booking_status")
        if status is None and not moving:
            return None  # only the customer changes
        what = await _booking_summary(client, booking_id)
        if status == "Cancel":
            return f"Cancel Locaboo booking {what}? Its time becomes free for others."
        if moving:
            return f"Move Locaboo booking {what} to {_described(when)}? Its current times are replaced."
        return f"Set Locaboo booking {what} to {status}?"

    @kit.read("locaboo_resource_list", title="List Locaboo resources")
    async def locaboo_resource_list() -> ResourceList:
        """Locaboo: rooms and halls with their bookable parts, and the custom (free-text) fields."""
        return await client.resource_list()

    @kit.read("locaboo_resource_details", title="Get a Locaboo resource")
    async def locaboo_resource_details(resource_id: ResourceId) -> ResourceDetails:
        """Locaboo: one resource or part with address, today's opening times and today's holidays."""
        return await client.resource_details(resource_id)

    @kit.read("locaboo_booking_list", title="List Locaboo bookings")
    async def locaboo_booking_list(
        date_from: DateFrom,
        date_to: DateTo,
        resource_id: Annotated[Id | None, Field(description="only this resource or part")] = None,
        time_from: Annotated[TimeOfDay | None, Field(description="HH:MM")] = None,
        time_to: Annotated[TimeOfDay | None, Field(description="HH:MM")] = None,
        show_details: Annotated[bool, Field(description="with custom field answers")] = False,
    ) -> BookingList:
        """Locaboo: bookings in a period (not cancelled): customer, where and when; more in locaboo_booking_details."""
        days = _when(zone, date_from, date_to, time_from, time_to)
        assert days is not None
        return await client.booking_list(
            days.date_from,
            days.date_to,
            resource_id=resource_id,
            time_from=days.time_from,
            time_to=days.time_to,
            show_details=show_details,
        )

    @kit.read("locaboo_booking_details", title="Get a Locaboo booking")
    async def locaboo_booking_details(booking_id: BookingId) -> Booking:
        """Locaboo: one booking with all instances, comments, booked inventory, services and custom fields."""
        return await client.booking_details(booking_id)

    @kit.read("locaboo_availability", title="Find free Locaboo slots")
    async def locaboo_availability(
        date_from: DateFrom,
        date_to: DateTo,
        resource_id: Annotated[
            list[Id] | None,
            Field(max_length=50, description="resources or parts; default all; a hall answers per part"),
        ] = None,
        time_from: Annotated[TimeOfDay | None, Field(description="earliest start, HH:MM")] = None,
        time_to: Annotated[TimeOfDay | None, Field(description="latest end, HH:MM")] = None,
        duration: Annotated[str, Field(pattern=r"^\d{2}:[0-5]\d$", description="slot length HH:MM")] = "01:00",
        limit: Annotated[int | None, Field(ge=1, le=500, description="max slots")] = None,
        conditions: Annotated[
            list[FieldCondition],
            Field(max_length=10, description="on free_text_fields of locaboo_resource_list; all must hold"),
        ] = [],  # noqa: B006
    ) -> Availability:
        """Locaboo: free slots of a given length per resource, from opening hours, holidays and bookings."""
        days = _when(zone, date_from, date_to, time_from, time_to)
        assert days is not None
        if duration == "00:00":
            raise ToolError("Locaboo: duration must be longer than 00:00.")
        try:
            filters = condition_params(conditions) if conditions else None
        except ValueError as error:
            raise _fail(error) from None
        availability = await client.availability(
            days.date_from,
            days.date_to,
            resource_ids=resource_id,
            time_from=days.time_from,
            time_to=days.time_to,
            duration=duration,
            limit=limit,
            conditions=filters,
        )
        # Locaboo answers with ids only; names make the answer usable without another call.
        resources = await client.resource_list()
        names = {r.id: r.title for r in resources.resources}
        names.update({p.id: f"{r.title} > {p.title}" for r in resources.resources for p in r.parts})
        for entry in availability.resources:
            entry.resource = names.get(entry.resource_id)
        return availability

    @kit.read("locaboo_profile", title="Get the Locaboo account profile")
    async def locaboo_profile() -> Profile:
        """Locaboo: the manager account (venue operator) the API key belongs to."""
        return await client.profile()

    @kit.read("locaboo_customer_list", title="List Locaboo customers")
    async def locaboo_customer_list(
        search: Annotated[str | None, Field(max_length=100, description="part of name, company or e-mail")] = None,
    ) -> CustomerList:
        """Locaboo: customers with their group, contact details and customer number."""
        customers = await client.customer_list()
        if search:
            needle = search.casefold()
            customers = [c for c in customers if needle in _haystack(c)]
        return CustomerList(customers=customers, total=len(customers))

    @kit.read("locaboo_inventory_list", title="List Locaboo inventory")
    async def locaboo_inventory_list() -> InventoryList:
        """Locaboo: bookable inventory (projectors, stands, ...) with stock, prices per customer group and resources."""
        return await client.inventory_list()

    @kit.read("locaboo_service_list", title="List Locaboo services")
    async def locaboo_service_list() -> ServiceList:
        """Locaboo: bookable services (catering, caretaker, ...) with prices per customer group and resources."""
        return await client.service_list()

    @kit.read("locaboo_invoice_list", title="List Locaboo invoices")
    async def locaboo_invoice_list() -> InvoiceList:
        """Locaboo: invoices with customer, rows per booking, totals and payment status."""
        return await client.invoice_list()

    @kit.write(
        "locaboo_booking_save",
        destructive=True,
        idempotent=False,
        title="Save or cancel a Locaboo booking",
        confirm=describe_save,
    )
    async def locaboo_booking_save(
        booking_id: Annotated[Id | None, Field(description="booking to change; leave out to create")] = None,
        resource_id: Annotated[Id | None, Field(description="resource or part; required to create")] = None,
        date_from: FirstDay = None,
        date_to: LastDay = None,
        time_from: TimeFrom = None,
        time_to: TimeTo = None,
        booking_status: Annotated[
            Literal["Live", "Draft", "Complete", "Cancel"] | None,
            Field(description="Cancel frees the time; new ones default to Live"),
        ] = None,
        customer: Annotated[SaveCustomer | None, Field(description="customer of a new booking")] = None,
    ) -> BookingWritten:
        """Locaboo: create a simple booking (same times each day), or change or cancel one by booking_id."""
        days = _when(zone, date_from, date_to, time_from, time_to)
        if booking_id is None and (resource_id is None or days is None):
            raise ToolError("Locaboo: to create a booking give resource_id and date_from (or a booking_id).")
        params = {
            "booking_id": booking_id,
            "resource_id": resource_id,
            "date_from": to_vendor_date(days.date_from) if days else None,
            "date_to": to_vendor_date(days.date_to) if days else None,
            "time_from": to_vendor_time(days.time_from) if days and days.time_from else None,
            "time_to": to_vendor_time(days.time_to) if days and days.time_to else None,
            "booking_status": booking_status,
            **(customer.vendor() if customer else {}),
        }
        return await client.booking_save({k: v for k, v in params.items() if v is not None})

    @kit.read("locaboo_event_list", title="List Locaboo events")
    async def locaboo_event_list(
        date_from: Annotated[date | None, Field(description="first day")] = None,
        date_to: Annotated[date | None, Field(description="last day")] = None,
    ) -> EventList:
        """Locaboo: public events (tournaments, conferences, ...): when and what."""
        if date_from and date_to:
            check_period(date_from, date_to, max_days=MAX_DAYS)
        return await client.event_list(date_from, date_to)

    @kit.read("locaboo_event_details", title="Get a Locaboo event")
    async def locaboo_event_details(
        event_id: Annotated[int, Field(ge=1, description="from locaboo_event_list")],
    ) -> EventDetails:
        """Locaboo: one event with marketing data, offers, order confirmations, invoices and their bookings."""
        return await client.event_details(event_id)

    @kit.write("locaboo_booking_add", destructive=False, idempotent=False, title="Book a Locaboo resource")
    async def locaboo_booking_add(
        booking_mode: Annotated[
            Literal["direct_booking", "booking_request"],
            Field(description="direct_booking books now; booking_request waits for the manager"),
        ],
        main_resource: Annotated[int, Field(ge=1, description="main resource id (not a part)")],
        date_from: FirstDay = None,
        date_to: LastDay = None,
        time_from: TimeFrom = None,
        time_to: TimeTo = None,
        full_day: Annotated[bool, Field(description="whole days, no times")] = False,
        recurrence: Annotated[Recurrence | None, Field(description="repeat rule from date_from to date_to")] = None,
        resource_parts: Annotated[
            list[ResourceParts], Field(max_length=20, description="parts to book; empty = whole main_resource")
        ] = [],  # noqa: B006
        title: Annotated[str | None, Field(max_length=200, description="booking title")] = None,
        customer_id: Annotated[Id | None, Field(description="from locaboo_customer_list")] = None,
        persons: Annotated[list[Id], Field(max_length=50, description="person ids")] = [],  # noqa: B006
        season_id: Annotated[Id | None, Field(description="only for season bookings")] = None,
        category_fields: Annotated[
            list[CategoryField],
            Field(max_length=50, description="answers to free_text_fields of locaboo_resource_list"),
        ] = [],  # noqa: B006
        inventory: Annotated[list[BookedItem], Field(max_length=50, description="from locaboo_inventory_list")] = [],  # noqa: B006
        services: Annotated[list[BookedItem], Field(max_length=50, description="from locaboo_service_list")] = [],  # noqa: B006
        color: Annotated[str | None, Field(pattern=HEX_COLOR, description="own colour, e.g. #ff0000")] = None,
        entrance_hall: Annotated[bool, Field(description="show in the entrance-hall widget")] = False,
        booking_hidden_widget: Annotated[bool, Field(description="hide in the public widget")] = False,
        comments: Annotated[str | None, Field(max_length=2000, description="public")] = None,
        internal_comments: Annotated[str | None, Field(max_length=2000, description="staff only")] = None,
    ) -> BookingWritten:
        """Locaboo: book a resource or parts, on one or more days or recurring. Check locaboo_availability first."""
        days = _when(zone, date_from, date_to, time_from, time_to)
        if days is None:
            raise ToolError("Locaboo: give date_from (or time_from as a slot's start).")
        try:
            fields = booking_add_fields(
                booking_mode=booking_mode,
                main_resource=main_resource,
                days=days,
                full_day=full_day,
                recurrence=recurrence,
                resource_parts=resource_parts,
                category_fields=category_fields,
                inventory=inventory,
                services=services,
                color=color,
                title=title,
                customer_id=customer_id,
                persons=persons,
                season_id=season_id,
                entrance_hall=entrance_hall,
                booking_hidden_widget=booking_hidden_widget,
                comments=comments,
                internal_comments=internal_comments,
            )
        except ValueError as error:
            raise _fail(error) from None
        return await client.booking_add(fields)

    @kit.write("locaboo_customer_add", destructive=False, idempotent=False, title="Add a Locaboo customer")
    async def locaboo_customer_add(
        customer: Annotated[CustomerFields, Field(description="the new customer")],
    ) -> CustomerWritten:
        """Locaboo: add a customer (a person or an organisation)."""
        return await client.customer_add(customer.vendor())

    @kit.write("locaboo_customer_edit", destructive=False, idempotent=True, title="Edit a Locaboo customer")
    async def locaboo_customer_edit(
        customer_id: CustomerId,
        customer: Annotated[CustomerFields, Field(description="only the fields to change")],
    ) -> CustomerWritten:
        """Locaboo: change a customer's data; fields left out stay as they are."""
        fields = customer.vendor()
        if not fields:
            raise ToolError("Locaboo: nothing to change; give at least one customer field.")
        return await client.customer_edit(customer_id, fields)

    @kit.write("locaboo_customer_address_add", destructive=False, idempotent=False, title="Add customer addresses")
    async def locaboo_customer_address_add(
        customer_id: CustomerId,
        address: Annotated[list[CustomerAddress], Field(min_length=1, max_length=10, description="addresses to add")],
    ) -> AddressesAdded:
        """Locaboo: add further addresses (e.g. billing) to a customer."""
        return await client.customer_address_add(customer_id, [a.vendor() for a in address])

    @kit.resource(
        "locaboo://resources", name="locaboo-resources", description="Locaboo resources, parts and custom fields (JSON)"
    )
    async def resources() -> ResourceList:
        return await client.resource_list()

    @kit.resource("locaboo://services", name="locaboo-services", description="Locaboo services with prices (JSON)")
    async def services_resource() -> ServiceList:
        return await client.service_list()

    @kit.resource("locaboo://inventory", name="locaboo-inventory", description="Locaboo inventory with prices (JSON)")
    async def inventory_resource() -> InventoryList:
        return await client.inventory_list()


async def _booking_summary(client: LocabooClient, booking_id: int) -> str:
    """`5013 "Title" (Hall > Part, 2026-11-24 14:00-16:00, +2 more)` for the consent question."""
    try:
        booking = await client.booking_details(booking_id)
    except ToolError:
        return str(booking_id)  # the save itself will report what is wrong with the id
    timed = [(i.start, i) for r in booking.resources for i in r.instances if i.start is not None]
    instances = [i for _start, i in sorted(timed, key=lambda pair: pair[0])]
    parts = [f'"{booking.title}"'] if booking.title else []
    if instances and instances[0].start and instances[0].end:
        first = instances[0]
        where = f"{first.resource}, " if first.resource else ""
        more = f", +{len(instances) - 1} more" if len(instances) > 1 else ""
        parts.append(f"({where}{first.start:%Y-%m-%d %H:%M}-{first.end:%H:%M}{more})")
    if booking.customer:
        parts.append(f"for {booking.customer}")
    return " ".join([str(booking_id), *parts])


def _described(days: Days | None) -> str:
    """`2026-11-24 14:00-16:00` (or `... to 2026-11-25`) for the consent question."""
    if days is None:
        return "another resource"
    text = str(days.date_from) + (f" to {days.date_to}" if days.date_to != days.date_from else "")
    if days.time_from or days.time_to:
        clocks = (f"{clock:%H:%M}" if clock else "" for clock in (days.time_from, days.time_to))
        text += " " + "-".join(clocks)
    return text


def _haystack(customer: object) -> str:
    fields = ("show_name", "company_name", "first_name", "last_name", "email", "customer_number")
    return " ".join(str(getattr(customer, name, None) or "") for name in fields).casefold()
