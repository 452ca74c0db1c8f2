"""ServicePlanner's MCP tools and resources."""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from agenda_mcp.server.kit import (
    ATTACHMENTS_ENV,
    FilePolicy,
    Joined,
    Question,
    Size,
    Toolkit,
    Value,
    VendorTools,
    When,
    base64_size,
    decoded,
    quoted,
    read,
    resource,
    write,
)
from agenda_mcp.tools.serviceplanner.client import Progress, ServicePlannerClient, resolve_paths
from agenda_mcp.tools.serviceplanner.models import (
    Address,
    AddressInput,
    AddressPage,
    AddressSaved,
    AddressType,
    AppointmentCreated,
    AppointmentDetail,
    AppointmentOrInvite,
    AppointmentPage,
    AppointmentTypeList,
    AttachmentContent,
    AttachmentInput,
    AttachmentsSaved,
    ClientDetail,
    ClientItemPage,
    ClientPage,
    ClientSaved,
    ClientUpdated,
    ContactPersonInput,
    Deleted,
    Direction,
    Invoice,
    InvoicePage,
    ItemCreated,
    ItemDetail,
    ItemPage,
    ItemSaved,
    SendMail,
    UserPage,
    header_text,
    one_line,
    vendor_datetime,
)

ClientId = Annotated[int, Field(ge=1, description="from sp_list_clients")]
AddressId = Annotated[int, Field(ge=1, description="from sp_get_client")]
ItemId = Annotated[int, Field(ge=1, description="from sp_list_client_items")]
AppointmentId = Annotated[int, Field(ge=1, description="from sp_list_appointments or sp_get_client")]
TypeId = Annotated[int, Field(ge=1, description="from sp_list_appointment_types")]
Page = Annotated[int, Field(ge=1, description="from 1")]
PerPage = Annotated[int, Field(ge=1, le=100, description="page size")]
AllPages = Annotated[bool, Field(description="next pages too, max 50")]
Order = Annotated[Direction | None, Field(description="sort direction")]
Minutes = Annotated[int | None, Field(ge=1, le=1440, description="minutes")]
Text = Annotated[str | None, Field(description="new value")]
ClientSort = Literal["client_number", "last_name", "company_name", "created_at", "updated_at"]
AddressOrder = Literal["id", "city", "zipcode", "created_at", "updated_at"]
Gender = Literal["M", "F"]
# The upload tool's files: over stdio a path inside the operator's folder or content; over HTTP
# (a team server) content only, so the tool's schema has no file_path at all (see `_content_only`).
LocalAttachments = Annotated[
    list[AttachmentInput],
    Field(
        min_length=1,
        max_length=10,
        description=f"each a file_path inside {ATTACHMENTS_ENV} (if the operator set it), "
        "or content_base64 with filename",
    ),
]
ContentAttachments = Annotated[
    list[AttachmentContent], Field(min_length=1, max_length=10, description="each content_base64 with filename")
]
Uploads = list[AttachmentInput] | list[AttachmentContent]


