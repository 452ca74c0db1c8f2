"""Typed async client for the Locaboo API v2: one method per operation.

The key travels as the ``api_secret_key`` query parameter on every call (reference §1.1). It is
handed to the shared HTTP layer as a query credential (``Connection.params``) and registered as
a secret, so it never appears in a log record, an error or a result; no URL is built here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo

import httpx2
from mcp.server.mcpserver.exceptions import ToolError

from agenda_mcp.server.kit import ConfigError, Connection, ErrorDetail, VendorHTTP, redact, zone_name
from agenda_mcp.tools.locaboo import dates, phpform
from agenda_mcp.tools.locaboo.models import (
    AddressesAdded,
    Availability,
    Booking,
    BookingList,
    BookingWritten,
    CatalogueItem,
    Customer,
    CustomerList,
    CustomerWritten,
    EventDetails,
    EventList,
    InventoryItem,
    InventoryList,
    InvoiceList,
    Profile,
    ResourceDetails,
    ResourceList,
    ServiceList,
    parse,
)

DEFAULT_BASE_URL = "https://app.locaboo.com/api/v2"
KEY_PARAM = "api_secret_key"
BOOKINGS_HINT = "locaboo_booking_list (or locaboo_booking_details)"


def connection(env: Mapping[str, str]) -> Connection:
    key = env.get("LOCABOO_API_KEY", "").strip()
    base_url = env.get("LOCABOO_BASE_URL", "").strip() or DEFAULT_BASE_URL
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(f"LOCABOO_BASE_URL must be a URL like {DEFAULT_BASE_URL} (got {base_url!r})")
    timezone(env)  # a bad LOCABOO_TIMEZONE should stop start-up, not the first call
    return Connection(
        base_url=base_url,
        headers={"Accept": "application/json"},
        params={KEY_PARAM: key},
        secrets=(key,),
    )


def timezone(env: Mapping[str, str]) -> ZoneInfo:
    """The zone Locaboo's wall-clock times are in (LOCABOO_TIMEZONE, default Europe/Berlin)."""
    name = env.get("LOCABOO_TIMEZONE", "").strip() or dates.DEFAULT_TIMEZONE
    try:
        return dates.resolve_timezone(name)
    except ValueError as exc:
        raise ConfigError(f"LOCABOO_TIMEZONE: {exc}") from None


