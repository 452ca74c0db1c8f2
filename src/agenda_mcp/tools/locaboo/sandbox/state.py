"""The Locaboo simulator's state, occupancy rules and write operations (`LocabooSandbox`).

Each operation takes the request's :class:`Params` and returns the full JSON answer
(``{"data", "total", "success"}``) or raises :class:`SandboxError`; the read operations live in
``reads.py`` and availability in ``availability.py`` (functions of this state), the routes in
``app.py``. Rule numbers (L1-L13) refer to section 3 of the Locaboo reference; where Locaboo's
behaviour is unknown the reference's SAFE CHOICE is implemented and marked.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, cast

from agenda_mcp.tools.locaboo.phpform import as_list
from agenda_mcp.tools.locaboo.sandbox import recurrence as rec
from agenda_mcp.tools.locaboo.sandbox.data import DemoData
from agenda_mcp.tools.locaboo.sandbox.model import (
    BERLIN,
    BLOCKING_STATUSES,
    HEX_COLOR,
    BookedResource,
    Booking,
    BookingStatus,
    Customer,
    Instance,
    Params,
    Part,
    Resource,
    SandboxError,
    as_mapping,
    bad_request,
    date_range,
    is_blank,
    is_number,
    ok,
    to_flag,
    to_int,
    ymd_hm,
)

SAVE_STATUSES = ("Live", "Draft", "Complete", "Cancel")
SAVE_SALUTATIONS = ("Mr", "Ms/Mrs", "Pr", "Dr")

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

    def related(self, resource_id: int) -> set[int]:
        """Ids whose bookings occupy ``resource_id``: itself, its main resource, and its parts."""
        main = self.main_of(resource_id)
        assert main is not None
        if resource_id == main.id:
            return {main.id, *(p.id for p in main.parts)}
        return {resource_id, main.id}

    def field_values(self, resource_id: int) -> dict[int, str]:
        main = self.main_of(resource_id)
        assert main is not None
        values = dict(main.field_values)
        if resource_id in self.parts:
            values.update(self.parts[resource_id][1].field_values)
        return values

    def require_resource(self, resource_id: int, name: str = "resource_id") -> Resource:
        main = self.main_of(resource_id)
        if main is None:
            raise SandboxError(404, f"Resource {resource_id} not found ({name})")
        return main

    def require_customer(self, customer_id: int) -> Customer:
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
        self.check_conflicts(booking.instances(), exclude=booking_id)
        booking.status = "Live"

    def is_free(self, resource_id: int, start: datetime, end: datetime) -> bool:
        """True when no blocking booking occupies ``resource_id`` between the wall times given."""
        probe = Instance(0, resource_id, start, end)
        return self.first_conflict([probe], exclude=None) is None

    # --- occupancy -----------------------------------------------------------------------------

    def busy_index(self, exclude: int | None) -> dict[int, list[tuple[datetime, datetime, Booking, Instance]]]:
        index: dict[int, list[tuple[datetime, datetime, Booking, Instance]]] = defaultdict(list)
        for booking in self.bookings.values():
            if booking.id == exclude or booking.status not in BLOCKING_STATUSES:
                continue
            for instance in booking.instances():
                index[instance.resource_id].append((instance.start, instance.end, booking, instance))
        return index

    def first_conflict(self, instances: Iterable[Instance], exclude: int | None) -> tuple[Instance, Instance] | None:
        index = self.busy_index(exclude)
        for new in instances:
            for rid in self.related(new.resource_id):
                for start, end, _booking, existing in index.get(rid, ()):
                    if start < new.end and new.start < end:
                        return new, existing
        return None

    def check_conflicts(self, instances: Iterable[Instance], exclude: int | None) -> None:
        # L8: Locaboo's behaviour is unknown; SAFE CHOICE (reference) is to reject overlaps.
        clash = self.first_conflict(instances, exclude)
        if clash is not None:
            new, existing = clash
            raise SandboxError(
                409,
                f"{self.title_of(new.resource_id)} is not available from {ymd_hm(new.start)} to "
                f"{ymd_hm(new.end)}: it is already booked from {ymd_hm(existing.start)} to "
                f"{ymd_hm(existing.end)}",
            )

    def is_holiday(self, resource_id: int, day: date) -> bool:
        main = self.main_of(resource_id)
        assert main is not None
        return any(h.start <= day <= h.end and h.resource_id in (None, main.id) for h in self.holidays)

    def holidays_on(self, main_id: int, day: date) -> list[dict[str, str]]:
        return [
            {"title": h.title, "from": h.start.isoformat(), "to": h.end.isoformat()}
            for h in self.holidays
            if h.start <= day <= h.end and h.resource_id in (None, main_id)
        ]

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
        date_from, date_to = date_range(p)
        main_id = p.integer("main_resource", required=True)
        assert main_id is not None
        occurrences = rec.occurrences_from(p, recurring, date_from, date_to)
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
            self.require_customer(customer_id)
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
            self.check_conflicts(instances, exclude=None)
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
            mapping = as_mapping(values, f"category_fields[{rid}]")
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
                if definition.type == "numeric" and text and not is_number(text):
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
            for item_key, spec in as_mapping(items, f"{name}[{rid}]").items():
                path = f"{name}[{rid}][{item_key}]"
                item_id = to_int(item_key, path)
                item = self.items.get(item_id)
                if item is None or item.kind != kind:
                    raise SandboxError(404, f"{path}: {kind} {item_id} not found")
                entry = as_mapping(spec, path)
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
            date_from, date_to = date_range(p)
            resource_id = p.integer("resource_id")
            if resource_id is not None:
                main = self.require_resource(resource_id)
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
            self.check_conflicts([i for br in new_resources for i in br.instances], exclude=booking.id)
        customer_id = self._customer_from_save(p)
        booking.resources = new_resources
        booking.status = new_status
        if customer_id is not None:
            booking.customer_id = customer_id
        return ok([{"id": booking.id, "message": "Successfully updated the booking."}], total=0)

    def _booking_save_create(self, p: Params, status: str) -> dict[str, Any]:
        resource_id = p.integer("resource_id", required=True)
        assert resource_id is not None
        date_from, date_to = date_range(p)
        main = self.require_resource(resource_id)
        start = p.time("time_from") or rec.DAY_START
        end = p.time("time_to") or rec.DAY_END
        if end <= start:
            raise bad_request("time_to must be after time_from")
        instances = self._new_instances([resource_id], rec.single(date_from, date_to, start, end))
        if status in BLOCKING_STATUSES:
            self.check_conflicts(instances, exclude=None)
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
        customer = self.require_customer(customer_id)
        fields = self._customer_fields(p)
        merged = {**customer.fields, **fields}
        if not (merged.get("last_name") or merged.get("company_name")):
            raise bad_request("last_name or company_name is required")
        customer.fields = merged
        return ok([{"id": customer.id, "message": "Edited successfully"}])

    def customer_address_add(self, p: Params) -> dict[str, Any]:
        customer_id = p.integer("customer_id", required=True)
        assert customer_id is not None
        customer = self.require_customer(customer_id)
        addresses = p.listing("address")
        if not addresses:
            raise bad_request("address is required")
        stored = []
        for index, raw in enumerate(addresses):
            path = f"address[{index}]"
            entry = as_mapping(raw, path)
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
