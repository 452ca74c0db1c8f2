"""The simulator's read operations and how it writes records in Locaboo's JSON.

Locaboo's answers are PHP-shaped: empty objects come out as ``[]``, ``customer_id`` is a string
in bookings, instances are keyed by id in ``booking_list`` but listed in ``booking/{id}``, and
dates use a different notation per endpoint. The simulator reproduces each of these so the
client is tested against realistic answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agenda_mcp.tools.locaboo.sandbox.model import (
    BookedResource,
    Booking,
    Event,
    Instance,
    Item,
    Params,
    SandboxError,
    bad_request,
    date_range,
    dmy,
    dmy_hm,
    hm,
    iso,
    number,
    ok,
    php_object,
    ymd_hm,
)

if TYPE_CHECKING:
    from datetime import date

    from agenda_mcp.tools.locaboo.sandbox.state import LocabooSandbox


# --- records as JSON -------------------------------------------------------------------------


def _custom_fields_json(s: LocabooSandbox, values: dict[int, dict[int, str]]) -> dict[str, Any] | list[Any]:
    result: dict[str, Any] = {}
    for rid, fields in values.items():
        result[str(rid)] = {
            f"mf_{fid}": {"label": s.fields[fid].name, "value": value, "category": 0} for fid, value in fields.items()
        }
    return php_object(result)


def _instance_json(s: LocabooSandbox, instance: Instance, *, with_fields: bool, dotted: bool = False) -> dict[str, Any]:
    fmt = dmy_hm if dotted else ymd_hm
    out: dict[str, Any] = {
        "id": instance.id,
        "resource_id": instance.resource_id,
        "resource": s.title_of(instance.resource_id),
        "from": fmt(instance.start),
        "to": fmt(instance.end),
    }
    if with_fields:
        out["custom_fields"] = _custom_fields_json(s, instance.custom_fields)
    return out


def _price_for(s: LocabooSandbox, item: Item, customer_id: int | None) -> tuple[float, str]:
    group = s.customers[customer_id].fields.get("group_id") if customer_id in s.customers else None
    chosen = next((p for p in item.prices if p.customer_groups and group in p.customer_groups), None)
    chosen = chosen or next((p for p in item.prices if p.customer_groups is None), item.prices[0])
    return float(chosen.price), chosen.interval


def _extras_json(s: LocabooSandbox, extras: dict[int, int], customer_id: int | None) -> dict[str, Any] | list[Any]:
    result: dict[str, Any] = {}
    for item_id, quantity in extras.items():
        item = s.items[item_id]
        price, interval = _price_for(s, item, customer_id)
        result[str(item_id)] = {
            "rule_interval": interval,
            "rule_price": price,
            "rule_name": item.name,
            "price_cost": number(float(item.price_cost)),
            "quantity": str(quantity),
        }
    return php_object(result)


def _list_item(
    s: LocabooSandbox, booking: Booking, resources: list[tuple[BookedResource, list[Instance]]], details: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": booking.id,
        "title": booking.title,
        "resources": [
            {
                "resource_id": br.main_id,
                "resource": s.title_of(br.main_id),
                # L11: booking_list keys instances by id (as strings, PHP-style).
                "instances": {str(i.id): _instance_json(s, i, with_fields=details) for i in instances},
            }
            for br, instances in resources
        ],
    }
    if details:
        out["custom_fields"] = _custom_fields_json(s, booking.custom_fields)
    customer = s.customers.get(booking.customer_id) if booking.customer_id else None
    out.update(
        {
            "comments": booking.comments,
            "customer_id": str(booking.customer_id or ""),  # a string here, an int elsewhere
            "customer": s.customer_name(customer),
            "color": booking.color,
            "persons": booking.persons,
        }
    )
    return out


def _details_json(s: LocabooSandbox, booking: Booking) -> dict[str, Any]:
    return {
        "id": booking.id,
        "title": booking.title,
        "resources": [
            {
                "resource_id": br.main_id,
                "resource": s.title_of(br.main_id),
                # L11: booking/{id} lists instances as an array.
                "instances": [_instance_json(s, i, with_fields=True) for i in br.instances],
                "features": _extras_json(s, br.services, booking.customer_id),
                "inventory": _extras_json(s, br.inventory, booking.customer_id),
                "custom_fields": _custom_fields_json(
                    s, {br.main_id: booking.custom_fields[br.main_id]} if br.main_id in booking.custom_fields else {}
                ),
            }
            for br in booking.resources
        ],
        "comments": booking.comments,
        "customer_id": str(booking.customer_id or ""),
        "persons": booking.persons,
        "color": booking.color,
    }


# --- operations ------------------------------------------------------------------------------


def resource_list(s: LocabooSandbox, _p: Params) -> dict[str, Any]:
    data = [
        {"id": r.id, "title": r.title, "parts": [{"id": p.id, "title": p.title} for p in r.parts]}
        for r in s.resources.values()
    ]
    fields = [
        {"id": f.id, "name": f.name, "type": f.type, **({"options": list(f.options)} if f.type == "select" else {})}
        for f in s.fields.values()
    ]
    return {"data": data, "total": len(data), "free_text_fields": fields, "success": True}


def resource_details(s: LocabooSandbox, _p: Params, resource_id: int) -> dict[str, Any]:
    main = s.main_of(resource_id)
    if main is None:
        raise SandboxError(404, "Not found")
    today = s.now().date()
    data = {
        "id": resource_id,
        "manager": main.manager,
        "title": s.title_of(resource_id) if resource_id != main.id else main.title,
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
        "today_opening_times": [[hm(a), hm(b)] for a, b in main.opening_hours.get(today.weekday(), [])],
        "today_holidays": s.holidays_on(main.id, today),
    }
    return ok(data, total=1)


def booking_list(s: LocabooSandbox, p: Params) -> dict[str, Any]:
    date_from, date_to = date_range(p)
    time_from, time_to = p.time("time_from"), p.time("time_to")
    resource_id = p.integer("resource_id")
    if resource_id is not None:
        s.require_resource(resource_id)
    details_flag = (p.text("show_details") or "false").lower()
    if details_flag not in ("true", "false", "1", "0"):
        raise bad_request("show_details must be true or false")
    details = details_flag in ("true", "1")
    wanted = s.related(resource_id) if resource_id is not None else None

    def matches(instance: Instance) -> bool:
        if instance.start.date() > date_to or instance.end.date() < date_from:
            return False
        if time_from is not None and instance.end.time() <= time_from:
            return False
        if time_to is not None and instance.start.time() >= time_to:
            return False
        return wanted is None or instance.resource_id in wanted

    data = []
    for booking in sorted(s.bookings.values(), key=lambda b: b.id):
        # Cancelled bookings no longer occupy anything; Locaboo's list is a calendar view.
        if booking.status == "Cancel":
            continue
        resources = [(br, [i for i in br.instances if matches(i)]) for br in booking.resources]
        resources = [(br, found) for br, found in resources if found]
        if resources:
            data.append(_list_item(s, booking, resources, details))
    return ok(data, total=len(data))


def booking_details(s: LocabooSandbox, _p: Params, booking_id: int) -> dict[str, Any]:
    booking = s.bookings.get(booking_id)
    if booking is None:
        raise SandboxError(404, "Not found")
    return ok(_details_json(s, booking), total=1)


def profile_details(s: LocabooSandbox, _p: Params) -> dict[str, Any]:
    data = dict(s.profile)
    created: date = data["created"]
    data["created"] = created.isoformat()
    today = s.now().date()
    data["age"] = str(today.year - created.year - ((today.month, today.day) < (created.month, created.day)))
    return ok(data, total=1)


def customer_list(s: LocabooSandbox, _p: Params) -> dict[str, Any]:
    data = []
    for c in sorted(s.customers.values(), key=lambda c: c.id):
        f = c.fields
        data.append(
            {
                "id": c.id,
                "email": f.get("email"),
                "company_name": f.get("company_name"),
                "first_name": f.get("first_name"),
                "last_name": f.get("last_name"),
                "show_name": s.customer_name(c),
                "group_id": f.get("group_id", 0),
                "created": iso(c.created),
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
                "last_login": iso(c.last_login) if c.last_login else "",
            }
        )
    return ok(data, total=len(data))


def _item_json(s: LocabooSandbox, item: Item) -> dict[str, Any]:
    prices = [
        {
            "price": price.price,
            "customer_groups": (
                ["All"] if price.customer_groups is None else {str(g): s.groups[g] for g in price.customer_groups}
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
        "created_on": iso(item.created_on),
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
    out["resources"] = {str(rid): s.title_of(rid) for rid in item.resource_ids}
    return out


def inventory_list(s: LocabooSandbox, _p: Params) -> dict[str, Any]:
    data = [_item_json(s, i) for i in s.items.values() if i.kind == "inventory"]
    return ok(data, total=len(data))


def service_list(s: LocabooSandbox, _p: Params) -> dict[str, Any]:
    data = [_item_json(s, i) for i in s.items.values() if i.kind == "service"]
    return ok(data, total=len(data))


def invoice_list(s: LocabooSandbox, _p: Params) -> dict[str, Any]:
    data = []
    for invoice in sorted(s.invoices.values(), key=lambda i: i.id):
        customer = s.customers[invoice.customer_id].fields
        rows = []
        gross = 0.0
        for row in invoice.rows:
            price = row.price * row.hours
            net = price - (row.discount or 0)
            tax = round(net * row.tax_rate / 100, 2)
            gross += number(net + tax)
            rows.append(
                {
                    "id": row.id,
                    "date": dmy(row.day),
                    "resource_id": row.resource_id,
                    "booking_id": row.booking_id,
                    "type": "Einzel",
                    "rate": f"{number(row.price)} Pro Stunde",
                    "duration": number(row.hours),
                    "unit": "hours",
                    "price": number(price),
                    "discount": number(row.discount) if row.discount is not None else None,
                    "tax_rate": row.tax_rate,
                    "tax": number(tax),
                    "total": number(net + tax),
                }
            )
        total = gross - invoice.discount_rate
        data.append(
            {
                "id": invoice.id,
                "invoice_number": invoice.invoice_number,
                "created": dmy_hm(invoice.created),
                "file": f"Rechnung_{invoice.invoice_number}.pdf",
                "discount_price": number(invoice.discount_rate),
                "total_price": number(total),
                "currency": invoice.currency,
                "text": invoice.text,
                "discount": {"type": "amount", "rate": number(invoice.discount_rate)},
                "payment_status": invoice.payment_status,
                "payment_type": invoice.payment_type,
                "status": invoice.status,
                "due_date": dmy(invoice.due_date),
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


def _event_json(s: LocabooSandbox, event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "event_title": event.event_title,
        "marketing_data_title": event.marketing_data_title,
        "marketing_data_description": event.marketing_data_description,
        "date_from": dmy(event.date_from),
        "date_to": dmy(event.date_to),
        "time_from": hm(event.time_from),
        "time_to": hm(event.time_to),
        "entrance_time": hm(event.entrance_time),
        "beginning_time": hm(event.beginning_time),
        "marketing_data_ticket_link": event.marketing_data_ticket_link,
        "marketing_data_price": event.marketing_data_price,
        "marketing_data_notice_text": event.marketing_data_notice_text,
        "image": event.image,
    }


def event_list(s: LocabooSandbox, p: Params) -> dict[str, Any]:
    date_from, date_to = p.date("date_from"), p.date("date_to")
    if date_from and date_to and date_to < date_from:
        raise bad_request("date_to must not be before date_from")
    data = [
        _event_json(s, e)
        for e in sorted(s.events.values(), key=lambda e: (e.date_from, e.id))
        if (date_to is None or e.date_from <= date_to) and (date_from is None or e.date_to >= date_from)
    ]
    return ok(data, total=len(data))


def event_details(s: LocabooSandbox, _p: Params, event_id: int) -> dict[str, Any]:
    event = s.events.get(event_id)
    if event is None:
        raise SandboxError(404, "Not found")
    out = _event_json(s, event)
    out["id"] = str(event.id)  # a string in event_details, an int in event_list
    documents = []
    for doc in event.documents:
        bookings = []
        for bid in doc.booking_ids:
            booking = s.bookings[bid]
            bookings.append(
                {
                    "id": booking.id,
                    "title": booking.title,
                    "resources": [
                        {
                            "resource_id": br.main_id,
                            "resource": s.title_of(br.main_id),
                            "instances": [_instance_json(s, i, with_fields=False, dotted=True) for i in br.instances],
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
                "document_date": dmy(doc.document_date),
                "processed_status": doc.processed_status,
                "processed_date": dmy(doc.processed_date) if doc.processed_date else None,
                "bookings": bookings,
            }
        )
    out["documents"] = documents
    return ok([out], total=1)
