"""Typed async client for the ServicePlanner API: one method per operation.

ServicePlanner is a Laravel application: Bearer token, JSON in and out, length-aware paginators,
422 `{"message", "errors": {field: [...]}}` on invalid input. Every path lives in PATHS below.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel

from agenda_mcp.server.kit import (
    ConfigError,
    Connection,
    ErrorDetail,
    VendorHTTP,
    fetch_pages,
    pages_within,
    path_segment,
)
from agenda_mcp.tools.serviceplanner.models import (
    Address,
    AddressPage,
    AddressRow,
    AddressSaved,
    Appointment,
    AppointmentCreated,
    AppointmentDetail,
    AppointmentPage,
    AppointmentType,
    AttachmentsSaved,
    Client,
    ClientDetail,
    ClientItemPage,
    ClientPage,
    ClientSaved,
    ClientUpdated,
    Deleted,
    Invoice,
    InvoicePage,
    Item,
    ItemCreated,
    ItemDetail,
    ItemPage,
    ItemRow,
    ItemSaved,
    ItemSummary,
    PageInfo,
    User,
    UserPage,
    VendorPage,
    not_found_message,
    vendor_datetime,
)

DEFAULT_BASE_URL = "https://api.service-planner.nl"
PATHS_ENV = "SERVICEPLANNER_PATHS"

# Every path the client uses, relative to SERVICEPLANNER_BASE_URL (the api. host has no /api
# prefix). Only `address` is printed in the vendor's docs; the rest follow Laravel's resource
# routes and the paginator paths in the docs' examples (reference 2.1). If ServicePlanner's
# routes turn out different, this table is the one place to change.
PATHS: dict[str, str] = {
    "addresses": "address",
    "address": "address/{address_id}",
    "appointment_types": "appointment/types",
    "appointments": "appointment",
    "appointment": "appointment/{appointment_id}",
    "clients": "client",
    "client": "client/{client_id}",
    "client_items": "client/{client_id}/item",
    "client_item": "client/{client_id}/item/{item_id}",
    "client_item_attachments": "client/{client_id}/item/{item_id}/attachments",
    "invoices": "invoice",
    "invoice": "invoice/{invoice_id}",
    "items": "item",
    "item": "item/{item_id}",
    "users": "user",
}
# These paths are not printed anywhere in the vendor's docs. SAFE CHOICE (reference 4: "leave
# unconfigured until verified; do not guess in production"): the defaults above are what the
# sandbox serves; against a real account they are refused until the operator confirms or
# corrects them in SERVICEPLANNER_PATHS (e.g. `appointment_types=appointment/types`).
UNVERIFIED = frozenset({"appointment_types", "client_items", "client_item", "client_item_attachments"})

MAX_PAGES = 50  # all_pages stops here and says so: a planner never needs more in one answer
# How the vendor's field names appear in our tools' parameters, for validation messages.
FIELD_NAMES = {"address.invoice": "invoice_address", "address.work": "work_address", "contactPerson": "contact_persons"}

ADDRESS_FIELDS = (
    "client_id", "type", "street", "house_number", "house_number_addition", "zipcode", "city",
    "country_id", "geocode_lat", "geocode_lng",
)  # fmt: skip
LOCATION_FIELDS = frozenset({"street", "house_number", "house_number_addition", "zipcode", "city"})
CLIENT_FIELDS = (
    "client_number", "gender", "first_name", "last_name", "company_name", "email", "mobile_phone", "phone",
)  # fmt: skip
ITEM_FIELDS = (
    "address_id", "name", "appointment_type_id", "time", "recurring", "plan_cycle", "date_from", "date_to",
    "appointment_or_invite",
)  # fmt: skip

Progress = Callable[[int, int | None], Awaitable[None]]
M = TypeVar("M", bound=BaseModel)


def connection(env: Mapping[str, str]) -> Connection:
    token = env.get("SERVICEPLANNER_API_TOKEN", "").strip()
    base_url = env.get("SERVICEPLANNER_BASE_URL", "").strip() or DEFAULT_BASE_URL
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(f"SERVICEPLANNER_BASE_URL must be a URL like {DEFAULT_BASE_URL} (got {base_url!r})")
    return Connection(
        base_url=base_url,
        # Without Accept: application/json Laravel answers auth and validation failures with
        # redirects to its login page. Content-Type is set per request (JSON or multipart).
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        secrets=(token,) if token else (),
    )


def resolve_paths(env: Mapping[str, str], *, sandbox: bool) -> tuple[dict[str, str], frozenset[str]]:
    """The path table with the operator's SERVICEPLANNER_PATHS applied, and the names still
    unverified. The sandbox serves the defaults, so there the override is ignored."""
    paths = dict(PATHS)
    if sandbox:
        return paths, frozenset()
    pending = set(UNVERIFIED)
    for entry in (part.strip() for part in env.get(PATHS_ENV, "").split(",")):
        if not entry:
            continue
        name, separator, path = (piece.strip() for piece in entry.partition("="))
        path = path.strip("/")
        if not separator or name not in PATHS or not path:
            raise ConfigError(f"{PATHS_ENV}: expected name=path with name one of {', '.join(PATHS)} (got {entry!r})")
        wanted, given = set(re.findall(r"\{(\w+)\}", PATHS[name])), set(re.findall(r"\{(\w+)\}", path))
        if wanted != given:
            placeholders = ", ".join(f"{{{key}}}" for key in sorted(wanted)) or "no placeholders"
            raise ConfigError(f"{PATHS_ENV}: the path for {name} must contain {placeholders} (got {path!r})")
        paths[name] = path
        pending.discard(name)
    return paths, frozenset(pending)


def describe_error(response: Any) -> ErrorDetail:
    """Laravel's error bodies: `message`, and for 422 `errors` listed field by field."""
    try:
        body = response.json()
    except ValueError:
        return ErrorDetail()
    if not isinstance(body, dict):
        return ErrorDetail()
    errors = body.get("errors")
    if isinstance(errors, dict) and errors:
        parts = []
        for field, problems in errors.items():
            listed = problems if isinstance(problems, list) else [problems]
            said = "; ".join(str(problem).rstrip(".") for problem in listed)
            parts.append(f"{_field_name(str(field))}: {said}")
        return ErrorDetail(message="; ".join(parts))
    message = body.get("message")
    if not isinstance(message, str) or not message:
        return ErrorDetail()
    if response.status_code == 404:
        message = not_found_message(message)
    return ErrorDetail(message=message.rstrip("."))


