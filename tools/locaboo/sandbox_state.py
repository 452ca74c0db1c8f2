"""The Locaboo simulator's state and rules: one method per vendor operation.

Each operation takes the request's :class:`Params` and returns the full JSON answer
(``{"data", "total", "success"}``) or raises :class:`SandboxError`. Rule numbers (L1-L13) refer to
section 3 of the Locaboo reference; where Locaboo's behaviour is unknown the reference's SAFE
CHOICE is implemented and marked.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from tools.locaboo import sandbox_recurrence as rec
from tools.locaboo.phpform import as_list
from tools.locaboo.sandbox_data import DemoData
from tools.locaboo.sandbox_model import (
    BERLIN,
    BLOCKING_STATUSES,
    HEX_COLOR,
    BookedResource,
    Booking,
    BookingStatus,
    Customer,
    Event,
    FreeTextField,
    Instance,
    Item,
    Params,
    Part,
    Resource,
    SandboxError,
    bad_request,
    is_blank,
    to_flag,
    to_int,
    to_time,
)

SAVE_STATUSES = ("Live", "Draft", "Complete", "Cancel")
SAVE_SALUTATIONS = ("Mr", "Ms/Mrs", "Pr", "Dr")
CONDITIONS = ("less_than", "less_than_et", "et", "great_than", "great_than_et", "")

#: Every field customer_add / customer_edit accept (reference §2.14).
CUSTOMER_FIELDS = [
    "color",
    "customer_number",
    "customer_number_prefix",
    "customer_account_number",
    "debtor_account_number",
    "customer_group_id",
    "customer_tags",
    "default_customer_group",
    "company_name",
    "customer_department",
    "matriculation_number",
    "salutation",
    "salutation_title",
    "customer_function",
    "first_name",
    "last_name",
    "show_name",
    "street",
    "house_number",
    "zip",
    "city",
    "country",
    "ust_id",
    "email",
    "phone",
    "website",
    "mobile",
    "customer_newsletter",
    "bank_owner",
    "iban",
    "bic",
    "mandate",
    "internal_comment",
    "reference_sign_shown_invoice",
    "reference_sign",
    "financial_number_shown_invoice",
    "financial_number",
    "cost_centre_shown_invoice",
    "cost_centre",
    "reference_number_shown_invoice",
    "reference_number",
    "master_id",
    "primion_id",
]
ADDRESS_FIELDS = [
    "company_name",
    "salutation",
    "salutation_title",
    "function",
    "first_name",
    "last_name",
    "street",
    "house_number",
    "zip",
    "city",
    "country",
    "UstID",
    "address_type",
    "phone",
    "email",
    "mobile",
]
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _ymd_hm(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


def _dmy(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def _dmy_hm(value: datetime) -> str:
    return value.strftime("%d.%m.%Y %H:%M")


def _hm(value: time) -> str:
    return value.strftime("%H:%M")


def _iso(value: datetime) -> str:
    return value.astimezone(BERLIN).isoformat(timespec="seconds")


def _php_object(mapping: dict[str, Any]) -> dict[str, Any] | list[Any]:
    # PHP's json_encode writes an empty associative array as [] (reference §4 "Empty collections").
    return mapping if mapping else []


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 2)


def ok(data: Any, *, total: int | None = None) -> dict[str, Any]:
    return {"data": data, "total": total, "success": True} if total is not None else {"data": data, "success": True}


@dataclass(frozen=True)
class _FieldFilter:
    field: FreeTextField
    condition: str
    value: str


class LocabooSandbox:
    """In-memory Locaboo account. Public methods without a Params argument are test hooks."""

    def __init__(self, data: DemoData, now: Callable[[], datetime]) -> None:
        self._clock = now
        self.profile = data.profile
        self.fields = {f.id: f for f in data.fields}
        self.groups = data.groups
        self.resources = {r.id: r for r in data.resources}
        self.parts: dict[int, tuple[Resource, Part]] = {p.id: (r, p) for r in data.resources for p in r.parts}
        self.holidays = data.holidays
        self.customers = {c.id: c for c in data.customers}
        self.items = {i.id: i for i in data.items}
        self.bookings = {b.id: b for b in data.bookings}
        self.events = {e.id: e for e in data.events}
        self.invoices = {i.id: i for i in data.invoices}
        self._next_booking = data.next_booking_id
        self._next_instance = data.next_instance_id
        self._next_customer = max(self.customers) + 1
        self._next_address = 7701

    # --- clock and lookups ---------------------------------------------------------------------

    def now(self) -> datetime:
        """The simulator's clock as naive Europe/Berlin wall time."""
        current = self._clock()
        if current.tzinfo is not None:
            current = current.astimezone(BERLIN)
        return current.replace(tzinfo=None)

    def main_of(self, resource_id: int) -> Resource | None:
        if resource_id in self.resources:
            return self.resources[resource_id]
        if resource_id in self.parts:
            return self.parts[resource_id][0]
        return None

    def title_of(self, resource_id: int) -> str:
        if resource_id in self.parts:
            main, part = self.parts[resource_id]
            return f"{main.title} > {part.title}"
        return self.resources[resource_id].title

    def _related(self, resource_id: int) -> set[int]:
        """Ids whose bookings occupy ``resource_id``: itself, its main resource, and its parts."""
        main = self.main_of(resource_id)
        assert main is not None
        if resource_id == main.id:
            return {main.id, *(p.id for p in main.parts)}
        return {resource_id, main.id}

    def _field_values(self, resource_id: int) -> dict[int, str]:
        main = self.main_of(resource_id)
        assert main is not None
        values = dict(main.field_values)
        if resource_id in self.parts:
            values.update(self.parts[resource_id][1].field_values)
        return values

    def _require_resource(self, resource_id: int, name: str = "resource_id") -> Resource:
        main = self.main_of(resource_id)
        if main is None:
            raise SandboxError(404, f"Resource {resource_id} not found ({name})")
        return main

    def _require_customer(self, customer_id: int) -> Customer:
        customer = self.customers.get(customer_id)
        if customer is None:
            raise SandboxError(404, f"Customer {customer_id} not found")
        return customer

    def customer_name(self, customer: Customer | None) -> str:
        if customer is None:
            return ""
        f = customer.fields
        return (
            f.get("show_name") or f.get("company_name") or f"{f.get('first_name', '')} {f.get('last_name', '')}".strip()
        )

    # --- test hooks ----------------------------------------------------------------------------

    def booking(self, booking_id: int) -> Booking:
        return self.bookings[booking_id]

    def set_status(self, booking_id: int, status: BookingStatus) -> None:
        """Change a booking's status as the manager would in the dashboard (no conflict check)."""
        self.bookings[booking_id].status = status

    def confirm_request(self, booking_id: int) -> None:
        """The manager accepts a pending ``booking_request``: it becomes Live and blocks its slots."""
        booking = self.bookings[booking_id]
        if booking.status != "Request":
            raise ValueError(f"booking {booking_id} is {booking.status}, not a pending request")
        self._check_conflicts(booking.instances(), exclude=booking_id)
        booking.status = "Live"

    def is_free(self, resource_id: int, start: datetime, end: datetime) -> bool:
        """True when no blocking booking occupies ``resource_id`` between the wall times given."""
        probe = Instance(0, resource_id, start, end)
        return self._first_conflict([probe], exclude=None) is None

    # --- occupancy -----------------------------------------------------------------------------

    def _busy_index(self, exclude: int | None) -> dict[int, list[tuple[datetime, datetime, Booking, Instance]]]:
        index: dict[int, list[tuple[datetime, datetime, Booking, Instance]]] = defaultdict(list)
        for booking in self.bookings.values():
            if booking.id == exclude or booking.status not in BLOCKING_STATUSES:
                continue
            for instance in booking.instances():
                index[instance.resource_id].append((instance.start, instance.end, booking, instance))
        return index

    def _first_conflict(self, instances: Iterable[Instance], exclude: int | None) -> tuple[Instance, Instance] | None:
        index = self._busy_index(exclude)
        for new in instances:
            for rid in self._related(new.resource_id):
                for start, end, _booking, existing in index.get(rid, ()):
                    if start < new.end and new.start < end:
                        return new, existing
        return None

    def _check_conflicts(self, instances: Iterable[Instance], exclude: int | None) -> None:
        # L8: Locaboo's behaviour is unknown; SAFE CHOICE (reference) is to reject overlaps.
        clash = self._first_conflict(instances, exclude)
        if clash is not None:
            new, existing = clash
            raise SandboxError(
                409,
                f"{self.title_of(new.resource_id)} is not available from {_ymd_hm(new.start)} to "
                f"{_ymd_hm(new.end)}: it is already booked from {_ymd_hm(existing.start)} to "
                f"{_ymd_hm(existing.end)}",
            )

    def _is_holiday(self, resource_id: int, day: date) -> bool:
        main = self.main_of(resource_id)
        assert main is not None
        return any(h.start <= day <= h.end and h.resource_id in (None, main.id) for h in self.holidays)

    def _holidays_on(self, main_id: int, day: date) -> list[dict[str, str]]:
        return [
            {"title": h.title, "from": h.start.isoformat(), "to": h.end.isoformat()}
            for h in self.holidays
            if h.start <= day <= h.end and h.resource_id in (None, main_id)
        ]

    # --- serialisation -------------------------------------------------------------------------

    def _custom_fields_json(self, values: dict[int, dict[int, str]]) -> dict[str, Any] | list[Any]:
        result: dict[str, Any] = {}
        for rid, fields in values.items():
            result[str(rid)] = {
                f"mf_{fid}": {"label": self.fields[fid].name, "value": value, "category": 0}
                for fid, value in fields.items()
            }
        return _php_object(result)

    def _instance_json(self, instance: Instance, *, with_fields: bool, dmy: bool = False) -> dict[str, Any]:
        fmt = _dmy_hm if dmy else _ymd_hm
        out: dict[str, Any] = {
            "id": instance.id,
            "resource_id": instance.resource_id,
            "resource": self.title_of(instance.resource_id),
            "from": fmt(instance.start),
            "to": fmt(instance.end),
        }
        if with_fields:
            out["custom_fields"] = self._custom_fields_json(instance.custom_fields)
        return out

    def _price_for(self, item: Item, customer_id: int | None) -> tuple[float, str]:
        group = self.customers[customer_id].fields.get("group_id") if customer_id in self.customers else None
        chosen = next((p for p in item.prices if p.customer_groups and group in p.customer_groups), None)
        chosen = chosen or next((p for p in item.prices if p.customer_groups is None), item.prices[0])
        return float(chosen.price), chosen.interval

    def _extras_json(self, extras: dict[int, int], customer_id: int | None) -> dict[str, Any] | list[Any]:
        result: dict[str, Any] = {}
        for item_id, quantity in extras.items():
            item = self.items[item_id]
            price, interval = self._price_for(item, customer_id)
            result[str(item_id)] = {
                "rule_interval": interval,
                "rule_price": price,
                "rule_name": item.name,
                "price_cost": _number(float(item.price_cost)),
                "quantity": str(quantity),
            }
        return _php_object(result)

    def _list_item(
        self, booking: Booking, resources: list[tuple[BookedResource, list[Instance]]], details: bool
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": booking.id,
            "title": booking.title,
            "resources": [
                {
                    "resource_id": br.main_id,
                    "resource": self.title_of(br.main_id),
                    # L11: booking_list keys instances by id (as strings, PHP-style).
                    "instances": {str(i.id): self._instance_json(i, with_fields=details) for i in instances},
                }
                for br, instances in resources
            ],
        }
        if details:
            out["custom_fields"] = self._custom_fields_json(booking.custom_fields)
        customer = self.customers.get(booking.customer_id) if booking.customer_id else None
        out.update(
            {
                "comments": booking.comments,
                "customer_id": str(booking.customer_id or ""),  # a string here, an int elsewhere
                "customer": self.customer_name(customer),
                "color": booking.color,
                "persons": booking.persons,
            }
        )
        return out

    def _details_json(self, booking: Booking) -> dict[str, Any]:
        return {
            "id": booking.id,
            "title": booking.title,
            "resources": [
                {
                    "resource_id": br.main_id,
                    "resource": self.title_of(br.main_id),
                    # L11: booking/{id} lists instances as an array.
                    "instances": [self._instance_json(i, with_fields=True) for i in br.instances],
                    "features": self._extras_json(br.services, booking.customer_id),
                    "inventory": self._extras_json(br.inventory, booking.customer_id),
                    "custom_fields": self._custom_fields_json(
                        {br.main_id: booking.custom_fields[br.main_id]} if br.main_id in booking.custom_fields else {}
                    ),
                }
                for br in booking.resources
            ],
            "comments": booking.comments,
            "customer_id": str(booking.customer_id or ""),
            "persons": booking.persons,
            "color": booking.color,
        }

    # --- read operations -----------------------------------------------------------------------

    def resource_list(self, _p: Params) -> dict[str, Any]:
        data = [
            {"id": r.id, "title": r.title, "parts": [{"id": p.id, "title": p.title} for p in r.parts]}
            for r in self.resources.values()
        ]
        fields = [
            {"id": f.id, "name": f.name, "type": f.type, **({"options": list(f.options)} if f.type == "select" else {})}
            for f in self.fields.values()
        ]
        return {"data": data, "total": len(data), "free_text_fields": fields, "success": True}

    def resource_details(self, _p: Params, resource_id: int) -> dict[str, Any]:
        main = self.main_of(resource_id)
        if main is None:
            raise SandboxError(404, "Not found")
        today = self.now().date()
        data = {
            "id": resource_id,
            "manager": main.manager,
            "title": self.title_of(resource_id) if resource_id != main.id else main.title,
            "image": main.image,
            "category_id": main.category_id,
            "category_name": main.category_name,
            "street_hnr": main.street_hnr,
            "zip": main.zip,
            "city": main.city,
            "country": main.country,
            "phone": main.phone,
            "fax": main.fax,
            "public_comment": main.public_comment,
            "today_opening_times": [[_hm(a), _hm(b)] for a, b in main.opening_hours.get(today.weekday(), [])],
            "today_holidays": self._holidays_on(main.id, today),
        }
        return ok(data, total=1)

    def _date_range(self, p: Params) -> tuple[date, date]:
        date_from = p.date("date_from", required=True)
        date_to = p.date("date_to", required=True)
        assert date_from is not None and date_to is not None
        if date_to < date_from:
            raise bad_request("date_to must not be before date_from")
        return date_from, date_to

    def booking_list(self, p: Params) -> dict[str, Any]:
        date_from, date_to = self._date_range(p)
        time_from, time_to = p.time("time_from"), p.time("time_to")
        resource_id = p.integer("resource_id")
        if resource_id is not None:
            self._require_resource(resource_id)
        details_flag = (p.text("show_details") or "false").lower()
        if details_flag not in ("true", "false", "1", "0"):
            raise bad_request("show_details must be true or false")
        details = details_flag in ("true", "1")
        wanted = self._related(resource_id) if resource_id is not None else None

        def matches(instance: Instance) -> bool:
            if instance.start.date() > date_to or instance.end.date() < date_from:
                return False
            if time_from is not None and instance.end.time() <= time_from:
                return False
            if time_to is not None and instance.start.time() >= time_to:
                return False
            return wanted is None or instance.resource_id in wanted

        data = []
        for booking in sorted(self.bookings.values(), key=lambda b: b.id):
            # Cancelled bookings no longer occupy anything; Locaboo's list is a calendar view.
            if booking.status == "Cancel":
                continue
            resources = [(br, [i for i in br.instances if matches(i)]) for br in booking.resources]
            resources = [(br, found) for br, found in resources if found]
            if resources:
                data.append(self._list_item(booking, resources, details))
        return ok(data, total=len(data))

    def booking_details(self, _p: Params, booking_id: int) -> dict[str, Any]:
        booking = self.bookings.get(booking_id)
        if booking is None:
            raise SandboxError(404, "Not found")
        return ok(self._details_json(booking), total=1)

    def profile_details(self, _p: Params) -> dict[str, Any]:
        data = dict(self.profile)
        created: date = data["created"]
        data["created"] = created.isoformat()
        today = self.now().date()
        data["age"] = str(today.year - created.year - ((today.month, today.day) < (created.month, created.day)))
        return ok(data, total=1)

    def customer_list(self, _p: Params) -> dict[str, Any]:
        data = []
        for c in sorted(self.customers.values(), key=lambda c: c.id):
            f = c.fields
            data.append(
                {
                    "id": c.id,
                    "email": f.get("email"),
                    "company_name": f.get("company_name"),
                    "first_name": f.get("first_name"),
                    "last_name": f.get("last_name"),
                    "show_name": self.customer_name(c),
                    "group_id": f.get("group_id", 0),
                    "created": _iso(c.created),
                    "street": f.get("street"),
                    "zip": f.get("zip"),
                    "city": f.get("city"),
                    "phone": f.get("phone"),
                    "noletter": f.get("noletter"),
                    "color": f.get("color"),
                    "salutation": f.get("salutation"),
                    "country": f.get("country"),
                    "customer_number": f.get("customer_number"),
                    "active": "",
                    "last_login": _iso(c.last_login) if c.last_login else "",
                }
            )
        return ok(data, total=len(data))

    def _item_json(self, item: Item) -> dict[str, Any]:
        prices = [
            {
                "price": price.price,
                "customer_groups": (
                    ["All"]
                    if price.customer_groups is None
                    else {str(g): self.groups[g] for g in price.customer_groups}
                ),
                "interval": price.interval,
                "tax": price.tax,
            }
            for price in item.prices
        ]
        out: dict[str, Any] = {
            "id": item.id,
            "name": item.name,
            "image": item.image,
            "created_on": _iso(item.created_on),
            "description": item.description,
        }
        if item.kind == "inventory":
            out.update(
                {
                    "inventory_no": item.inventory_no,
                    "i_type": item.i_type,
                    "model": item.model,
                    "serial_no": item.serial_no,
                    "quantity": str(item.quantity),
                    "price_cost": item.price_cost,
                }
            )
        out["prices"] = prices
        out["resources"] = {str(rid): self.title_of(rid) for rid in item.resource_ids}
        return out

    def inventory_list(self, _p: Params) -> dict[str, Any]:
        data = [self._item_json(i) for i in self.items.values() if i.kind == "inventory"]
        return ok(data, total=len(data))

    def service_list(self, _p: Params) -> dict[str, Any]:
        data = [self._item_json(i) for i in self.items.values() if i.kind == "service"]
        return ok(data, total=len(data))

    def invoice_list(self, _p: Params) -> dict[str, Any]:
        data = []
        for invoice in sorted(self.invoices.values(), key=lambda i: i.id):
            customer = self.customers[invoice.customer_id].fields
            rows = []
            for row in invoice.rows:
                price = row.price * row.hours
                net = price - (row.discount or 0)
                tax = round(net * row.tax_rate / 100, 2)
                rows.append(
                    {
                        "id": row.id,
                        "date": _dmy(row.day),
                        "resource_id": row.resource_id,
                        "booking_id": row.booking_id,
                        "type": "Einzel",
                        "rate": f"{_number(row.price)} Pro Stunde",
                        "duration": _number(row.hours),
                        "unit": "hours",
                        "price": _number(price),
                        "discount": _number(row.discount) if row.discount is not None else None,
                        "tax_rate": row.tax_rate,
                        "tax": _number(tax),
                        "total": _number(net + tax),
                    }
                )
            total = sum(r["total"] for r in rows) - invoice.discount_rate
            data.append(
                {
                    "id": invoice.id,
                    "invoice_number": invoice.invoice_number,
                    "created": _dmy_hm(invoice.created),
                    "file": f"Rechnung_{invoice.invoice_number}.pdf",
                    "discount_price": _number(invoice.discount_rate),
                    "total_price": _number(total),
                    "currency": invoice.currency,
                    "text": invoice.text,
                    "discount": {"type": "amount", "rate": _number(invoice.discount_rate)},
                    "payment_status": invoice.payment_status,
                    "payment_type": invoice.payment_type,
                    "status": invoice.status,
                    "due_date": _dmy(invoice.due_date),
                    "customer": {
                        "id": invoice.customer_id,
                        "company": customer.get("company_name") or "",
                        "first_name": customer.get("first_name") or "",
                        "last_name": customer.get("last_name") or "",
                        "street": customer.get("street") or "",
                        "house_number": customer.get("house_number") or "",
                        "zip": customer.get("zip") or "",
                        "city": customer.get("city") or "",
                        "country": customer.get("country") or "DE",
                    },
                    "invoice_rows": rows,
                }
            )
        return ok(data, total=len(data))

    def _event_json(self, event: Event) -> dict[str, Any]:
        return {
            "id": event.id,
            "event_title": event.event_title,
            "marketing_data_title": event.marketing_data_title,
            "marketing_data_description": event.marketing_data_description,
            "date_from": _dmy(event.date_from),
            "date_to": _dmy(event.date_to),
            "time_from": _hm(event.time_from),
            "time_to": _hm(event.time_to),
            "entrance_time": _hm(event.entrance_time),
            "beginning_time": _hm(event.beginning_time),
            "marketing_data_ticket_link": event.marketing_data_ticket_link,
            "marketing_data_price": event.marketing_data_price,
            "marketing_data_notice_text": event.marketing_data_notice_text,
            "image": event.image,
        }

    def event_list(self, p: Params) -> dict[str, Any]:
        date_from, date_to = p.date("date_from"), p.date("date_to")
        if date_from and date_to and date_to < date_from:
            raise bad_request("date_to must not be before date_from")
        data = [
            self._event_json(e)
            for e in sorted(self.events.values(), key=lambda e: (e.date_from, e.id))
            if (date_to is None or e.date_from <= date_to) and (date_from is None or e.date_to >= date_from)
        ]
        return ok(data, total=len(data))

    def event_details(self, _p: Params, event_id: int) -> dict[str, Any]:
        event = self.events.get(event_id)
        if event is None:
            raise SandboxError(404, "Not found")
        out = self._event_json(event)
        out["id"] = str(event.id)  # a string in event_details, an int in event_list
        documents = []
        for doc in event.documents:
            bookings = []
            for bid in doc.booking_ids:
                booking = self.bookings[bid]
                bookings.append(
                    {
                        "id": booking.id,
                        "title": booking.title,
                        "resources": [
                            {
                                "resource_id": br.main_id,
                                "resource": self.title_of(br.main_id),
                                "instances": [
                                    self._instance_json(i, with_fields=False, dmy=True) for i in br.instances
                                ],
                            }
                            for br in booking.resources
                        ],
                    }
                )
            documents.append(
                {
                    "document_type": doc.document_type,
                    "document_number": doc.document_number,
                    "price": doc.price,
                    "document_date": _dmy(doc.document_date),
                    "processed_status": doc.processed_status,
                    "processed_date": _dmy(doc.processed_date) if doc.processed_date else None,
                    "bookings": bookings,
                }
            )
        out["documents"] = documents
        return ok([out], total=1)

    # --- availability (L9) ---------------------------------------------------------------------

    def _field_filters(self, p: Params) -> list[_FieldFilter]:
        # Reference §4: the text names the parameters *_str, the example URL leaves the suffix off.
        # SAFE CHOICE: accept both (the *_str name wins when both are sent).
        def pick(stem: str) -> tuple[str, str | None]:
            for name in (f"{stem}_str", stem):
                if name in p.values:
                    value = p.values[name]
                    return name, "" if value is None else str(value)
            return f"{stem}_str", None

        ids_name, ids_text = pick("free_text_field_ids")
        if ids_text is None or not ids_text.strip():
            return []
        conds_name, conds_text = pick("free_text_field_conditions")
        values_name, values_text = pick("free_text_field_values")
        if conds_text is None:
            raise bad_request(f"{conds_name} is required if {ids_name} is passed")
        if values_text is None:
            raise bad_request(f"{values_name} is required if {ids_name} is passed")
        ids = [s.strip() for s in ids_text.split(",")]
        conditions = [s.strip() for s in conds_text.split(",")]
        values = [s.strip() for s in values_text.split(",")]
        if not (len(ids) == len(conditions) == len(values)):
            raise bad_request(
                f"{ids_name}, {conds_name} and {values_name} must have the same number of comma-separated entries"
            )
        filters = []
        for raw_id, condition, value in zip(ids, conditions, values, strict=True):
            field_id = to_int(raw_id, ids_name)
            definition = self.fields.get(field_id)
            if definition is None:
                raise bad_request(f"Unknown free text field id {field_id}")
            if condition not in CONDITIONS:
                raise bad_request(
                    f"{conds_name}: unknown condition {condition!r} (allowed: {', '.join(CONDITIONS[:-1])} or empty)"
                )
            if definition.type == "numeric" and value and not _is_number(value):
                raise bad_request(f"{values_name}: {value!r} is not a number (free text field {field_id} is numeric)")
            filters.append(_FieldFilter(definition, condition, value))
        return filters

    def _matches(self, resource_id: int, filters: list[_FieldFilter]) -> bool:
        values = self._field_values(resource_id)
        for f in filters:
            if f.value == "":
                continue  # an empty value does not restrict (the vendor allows empty values)
            actual = values.get(f.field.id)
            if actual is None:
                return False
            if f.condition in ("", "et"):
                # An empty condition is undocumented; the simulator treats it as equality.
                same = (
                    float(actual) == float(f.value)
                    if f.field.type == "numeric"
                    else actual.casefold() == f.value.casefold()
                )
                if not same:
                    return False
                continue
            if not (_is_number(actual) and _is_number(f.value)):
                return False
            a, b = float(actual), float(f.value)
            passed = {
                "less_than": a < b,
                "less_than_et": a <= b,
                "great_than": a > b,
                "great_than_et": a >= b,
            }[f.condition]
            if not passed:
                return False
        return True

    def _targets(self, p: Params) -> list[int]:
        raw = p.text("resource_id")
        if raw is None:
            requested = list(self.resources)
        else:
            requested = [to_int(piece, "resource_id") for piece in raw.split(",") if piece.strip()]
        targets: list[int] = []
        for rid in requested:
            main = self._require_resource(rid)
            # A main resource with parts answers per part (reference §2.6 example: 48 -> 49, 50).
            expanded = [part.id for part in main.parts] if rid == main.id and main.parts else [rid]
            targets.extend(t for t in expanded if t not in targets)
        return targets

    def availability(self, p: Params) -> dict[str, Any]:
        date_from, date_to = self._date_range(p)
        time_from, time_to = p.time("time_from"), p.time("time_to")
        if time_from and time_to and time_to <= time_from:
            raise bad_request("time_to must be after time_from")
        duration_text = p.text("duration") or "01:00"
        if not re.fullmatch(r"\d{2}:\d{2}", duration_text):
            raise bad_request("duration must be in format H:i")
        duration = timedelta(hours=int(duration_text[:2]), minutes=int(duration_text[3:]))
        if duration <= timedelta(0) or int(duration_text[3:]) > 59:
            raise bad_request("duration must be a positive time in format H:i")
        limit = p.integer("limit")
        if limit is not None and limit < 1:
            raise bad_request("limit must be a positive integer")
        filters = self._field_filters(p)
        targets = self._targets(p)

        busy = self._busy_index(exclude=None)
        now = self.now()
        remaining = limit
        total = 0
        data = []
        for target in targets:
            main = self.main_of(target)
            assert main is not None
            dates: dict[str, list[dict[str, str]]] = {}
            if self._matches(target, filters):
                occupied = [(s, e) for rid in self._related(target) for s, e, _b, _i in busy.get(rid, ())]
                day = date_from
                while day <= date_to and remaining != 0:
                    slots = self._slots(main, target, day, time_from, time_to, duration, occupied, now)
                    if remaining is not None:
                        slots = slots[:remaining]
                        remaining -= len(slots)
                    if slots:
                        dates[day.isoformat()] = [{"time_from": _hm(a), "time_to": _hm(b)} for a, b in slots]
                        total += len(slots)
                    day += timedelta(days=1)
            data.append({"resource_id": target, "dates": _php_object(dates)})
        return ok(data, total=total)

    def _slots(
        self,
        main: Resource,
        target: int,
        day: date,
        time_from: time | None,
        time_to: time | None,
        duration: timedelta,
        occupied: list[tuple[datetime, datetime]],
        now: datetime,
    ) -> list[tuple[time, time]]:
        """Back-to-back ``duration`` windows in the free stretches of the day's opening hours.

        Slots start at the beginning of each free stretch (opening, or the end of a booking), so
        a booking ending at 09:30 makes 09:30 the next start; slots that start in the past are
        left out.
        """
        if self._is_holiday(target, day):
            return []
        busy = sorted((s, e) for s, e in occupied if s.date() <= day <= e.date())
        slots: list[tuple[time, time]] = []
        for open_from, open_to in main.opening_hours.get(day.weekday(), []):
            start = datetime.combine(day, max(open_from, time_from) if time_from else open_from)
            end = datetime.combine(day, min(open_to, time_to) if time_to else open_to)
            for free_from, free_to in _free_stretches(start, end, busy):
                cursor = free_from
                while cursor + duration <= free_to:
                    if cursor >= now:
                        slots.append((cursor.time(), (cursor + duration).time()))
                    cursor += duration
        return slots

    # --- writes --------------------------------------------------------------------------------

    def _new_instances(self, resource_ids: list[int], occurrences: list[rec.Occurrence]) -> list[Instance]:
        instances = []
        for rid in resource_ids:
            for occurrence in occurrences:
                instances.append(Instance(self._next_instance, rid, occurrence.start, occurrence.end))
                self._next_instance += 1
        instances.sort(key=lambda i: (i.start, i.resource_id))
        return instances

    def _take_booking_id(self) -> int:
        self._next_booking += 1
        return self._next_booking - 1

    def booking_add(self, p: Params) -> dict[str, Any]:
        mode = p.choice("booking_mode", ("direct_booking", "booking_request"), required=True)
        recurring_raw = p.raw("recurring")
        if recurring_raw is None:
            raise bad_request("recurring is required")
        recurring = to_flag(recurring_raw, "recurring")
        date_from, date_to = self._date_range(p)
        main_id = p.integer("main_resource", required=True)
        assert main_id is not None
        occurrences = self._occurrences(p, recurring, date_from, date_to)
        if not occurrences:
            raise bad_request("The booking has no dates between date_from and date_to")

        if main_id in self.parts:
            raise bad_request(
                f"main_resource {main_id} is a part of resource {self.parts[main_id][0].id}: "
                "pass the main resource and list the part in resource_parts"
            )
        if main_id not in self.resources:
            raise SandboxError(404, f"Resource {main_id} not found (main_resource)")
        targets = self._resource_targets(p, main_id)

        custom_color = p.flag("custom_color")
        color = p.text("color")
        if custom_color == 1:
            if color is None:
                raise bad_request("color is required if custom_color is 1")
            if not HEX_COLOR.fullmatch(color):
                raise bad_request("color must be a hex colour like #ff0000")
        customer_id = p.integer("customer_id")
        if customer_id is not None:
            self._require_customer(customer_id)
        persons = [to_int(v, "persons") for v in (p.listing("persons") or [])]
        season_id = p.integer("season_id")
        entrance_hall = p.flag("entrance_hall")
        hidden = p.flag("booking_hidden_widget")
        category_fields = self._category_fields(p, targets)
        inventory = self._extras(p, "inventory", targets, customer_id)
        services = self._extras(p, "services", targets, customer_id)

        booked = [
            BookedResource(
                main,
                self._new_instances(rids, occurrences),
                inventory.get(main, {}),
                services.get(main, {}),
            )
            for main, rids in targets.items()
        ]
        status: BookingStatus = "Live" if mode == "direct_booking" else "Request"
        instances = [i for br in booked for i in br.instances]
        if status in BLOCKING_STATUSES:
            self._check_conflicts(instances, exclude=None)
        booking = Booking(
            self._take_booking_id(),
            p.text("title") or "",
            status,
            booked,
            customer_id=customer_id,
            persons=persons,
            color=color if custom_color == 1 and color else "#1e88e5",
            comments=p.text("comments") or "",
            internal_comments=p.text("internal_comments") or "",
            custom_fields=category_fields,
            season_id=season_id,
            entrance_hall=entrance_hall,
            booking_hidden_widget=hidden,
        )
        self.bookings[booking.id] = booking
        return ok([{"id": booking.id, "message": "Successfully created the booking."}], total=1)

    def _occurrences(self, p: Params, recurring: int, date_from: date, date_to: date) -> list[rec.Occurrence]:
        if recurring == 0:
            multi_day = p.flag("multi_day")
            if multi_day:
                start = p.time("time_from") or rec.DAY_START
                end = p.time("time_to") or rec.DAY_END
                if date_from == date_to and end <= start:
                    raise bad_request("time_to must be after time_from")
                return rec.multi_day(date_from, date_to, start, end)
            start = p.time("time_from")
            end = p.time("time_to")
            if start is None:
                raise bad_request("time_from is required if recurring is 0")
            if end is None:
                raise bad_request("time_to is required if recurring is 0")
            if end <= start:
                raise bad_request("time_to must be after time_from")
            return rec.single(date_from, date_to, start, end)

        kind = p.choice("recurrence_type", ("day", "week", "month", "year"))
        if kind is None:
            raise bad_request("recurrence_type is required if recurring is 1")
        name = {"day": "daily", "week": "weekly", "month": "monthly", "year": "yearly"}[kind] + "_recurrence"
        if p.raw(name) is None:
            raise bad_request(f"{name} is required if recurrence_type is {kind}")
        if kind == "day":
            start, end = _item_times(_mapping(p.raw(name), name), name)
            return rec.daily(date_from, date_to, start, end)
        if kind == "week":
            every = p.choice("weekly_type_select", tuple(rec.WEEKLY_INTERVALS)) or "week"
            items = as_list(p.raw(name))
            if not items:
                raise bad_request(f"{name} must be a non-empty array of days")
            spec = []
            for index, raw_item in enumerate(items):
                path = f"{name}[{index}]"
                item = _mapping(raw_item, path)
                day = str(item.get("day", "")).strip().lower()
                if day not in rec.WEEKDAYS:
                    raise bad_request(f"{path}[day] must be one of {', '.join(rec.WEEKDAYS)}")
                start, end = _item_times(item, path)
                spec.append(rec.WeeklyItem(rec.WEEKDAYS.index(day), start, end))
            return rec.weekly(date_from, date_to, spec, rec.WEEKLY_INTERVALS[every])
        if kind == "month":
            rule = _mapping(p.raw(name), name)
            mode = str(rule.get("mode", "")).strip()
            if mode not in ("day", "week"):
                raise bad_request(f"{name}[mode] must be day or week")
            days = _mapping(rule.get("days"), f"{name}[days]")
            every = _bounded(days.get("month"), f"{name}[days][month]", 1, 12)
            start, end = _item_times(rule, name)
            if mode == "day":
                day_of_month = _bounded(days.get("day"), f"{name}[days][day]", 1, 31)
                return rec.monthly_by_day(date_from, date_to, day_of_month, every, start, end)
            week_number = _bounded(days.get("week_number"), f"{name}[days][week_number]", 1, 5)
            week_day = str(days.get("week_day", "")).strip().lower()
            if week_day not in rec.WEEKDAYS:
                raise bad_request(f"{name}[days][week_day] must be one of {', '.join(rec.WEEKDAYS)}")
            return rec.monthly_by_weekday(
                date_from, date_to, week_number, rec.WEEKDAYS.index(week_day), every, start, end
            )
        rule = _mapping(p.raw(name), name)
        month = _bounded(rule.get("month"), f"{name}[month]", 1, 12)
        day_of_month = _bounded(rule.get("day"), f"{name}[day]", 1, 31)
        if day_of_month > [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]:
            raise bad_request(f"{name}: month {month} has no day {day_of_month}")
        start, end = _item_times(rule, name)
        return rec.yearly(date_from, date_to, day_of_month, month, start, end)

    def _resource_targets(self, p: Params, main_id: int) -> dict[int, list[int]]:
        """L5: main resource -> the ids the instances go on (its parts when given, else itself)."""
        parts_map = p.mapping("resource_parts") or {}
        targets: dict[int, list[int]] = {main_id: [main_id]}
        for key, raw_parts in parts_map.items():
            rid = to_int(key, "resource_parts")
            if rid in self.parts:
                raise bad_request(f"resource_parts: {rid} is a part; the keys must be main resources")
            if rid not in self.resources:
                raise SandboxError(404, f"Resource {rid} not found (resource_parts)")
            part_ids = as_list(raw_parts) if not isinstance(raw_parts, int | str) else [raw_parts]
            if not part_ids:
                raise bad_request(f"resource_parts[{rid}] must list at least one part")
            own = {part.id for part in self.resources[rid].parts}
            chosen: list[int] = []
            for raw in part_ids:
                part_id = to_int(raw, f"resource_parts[{rid}]")
                if part_id not in own:
                    raise bad_request(f"resource_parts[{rid}]: {part_id} is not a part of resource {rid}")
                if part_id not in chosen:
                    chosen.append(part_id)
            targets[rid] = chosen
        return targets

    def _category_fields(self, p: Params, targets: dict[int, list[int]]) -> dict[int, dict[int, str]]:
        """L7: ``{resource_id: {free_text_field_id: value}}`` for resources of this booking."""
        raw = p.mapping("category_fields") or {}
        result: dict[int, dict[int, str]] = {}
        for key, values in raw.items():
            rid = to_int(key, "category_fields")
            if rid not in targets:
                raise bad_request(f"category_fields: resource {rid} is not booked in this booking")
            mapping = _mapping(values, f"category_fields[{rid}]")
            for field_key, value in mapping.items():
                field_id = to_int(field_key, f"category_fields[{rid}]")
                definition = self.fields.get(field_id)
                if definition is None:
                    raise bad_request(f"category_fields[{rid}]: unknown free text field id {field_id}")
                text = "" if value is None else str(value).strip()
                if definition.type == "select" and text and text not in definition.options:
                    raise bad_request(
                        f"category_fields[{rid}][{field_id}]: {text!r} is not an option of "
                        f"{definition.name} ({', '.join(definition.options)})"
                    )
                if definition.type == "numeric" and text and not _is_number(text):
                    raise bad_request(f"category_fields[{rid}][{field_id}]: {definition.name} must be a number")
                result.setdefault(rid, {})[field_id] = text
        return result

    def _extras(
        self, p: Params, name: str, targets: dict[int, list[int]], customer_id: int | None
    ) -> dict[int, dict[int, int]]:
        """``{resource_id: {item_id: {"checked": "on", "quantity": n}}}`` -> resource -> item -> n."""
        kind = "inventory" if name == "inventory" else "service"
        raw = p.mapping(name) or {}
        result: dict[int, dict[int, int]] = {}
        for key, items in raw.items():
            rid = to_int(key, name)
            if rid not in targets:
                raise bad_request(f"{name}: resource {rid} is not booked in this booking")
            for item_key, spec in _mapping(items, f"{name}[{rid}]").items():
                path = f"{name}[{rid}][{item_key}]"
                item_id = to_int(item_key, path)
                item = self.items.get(item_id)
                if item is None or item.kind != kind:
                    raise SandboxError(404, f"{path}: {kind} {item_id} not found")
                entry = _mapping(spec, path)
                if str(entry.get("checked", "")).strip().lower() != "on":
                    continue  # an unticked box: the form sends the row but nothing is booked
                bookable = {rid, *targets[rid]}
                if not bookable & set(item.resource_ids):
                    raise bad_request(f"{path}: {item.name} cannot be booked with {self.title_of(rid)}")
                quantity = to_int(entry.get("quantity", 1), f"{path}[quantity]")
                if quantity < 1:
                    raise bad_request(f"{path}[quantity] must be at least 1")
                if kind == "inventory" and quantity > item.quantity:
                    raise bad_request(f"{path}[quantity]: only {item.quantity} x {item.name} in stock")
                result.setdefault(rid, {})[item_id] = quantity
        return result

    def booking_save(self, p: Params) -> dict[str, Any]:
        status = p.choice("booking_status", SAVE_STATUSES)
        p.choice("customer_salutation", SAVE_SALUTATIONS)
        booking_id = p.integer("booking_id")
        if booking_id is None:
            return self._booking_save_create(p, status or "Live")
        booking = self.bookings.get(booking_id)
        if booking is None:
            raise SandboxError(404, f"Booking {booking_id} not found")
        reschedule = any(p.has(n) for n in ("resource_id", "date_from", "date_to", "time_from", "time_to"))
        new_resources = booking.resources
        if reschedule:
            if not (p.has("date_from") and p.has("date_to")):
                raise bad_request("date_from and date_to are required to move a booking")
            date_from, date_to = self._date_range(p)
            resource_id = p.integer("resource_id")
            if resource_id is not None:
                main = self._require_resource(resource_id)
                layout = {main.id: [resource_id]}
            else:
                layout = {br.main_id: sorted({i.resource_id for i in br.instances}) for br in booking.resources}
            occurrences = rec.single(
                date_from, date_to, p.time("time_from") or rec.DAY_START, p.time("time_to") or rec.DAY_END
            )
            if occurrences[0].end <= occurrences[0].start:
                raise bad_request("time_to must be after time_from")
            old = {br.main_id: br for br in booking.resources}
            new_resources = [
                BookedResource(
                    m,
                    self._new_instances(rids, occurrences),
                    old[m].inventory if m in old else {},
                    old[m].services if m in old else {},
                )
                for m, rids in layout.items()
            ]
        # On an update an omitted booking_status keeps the current one; the documented default
        # "Live" is applied to new bookings (the vendor does not say; the simulator will not revive
        # a cancelled booking by accident).
        new_status = cast(BookingStatus, status or booking.status)
        if new_status in BLOCKING_STATUSES:
            self._check_conflicts([i for br in new_resources for i in br.instances], exclude=booking.id)
        customer_id = self._customer_from_save(p)
        booking.resources = new_resources
        booking.status = new_status
        if customer_id is not None:
            booking.customer_id = customer_id
        return ok([{"id": booking.id, "message": "Successfully updated the booking."}], total=0)

    def _booking_save_create(self, p: Params, status: str) -> dict[str, Any]:
        resource_id = p.integer("resource_id", required=True)
        assert resource_id is not None
        date_from, date_to = self._date_range(p)
        main = self._require_resource(resource_id)
        start = p.time("time_from") or rec.DAY_START
        end = p.time("time_to") or rec.DAY_END
        if end <= start:
            raise bad_request("time_to must be after time_from")
        instances = self._new_instances([resource_id], rec.single(date_from, date_to, start, end))
        if status in BLOCKING_STATUSES:
            self._check_conflicts(instances, exclude=None)
        customer_id = self._customer_from_save(p)
        booking = Booking(
            self._take_booking_id(),
            "",
            cast(BookingStatus, status),
            [BookedResource(main.id, instances)],
            customer_id=customer_id,
        )
        self.bookings[booking.id] = booking
        # The vendor's example message, typo included; clients must not match on message text.
        return ok([{"id": booking.id, "message": "Successfully cerated the booking."}], total=0)

    def _customer_from_save(self, p: Params) -> int | None:
        """booking_save's customer_* fields: whether Locaboo matches or creates is unknown.

        The simulator matches an existing customer by e-mail and otherwise creates one when a
        name or company is given.
        """
        email = p.text("customer_email")
        if email:
            for customer in self.customers.values():
                if (customer.fields.get("email") or "").casefold() == email.casefold():
                    return customer.id
            if not _EMAIL.fullmatch(email):
                raise bad_request("customer_email is not a valid e-mail address")
        first, last, company = p.text("customer_first_name"), p.text("customer_last_name"), p.text("customer_company")
        if not (last or company):
            return None
        salutation = p.text("customer_salutation")
        fields: dict[str, Any] = {
            "email": email,
            "first_name": first,
            "last_name": last,
            "company_name": company,
            "street": p.text("customer_street"),
            "zip": p.text("customer_zip"),
            "city": p.text("customer_city"),
            "phone": p.text("customer_phone"),
            "salutation": {"Mr": 0, "Ms/Mrs": 1}.get(salutation or ""),
            "group_id": 0,
        }
        return self._store_customer({k: v for k, v in fields.items() if v is not None}).id

    def _store_customer(self, fields: dict[str, Any]) -> Customer:
        created = self.now().replace(microsecond=0, tzinfo=BERLIN)
        customer = Customer(self._next_customer, created, fields)
        self._next_customer += 1
        self.customers[customer.id] = customer
        return customer

    def _customer_fields(self, p: Params) -> dict[str, Any]:
        """L12 and the documented value sets for customer_add / customer_edit."""
        fields: dict[str, Any] = {}
        for name in CUSTOMER_FIELDS:
            if not p.has(name):
                continue
            if name in ("salutation", "salutation_title", "customer_newsletter"):
                fields[name] = p.flag(name)
            elif name in ("customer_group_id", "default_customer_group"):
                fields[name] = p.integer(name)
            else:
                fields[name] = p.text(name)
        if "color" in fields and not HEX_COLOR.fullmatch(fields["color"]):
            raise bad_request("color must be a hex colour like #ff0000")
        if "email" in fields and not _EMAIL.fullmatch(fields["email"]):
            raise bad_request("email is not a valid e-mail address")
        if "customer_group_id" in fields:
            if fields["customer_group_id"] not in self.groups:
                raise bad_request(f"customer_group_id {fields['customer_group_id']} does not exist")
            fields["group_id"] = fields["customer_group_id"]
        if "customer_newsletter" in fields:
            fields["noletter"] = 1 - fields["customer_newsletter"]
        return fields

    def customer_add(self, p: Params) -> dict[str, Any]:
        fields = self._customer_fields(p)
        # Nothing is documented as required; SAFE CHOICE (reference §2.14): a name or a company.
        if not (fields.get("last_name") or fields.get("company_name")):
            raise bad_request("last_name or company_name is required")
        fields.setdefault("group_id", 0)
        customer = self._store_customer(fields)
        return ok([{"id": customer.id, "message": "Successfully Added"}])

    def customer_edit(self, p: Params) -> dict[str, Any]:
        customer_id = p.integer("customer_id", required=True)
        assert customer_id is not None
        customer = self._require_customer(customer_id)
        fields = self._customer_fields(p)
        merged = {**customer.fields, **fields}
        if not (merged.get("last_name") or merged.get("company_name")):
            raise bad_request("last_name or company_name is required")
        customer.fields = merged
        return ok([{"id": customer.id, "message": "Edited successfully"}])

    def customer_address_add(self, p: Params) -> dict[str, Any]:
        customer_id = p.integer("customer_id", required=True)
        assert customer_id is not None
        customer = self._require_customer(customer_id)
        addresses = p.listing("address")
        if not addresses:
            raise bad_request("address is required")
        stored = []
        for index, raw in enumerate(addresses):
            path = f"address[{index}]"
            entry = _mapping(raw, path)
            unknown = sorted(set(entry) - set(ADDRESS_FIELDS))
            if unknown:
                raise bad_request(f"{path}: unknown field {unknown[0]}")
            address: dict[str, Any] = {}
            for key, value in entry.items():
                if is_blank(value):
                    continue
                if key in ("salutation", "salutation_title"):
                    address[key] = to_flag(value, f"{path}[{key}]")
                else:
                    address[key] = str(value).strip()
            if address.get("address_type", "") not in ("", "secondary"):
                raise bad_request(f"{path}[address_type] must be empty or secondary")
            if not any(address.get(k) for k in ("company_name", "last_name", "street")):
                raise bad_request(f"{path} needs at least a company_name, last_name or street")
            address["id"] = self._next_address
            self._next_address += 1
            stored.append(address)
        customer.addresses.extend(stored)
        return ok([{"id": a["id"], "message": "Successfully Added"} for a in stored])


