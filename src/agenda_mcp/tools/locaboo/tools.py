"""Locaboo's MCP tools and resources: one tool per API v2 endpoint, named locaboo_<endpoint>."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from agenda_mcp.server.kit import (
    Clock,
    Joined,
    Question,
    TimeOfDay,
    Toolkit,
    Value,
    VendorTools,
    When,
    check_period,
    quoted,
    read,
    resource,
    write,
)
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
    Occurring,
    Recurrence,
    ResourceParts,
    SaveCustomer,
    booking_add_fields,
    condition_params,
    days_and_times,
    every_day,
    occurrences,
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
    zone: ZoneInfo,
    date_from: date | None,
    date_to: date | None,
    time_from: Clock | None,
    time_to: Clock | None,
    occurring: Occurring = every_day,
) -> Days | None:
    """The days and wall-clock times Locaboo is sent; every failure names Locaboo."""
    try:
        return days_and_times(zone, date_from, date_to, time_from, time_to, occurring)
    except ToolError as error:
        text = str(error)
        raise ToolError(text if text.startswith("Locaboo") else f"Locaboo: {text}") from None


class LocabooTools(VendorTools):
    def __init__(self, kit: Toolkit) -> None:
        super().__init__(kit)
        self.zone = timezone(kit.settings.env)
        self.client = LocabooClient(kit.http, self.zone)

    async def describe_save(self, **arguments: Any) -> str | None:
        """What the person is asked before locaboo_booking_save writes: a new booking (where, when,
        for whom), or what changes about an existing one."""
        booking_id = arguments.get("booking_id")
        locale = self.kit.settings.locale
        try:
            when = _when(self.zone, *_times(arguments))
        except ToolError:
            return None  # the call itself refuses these times, before anything is sent (nothing to ask)
        if booking_id is None:
            resource_id = arguments.get("resource_id")
            name = _place_names(await self.client.resource_list()).get(resource_id or 0)
            place = quoted(name) if name else Question("resource {id}", id=str(resource_id))
            customer = arguments.get("customer")
            named = [customer.first_name, customer.last_name, customer.company, customer.email] if customer else []
            if any(named):
                return Question(
                    "Book Locaboo {place} on {when} for {who}?",
                    locale=locale,
                    place=place,
                    when=_described(when),
                    who=quoted(" ".join(n for n in named if n)),
                )
            return Question("Book Locaboo {place} on {when}?", locale=locale, place=place, when=_described(when))
        what = await _booking_summary(self.client, booking_id)
        moving = when is not None or arguments.get("resource_id") is not None
        status = arguments.get("booking_status")
        if status == "Cancel":
            return Question(
                "Cancel Locaboo booking {booking}? Its time becomes free for others.", locale=locale, booking=what
            )
        if moving:
            return Question(
                "Move Locaboo booking {booking} to {when}? Its current times are replaced.",
                locale=locale,
                booking=what,
                when=_described(when),
            )
        if status is not None:
            return Question("Set Locaboo booking {booking} to {status}?", locale=locale, booking=what, status=status)
        return Question("Change the customer of Locaboo booking {booking}?", locale=locale, booking=what)

    async def describe_booking(self, **arguments: Any) -> str | None:
        """What the person is asked before locaboo_booking_add books: where, when (Locaboo's wall
        clock, as it will be sent), how often, for whom."""
        recurrence: Recurrence | None = arguments.get("recurrence")
        on = occurrences(recurrence)
        try:
            days = _when(self.zone, *_times(arguments), on)
        except ToolError:
            return None  # the call itself refuses these times, before anything is sent
        if days is None:
            return None
        parts = [pid for entry in arguments.get("resource_parts") or [] for pid in entry.part_ids]
        try:
            names = _place_names(await self.client.resource_list())
        except ToolError:
            names = {}  # the ids say it too
        where = Joined(
            ", ",
            tuple(
                names.get(rid) or Question("resource {id}", id=str(rid))
                for rid in parts or [arguments.get("main_resource")]
            ),
        )
        when: str = _described(days)
        if arguments.get("full_day"):
            when = Question("{when} (whole days)", when=when)
        if recurrence is not None:
            when = _recurring(recurrence.type, when)
        details: list[Value] = [where, when]
        count = len(on(days.date_from, days.date_to))
        if count > 1:
            details.append(Question("{count} dates", count=count))
        if arguments.get("customer_id"):
            details.append(Question("for customer {id}", id=arguments["customer_id"]))
        if arguments.get("title"):
            # The model's words: quoted, never part of the question.
            details.append(Question("titled {title}", title=quoted(arguments["title"])))
        if arguments.get("booking_mode") == "booking_request":
            return Question(
                "Request Locaboo {details}? The manager still has to accept it.",
                locale=self.kit.settings.locale,
                details=Joined(", ", tuple(details)),
            )
        return Question(
            "Book Locaboo {details}? The time is taken at once.",
            locale=self.kit.settings.locale,
            details=Joined(", ", tuple(details)),
        )

    @read("locaboo_resource_list", title="List Locaboo resources")
    async def locaboo_resource_list(self) -> ResourceList:
        """Locaboo: rooms and halls with their bookable parts, and the custom (free-text) fields."""
        return await self.client.resource_list()

    @read("locaboo_resource_details", title="Get a Locaboo resource")
    async def locaboo_resource_details(self, resource_id: ResourceId) -> ResourceDetails:
        """Locaboo: one resource or part with address, today's opening times and today's holidays."""
        return await self.client.resource_details(resource_id)

    @read("locaboo_booking_list", title="List Locaboo bookings")
    async def locaboo_booking_list(
        self,
        date_from: DateFrom,
        date_to: DateTo,
        resource_id: Annotated[Id | None, Field(description="only this resource or part")] = None,
        time_from: Annotated[TimeOfDay | None, Field(description="HH:MM")] = None,
        time_to: Annotated[TimeOfDay | None, Field(description="HH:MM")] = None,
        show_details: Annotated[bool, Field(description="with custom field answers")] = False,
    ) -> BookingList:
        """Locaboo: bookings in a period (not cancelled): customer, where and when; more in locaboo_booking_details."""
        days = _when(self.zone, date_from, date_to, time_from, time_to)
        assert days is not None
        return await self.client.booking_list(
            days.date_from,
            days.date_to,
            resource_id=resource_id,
            time_from=days.time_from,
            time_to=days.time_to,
            show_details=show_details,
        )

    @read("locaboo_booking_details", title="Get a Locaboo booking")
    async def locaboo_booking_details(self, booking_id: BookingId) -> Booking:
        """Locaboo: one booking with all instances, comments, booked inventory, services and custom fields."""
        return await self.client.booking_details(booking_id)

    @read("locaboo_availability", title="Find free Locaboo slots")
    async def locaboo_availability(
        self,
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
        days = _when(self.zone, date_from, date_to, time_from, time_to)
        assert days is not None
        if duration == "00:00":
            raise ToolError("Locaboo: duration must be longer than 00:00.")
        try:
            filters = condition_params(conditions) if conditions else None
        except ValueError as error:
            raise _fail(error) from None
        availability = await self.client.availability(
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
        names = _place_names(await self.client.resource_list())
        for entry in availability.resources:
            entry.resource = names.get(entry.resource_id)
        return availability

    @read("locaboo_profile", title="Get the Locaboo account profile")
    async def locaboo_profile(self) -> Profile:
        """Locaboo: the manager account (venue operator) the API key belongs to."""
        return await self.client.profile()

    @read("locaboo_customer_list", title="List Locaboo customers")
    async def locaboo_customer_list(
        self,
        search: Annotated[str | None, Field(max_length=100, description="part of name, company or e-mail")] = None,
    ) -> CustomerList:
        """Locaboo: customers with their group, contact details and customer number."""
        customers = await self.client.customer_list()
        if search:
            needle = search.casefold()
            customers = [c for c in customers if needle in _haystack(c)]
        return CustomerList(customers=customers, total=len(customers))

    @read("locaboo_inventory_list", title="List Locaboo inventory")
    async def locaboo_inventory_list(self) -> InventoryList:
        """Locaboo: bookable inventory (projectors, stands, ...) with stock, prices per customer group and resources."""
        return await self.client.inventory_list()

    @read("locaboo_service_list", title="List Locaboo services")
    async def locaboo_service_list(self) -> ServiceList:
        """Locaboo: bookable services (catering, caretaker, ...) with prices per customer group and resources."""
        return await self.client.service_list()

    @read("locaboo_invoice_list", title="List Locaboo invoices")
    async def locaboo_invoice_list(self) -> InvoiceList:
        """Locaboo: invoices with customer, rows per booking, totals and payment status."""
        return await self.client.invoice_list()

    @write(
        "locaboo_booking_save",
        destructive=True,
        idempotent=False,
        title="Save or cancel a Locaboo booking",
        confirm=describe_save,
    )
    async def locaboo_booking_save(
        self,
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
        days = _when(self.zone, date_from, date_to, time_from, time_to)
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
        return await self.client.booking_save({k: v for k, v in params.items() if v is not None})

    @read("locaboo_event_list", title="List Locaboo events")
    async def locaboo_event_list(
        self,
        date_from: Annotated[date | None, Field(description="first day")] = None,
        date_to: Annotated[date | None, Field(description="last day")] = None,
    ) -> EventList:
        """Locaboo: public events (tournaments, conferences, ...): when and what."""
        if date_from and date_to:
            check_period(date_from, date_to, max_days=MAX_DAYS)
        return await self.client.event_list(date_from, date_to)

    @read("locaboo_event_details", title="Get a Locaboo event")
    async def locaboo_event_details(
        self,
        event_id: Annotated[int, Field(ge=1, description="from locaboo_event_list")],
    ) -> EventDetails:
        """Locaboo: one event with marketing data, offers, order confirmations, invoices and their bookings."""
        return await self.client.event_details(event_id)

    @write(
        "locaboo_booking_add",
        destructive=False,
        idempotent=False,
        title="Book a Locaboo resource",
        confirm=describe_booking,
    )
    async def locaboo_booking_add(
        self,
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
        days = _when(self.zone, date_from, date_to, time_from, time_to, occurrences(recurrence))
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
        return await self.client.booking_add(fields)

    @write("locaboo_customer_add", destructive=False, idempotent=False, title="Add a Locaboo customer")
    async def locaboo_customer_add(
        self,
        customer: Annotated[CustomerFields, Field(description="the new customer")],
    ) -> CustomerWritten:
        """Locaboo: add a customer (a person or an organisation)."""
        return await self.client.customer_add(customer.vendor())

    @write("locaboo_customer_edit", destructive=False, idempotent=True, title="Edit a Locaboo customer")
    async def locaboo_customer_edit(
        self,
        customer_id: CustomerId,
        customer: Annotated[CustomerFields, Field(description="only the fields to change")],
    ) -> CustomerWritten:
        """Locaboo: change a customer's data; fields left out stay as they are."""
        fields = customer.vendor()
        if not fields:
            raise ToolError("Locaboo: nothing to change; give at least one customer field.")
        return await self.client.customer_edit(customer_id, fields)

    @write("locaboo_customer_address_add", destructive=False, idempotent=False, title="Add customer addresses")
    async def locaboo_customer_address_add(
        self,
        customer_id: CustomerId,
        address: Annotated[list[CustomerAddress], Field(min_length=1, max_length=10, description="addresses to add")],
    ) -> AddressesAdded:
        """Locaboo: add further addresses (e.g. billing) to a customer."""
        return await self.client.customer_address_add(customer_id, [a.vendor() for a in address])

    @resource(
        "locaboo://resources", name="locaboo-resources", description="Locaboo resources, parts and custom fields (JSON)"
    )
    async def resources(self) -> ResourceList:
        return await self.client.resource_list()

    @resource("locaboo://services", name="locaboo-services", description="Locaboo services with prices (JSON)")
    async def services_resource(self) -> ServiceList:
        return await self.client.service_list()

    @resource("locaboo://inventory", name="locaboo-inventory", description="Locaboo inventory with prices (JSON)")
    async def inventory_resource(self) -> InventoryList:
        return await self.client.inventory_list()