def _field_name(field: str) -> str:
    for vendor, ours in FIELD_NAMES.items():
        if field == vendor or field.startswith(f"{vendor}."):
            return ours + field[len(vendor) :]
    return field


def whole_record(current: Mapping[str, Any], changes: Mapping[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """The body of every PUT: the whole record, as the docs' PUT examples send it (every field of
    the client or the address, `"email": ""` included), read just before and with the changes
    merged in. A field kept is sent as the vendor showed it, empty or null too, so the PUT says
    what the record is and not only what changed. Only a field the vendor's answer does not carry
    at all is left out: its value is unknown here, and sending null for it could clear it."""
    body = {name: current[name] for name in fields if name in current}
    return body | {name: value for name, value in changes.items() if value is not None}


class ServicePlannerClient:
    def __init__(
        self,
        http: VendorHTTP,
        *,
        paths: Mapping[str, str] | None = None,
        unverified: frozenset[str] = UNVERIFIED,
        result_budget: int | None = None,
    ) -> None:
        self.http = http
        self.result_budget = result_budget
        """Bytes a tool result may hold (AGENDA_MCP_MAX_RESULT_KB): all_pages stops fetching there."""
        self.paths = dict(paths or PATHS)
        self.unverified = unverified

    # -- plumbing ---------------------------------------------------------------------------

    def _path(self, name: str, action: str, **ids: int) -> str:
        if name in self.unverified:
            raise ToolError(
                f"ServicePlanner: {action} is not available yet: its path is not in ServicePlanner's API "
                f"documentation, so agenda-mcp does not guess it against a real account. Look it up in "
                f"your ServicePlanner API docs and set {PATHS_ENV}, e.g. {name}={PATHS[name]}."
            )
        return self.paths[name].format(**{key: path_segment(value) for key, value in ids.items()})

    async def _json(self, method: str, path: str, action: str, **kwargs: Any) -> Any:
        return await self.http.json(method, path, action=action, **kwargs)

    async def _object(self, path: str, action: str, model: type[M], **kwargs: Any) -> M:
        body = await self._json("GET", path, action, **kwargs)
        if not isinstance(body, dict):
            raise ToolError(f"ServicePlanner: {action} gave an empty or unexpected answer; try again.")
        return model.model_validate(body)

    async def _raw(self, path: str, action: str, **kwargs: Any) -> dict[str, Any]:
        body = await self._json("GET", path, action, **kwargs)
        if not isinstance(body, dict):
            raise ToolError(f"ServicePlanner: {action} gave an empty or unexpected answer; try again.")
        return body

    async def _saved(
        self, body: Any, model: type[M], action: str, refetch: Callable[[int], Awaitable[M]], *, shows: str
    ) -> M:
        """Create/update answers are undocumented: use the record when the answer carries it (it
        has the `shows` field), else re-read it by id (reference 4: "accept any 2xx; re-GET when
        the full object is needed")."""
        if isinstance(body, dict) and isinstance(body.get("id"), int):
            if shows in body:
                return model.model_validate(body)
            return await refetch(body["id"])
        raise ToolError(
            f"ServicePlanner: {action} succeeded but the answer did not say which record it is; "
            "look it up with the matching list tool before trying again."
        )

    async def _list(
        self,
        path: str,
        action: str,
        params: Mapping[str, Any],
        *,
        page: int,
        per_page: int,
        all_pages: bool,
        progress: Progress | None,
        row: type[BaseModel] | None = None,
    ) -> tuple[list[dict[str, Any]], PageInfo]:
        """One page and its paging facts; with all_pages, the following pages too (bounded).

        Pages are requested by number with the same filters rather than by following
        `next_page_url`: the docs' examples show those URLs on a development host."""
        query = {key: value for key, value in params.items() if value not in (None, [], "")}

        async def fetch(number: int) -> VendorPage:
            body = await self._json("GET", path, action, params={**query, "page": number, "per_page": per_page})
            if not isinstance(body, dict | list):
                raise ToolError(f"ServicePlanner: {action} gave an empty or unexpected answer; try again.")
            return VendorPage.model_validate(body)

        first = await fetch(page)
        pages, last_fetched = [first], page
        has_more = first.next_page_url is not None
        # No page the result cap would cut: as many as the first page's size says fit, at most MAX_PAGES.
        fits = pages_within(self.result_budget, _result_bytes(first.data, row))
        most = MAX_PAGES if fits is None else min(MAX_PAGES, fits)
        if all_pages and has_more:
            if first.last_page:  # the number of pages is known: fetch the rest concurrently
                last_fetched = min(first.last_page, page + most - 1)
                numbers = list(range(page + 1, last_fetched + 1))
                if progress is not None:
                    await progress(1, len(numbers) + 1)
                pages += await fetch_pages(fetch, numbers, progress=progress, already_done=1)
                has_more = last_fetched < first.last_page
            else:  # only next_page_url says there is more: one page after another
                while pages[-1].next_page_url and len(pages) < most:
                    last_fetched += 1
                    pages.append(await fetch(last_fetched))
                    if progress is not None:
                        await progress(len(pages), None)
                has_more = pages[-1].next_page_url is not None
        rows: list[dict[str, Any]] = []
        seen: set[Any] = set()
        for fetched in pages:
            for record in fetched.data:
                key = record.get("id")
                if key is None or key not in seen:  # records may shift between page requests
                    seen.add(key)
                    rows.append(record)
        # With all_pages, a next_page means MAX_PAGES or the result cap stopped the fetching: the caller
        # continues there.
        info = PageInfo(total=first.total, next_page=last_fetched + 1 if has_more else None)
        return rows, info

    async def _delete(self, path: str, record_id: int, action: str, verify_with: str) -> Deleted:
        await self.http.request("DELETE", path, action=action, verify_with=verify_with)  # any 2xx will do
        return Deleted(deleted=record_id)

    # -- addresses --------------------------------------------------------------------------

    async def list_addresses(
        self,
        *,
        client_id: int | None,
        order_by: str | None,
        order_direction: str | None,
        page: int,
        per_page: int,
        all_pages: bool,
        progress: Progress | None,
    ) -> AddressPage:
        action = "list addresses"
        # The newer docs show the client filter as a JSON body on the GET (a Scribe artefact);
        # SAFE CHOICE (reference 4): send it as a query parameter.
        params = {"client_id": client_id, "order_by": order_by, "order_direction": order_direction}
        rows, info = await self._list(
            self._path("addresses", action),
            action,
            params,
            page=page,
            per_page=per_page,
            all_pages=all_pages,
            progress=progress,
            row=AddressRow,
        )
        return AddressPage(addresses=[AddressRow.model_validate(row) for row in rows], page=info)

    async def get_address(self, address_id: int) -> Address:
        action = "get address"
        return await self._object(self._path("address", action, address_id=address_id), action, Address)

    async def create_address(self, body: Mapping[str, Any]) -> AddressSaved:
        action = "create address"
        answer = await self._json(
            "POST",
            self._path("addresses", action),
            action,
            json_body=dict(body),
            verify_with="sp_list_addresses with client_id",
        )
        return await self._saved(answer, AddressSaved, action, self._address_saved, shows="street")

    async def update_address(self, address_id: int, changes: Mapping[str, Any]) -> AddressSaved:
        action = "update address"
        path = self._path("address", action, address_id=address_id)
        current = await self._raw(path, "get address")
        if LOCATION_FIELDS & {name for name, value in changes.items() if value is not None}:
            # A moved address keeps no stale coordinates unless new ones are given.
            current = {key: value for key, value in current.items() if key not in ("geocode_lat", "geocode_lng")}
        body = whole_record(current, changes, ADDRESS_FIELDS)
        answer = await self._json("PUT", path, action, json_body=body, verify_with="sp_get_address")
        return await self._saved(answer, AddressSaved, action, self._address_saved, shows="street")

    async def _address_saved(self, address_id: int) -> AddressSaved:
        return AddressSaved.model_validate((await self.get_address(address_id)).model_dump())

    async def delete_address(self, address_id: int) -> Deleted:
        action = "delete address"
        path = self._path("address", action, address_id=address_id)
        return await self._delete(path, address_id, action, "sp_get_address")

    # -- appointment types ------------------------------------------------------------------

    async def list_appointment_types(self) -> list[AppointmentType]:
        action = "list appointment types"
        # The docs show a bare array; a paginator is read just as well (reference 2.3).
        rows, _ = await self._list(
            self._path("appointment_types", action),
            action,
            {},
            page=1,
            per_page=100,
            all_pages=True,
            progress=None,
            row=AppointmentType,
        )
        return [AppointmentType.model_validate(row) for row in rows]

    # -- appointments -----------------------------------------------------------------------

    async def list_appointments(
        self,
        *,
        users: Sequence[int],
        appointment_type: Sequence[int],
        ordertype: str | None,
        page: int,
        per_page: int,
        all_pages: bool,
        progress: Progress | None,
    ) -> AppointmentPage:
        action = "list appointments"
        params = {"users[]": list(users), "appointment_type[]": list(appointment_type), "ordertype": ordertype}
        rows, info = await self._list(
            self._path("appointments", action),
            action,
            params,
            page=page,
            per_page=per_page,
            all_pages=all_pages,
            progress=progress,
            row=Appointment,
        )
        return AppointmentPage(appointments=[Appointment.model_validate(row) for row in rows], page=info)

    async def create_appointment(self, body: Mapping[str, Any]) -> AppointmentCreated:
        action = "create appointment"
        answer = await self._json(
            "POST",
            self._path("appointments", action),
            action,
            json_body=dict(body),
            verify_with="sp_get_client (its appointments)",
        )
        if not isinstance(answer, dict) or not isinstance(answer.get("id"), int):
            raise ToolError(
                "ServicePlanner: create appointment succeeded but the answer had no id; check the client's "
                "appointments with sp_get_client before trying again."
            )
        return AppointmentCreated.model_validate(answer)

    async def get_appointment(self, appointment_id: int) -> AppointmentDetail:
        action = "get appointment"
        path = self._path("appointment", action, appointment_id=appointment_id)
        return await self._object(path, action, AppointmentDetail)

    async def delete_appointment(self, appointment_id: int) -> Deleted:
        action = "delete appointment"
        path = self._path("appointment", action, appointment_id=appointment_id)
        return await self._delete(path, appointment_id, action, "sp_get_appointment")

    # -- clients ----------------------------------------------------------------------------

    async def list_clients(
        self,
        *,
        search: str | None,
        client_number: int | None,
        sort: str | None,
        ordertype: str | None,
        page: int,
        per_page: int,
        all_pages: bool,
        progress: Progress | None,
    ) -> ClientPage:
        action = "list clients"
        params = {"search": search, "client_number": client_number, "sort": sort, "ordertype": ordertype}
        rows, info = await self._list(
            self._path("clients", action),
            action,
            params,
            page=page,
            per_page=per_page,
            all_pages=all_pages,
            progress=progress,
            row=Client,
        )
        return ClientPage(clients=[Client.model_validate(row) for row in rows], page=info)

    async def create_client(self, body: Mapping[str, Any]) -> ClientSaved:
        action = "create client"
        answer = await self._json(
            "POST", self._path("clients", action), action, json_body=dict(body), verify_with="sp_list_clients"
        )
        return await self._saved(answer, ClientSaved, action, self._client_saved, shows="last_name")

    async def get_client(self, client_id: int) -> ClientDetail:
        action = "get client"
        return await self._object(self._path("client", action, client_id=client_id), action, ClientDetail)

    async def update_client(self, client_id: int, changes: Mapping[str, Any]) -> ClientUpdated:
        action = "update client"
        path = self._path("client", action, client_id=client_id)
        current = await self._raw(path, "get client")
        body = whole_record(current, changes, CLIENT_FIELDS)
        answer = await self._json("PUT", path, action, json_body=body, verify_with="sp_get_client")
        return await self._saved(answer, ClientUpdated, action, self._client_updated, shows="last_name")

    async def _client_saved(self, client_id: int) -> ClientSaved:
        return ClientSaved.model_validate((await self.get_client(client_id)).model_dump())

    async def _client_updated(self, client_id: int) -> ClientUpdated:
        return ClientUpdated.model_validate((await self.get_client(client_id)).model_dump())

    async def delete_client(self, client_id: int) -> Deleted:
        action = "delete client"
        path = self._path("client", action, client_id=client_id)
        return await self._delete(path, client_id, action, "sp_get_client")

    # -- client items -----------------------------------------------------------------------

    async def list_client_items(
        self, client_id: int, *, page: int, per_page: int, all_pages: bool, progress: Progress | None
    ) -> ClientItemPage:
        action = "list client items"
        rows, info = await self._list(
            self._path("client_items", action, client_id=client_id),
            action,
            {},
            page=page,
            per_page=per_page,
            all_pages=all_pages,
            progress=progress,
            row=ItemSummary,
        )
        return ClientItemPage(items=[ItemSummary.model_validate(row) for row in rows], page=info)

    async def create_client_item(self, client_id: int, body: Mapping[str, Any]) -> ItemCreated:
        action = "create client item"
        answer = await self._json(
            "POST",
            self._path("client_items", action, client_id=client_id),
            action,
            json_body=dict(body),
            verify_with="sp_list_client_items",
        )
        refetch = functools.partial(self._item_as, ItemCreated, client_id)
        return await self._saved(answer, ItemCreated, action, refetch, shows="name")

    async def get_client_item(self, client_id: int, item_id: int) -> ItemDetail:
        action = "get client item"
        path = self._path("client_item", action, client_id=client_id, item_id=item_id)
        return await self._object(path, action, ItemDetail, hints={404: _NO_SUCH_ITEM})

    async def update_client_item(self, client_id: int, item_id: int, changes: Mapping[str, Any]) -> ItemSaved:
        action = "update client item"
        path = self._path("client_item", action, client_id=client_id, item_id=item_id)
        current = Item.model_validate(await self._raw(path, "get client item", hints={404: _NO_SUCH_ITEM}))
        # Read through the model (the vendor's "60" and "1" as numbers and flags): a field it could
        # not read, or that is empty, is not known and so not sent back.
        known = {name: value for name in ITEM_FIELDS if (value := getattr(current, name)) is not None}
        body = whole_record(known, changes, ITEM_FIELDS)
        for name in ("date_from", "date_to"):
            if body.get(name) is not None:
                body[name] = vendor_datetime(body[name])
        answer = await self._json("PUT", path, action, json_body=body, verify_with="sp_get_client_item")
        refetch = functools.partial(self._item_as, ItemSaved, client_id)
        return await self._saved(answer, ItemSaved, action, refetch, shows="name")

    async def add_client_item_attachments(
        self, client_id: int, item_id: int, files: Sequence[tuple[str, bytes, str]], delete_attachments: bool
    ) -> AttachmentsSaved:
        action = "add attachments"
        path = self._path("client_item_attachments", action, client_id=client_id, item_id=item_id)
        answer = await self._json(
            "POST",
            path,
            action,
            data={"delete_attachments": "1" if delete_attachments else "0"},
            files=[("attachments[]", file) for file in files],
            verify_with="sp_get_client_item",
            hints={404: _NO_SUCH_ITEM},
        )
        if not isinstance(answer, dict) or "attachments" not in answer:
            # The answer is undocumented: read the item back to show what it now holds.
            answer = (await self.get_client_item(client_id, item_id)).model_dump()
        return AttachmentsSaved(attachments=answer.get("attachments") or [])

    async def _item_as(self, model: type[M], client_id: int, item_id: int) -> M:
        return model.model_validate((await self.get_client_item(client_id, item_id)).model_dump())

    # -- items ------------------------------------------------------------------------------

    async def list_items(self, *, page: int, per_page: int, all_pages: bool, progress: Progress | None) -> ItemPage:
        action = "list items"
        rows, info = await self._list(
            self._path("items", action),
            action,
            {},
            page=page,
            per_page=per_page,
            all_pages=all_pages,
            progress=progress,
            row=ItemRow,
        )
        return ItemPage(items=[ItemRow.model_validate(row) for row in rows], page=info)

    async def delete_item(self, item_id: int) -> Deleted:
        action = "delete item"
        return await self._delete(self._path("item", action, item_id=item_id), item_id, action, "sp_list_items")

    # -- invoices and users -----------------------------------------------------------------

    async def list_invoices(
        self,
        *,
        created_at: str | None,
        updated_at: str | None,
        page: int,
        per_page: int,
        all_pages: bool,
        progress: Progress | None,
    ) -> InvoicePage:
        action = "list invoices"
        rows, info = await self._list(
            self._path("invoices", action),
            action,
            {"created_at": created_at, "updated_at": updated_at},
            page=page,
            per_page=per_page,
            all_pages=all_pages,
            progress=progress,
            row=Invoice,
        )
        return InvoicePage(invoices=[Invoice.model_validate(row) for row in rows], page=info)

    async def get_invoice(self, invoice_id: int) -> Invoice:
        action = "get invoice"
        return await self._object(self._path("invoice", action, invoice_id=invoice_id), action, Invoice)

    async def list_users(self, *, page: int, per_page: int, all_pages: bool, progress: Progress | None) -> UserPage:
        action = "list users"
        rows, info = await self._list(
            self._path("users", action),
            action,
            {},
            page=page,
            per_page=per_page,
            all_pages=all_pages,
            progress=progress,
            row=User,
        )
        return UserPage(users=[User.model_validate(row) for row in rows], page=info)


_NO_SUCH_ITEM = "The item does not exist or belongs to another client; sp_list_client_items shows the client's items."


def _result_bytes(rows: list[dict[str, Any]], row: type[BaseModel] | None) -> int:
    """What a page of rows costs in the tool's result (the row model drops most vendor fields)."""
    if row is not None:
        try:
            return sum(len(row.model_validate(r).model_dump_json(by_alias=True)) for r in rows)
        except ValueError:
            pass  # an odd row: the vendor's own JSON is the (larger, so cautious) measure
    return len(json.dumps(rows, separators=(",", ":"), default=str))
