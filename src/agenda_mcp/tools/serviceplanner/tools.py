"""ServicePlanner's MCP tools and resources."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from agenda_mcp.server.guards.attachments import ATTACHMENTS_ENV, FilePolicy, base64_size, decoded
from agenda_mcp.server.guards.consent import Describe
from agenda_mcp.server.kit.toolkit import Toolkit
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


async def load_attachment(files: FilePolicy, spec: AttachmentInput | AttachmentContent) -> tuple[str, bytes, str]:
    """(filename, bytes, content type) for one upload, under the server's file policy."""
    if spec.file_path is not None:
        upload = await files.read(spec.file_path, spec.filename, spec.content_type)
    else:
        upload = decoded(spec.content_base64 or "", spec.filename or "bestand", spec.content_type)
    return upload.name, upload.content, upload.content_type


def describe_uploads(files: FilePolicy, attachments: list[AttachmentInput] | list[AttachmentContent]) -> str:
    """`werkbon.pdf (12 KB, from /srv/uploads/werkbon.pdf), ketel.jpg (3 KB)`, checked, not read."""
    shown = []
    for spec in attachments:
        if spec.file_path is not None:
            path, size = files.locate(spec.file_path)
            shown.append(f"{spec.filename or path.name} ({_size(size)}, from {path})")
        else:
            shown.append(f"{spec.filename} ({_size(base64_size(spec.content_base64 or ''))})")
    return ", ".join(shown)


def _size(size: int) -> str:
    return f"{size} bytes" if size < 1024 else f"{size / 1024:,.0f} KB"


def _attachments_tool(files: FilePolicy, client: ServicePlannerClient) -> Any:
    """The upload tool; over HTTP its attachments take content only (no file_path at all)."""

    async def sp_add_client_item_attachments(
        client_id: ClientId,
        item_id: ItemId,
        attachments: list[AttachmentInput],
        delete_attachments: Annotated[bool, Field(description="first remove the item's current files")] = False,
    ) -> AttachmentsSaved:
        """ServicePlanner: upload files (multipart, max 10 MB each) to a client's item; asks the person first."""
        loaded = [await load_attachment(files, spec) for spec in attachments]
        return await client.add_client_item_attachments(client_id, item_id, loaded, delete_attachments)

    if files.local_files:
        shape: Any = list[AttachmentInput]
        about = f"each a file_path inside {ATTACHMENTS_ENV} (if the operator set it), or content_base64 with filename"
    else:
        shape, about = list[AttachmentContent], "each content_base64 with filename"
    sp_add_client_item_attachments.__annotations__["attachments"] = Annotated[
        shape, Field(min_length=1, max_length=10, description=about)
    ]
    return sp_add_client_item_attachments


class Confirmations:
    """What a destructive call will remove, in words the person recognises (asked before the
    call). A lookup that fails falls back to the id: the question must never block the answer."""

    def __init__(self, client: ServicePlannerClient) -> None:
        self.api = client

    async def client(self, client_id: int) -> str:
        try:
            found = await self.api.get_client(client_id)
            who = f"{found.name or 'client'} (client number {found.client_number}, id {client_id})"
        except ToolError:
            who = str(client_id)
        return (
            f"Delete ServicePlanner client {who}? Its addresses, items and appointments are likely removed "
            "too. This cannot be undone."
        )

    async def address(self, address_id: int) -> str:
        try:
            found = await self.api.get_address(address_id)
            line = one_line(found.model_dump()) or f"address {address_id}"
            owner = f"client {found.client_id}"
            if found.client_name:
                owner = f"{found.client_name} ({owner})"
            what = f"the {found.type or ''} address {line} of {owner}".replace("  ", " ")
        except ToolError:
            what = f"address {address_id}"
        return f"Delete {what} in ServicePlanner? This cannot be undone."

    async def appointment(self, appointment_id: int) -> str:
        try:
            found = await self.api.get_appointment(appointment_id)
            if found.start is not None:
                when = f"on {found.start:%a %d %b %Y %H:%M}"
            elif found.plan_from is not None and found.plan_to is not None:
                when = f"to be planned {found.plan_from:%d %b} - {found.plan_to:%d %b %Y}"
            else:
                when = "not yet planned"
            kind = "invitation" if found.appointment_or_invite == "invite" else "appointment"
            what = (
                f"the {found.appointment_type or ''} {kind} {appointment_id} of {found.client_name or 'a client'}"
                f" at {found.address or 'an unknown address'}, {when}"
            ).replace("  ", " ")
        except ToolError:
            what = f"appointment {appointment_id}"
        return f"Delete {what} in ServicePlanner? This cannot be undone."

    async def item(self, item_id: int) -> str:
        return f"Delete item {item_id} in ServicePlanner (and its service planning)? This cannot be undone."

    def attachments(self, files: FilePolicy) -> Describe:
        async def describe(
            client_id: int, item_id: int, attachments: list[AttachmentInput], delete_attachments: bool = False
        ) -> str:
            # Files leave this machine: always ask, naming each one and its size (nothing is read yet).
            first = " Its current files are removed first." if delete_attachments else ""
            sent = describe_uploads(files, attachments)
            return f"Send to ServicePlanner item {item_id} (client {client_id}): {sent}?{first}"

        return describe