def _recurring(rule: str, when: str) -> Question:
    """`weekly 2026-11-24 to 2026-12-22 18:00-22:00` for the consent question."""
    if rule == "day":
        return Question("daily {when}", when=when)
    if rule == "week":
        return Question("weekly {when}", when=when)
    if rule == "month":
        return Question("monthly {when}", when=when)
    return Question("yearly {when}", when=when)


def _times(arguments: dict[str, Any]) -> tuple[Any, Any, Any, Any]:
    """date_from, date_to, time_from and time_to of a write's arguments, as a question reads them."""
    return (arguments.get("date_from"), arguments.get("date_to"), arguments.get("time_from"), arguments.get("time_to"))


def _place_names(listed: ResourceList) -> dict[int, str]:
    """Resource and part ids -> the name a person reads (`Hall > Part` for a part)."""
    names = {r.id: r.title for r in listed.resources}
    names.update({p.id: f"{r.title} > {p.title}" for r in listed.resources for p in r.parts})
    return names


async def _booking_summary(client: LocabooClient, booking_id: int) -> str:
    """`5013 “Title” (Hall > Part, 2026-11-24 14:00-16:00, +2 more) for “Customer”` for the consent question."""
    try:
        booking = await client.booking_details(booking_id)
    except ToolError:
        return str(booking_id)  # the save itself will report what is wrong with the id
    timed = [(i.start, i) for r in booking.resources for i in r.instances if i.start is not None]
    instances = [i for _start, i in sorted(timed, key=lambda pair: pair[0])]
    parts: list[Value] = [str(booking_id)]
    if booking.title:
        parts.append(quoted(booking.title))
    first = instances[0] if instances else None
    if first is not None and first.start is not None and first.end is not None:
        detail: str = Question(
            "{days} {start}-{end}",
            days=When(first.start.date(), "yyyy-MM-dd"),
            start=When(first.start, "HH:mm"),
            end=When(first.end, "HH:mm"),
        )
        if first.resource:
            detail = Question("{where}, {detail}", where=first.resource, detail=detail)
        if len(instances) > 1:
            detail = Question("{detail}, +{count} more", detail=detail, count=len(instances) - 1)
        parts.append(Question("({detail})", detail=detail))
    if booking.customer:
        parts.append(Question("for {customer}", customer=quoted(booking.customer)))
    return Question("{summary}", summary=Joined(" ", tuple(parts)))


def _described(days: Days | None) -> str:
    """`2026-11-24 14:00-16:00` (or `... to 2026-11-25`) for the consent question."""
    if days is None:
        return Question("another resource")
    first = When(days.date_from, "yyyy-MM-dd")
    text: str = (
        Question("{first} to {last}", first=first, last=When(days.date_to, "yyyy-MM-dd"))
        if days.date_to != days.date_from
        else Question("{first}", first=first)
    )
    if days.time_from or days.time_to:
        clocks = [When(clock, "HH:mm") if clock else "" for clock in (days.time_from, days.time_to)]
        text = Question("{days} {start}-{end}", days=text, start=clocks[0], end=clocks[1])
    return text


def _haystack(customer: object) -> str:
    fields = ("show_name", "company_name", "first_name", "last_name", "email", "customer_number")
    return " ".join(str(getattr(customer, name, None) or "") for name in fields).casefold()


def register(kit: Toolkit) -> None:
    kit.add(LocabooTools(kit))