def describe_error(response: httpx2.Response) -> ErrorDetail:
    """Locaboo documents no error body; whatever message it carries is passed on."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return ErrorDetail()
    return ErrorDetail(message=_message(body))


def _message(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    for key in ("message", "error", "errors", "msg"):
        value = body.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, list | dict) and value:
            return json.dumps(value, ensure_ascii=False)[:300]
    return None


def _data_list(body: dict[str, Any]) -> list[Any]:
    data = body.get("data")
    if isinstance(data, dict):
        return list(data.values())
    return data if isinstance(data, list) else []


def _first(body: dict[str, Any]) -> dict[str, Any]:
    items = _data_list(body)
    return items[0] if items and isinstance(items[0], dict) else {}


def _vendor_date(value: date | None) -> str | None:
    return dates.to_vendor_date(value) if value is not None else None


def _vendor_time(value: time | None) -> str | None:
    return dates.to_vendor_time(value) if value is not None else None


class LocabooClient:
    def __init__(self, http: VendorHTTP, tz: ZoneInfo) -> None:
        self.http = http
        self.tz = tz

    async def _call(self, method: str, path: str, action: str, **kwargs: Any) -> dict[str, Any]:
        """One request; the envelope's ``success`` must be true as well as the status 200."""
        body = await self.http.json(method, path, action=action, **kwargs)
        if not isinstance(body, dict):
            raise ToolError(f"Locaboo: {action} gave an empty or unexpected answer; try again.")
        if body.get("success") is not True:
            said = _message(body) or "no reason given"
            writes = kwargs.get("write") or method != "GET"
            tail = " Nothing was changed; correct the request and try again." if writes else " Check the arguments."
            raise ToolError(redact(f"Locaboo: {action} failed — {said}.{tail}"))
        return body

    async def _get(self, path: str, action: str, params: Mapping[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        return await self._call("GET", path, action, params=params, **kw)

    async def _post(self, path: str, action: str, fields: Mapping[str, Any], **kw: Any) -> dict[str, Any]:
        # SAFE CHOICE (reference §1.2): form-encoded PHP bracket notation; keys are unique.
        return await self._call("POST", path, action, data=dict(phpform.encode(fields)), **kw)

    # -- reads --------------------------------------------------------------------------------

    async def resource_list(self) -> ResourceList:
        body = await self._get("resource_list", "list resources")
        return parse(
            ResourceList, {"resources": _data_list(body), "free_text_fields": body.get("free_text_fields")}, self.tz
        )

    async def resource_details(self, resource_id: int) -> ResourceDetails:
        body = await self._get(
            f"resource/{resource_id}",
            "get resource",
            hints={404: "No resource with that id; locaboo_resource_list shows resources and their parts."},
        )
        return parse(ResourceDetails, body.get("data"), self.tz)

    async def booking_list(
        self,
        date_from: date,
        date_to: date,
        *,
        resource_id: int | None = None,
        time_from: time | None = None,
        time_to: time | None = None,
        show_details: bool = False,
    ) -> BookingList:
        params = {
            "date_from": _vendor_date(date_from),
            "date_to": _vendor_date(date_to),
            "resource_id": resource_id,
            "time_from": _vendor_time(time_from),
            "time_to": _vendor_time(time_to),
            "show_details": "true" if show_details else "false",
        }
        body = await self._get("booking_list", "list bookings", params)
        bookings = _data_list(body)
        return parse(BookingList, {"bookings": bookings, "total": len(bookings)}, self.tz)

    async def booking_details(self, booking_id: int) -> Booking:
        body = await self._get(
            f"booking/{booking_id}",
            "get booking",
            hints={404: "No booking with that id; locaboo_booking_list shows the bookings of a period."},
        )
        return parse(Booking, body.get("data"), self.tz)

    async def availability(
        self,
        date_from: date,
        date_to: date,
        *,
        resource_ids: list[int] | None = None,
        time_from: time | None = None,
        time_to: time | None = None,
        duration: str = "01:00",
        limit: int | None = None,
        conditions: Mapping[str, str] | None = None,
    ) -> Availability:
        params: dict[str, Any] = {
            "resource_id": ",".join(str(r) for r in resource_ids) if resource_ids else None,
            "date_from": _vendor_date(date_from),
            "date_to": _vendor_date(date_to),
            "time_from": _vendor_time(time_from),
            "time_to": _vendor_time(time_to),
            "duration": duration,
            "limit": limit,
            **(conditions or {}),
        }
        body = await self._get("availability", "get availability", params)
        resources = _data_list(body)
        availability = parse(
            Availability, {"timezone": zone_name(self.tz), "resources": resources, "total": 0}, self.tz
        )
        # `total` is unreliable at Locaboo (reference §4): count what came back.
        availability.total = sum(len(r.slots) for r in availability.resources)
        return availability

    async def profile(self) -> Profile:
        body = await self._get("profile", "get profile")
        return parse(Profile, body.get("data"), self.tz)

    async def customer_list(self) -> list[Customer]:
        body = await self._get("customer_list", "list customers")
        # One validation of the whole list, not one call into pydantic per customer.
        customers = _data_list(body)
        return parse(CustomerList, {"customers": customers, "total": len(customers)}, self.tz).customers

    async def inventory_list(self) -> InventoryList:
        body = await self._get("inventory_list", "list inventory")
        return InventoryList(inventory=[parse(InventoryItem, i, self.tz) for i in _data_list(body)])

    async def service_list(self) -> ServiceList:
        body = await self._get("service_list", "list services")
        return ServiceList(services=[parse(CatalogueItem, i, self.tz) for i in _data_list(body)])

    async def invoice_list(self) -> InvoiceList:
        body = await self._get("invoice_list", "list invoices")
        return parse(InvoiceList, {"invoices": _data_list(body)}, self.tz)

    async def event_list(self, date_from: date | None = None, date_to: date | None = None) -> EventList:
        params = {"date_from": _vendor_date(date_from), "date_to": _vendor_date(date_to)}
        body = await self._get("event_list", "list events", params)
        return parse(EventList, {"events": _data_list(body)}, self.tz)

    async def event_details(self, event_id: int) -> EventDetails:
        body = await self._get(
            f"event_details/{event_id}",
            "get event",
            hints={404: "No event with that id; locaboo_event_list shows the events of a period."},
        )
        return parse(EventDetails, _first(body), self.tz)

    # -- writes: sent once, never retried -----------------------------------------------------

    async def booking_save(self, params: Mapping[str, Any]) -> BookingWritten:
        updating = params.get("booking_id") is not None
        body = await self._get(
            "booking_save",
            "update booking" if updating else "save booking",
            params,
            # A GET that changes data (reference §2.11): the HTTP layer must not retry it.
            write=True,
            verify_with=BOOKINGS_HINT,
            hints={
                404: "No booking (or resource) with that id; locaboo_booking_list shows bookings.",
                409: "That time is no longer available; find a free slot with locaboo_availability.",
            },
        )
        return _booking_written(body, params.get("booking_id"))

    async def booking_add(self, fields: Mapping[str, Any]) -> BookingWritten:
        body = await self._post(
            "booking_add",
            "add booking",
            fields,
            verify_with=BOOKINGS_HINT,
            hints={
                404: "An id in the request does not exist (resource, customer, inventory or service); "
                "check it with the list tools.",
                409: "That time is no longer available; find a free slot with locaboo_availability.",
            },
        )
        return _booking_written(body, None)

    async def customer_add(self, fields: Mapping[str, Any]) -> CustomerWritten:
        body = await self._post("customer_add", "add customer", fields, verify_with="locaboo_customer_list")
        return _customer_written(body, None)

    async def customer_edit(self, customer_id: int, fields: Mapping[str, Any]) -> CustomerWritten:
        body = await self._post(
            "customer_edit",
            "edit customer",
            {"customer_id": customer_id, **fields},
            verify_with="locaboo_customer_list",
            hints={404: "No customer with that id; locaboo_customer_list shows customers."},
        )
        return _customer_written(body, customer_id)

    async def customer_address_add(self, customer_id: int, addresses: list[dict[str, Any]]) -> AddressesAdded:
        body = await self._post(
            "customer_address_add",
            "add customer address",
            {"customer_id": customer_id, "address": addresses},
            verify_with="locaboo_customer_list",
            hints={404: "No customer with that id; locaboo_customer_list shows customers."},
        )
        written = [entry for entry in _data_list(body) if isinstance(entry, dict)]
        ids = [int(entry["id"]) for entry in written if str(entry.get("id", "")).isdigit()]
        message = next((str(e["message"]) for e in written if e.get("message")), None)
        return AddressesAdded(customer_id=customer_id, address_ids=ids, message=message)


def _written_id(body: dict[str, Any], fallback: int | None, action: str) -> tuple[int, str | None]:
    entry = _first(body)
    raw = entry.get("id", fallback)
    if raw is None or not str(raw).isdigit():
        raise ToolError(f"Locaboo: {action} reported success without an id; check the result with the list tools.")
    message = entry.get("message")
    return int(raw), str(message) if message else None


def _booking_written(body: dict[str, Any], fallback: Any) -> BookingWritten:
    booking_id, message = _written_id(body, fallback, "the booking")
    return BookingWritten(booking_id=booking_id, message=message)


def _customer_written(body: dict[str, Any], fallback: int | None) -> CustomerWritten:
    customer_id, message = _written_id(body, fallback, "the customer")
    return CustomerWritten(customer_id=customer_id, message=message)