def register(kit: Toolkit) -> None:
    paths, unverified = resolve_paths(kit.settings.env, sandbox=kit.sandbox)
    client = ServicePlannerClient(
        kit.http, paths=paths, unverified=unverified, result_budget=kit.settings.max_result_kb * 1024
    )
    confirmations = Confirmations(client)

    # -- clients --------------------------------------------------------------------------

    @kit.read("sp_list_clients", title="List ServicePlanner clients")
    async def sp_list_clients(
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
        return await client.list_clients(
            search=search,
            client_number=client_number,
            sort=sort,
            ordertype=ordertype,
            page=page,
            per_page=per_page,
            all_pages=all_pages,
            progress=_progress(ctx),
        )

    @kit.read("sp_get_client", title="Get a ServicePlanner client")
    async def sp_get_client(client_id: ClientId) -> ClientDetail:
        """ServicePlanner: one client with addresses, contact persons, appointments and invoices."""
        return await client.get_client(client_id)

    @kit.write("sp_create_client", destructive=False, idempotent=False, title="Create a ServicePlanner client")
    async def sp_create_client(
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
        return await client.create_client(body)

    @kit.write("sp_update_client", destructive=False, idempotent=True, title="Update a ServicePlanner client")
    async def sp_update_client(
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
        return await client.update_client(client_id, _one_change(changes, "sp_update_client"))

    @kit.write(
        "sp_delete_client",
        destructive=True,
        idempotent=True,
        title="Delete a ServicePlanner client",
        confirm=confirmations.client,
    )
    async def sp_delete_client(client_id: ClientId) -> Deleted:
        """ServicePlanner: delete a client, likely with its addresses, items and appointments."""
        return await client.delete_client(client_id)

    # -- addresses ------------------------------------------------------------------------

    @kit.read("sp_list_addresses", title="List ServicePlanner addresses")
    async def sp_list_addresses(
        ctx: Context,
        client_id: Annotated[int | None, Field(ge=1, description="only this client's")] = None,
        order_by: Annotated[AddressOrder | None, Field(description="sort column")] = None,
        order_direction: Order = None,
        page: Page = 1,
        per_page: PerPage = 25,
        all_pages: AllPages = False,
    ) -> AddressPage:
        """ServicePlanner: addresses of all clients or one."""
        return await client.list_addresses(
            client_id=client_id,
            order_by=order_by,
            order_direction=order_direction,
            page=page,
            per_page=per_page,
            all_pages=all_pages,
            progress=_progress(ctx),
        )

    @kit.read("sp_get_address", title="Get a ServicePlanner address")
    async def sp_get_address(address_id: AddressId) -> Address:
        """ServicePlanner: one address."""
        return await client.get_address(address_id)

    @kit.write("sp_create_address", destructive=False, idempotent=False, title="Add an address to a client")
    async def sp_create_address(
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
        return await client.create_address(body)

    @kit.write("sp_update_address", destructive=False, idempotent=True, title="Update a ServicePlanner address")
    async def sp_update_address(
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
        return await client.update_address(address_id, _one_change(changes, "sp_update_address"))

    @kit.write(
        "sp_delete_address",
        destructive=True,
        idempotent=True,
        title="Delete a ServicePlanner address",
        confirm=confirmations.address,
    )
    async def sp_delete_address(address_id: AddressId) -> Deleted:
        """ServicePlanner: delete an address."""
        return await client.delete_address(address_id)

    # -- appointment types ----------------------------------------------------------------

    @kit.read("sp_list_appointment_types", title="List ServicePlanner appointment types")
    async def sp_list_appointment_types() -> AppointmentTypeList:
        """ServicePlanner: appointment types (e.g. boiler maintenance)."""
        return AppointmentTypeList(appointment_types=await client.list_appointment_types())

    @kit.resource(
        "serviceplanner://appointment-types",
        name="serviceplanner-appointment-types",
        description="ServicePlanner appointment types (JSON)",
    )
    async def appointment_types() -> AppointmentTypeList:
        return AppointmentTypeList(appointment_types=await client.list_appointment_types())

    # -- appointments ---------------------------------------------------------------------

    @kit.read("sp_list_appointments", title="List ServicePlanner appointments")
    async def sp_list_appointments(
        ctx: Context,
        users: Annotated[list[int], Field(max_length=50, description="only of these user ids")] = [],  # noqa: B006
        appointment_type: Annotated[list[int], Field(max_length=50, description="only these type ids")] = [],  # noqa: B006
        ordertype: Annotated[Direction | None, Field(description="by visit time")] = None,
        page: Page = 1,
        per_page: PerPage = 25,
        all_pages: AllPages = False,
    ) -> AppointmentPage:
        """ServicePlanner: appointments and invitations."""
        return await client.list_appointments(
            users=users,
            appointment_type=appointment_type,
            ordertype=ordertype,
            page=page,
            per_page=per_page,
            all_pages=all_pages,
            progress=_progress(ctx),
        )

    @kit.read("sp_get_appointment", title="Get a ServicePlanner appointment")
    async def sp_get_appointment(appointment_id: AppointmentId) -> AppointmentDetail:
        """ServicePlanner: one appointment with status, technicians and items."""
        return await client.get_appointment(appointment_id)

    @kit.write("sp_create_appointment", destructive=False, idempotent=False, title="Plan a ServicePlanner appointment")
    async def sp_create_appointment(
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
        return await client.create_appointment(body)

    @kit.write(
        "sp_delete_appointment",
        destructive=True,
        idempotent=True,
        title="Delete a ServicePlanner appointment",
        confirm=confirmations.appointment,
    )
    async def sp_delete_appointment(appointment_id: AppointmentId) -> Deleted:
        """ServicePlanner: remove an appointment or invitation (the API has no cancel)."""
        return await client.delete_appointment(appointment_id)

    # -- client items ---------------------------------------------------------------------

    @kit.read("sp_list_client_items", title="List a client's items")
    async def sp_list_client_items(
        ctx: Context, client_id: ClientId, page: Page = 1, per_page: PerPage = 25, all_pages: AllPages = False
    ) -> ClientItemPage:
        """ServicePlanner: a client's serviced items (boilers, heat pumps, ...)."""
        return await client.list_client_items(
            client_id, page=page, per_page=per_page, all_pages=all_pages, progress=_progress(ctx)
        )

    @kit.read("sp_get_client_item", title="Get a client's item")
    async def sp_get_client_item(client_id: ClientId, item_id: ItemId) -> ItemDetail:
        """ServicePlanner: one item of a client with comments and attachments."""
        return await client.get_client_item(client_id, item_id)

    @kit.write("sp_create_client_item", destructive=False, idempotent=False, title="Add an item to a client")
    async def sp_create_client_item(
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
        return await client.create_client_item(client_id, body)

    @kit.write("sp_update_client_item", destructive=False, idempotent=True, title="Update a client's item")
    async def sp_update_client_item(
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
        return await client.update_client_item(client_id, item_id, _one_change(changes, "sp_update_client_item"))

    kit.write(
        "sp_add_client_item_attachments",
        destructive=True,
        idempotent=False,
        title="Attach files to a client's item",
        confirm=confirmations.attachments(kit.files),
    )(_attachments_tool(kit.files, client))

    # -- items ----------------------------------------------------------------------------

    @kit.read("sp_list_items", title="List all ServicePlanner items")
    async def sp_list_items(
        ctx: Context, page: Page = 1, per_page: PerPage = 25, all_pages: AllPages = False
    ) -> ItemPage:
        """ServicePlanner: the items of all clients."""
        return await client.list_items(page=page, per_page=per_page, all_pages=all_pages, progress=_progress(ctx))

    @kit.write(
        "sp_delete_item",
        destructive=True,
        idempotent=True,
        title="Delete a ServicePlanner item",
        confirm=confirmations.item,
    )
    async def sp_delete_item(item_id: ItemId) -> Deleted:
        """ServicePlanner: delete a client's item."""
        return await client.delete_item(item_id)

    # -- invoices and users ---------------------------------------------------------------

    @kit.read("sp_list_invoices", title="List ServicePlanner invoices")
    async def sp_list_invoices(
        ctx: Context,
        created_at: Annotated[date | None, Field(description="created on or after")] = None,
        updated_at: Annotated[date | None, Field(description="changed on or after")] = None,
        page: Page = 1,
        per_page: PerPage = 25,
        all_pages: AllPages = False,
    ) -> InvoicePage:
        """ServicePlanner: invoices."""
        return await client.list_invoices(
            created_at=created_at.isoformat() if created_at else None,
            updated_at=updated_at.isoformat() if updated_at else None,
            page=page,
            per_page=per_page,
            all_pages=all_pages,
            progress=_progress(ctx),
        )

    @kit.read("sp_get_invoice", title="Get a ServicePlanner invoice")
    async def sp_get_invoice(invoice_id: Annotated[int, Field(ge=1, description="from sp_list_invoices")]) -> Invoice:
        """ServicePlanner: one invoice."""
        return await client.get_invoice(invoice_id)

    @kit.read("sp_list_users", title="List ServicePlanner users")
    async def sp_list_users(
        ctx: Context, page: Page = 1, per_page: PerPage = 25, all_pages: AllPages = False
    ) -> UserPage:
        """ServicePlanner: users, e.g. technicians to assign."""
        return await client.list_users(page=page, per_page=per_page, all_pages=all_pages, progress=_progress(ctx))