class ServicePlannerTools(VendorTools):
    def __init__(self, kit: Toolkit) -> None:
        super().__init__(kit)
        self.locale = kit.settings.locale
        """The language of the consent questions (AGENDA_MCP_LOCALE)."""
        paths, unverified = resolve_paths(kit.settings.env, sandbox=kit.sandbox)
        self.client = ServicePlannerClient(
            kit.http, paths=paths, unverified=unverified, result_budget=kit.settings.max_result_kb * 1024
        )
        self.files = kit.files
        if not self.files.local_files:
            # This instance publishes the upload tool with content-only attachments (Toolkit.add
            # takes the instance's attribute); setattr, as a method is not assigned in place.
            setattr(self, "sp_add_client_item_attachments", _content_only(self.sp_add_client_item_attachments))  # noqa: B010

    # -- consent questions ------------------------------------------------------------------------
    # What a destructive call will remove, in words the person recognises (asked before the call).
    # A lookup that fails falls back to the id: the question must never block the answer. Names the
    # vendor holds are shown as they are; what the model chose (file names, paths) is quoted.

    async def describe_client_deletion(self, client_id: int) -> str:
        try:
            found = await self.client.get_client(client_id)
            who: str = Question(
                "{name} (client number {number}, id {id})",
                name=found.name or Question("client"),
                number=str(found.client_number),
                id=client_id,
            )
        except ToolError:
            who = str(client_id)
        return Question(
            "Delete ServicePlanner client {who}? Its addresses, items and appointments are likely removed too. "
            "This cannot be undone.",
            locale=self.locale,
            who=who,
        )

    async def describe_address_deletion(self, address_id: int) -> str:
        try:
            found = await self.client.get_address(address_id)
            line = one_line(found.model_dump()) or Question("address {id}", id=address_id)
            owner: str = Question("client {id}", id=str(found.client_id))
            if found.client_name:
                owner = Question("{name} (client {id})", name=found.client_name, id=str(found.client_id))
            if found.type == "invoice":
                what: str = Question("the invoice address {line} of {owner}", line=line, owner=owner)
            elif found.type == "work":
                what = Question("the work address {line} of {owner}", line=line, owner=owner)
            elif found.type:
                what = Question("the {type} address {line} of {owner}", type=found.type, line=line, owner=owner)
            else:
                what = Question("the address {line} of {owner}", line=line, owner=owner)
        except ToolError:
            what = Question("address {id}", id=address_id)
        return Question("Delete {what} in ServicePlanner? This cannot be undone.", locale=self.locale, what=what)

    async def describe_appointment_deletion(self, appointment_id: int) -> str:
        try:
            found = await self.client.get_appointment(appointment_id)
            if found.start is not None:
                when: str = Question("on {start}", start=When(found.start, "EEE dd MMM yyyy HH:mm"))
            elif found.plan_from is not None and found.plan_to is not None:
                when = Question(
                    "to be planned {first} - {last}",
                    first=When(found.plan_from, "dd MMM"),
                    last=When(found.plan_to, "dd MMM yyyy"),
                )
            else:
                when = Question("not yet planned")
            invite, kind = found.appointment_or_invite == "invite", found.appointment_type
            what: str = Question(
                (
                    "the {type} invitation {id} of {client} at {address}, {when}"
                    if kind
                    else "the invitation {id} of {client} at {address}, {when}"
                )
                if invite
                else (
                    "the {type} appointment {id} of {client} at {address}, {when}"
                    if kind
                    else "the appointment {id} of {client} at {address}, {when}"
                ),
                type=kind or "",
                id=appointment_id,
                client=found.client_name or Question("a client"),
                address=found.address or Question("an unknown address"),
                when=when,
            )
        except ToolError:
            what = Question("appointment {id}", id=appointment_id)
        return Question("Delete {what} in ServicePlanner? This cannot be undone.", locale=self.locale, what=what)

    async def describe_item_deletion(self, item_id: int) -> str:
        return Question(
            "Delete item {id} in ServicePlanner (and its service planning)? This cannot be undone.",
            locale=self.locale,
            id=item_id,
        )

    async def describe_attachments(
        self, client_id: int, item_id: int, attachments: Uploads, delete_attachments: bool = False
    ) -> str:
        # Files leave this machine: always ask, naming each one and its size (nothing is read yet).
        return Question(
            "Send to ServicePlanner item {item} (client {client}): {files}? Its current files are removed first."
            if delete_attachments
            else "Send to ServicePlanner item {item} (client {client}): {files}?",
            locale=self.locale,
            item=item_id,
            client=client_id,
            files=describe_uploads(self.files, attachments),
        )

    async def describe_appointment(
        self,
        client_id: int,
        address_id: int,
        appointment_type_id: int,
        plan_appointment: bool = False,
        appointment_or_invite: str = "appointment",
        send_mail_to_client: str | None = None,
    ) -> str:
        """What sp_create_appointment books, for whom, where and when (names as the vendor holds them)."""
        who: str = Question("client {id}", id=client_id)
        where: str = Question("address {id}", id=address_id)
        kind: str = Question("type {id}", id=appointment_type_id)
        try:
            found = await self.client.get_client(client_id)
            who = Question("{name} (client {id})", name=found.name, id=client_id) if found.name else who
            where = next((row.address for row in found.addresses if row.id == address_id and row.address), where)
            types = await self.client.list_appointment_types()
            kind = next((row.name for row in types if row.id == appointment_type_id), kind)
        except ToolError:
            pass
        mailed = send_mail_to_client == "direct"
        seen = {"kind": kind, "who": who, "where": where}
        if appointment_or_invite == "invite":
            chooses = (
                Question("the client chooses the time, mailed now")
                if mailed
                else Question("the client chooses the time")
            )
            return Question(
                "Create a ServicePlanner invitation ({kind}) for {who} at {where}: {when}?",
                locale=self.locale,
                when=chooses,
                **seen,
            )
        if plan_appointment:
            when = (
                Question("ServicePlanner picks the time now; the client is mailed now")
                if mailed
                else Question("ServicePlanner picks the time now")
            )
        else:
            when = (
                Question("it waits in this month's planning; the client is mailed now")
                if mailed
                else Question("it waits in this month's planning")
            )
        return Question(
            "Create a ServicePlanner visit ({kind}) for {who} at {where}: {when}?",
            locale=self.locale,
            when=when,
            **seen,
        )

    # -- clients ----------------------------------------------------------------------------------

    @read("sp_list_clients", title="List ServicePlanner clients")
    async def sp_list_clients(
        self,
        ctx: Context,
        search: Annotated[str | None, Field(max_length=100, description="e.g. a name or place")] = None,
        client_number: Annotated[int | None, Field(ge=1, description="exact")] = None,
        sort: Annotated[ClientSort | None, Field(description="sort column")] = None,
        ordertype: Order = None,
        page: Page = 1,
        per_page: PerPage = 25,
        all_pages: AllPages = False,
    ) -> ClientPage:
        """ServicePlanner: find clients by free-text search or client number."""
        return await self.client.list_clients(
            search=search,
            client_number=client_number,
            sort=sort,
            ordertype=ordertype,
            page=page,
            per_page=per_page,
            all_pages=all_pages,
            progress=_progress(ctx),
        )

    @read("sp_get_client", title="Get a ServicePlanner client")
    async def sp_get_client(self, client_id: ClientId) -> ClientDetail:
        """ServicePlanner: one client with addresses, contact persons, appointments and invoices."""
        return await self.client.get_client(client_id)

    @write("sp_create_client", destructive=False, idempotent=False, title="Create a ServicePlanner client")
    async def sp_create_client(
        self,
        last_name: Annotated[str | None, Field(max_length=255, description="this or company_name needed")] = None,
        company_name: Annotated[str | None, Field(max_length=255, description="business clients")] = None,
        first_name: Annotated[str | None, Field(max_length=255, description="or salutation")] = None,
        gender: Annotated[Gender | None, Field(description="M or F")] = None,
        client_number: Annotated[int | None, Field(ge=1, description="default: next free")] = None,
        email: Annotated[str | None, Field(max_length=255, description="e-mail")] = None,
        phone: Annotated[str | None, Field(max_length=30, description="landline")] = None,
        mobile_phone: Annotated[str | None, Field(max_length=30, description="mobile")] = None,
        invoice_address: Annotated[AddressInput | None, Field(description="billing address")] = None,
        work_address: Annotated[AddressInput | None, Field(description="if visits are elsewhere")] = None,
        contact_persons: Annotated[
            list[ContactPersonInput] | None, Field(max_length=10, description="contacts")
        ] = None,
    ) -> ClientSaved:
        """ServicePlanner: create a client."""
        body = _given(
            client_number=client_number,
            gender=gender,
            first_name=first_name,
            last_name=last_name,
            company_name=company_name,
            email=email,
            mobile_phone=mobile_phone,
            phone=phone,
        )
        addresses = {
            kind: address.model_dump(exclude_none=True)
            for kind, address in (("invoice", invoice_address), ("work", work_address))
            if address is not None
        }
        if addresses:
            body["address"] = addresses
        if contact_persons:
            body["contactPerson"] = [person.model_dump(exclude_none=True) for person in contact_persons]
        return await self.client.create_client(body)

    @write("sp_update_client", destructive=False, idempotent=True, title="Update a ServicePlanner client")
    async def sp_update_client(
        self,
        client_id: ClientId,
        last_name: Text = None,
        company_name: Text = None,
        first_name: Text = None,
        gender: Annotated[Gender | None, Field(description="M or F")] = None,
        client_number: Annotated[int | None, Field(ge=1, description="new client number")] = None,
        email: Text = None,
        phone: Text = None,
        mobile_phone: Text = None,
    ) -> ClientUpdated:
        """ServicePlanner: change a client's name, number or contact details; fields left out stay."""
        changes = _given(
            last_name=last_name,
            company_name=company_name,
            first_name=first_name,
            gender=gender,
            client_number=client_number,
            email=email,
            phone=phone,
            mobile_phone=mobile_phone,
        )
        return await self.client.update_client(client_id, _one_change(changes, "sp_update_client"))

    @write(
        "sp_delete_client",
        destructive=True,
        idempotent=True,
        title="Delete a ServicePlanner client",
        confirm=describe_client_deletion,
    )
    async def sp_delete_client(self, client_id: ClientId) -> Deleted:
        """ServicePlanner: delete a client, likely with its addresses, items and appointments."""
        return await self.client.delete_client(client_id)

    # -- addresses --------------------------------------------------------------------------------

    @read("sp_list_addresses", title="List ServicePlanner addresses")
    async def sp_list_addresses(
        self,
        ctx: Context,
        client_id: Annotated[int | None, Field(ge=1, description="only this client's")] = None,
        order_by: Annotated[AddressOrder | None, Field(description="sort column")] = None,
        order_direction: Order = None,
        page: Page = 1,
        per_page: PerPage = 25,
        all_pages: AllPages = False,
    ) -> AddressPage:
        """ServicePlanner: addresses of all clients or one."""
        return await self.client.list_addresses(
            client_id=client_id,
            order_by=order_by,
            order_direction=order_direction,
            page=page,
            per_page=per_page,
            all_pages=all_pages,
            progress=_progress(ctx),
        )

    @read("sp_get_address", title="Get a ServicePlanner address")
    async def sp_get_address(self, address_id: AddressId) -> Address:
        """ServicePlanner: one address."""
        return await self.client.get_address(address_id)

    @write("sp_create_address", destructive=False, idempotent=False, title="Add an address to a client")
    async def sp_create_address(
        self,
        client_id: ClientId,
        type: Annotated[AddressType, Field(description="work: where visits happen")],
        street: Annotated[str, Field(min_length=1, max_length=255, description="street name")],
        house_number: Annotated[str, Field(min_length=1, max_length=20, description="house number")],
        zipcode: Annotated[str, Field(min_length=1, max_length=20, description="e.g. 3511 AB")],
        city: Annotated[str, Field(min_length=1, max_length=255, description="city")],
        house_number_addition: Annotated[str | None, Field(max_length=20, description="e.g. A or bis")] = None,
        country_id: Annotated[int, Field(ge=1, description="157 = Netherlands")] = 157,
    ) -> AddressSaved:
        """ServicePlanner: add an invoice or work address to a client."""
        body = _given(
            client_id=client_id,
            type=type,
            street=street,
            house_number=house_number,
            house_number_addition=house_number_addition,
            zipcode=zipcode,
            city=city,
            country_id=country_id,
        )
        return await self.client.create_address(body)

    @write("sp_update_address", destructive=False, idempotent=True, title="Update a ServicePlanner address")
    async def sp_update_address(
        self,
        address_id: AddressId,
        type: Annotated[AddressType | None, Field(description="invoice or work")] = None,
        street: Text = None,
        house_number: Annotated[str | None, Field(max_length=20, description="new value")] = None,
        house_number_addition: Annotated[str | None, Field(max_length=20, description="new value")] = None,
        zipcode: Annotated[str | None, Field(max_length=20, description="new value")] = None,
        city: Text = None,
        client_id: Annotated[int | None, Field(ge=1, description="move the address to this client")] = None,
    ) -> AddressSaved:
        """ServicePlanner: change an address; fields left out stay."""
        changes = _given(
            type=type,
            street=street,
            house_number=house_number,
            house_number_addition=house_number_addition,
            zipcode=zipcode,
            city=city,
            client_id=client_id,
        )
        return await self.client.update_address(address_id, _one_change(changes, "sp_update_address"))

    @write(
        "sp_delete_address",
        destructive=True,
        idempotent=True,
        title="Delete a ServicePlanner address",
        confirm=describe_address_deletion,
    )
    async def sp_delete_address(self, address_id: AddressId) -> Deleted:
        """ServicePlanner: delete an address."""
        return await self.client.delete_address(address_id)

    # -- appointment types ------------------------------------------------------------------------

    @read("sp_list_appointment_types", title="List ServicePlanner appointment types")
    async def sp_list_appointment_types(self) -> AppointmentTypeList:
        """ServicePlanner: appointment types (e.g. boiler maintenance)."""
        return AppointmentTypeList(appointment_types=await self.client.list_appointment_types())

    @resource(
        "serviceplanner://appointment-types",
        name="serviceplanner-appointment-types",
        description="ServicePlanner appointment types (JSON)",
    )
    async def appointment_types(self) -> AppointmentTypeList:
        return AppointmentTypeList(appointment_types=await self.client.list_appointment_types())

    # -- appointments -----------------------------------------------------------------------------

    @read("sp_list_appointments", title="List ServicePlanner appointments")
    async def sp_list_appointments(
        self,
        ctx: Context,
        users: Annotated[list[int], Field(max_length=50, description="only of these user ids")] = [],  # noqa: B006
        appointment_type: Annotated[list[int], Field(max_length=50, description="only these type ids")] = [],  # noqa: B006
        ordertype: Annotated[Direction | None, Field(description="by visit time")] = None,
        page: Page = 1,
        per_page: PerPage = 25,
        all_pages: AllPages = False,
    ) -> AppointmentPage:
        """ServicePlanner: appointments and invitations."""
        return await self.client.list_appointments(
            users=users,
            appointment_type=appointment_type,
            ordertype=ordertype,
            page=page,
            per_page=per_page,
            all_pages=all_pages,
            progress=_progress(ctx),
        )

    @read("sp_get_appointment", title="Get a ServicePlanner appointment")
    async def sp_get_appointment(self, appointment_id: AppointmentId) -> AppointmentDetail:
        """ServicePlanner: one appointment with status, technicians and items."""
        return await self.client.get_appointment(appointment_id)

    @write(
        "sp_create_appointment",
        destructive=False,
        idempotent=False,
        title="Plan a ServicePlanner appointment",
        confirm=describe_appointment,
    )
    async def sp_create_appointment(
        self,
        client_id: ClientId,
        address_id: Annotated[int, Field(ge=1, description="the client's address (sp_get_client)")],
        appointment_type_id: TypeId,
        time: Minutes = None,
        plan_appointment: Annotated[bool, Field(description="true: ServicePlanner picks a time now")] = False,
        appointment_or_invite: Annotated[
            AppointmentOrInvite, Field(description="invite: client picks a time by mail")
        ] = "appointment",
        send_mail_to_client: Annotated[
            SendMail | None, Field(description="direct: mail now; default: account setting")
        ] = None,
        services: Annotated[
            list[int], Field(max_length=50, description="item ids to service (sp_list_client_items)")
        ] = [],  # noqa: B006
        users: Annotated[list[int], Field(max_length=20, description="technician user ids (sp_list_users)")] = [],  # noqa: B006
    ) -> AppointmentCreated:
        """ServicePlanner: create a visit at a client's address. Keep plan_appointment=false (vendor advice):
        it waits in this month's planning. To invite: set its items to invite (sp_update_client_item), then
        appointment_or_invite=invite, send_mail_to_client=direct."""
        if appointment_or_invite == "invite" and plan_appointment:
            raise ToolError(
                "ServicePlanner: an invitation lets the client choose the time, so it cannot be planned now; "
                "send plan_appointment=false with appointment_or_invite=invite."
            )
        body: dict[str, Any] = {
            "client_id": client_id,
            "address_id": address_id,
            "appointment_type_id": appointment_type_id,
            "plan_appointment": plan_appointment,
            "appointment_or_invite": appointment_or_invite,
            "services": services,
            "users": users,
        }
        body |= _given(time=time, send_mail_to_client=send_mail_to_client)
        return await self.client.create_appointment(body)

    @write(
        "sp_delete_appointment",
        destructive=True,
        idempotent=True,
        title="Delete a ServicePlanner appointment",
        confirm=describe_appointment_deletion,
    )
    async def sp_delete_appointment(self, appointment_id: AppointmentId) -> Deleted:
        """ServicePlanner: remove an appointment or invitation (the API has no cancel)."""
        return await self.client.delete_appointment(appointment_id)

    # -- client items -----------------------------------------------------------------------------

    @read("sp_list_client_items", title="List a client's items")
    async def sp_list_client_items(
        self, ctx: Context, client_id: ClientId, page: Page = 1, per_page: PerPage = 25, all_pages: AllPages = False
    ) -> ClientItemPage:
        """ServicePlanner: a client's serviced items (boilers, heat pumps, ...)."""
        return await self.client.list_client_items(
            client_id, page=page, per_page=per_page, all_pages=all_pages, progress=_progress(ctx)
        )

    @read("sp_get_client_item", title="Get a client's item")
    async def sp_get_client_item(self, client_id: ClientId, item_id: ItemId) -> ItemDetail:
        """ServicePlanner: one item of a client with comments and attachments."""
        return await self.client.get_client_item(client_id, item_id)

    @write("sp_create_client_item", destructive=False, idempotent=False, title="Add an item to a client")
    async def sp_create_client_item(
        self,
        client_id: ClientId,
        address_id: Annotated[int, Field(ge=1, description="where the item is")],
        name: Annotated[str, Field(min_length=1, max_length=255, description="e.g. Remeha Calenta Ace 28c")],
        appointment_type_id: TypeId,
        time: Minutes = None,
        recurring: Annotated[bool | None, Field(description="periodic service")] = None,
        plan_cycle: Annotated[int | None, Field(ge=1, le=120, description="months between services")] = None,
        date_from: Annotated[date | None, Field(description="service start")] = None,
        date_to: Annotated[date | None, Field(description="service end")] = None,
        appointment_or_invite: Annotated[
            AppointmentOrInvite | None, Field(description="invite: client picks times by mail")
        ] = None,
    ) -> ItemCreated:
        """ServicePlanner: register an item to service (e.g. a boiler) at a client's address."""
        if date_from and date_to and date_to < date_from:
            raise ToolError("ServicePlanner: date_to is before date_from.")
        body = _given(
            address_id=address_id,
            name=name,
            appointment_type_id=appointment_type_id,
            time=time,
            recurring=recurring,
            plan_cycle=plan_cycle,
            date_from=vendor_datetime(date_from) if date_from else None,
            date_to=vendor_datetime(date_to) if date_to else None,
            appointment_or_invite=appointment_or_invite,
        )
        return await self.client.create_client_item(client_id, body)

    @write("sp_update_client_item", destructive=False, idempotent=True, title="Update a client's item")
    async def sp_update_client_item(
        self,
        client_id: ClientId,
        item_id: ItemId,
        address_id: Annotated[int | None, Field(ge=1, description="another address of the client")] = None,
        name: Text = None,
        appointment_type_id: Annotated[int | None, Field(ge=1, description="default type of its visits")] = None,
        time: Minutes = None,
        recurring: Annotated[bool | None, Field(description="periodic service")] = None,
        plan_cycle: Annotated[int | None, Field(ge=1, le=120, description="months between services")] = None,
        date_from: Annotated[date | None, Field(description="service start")] = None,
        date_to: Annotated[date | None, Field(description="service end")] = None,
        appointment_or_invite: Annotated[
            AppointmentOrInvite | None, Field(description="invite: client picks times by mail")
        ] = None,
    ) -> ItemSaved:
        """ServicePlanner: change a client's item; fields left out stay."""
        changes = _given(
            address_id=address_id,
            name=name,
            appointment_type_id=appointment_type_id,
            time=time,
            recurring=recurring,
            plan_cycle=plan_cycle,
            date_from=date_from,
            date_to=date_to,
            appointment_or_invite=appointment_or_invite,
        )
        return await self.client.update_client_item(client_id, item_id, _one_change(changes, "sp_update_client_item"))

    @write(
        "sp_add_client_item_attachments",
        destructive=True,
        idempotent=False,
        title="Attach files to a client's item",
        confirm=describe_attachments,
    )
    async def sp_add_client_item_attachments(
        self,
        client_id: ClientId,
        item_id: ItemId,
        attachments: LocalAttachments,
        delete_attachments: Annotated[bool, Field(description="first remove the item's current files")] = False,
    ) -> AttachmentsSaved:
        """ServicePlanner: upload files (multipart, max 10 MB each) to a client's item; asks the person first."""
        loaded = [await load_attachment(self.files, spec) for spec in attachments]
        for name, _, content_type in loaded:  # a name taken from a file on disk, checked like a given one
            sendable(name, "a file name")
            sendable(content_type, "a content type")
        return await self.client.add_client_item_attachments(client_id, item_id, loaded, delete_attachments)

    # -- items ------------------------------------------------------------------------------------

    @read("sp_list_items", title="List all ServicePlanner items")
    async def sp_list_items(
        self, ctx: Context, page: Page = 1, per_page: PerPage = 25, all_pages: AllPages = False
    ) -> ItemPage:
        """ServicePlanner: the items of all clients."""
        return await self.client.list_items(page=page, per_page=per_page, all_pages=all_pages, progress=_progress(ctx))

    @write(
        "sp_delete_item",
        destructive=True,
        idempotent=True,
        title="Delete a ServicePlanner item",
        confirm=describe_item_deletion,
    )
    async def sp_delete_item(self, item_id: ItemId) -> Deleted:
        """ServicePlanner: delete a client's item."""
        return await self.client.delete_item(item_id)

    # -- invoices and users -----------------------------------------------------------------------

    @read("sp_list_invoices", title="List ServicePlanner invoices")
    async def sp_list_invoices(
        self,
        ctx: Context,
        created_at: Annotated[date | None, Field(description="created on or after")] = None,
        updated_at: Annotated[date | None, Field(description="changed on or after")] = None,
        page: Page = 1,
        per_page: PerPage = 25,
        all_pages: AllPages = False,
    ) -> InvoicePage:
        """ServicePlanner: invoices."""
        return await self.client.list_invoices(
            created_at=created_at.isoformat() if created_at else None,
            updated_at=updated_at.isoformat() if updated_at else None,
            page=page,
            per_page=per_page,
            all_pages=all_pages,
            progress=_progress(ctx),
        )

    @read("sp_get_invoice", title="Get a ServicePlanner invoice")
    async def sp_get_invoice(
        self, invoice_id: Annotated[int, Field(ge=1, description="from sp_list_invoices")]
    ) -> Invoice:
        """ServicePlanner: one invoice."""
        return await self.client.get_invoice(invoice_id)

    @read("sp_list_users", title="List ServicePlanner users")
    async def sp_list_users(
        self, ctx: Context, page: Page = 1, per_page: PerPage = 25, all_pages: AllPages = False
    ) -> UserPage:
        """ServicePlanner: users, e.g. technicians to assign."""
        return await self.client.list_users(page=page, per_page=per_page, all_pages=all_pages, progress=_progress(ctx))