def _free_stretches(
    start: datetime, end: datetime, busy: list[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    """The parts of [start, end) not covered by any of the (sorted) busy intervals."""
    free: list[tuple[datetime, datetime]] = []
    cursor = start
    for b_start, b_end in busy:
        if b_end <= cursor:
            continue
        if b_start >= end:
            break
        if b_start > cursor:
            free.append((cursor, b_start))
        cursor = max(cursor, b_end)
    if cursor < end:
        free.append((cursor, end))
    return free


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _mapping(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad_request(f"{name} must be an array with named keys")
    return value


def _bounded(value: Any, name: str, low: int, high: int) -> int:
    if is_blank(value):
        raise bad_request(f"{name} is required")
    number = to_int(value, name)
    if not low <= number <= high:
        raise bad_request(f"{name} must be between {low} and {high}")
    return number


def _item_times(item: dict[str, Any], name: str) -> tuple[time, time]:
    """``from``/``to`` of a recurrence item, or the whole day when ``full_day`` is 1 (L4)."""
    if not is_blank(item.get("full_day")) and to_flag(item["full_day"], f"{name}[full_day]") == 1:
        return rec.DAY_START, rec.DAY_END
    if is_blank(item.get("from")):
        raise bad_request(f"{name}[from] is required unless full_day is 1")
    if is_blank(item.get("to")):
        raise bad_request(f"{name}[to] is required unless full_day is 1")
    start, end = to_time(item["from"], f"{name}[from]"), to_time(item["to"], f"{name}[to]")
    if end <= start:
        raise bad_request(f"{name}[to] must be after {name}[from]")
    return start, end