# -- helpers --------------------------------------------------------------------------------------


def _progress(ctx: Context) -> Progress:
    async def report(done: int, total: int | None) -> None:
        await ctx.report_progress(done, total)

    return report


def _given(**fields: Any) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value is not None}


def _one_change(changes: dict[str, Any], tool: str) -> dict[str, Any]:
    if not changes:
        raise ToolError(f"ServicePlanner: {tool} needs at least one field to change.")
    return changes


def sendable(value: str, what: str) -> str:
    """`value` if an upload can carry it (models.py `header_text`), else a ToolError: nothing sent."""
    try:
        header_text(value)
    except ValueError as problem:
        raise ToolError(
            f"ServicePlanner: {what} of an attachment {problem} (for a file on disk: give a filename). "
            "Nothing was sent."
        ) from None
    return value


async def load_attachment(files: FilePolicy, spec: AttachmentInput | AttachmentContent) -> tuple[str, bytes, str]:
    """(filename, bytes, content type) for one upload, under the server's file policy."""
    if spec.file_path is not None:
        upload = await files.read(spec.file_path, spec.filename, spec.content_type)
    else:
        upload = decoded(spec.content_base64 or "", spec.filename or "bestand", spec.content_type)
    return upload.name, upload.content, upload.content_type


def describe_uploads(files: FilePolicy, attachments: Uploads) -> Joined:
    """`“werkbon.pdf” (12 KB, from “/srv/uploads/werkbon.pdf”), “ketel.jpg” (3 KB)`, checked, not read:
    the names and paths the model chose are quoted, and one that cannot be sent is refused now."""
    shown: list[Value] = []
    for spec in attachments:
        if spec.file_path is not None:
            path, size = files.locate(spec.file_path)
            name = sendable(spec.filename or path.name, "a file name")
            shown.append(
                Question(
                    "{name} ({size}, from {path})", name=quoted(name), size=Size(size), path=quoted(path, limit=200)
                )
            )
        else:
            size = base64_size(spec.content_base64 or "")
            shown.append(Question("{name} ({size})", name=quoted(spec.filename), size=Size(size)))
    return Joined(", ", tuple(shown))


AttachmentsTool = Callable[..., Awaitable[AttachmentsSaved]]


def _content_only(upload: AttachmentsTool) -> AttachmentsTool:
    """The upload tool as a team server (HTTP) publishes it: the same method, its `attachments`
    taking content only, so the schema has no file_path (server/guards/attachments.py)."""
    signature = inspect.signature(upload, eval_str=True)
    parameters = [
        parameter.replace(annotation=ContentAttachments) if parameter.name == "attachments" else parameter
        for parameter in signature.parameters.values()
    ]

    @functools.wraps(upload)
    async def content_only(**arguments: Any) -> AttachmentsSaved:
        return await upload(**arguments)

    setattr(content_only, "__signature__", signature.replace(parameters=parameters))  # noqa: B010
    content_only.__annotations__ = typing.get_type_hints(upload, include_extras=True) | {
        "attachments": ContentAttachments
    }
    return content_only


def register(kit: Toolkit) -> None:
    kit.add(ServicePlannerTools(kit))
