"""State and business rules of the ServicePlanner simulator (reference section 3, S1-S15).

The HTTP layer (app.py) parses requests and calls these methods with the caller's
company id; the methods validate like the vendor's Laravel form requests, raise
`ValidationFailed` (422) or `NotFound` (404), and return JSON-ready dicts.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal, TypeGuard

from agenda_mcp.tools.serviceplanner.sandbox.data import (
    COMPANY_ID,
    NETHERLANDS,
    OTHER_COMPANY_ID,
    Record,
    build_demo,
    geocode,
    month_window,
    next_plan_date,
)
from agenda_mcp.tools.serviceplanner.sandbox.laravel import (
    ValidationFailed,
    Validator,
    json_record,
    order_stamp,
    to_json,
)

SANDBOX_TOKEN = "sandbox-serviceplanner-token"
# A second tenant's token: its requests must not see the demo company's records (S2).
OTHER_COMPANY_TOKEN = "sandbox-serviceplanner-other-company-token"

ADDRESS_TYPES = ("invoice", "work")
APPOINTMENT_OR_INVITE = ("appointment", "invite")
# "" is what the vendor stores when nothing was chosen (S7); Laravel turns it into null first.
SEND_MAIL_TO_CLIENT = ("default", "direct")
WORKDAY_START, WORKDAY_END = time(8, 0), time(17, 0)
PLANNING_HORIZON_DAYS = 90
MAX_ATTACHMENT_KB = 10240

HtmlKind = Literal["redirect", "page"]


class NotFound(Exception):
    """Route-model binding failed: Laravel's 404 message names the model class."""

    def __init__(self, model: str, key: object) -> None:
        super().__init__(f"No query results for model [App\\Models\\{model}] {key}")


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    content: bytes


def _local_today(now: datetime) -> date:
    return now.date()


class ServicePlannerSandbox:
    """All records of the simulator plus the test hooks (public methods below `# test hooks`)."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        demo = build_demo(now())
        self.tokens: dict[str, int] = {SANDBOX_TOKEN: COMPANY_ID, OTHER_COMPANY_TOKEN: OTHER_COMPANY_ID}
        self.companies = demo.companies
        self.users = {row["id"]: row for row in demo.users}
        self.appointment_types = {row["id"]: row for row in demo.appointment_types}
        self.clients = {row["id"]: row for row in demo.clients}
        self.addresses = {row["id"]: row for row in demo.addresses}
        self.contact_persons = {row["id"]: row for row in demo.contact_persons}
        self.items = {row["id"]: row for row in demo.items}
        self.appointments = {row["id"]: row for row in demo.appointments}
        self.invoices = {row["id"]: row for row in demo.invoices}
        self.attachment_content: dict[int, bytes] = {}
        self._html: dict[str, HtmlKind] = {}
        self._per_minute: int | None = None
        self._hits: dict[tuple[str, datetime], int] = {}
        self._ids: dict[str, int] = {"attachment": 55000}
        for name in ("clients", "addresses", "contact_persons", "items", "appointments"):
            table: dict[int, Record] = getattr(self, name)
            self._ids[name] = max(table) if table else 1000

    # ---------------------------------------------------------------- test hooks

    def serve_html(self, path: str, kind: HtmlKind) -> None:
        """Make `path` ("*" = every path) answer like a misconfigured installation: "redirect" =
        302 to the login page, "page" = 200 with the login page's HTML instead of JSON."""
        self._html[path] = kind

    def clear_html(self) -> None:
        self._html.clear()

    def html_override(self, path: str) -> HtmlKind | None:
        return self._html.get(path) or self._html.get("*")

    def limit_requests(self, per_minute: int | None) -> None:
        """Turn on Laravel's `throttle` (reference 1.5: undocumented, commonly 60/min): past the
        limit a caller gets 429 with Retry-After until the minute is over. None = no limit."""
        self._per_minute = per_minute
        self._hits.clear()

    def throttle(self, caller: str) -> tuple[int, int, int] | None:
        """Count one request; (limit, remaining, seconds to wait) when limiting is on."""
        if self._per_minute is None:
            return None
        now = self._now()
        window = now.replace(second=0, microsecond=0)
        key = (caller, window)
        self._hits[key] = self._hits.get(key, 0) + 1
        wait = 60 - now.second
        return self._per_minute, self._per_minute - self._hits[key], wait

    def cancel_appointment(self, appointment_id: int) -> None:
        """The API has no cancel endpoint; the web app sets `canceled_at` (for status tests)."""
        self.appointments[appointment_id]["canceled_at"] = self.today()

    def mark_visited(self, appointment_id: int) -> None:
        self.appointments[appointment_id]["visited_at"] = self.today()

    # ---------------------------------------------------------------- lookups

    def now_utc(self) -> datetime:
        return self._now().astimezone(UTC).replace(microsecond=0)

    def today(self) -> date:
        return _local_today(self._now())

    def company_for(self, token: str | None) -> int | None:
        return self.tokens.get(token) if token else None

    @staticmethod
    def _alive(record: Record | None, company_id: int) -> TypeGuard[Record]:
        return record is not None and record["company_id"] == company_id and record.get("deleted_at") is None

    def live(self, table: Mapping[int, Record], company_id: int) -> list[Record]:
        return [row for row in table.values() if self._alive(row, company_id)]

    def find(self, table: Mapping[int, Record], company_id: int, key: str, model: str) -> Record:
        """Route-model binding: other companies' and soft-deleted records are not found (S2, S13)."""
        record = table.get(int(key)) if key.isdigit() else None
        if record is None or not self._alive(record, company_id):
            raise NotFound(model, key)
        return record

    def _exists(self, table: Mapping[int, Record], company_id: int, key: int | None) -> bool:
        return key is None or self._alive(table.get(key), company_id)

    def _next_id(self, name: str) -> int:
        self._ids[name] += 1
        return self._ids[name]

    # ---------------------------------------------------------------- rendering

    def render_client(self, client: Record) -> dict[str, Any]:
        return json_record(client)

    def client_name(self, client: Record) -> str:
        person = " ".join(part for part in (client["first_name"], client["last_name"]) if part)
        return client["company_name"] or person

    def render_client_detail(self, client: Record) -> dict[str, Any]:
        """Show: the client with its related collections (docs: name, appointments, addresses, ...)."""
        company_id, client_id = client["company_id"], client["id"]
        result = self.render_client(client)
        result["name"] = self.client_name(client)
        result["addresses"] = [
            self.render_address(row) for row in self.live(self.addresses, company_id) if row["client_id"] == client_id
        ]
        result["contact_persons"] = [
            json_record(row) for row in self.contact_persons.values() if row["client_id"] == client_id
        ]
        result["appointments"] = [
            self._appointment_fields(row)
            for row in self.live(self.appointments, company_id)
            if row["client_id"] == client_id
        ]
        result["invoices"] = [
            self.render_invoice(row) for row in self.live_invoices(company_id) if row["client_id"] == client_id
        ]
        result["offers"] = []
        return result

    def render_address(self, address: Record, *, with_client: bool = False) -> dict[str, Any]:
        result = json_record(address)
        if with_client:
            client = self.clients.get(address["client_id"])
            result["client"] = self.render_client(client) if client else None
        return result

    def render_type(self, appointment_type: Record) -> dict[str, Any]:
        return json_record(appointment_type)

    def render_user(self, user: Record) -> dict[str, Any]:
        return json_record(user)

    def render_item(self, item: Record, *, detail: bool = False) -> dict[str, Any]:
        result = json_record({key: value for key, value in item.items() if key not in ("comments", "attachments")})
        # The vendor's columns are strings and tinyints (docs: "time": "60", "plan_cycle": "12").
        result["time"] = str(item["time"])
        result["plan_cycle"] = str(item["plan_cycle"]) if item["plan_cycle"] is not None else None
        result["recurring"] = int(item["recurring"]) if item["recurring"] is not None else None
        cycle = int(item["plan_cycle"] or 0) if item["recurring"] else 0
        result["plan_next_date"] = to_json(next_plan_date(item["date_from"], cycle, self.today()))
        if detail:
            result["comments"] = to_json(item["comments"])
            result["attachments"] = to_json(item["attachments"])
        return result

    def _appointment_fields(self, appointment: Record) -> dict[str, Any]:
        hidden = ("services", "users", "deleted_at")
        return json_record({key: value for key, value in appointment.items() if key not in hidden})

    def status_system(self, appointment: Record) -> str:
        """Only `canceled` is documented; the other values are this simulator's convention (S12)."""
        if appointment["canceled_at"]:
            return "canceled"
        if appointment["visited_at"]:
            return "visited"
        if appointment["not_visited_at"]:
            return "not_visited"
        if appointment["planned_at"]:
            return "planned"
        if appointment["appointment_or_invite"] == "invite" and appointment["send_at"]:
            return "invited"
        return "open"

    def render_appointment(self, appointment: Record, *, detail: bool = False) -> dict[str, Any]:
        company_id = appointment["company_id"]
        result = self._appointment_fields(appointment)
        if not detail:
            result["time_from_order"] = order_stamp(appointment["time_from"])
            result["plan_from_order"] = order_stamp(appointment["plan_from"])
        appointment_type = self.appointment_types.get(appointment["appointment_type_id"])
        result["appointment_type"] = self.render_type(appointment_type) if appointment_type else None
        services = []
        for item_id in appointment["services"]:
            item = self.items.get(item_id)
            if self._alive(item, company_id):  # Eloquent relations skip soft-deleted rows
                rendered = self.render_item(item)
                rendered["pivot"] = {"appointment_id": appointment["id"], "service_id": item_id}
                rendered["checklists"] = []
                services.append(rendered)
        result["services"] = services
        client = self.clients.get(appointment["client_id"])
        result["client"] = self.render_client(client) if self._alive(client, company_id) else None
        result["work_orders"] = []
        address = self.addresses.get(appointment["address_id"])
        result["address"] = self.render_address(address) if self._alive(address, company_id) else None
        if detail:
            result["status_system"] = self.status_system(appointment)
            result["field_values"] = []
            result["work_order"] = None
            result["checklists"] = []
            result["users"] = [
                self.render_user(self.users[user_id]) for user_id in appointment["users"] if user_id in self.users
            ]
            company = self.companies[company_id]
            result["company"] = {"id": company["id"], "name": company["name"]}
        return result

    def live_invoices(self, company_id: int) -> list[Record]:
        return self.live(self.invoices, company_id)

    def render_invoice(self, invoice: Record, *, detail: bool = False) -> dict[str, Any]:
        result = json_record({key: value for key, value in invoice.items() if key != "lines"})
        if detail:
            result["lines"] = to_json(invoice["lines"])
            client = self.clients.get(invoice["client_id"])
            result["client"] = self.render_client(client) if client else None
        return result

    # ---------------------------------------------------------------- addresses (S3, S4)

    def _validate_address(self, company_id: int, body: Mapping[str, Any]) -> dict[str, Any]:
        v = Validator(body)
        client_id = v.integer("client_id", required=True)
        v.exists("client_id", self._exists(self.clients, company_id, client_id))
        fields = {
            "client_id": client_id,
            "street": v.string("street", required=True),
            "house_number": v.string("house_number", required=True, max_length=20),
            "house_number_addition": v.string("house_number_addition", max_length=20),
            "zipcode": v.string("zipcode", required=True, max_length=20),
            "city": v.string("city", required=True),
            "type": v.one_of("type", ADDRESS_TYPES, required=True),
            "geocode_lat": v.string("geocode_lat", max_length=30),
            "geocode_lng": v.string("geocode_lng", max_length=30),
            "country_id": v.integer("country_id", minimum=1),
        }
        v.check()
        return fields

    def _new_address(self, company_id: int, fields: Mapping[str, Any]) -> Record:
        now = self.now_utc()
        lat, lng = fields.get("geocode_lat"), fields.get("geocode_lng")
        if not lat or not lng:  # the vendor geocodes addresses it is given without coordinates
            lat, lng = geocode(str(fields["city"]), random.Random(str(fields["zipcode"])))
        record: Record = {
            "id": self._next_id("addresses"),
            "profitemp_id": None,
            "company_id": company_id,
            "client_id": fields["client_id"],
            "street": fields["street"],
            "house_number": fields["house_number"],
            "house_number_addition": fields.get("house_number_addition"),
            "zipcode": fields["zipcode"],
            "city": fields["city"],
            "type": fields["type"],
            "geocode_lat": lat,
            "geocode_lng": lng,
            "country_id": fields.get("country_id") or NETHERLANDS,
            "created_at": now,
            "updated_at": now,
            "old_address_id": 0,
            "deleted_at": None,
        }
        self.addresses[record["id"]] = record
        return record

    def create_address(self, company_id: int, body: Mapping[str, Any]) -> dict[str, Any]:
        record = self._new_address(company_id, self._validate_address(company_id, body))
        return self.render_address(record)

    def update_address(self, company_id: int, key: str, body: Mapping[str, Any]) -> dict[str, Any]:
        record = self.find(self.addresses, company_id, key, "Address")
        fields = self._validate_address(company_id, body)
        record.update({name: value for name, value in fields.items() if value is not None})
        record["house_number_addition"] = fields["house_number_addition"]
        record["updated_at"] = self.now_utc()
        return self.render_address(record)

    def delete_address(self, company_id: int, key: str) -> None:
        self.find(self.addresses, company_id, key, "Address")["deleted_at"] = self.now_utc()

    # ---------------------------------------------------------------- clients (S5, S13)

    def _validate_client_fields(self, v: Validator, company_id: int, own_id: int | None) -> dict[str, Any]:
        number = v.integer("client_number", minimum=1)
        taken = any(
            row["client_number"] == number and row["id"] != own_id for row in self.live(self.clients, company_id)
        )
        if number is not None and taken:
            v.fail("client_number", "The client number has already been taken.")
        v.required_without("last_name", "company_name")
        fields = {
            "client_number": number,
            "gender": v.string("gender", max_length=10),
            "first_name": v.string("first_name"),
            "last_name": v.string("last_name"),
            "company_name": v.string("company_name"),
            "email": v.email("email"),
            "mobile_phone": v.string("mobile_phone", max_length=30),
            "phone": v.string("phone", max_length=30),
        }
        return fields

    def _validate_client_addresses(self, v: Validator) -> dict[str, dict[str, Any]]:
        if v.present("address") and not isinstance(v.raw("address"), Mapping):
            v.fail("address", "The address field must be an array.")
            return {}
        found: dict[str, dict[str, Any]] = {}
        for kind in ADDRESS_TYPES:
            prefix = f"address.{kind}"
            if not v.present(prefix):
                continue
            if not isinstance(v.raw(prefix), Mapping):
                v.fail(prefix, f"The {prefix} field must be an array.")
                continue
            found[kind] = {
                "street": v.string(f"{prefix}.street", required=True),
                "house_number": v.string(f"{prefix}.house_number", required=True, max_length=20),
                "house_number_addition": v.string(f"{prefix}.house_number_addition", max_length=20),
                "zipcode": v.string(f"{prefix}.zipcode", required=True, max_length=20),
                "city": v.string(f"{prefix}.city", required=True),
                "country_id": v.integer(f"{prefix}.country_id", minimum=1),
                "type": kind,
            }
        return found

    def _validate_contact_persons(self, v: Validator) -> list[dict[str, Any]]:
        # The vendor's contactPerson item shape is unknown; a person needs at least a name here.
        if not v.present("contactPerson"):
            return []
        people = v.raw("contactPerson")
        if not isinstance(people, list):
            v.fail("contactPerson", "The contact person field must be an array.")
            return []
        found = []
        for index, person in enumerate(people):
            prefix = f"contactPerson.{index}"
            if not isinstance(person, Mapping):
                v.fail(prefix, f"The {prefix} field must be an array.")
                continue
            v.required_without(f"{prefix}.last_name", f"{prefix}.first_name")
            found.append(
                {
                    "first_name": v.string(f"{prefix}.first_name"),
                    "last_name": v.string(f"{prefix}.last_name"),
                    "email": v.email(f"{prefix}.email"),
                    "phone": v.string(f"{prefix}.phone", max_length=30),
                    "function": v.string(f"{prefix}.function"),
                }
            )
        return found

    def create_client(self, company_id: int, body: Mapping[str, Any]) -> dict[str, Any]:
        v = Validator(body)
        fields = self._validate_client_fields(v, company_id, None)
        addresses = self._validate_client_addresses(v)
        people = self._validate_contact_persons(v)
        v.check()
        now = self.now_utc()
        numbers = [row["client_number"] for row in self.clients.values() if row["company_id"] == company_id]
        client: Record = {
            "id": self._next_id("clients"),
            "profitemp_id": None,
            "company_id": company_id,
            "client_number": fields["client_number"] or max(numbers, default=0) + 1,
            "gender": fields["gender"] or "",
            "first_name": fields["first_name"] or "",
            "last_name": fields["last_name"] or "",
            "company_name": fields["company_name"] or "",
            "email": fields["email"],
            "email_alternative": "",
            "email_invoice": None,
            "appointment_confirmation": 0,
            "phone": fields["phone"] or "",
            "phone_note": None,
            "phone_alternative": "",
            "phone_alternative_note": None,
            "mobile_phone": fields["mobile_phone"] or "",
            "note": "",
            "email_option": "",
            # S5: one invoice address and no work address means "work = invoice".
            "work_address_same_as_invoice_address": int("invoice" in addresses and "work" not in addresses),
            "add_contact_person": int(bool(people)),
            "checked": None,
            "deleted_at": None,
            "created_at": now,
            "updated_at": now,
        }
        self.clients[client["id"]] = client
        for address in addresses.values():
            self._new_address(company_id, {**address, "client_id": client["id"]})
        for person in people:
            person_id = self._next_id("contact_persons")
            self.contact_persons[person_id] = {"id": person_id, "client_id": client["id"], **person}
        return self.render_client_detail(client)

    def update_client(self, company_id: int, key: str, body: Mapping[str, Any]) -> dict[str, Any]:
        client = self.find(self.clients, company_id, key, "Client")
        v = Validator(body)
        fields = self._validate_client_fields(v, company_id, client["id"])
        v.check()
        # Laravel's update($request->validated()) only touches the fields that were sent.
        for name, value in fields.items():
            if name in body:
                client[name] = value if value is not None else ("" if name != "email" else None)
        client["updated_at"] = self.now_utc()
        return self.render_client_detail(client)

    def delete_client(self, company_id: int, key: str) -> None:
        """S13: a client's addresses, items and appointments go with it (soft delete)."""
        client = self.find(self.clients, company_id, key, "Client")
        now = self.now_utc()
        client["deleted_at"] = now
        for table in (self.addresses, self.items, self.appointments):
            for row in table.values():
                if row["client_id"] == client["id"] and row["deleted_at"] is None:
                    row["deleted_at"] = now

    # ---------------------------------------------------------------- items ("services")

    def client_item(self, company_id: int, client_key: str, item_key: str) -> Record:
        client = self.find(self.clients, company_id, client_key, "Client")
        item = self.find(self.items, company_id, item_key, "Service")
        if item["client_id"] != client["id"]:  # scoped binding: the item must be this client's
            raise NotFound("Service", item_key)
        return item

    def _validate_item(self, company_id: int, client: Record, body: Mapping[str, Any]) -> dict[str, Any]:
        v = Validator(body)
        address_id = v.integer("address_id", required=True)
        address = self.addresses.get(address_id) if address_id is not None else None
        v.exists("address_id", self._alive(address, company_id) and address["client_id"] == client["id"])
        type_id = v.integer("appointment_type_id", required=True)
        v.exists("appointment_type_id", self._exists(self.appointment_types, company_id, type_id))
        fields: dict[str, Any] = {
            "address_id": address_id,
            "name": v.string("name", required=True),
            "appointment_type_id": type_id,
            "time": v.integer("time", minimum=1),
            "recurring": v.boolean("recurring"),
            "plan_cycle": v.integer("plan_cycle", minimum=1),
            "date_from": v.date("date_from"),
            "date_to": v.date("date_to"),
            "appointment_or_invite": v.one_of("appointment_or_invite", APPOINTMENT_OR_INVITE),
        }
        start, end = fields["date_from"], fields["date_to"]
        if start is not None and end is not None and end < start:
            v.fail("date_to", "The date to field must be a date after or equal to date from.")
        v.check()
        fields["date_from"] = start.date() if start else None
        fields["date_to"] = end.date() if end else None
        return fields

    def _defaults_from_type(self, fields: dict[str, Any]) -> dict[str, Any]:
        if fields["time"] is None:  # S10: an item's duration defaults to its appointment type's
            fields["time"] = self.appointment_types[fields["appointment_type_id"]]["time"]
        return fields

    def create_item(
        self, company_id: int, client_key: str, body: Mapping[str, Any], uploads: Sequence[Upload] = ()
    ) -> dict[str, Any]:
        client = self.find(self.clients, company_id, client_key, "Client")
        fields = self._defaults_from_type(self._validate_item(company_id, client, body))
        self._check_uploads(uploads, required=False)
        now = self.now_utc()
        item: Record = {
            "id": self._next_id("items"),
            "profitemp_id": None,
            "client_id": client["id"],
            "company_id": company_id,
            "item_category_id": None,
            "address_id": fields["address_id"],
            "name": fields["name"],
            "time": fields["time"],
            "appointment_type_id": fields["appointment_type_id"],
            "user_id": 0,
            "recurring": bool(fields["recurring"]),
            "plan_cycle": fields["plan_cycle"] or 12,
            "date_from": fields["date_from"],
            "date_to": fields["date_to"],
            "reminders": None,
            "contract": None,
            "note": None,
            "appointment_or_invite": fields["appointment_or_invite"] or "appointment",
            "created_at": now,
            "updated_at": now,
            "deleted_at": None,
            "comments": [],
            "attachments": [],
        }
        self.items[item["id"]] = item
        self._store_uploads(item, uploads)
        return self.render_item(item, detail=True)

    def update_item(self, company_id: int, client_key: str, item_key: str, body: Mapping[str, Any]) -> dict[str, Any]:
        item = self.client_item(company_id, client_key, item_key)
        fields = self._defaults_from_type(self._validate_item(company_id, self.clients[item["client_id"]], body))
        for name, value in fields.items():
            if value is not None or name in ("date_from", "date_to"):
                item[name] = value
        item["updated_at"] = self.now_utc()
        return self.render_item(item, detail=True)

    def _check_uploads(self, uploads: Sequence[Upload], *, required: bool) -> None:
        v = Validator({})
        if required and not uploads:
            v.fail("attachments", "The attachments field is required.")
        for index, upload in enumerate(uploads):
            if len(upload.content) > MAX_ATTACHMENT_KB * 1024:
                v.fail(
                    f"attachments.{index}",
                    f"The attachments.{index} field must not be greater than {MAX_ATTACHMENT_KB} kilobytes.",
                )
        v.check()

    def _store_uploads(self, item: Record, uploads: Sequence[Upload]) -> None:
        now = self.now_utc()
        for upload in uploads:
            attachment_id = self._next_id("attachment")
            self.attachment_content[attachment_id] = upload.content
            item["attachments"].append(
                {
                    "id": attachment_id,
                    "service_id": item["id"],
                    "name": upload.filename,
                    "mime_type": upload.content_type,
                    "size": len(upload.content),
                    "created_at": now,
                }
            )

    def add_attachments(
        self,
        company_id: int,
        client_key: str,
        item_key: str,
        uploads: Sequence[Upload],
        delete_existing: Any,
        not_a_file: Sequence[str] = (),
    ) -> dict[str, Any]:
        item = self.client_item(company_id, client_key, item_key)
        v = Validator({"delete_attachments": delete_existing})
        replace = v.boolean("delete_attachments")
        for field in not_a_file:
            v.fail(field, f"The {field} field must be a file.")
        v.check()
        self._check_uploads(uploads, required=True)
        if replace:
            for attachment in item["attachments"]:
                self.attachment_content.pop(attachment["id"], None)
            item["attachments"] = []
        self._store_uploads(item, uploads)
        item["updated_at"] = self.now_utc()
        return self.render_item(item, detail=True)

    def delete_item(self, company_id: int, key: str) -> None:
        self.find(self.items, company_id, key, "Service")["deleted_at"] = self.now_utc()

    # ---------------------------------------------------------------- appointments (S6-S10)

    def create_appointment(self, company_id: int, body: Mapping[str, Any]) -> dict[str, Any]:
        v = Validator(body)
        type_id = v.integer("appointment_type_id", required=True)
        v.exists("appointment_type_id", self._exists(self.appointment_types, company_id, type_id))
        client_id = v.integer("client_id", required=True)
        v.exists("client_id", self._exists(self.clients, company_id, client_id))
        address_id = v.integer("address_id", required=True)
        address = self.addresses.get(address_id) if address_id is not None else None
        v.exists("address_id", address_id is None or self._alive(address, company_id))
        owned = address is None or v.failed("address_id") or v.failed("client_id") or address["client_id"] == client_id
        if not owned:
            v.fail("address_id", "The selected address id does not belong to the selected client.")
        minutes = v.integer("time", minimum=1)
        send_mail = v.one_of("send_mail_to_client", SEND_MAIL_TO_CLIENT)
        plan = v.boolean("plan_appointment")
        mode = v.one_of("appointment_or_invite", APPOINTMENT_OR_INVITE) or "appointment"
        services = v.int_list("services") or []
        for index, item_id in enumerate(services):
            item = self.items.get(item_id)
            ok = self._alive(item, company_id) and item["client_id"] == client_id
            v.exists(f"services.{index}", ok)
        users = v.int_list("users") or []
        for index, user_id in enumerate(users):
            v.exists(f"users.{index}", self._exists(self.users, company_id, user_id))
        if mode == "invite" and plan:
            # S9: an invitation lets the client choose the time, so it cannot be planned now.
            v.fail("plan_appointment", "The plan appointment field must be false when appointment or invite is invite.")
        v.check()

        assert type_id is not None and client_id is not None and address_id is not None
        today, now = self.today(), self.now_utc()
        minutes = minutes or int(self.appointment_types[type_id]["time"]) or 60
        plan_from, plan_to = datetime.combine(today, time(0, 0)), month_window(today)[1]
        time_from = time_to = None
        if plan:
            time_from = self._next_free_slot(company_id, users, minutes)
            time_to = time_from + timedelta(minutes=minutes)
            plan_from, plan_to = month_window(time_from.date())
        record: Record = {
            "id": self._next_id("appointments"),
            "company_id": company_id,
            "client_id": client_id,
            "appointment_type_id": type_id,
            "send_mail_to_client": send_mail or "",
            "prepared_at": today,
            "planned_at": today if plan else None,
            "send_confirmed_at": None,
            # "direct" mails the client now; "default" follows the account setting (no mail here).
            "send_at": today if send_mail == "direct" else None,
            "confirmed_at": None,
            "visited_at": None,
            "send_reminder_at": None,
            "send_reminder_2_at": None,
            "not_visited_at": None,
            "canceled_at": None,
            "drive_time": None,
            "time_from": time_from,
            "time_to": time_to,
            "time": minutes,
            "plan_from": plan_from,
            "plan_to": plan_to,
            "plan_next_date": None,
            "address_geocode": None,
            "address_id": address_id,
            "description_intern": "",
            "description_client": None,
            "reminder_checked": None,
            "appointment_or_invite": mode,
            "services": services,
            "users": users,
            "created_at": now,
            "updated_at": now,
            "deleted_at": None,
        }
        self.appointments[record["id"]] = record
        # The documented create response is the stored columns, without relations.
        shown: tuple[str, ...] = ("id", "appointment_type_id", "client_id", "company_id", "address_id")
        shown += ("time_from", "time_to", "time", "plan_from", "plan_to", "planned_at", "send_at")
        shown += ("send_mail_to_client", "appointment_or_invite", "created_at", "updated_at")
        return json_record({key: record[key] for key in shown})

    def _next_free_slot(self, company_id: int, users: Sequence[int], minutes: int) -> datetime:
        """S8: the first half hour on a working day after today where the assigned users (or, with
        none assigned, the unassigned queue) are free. The vendor's algorithm is unknown; this one
        is deterministic."""
        wanted = set(users)
        busy = [
            (row["time_from"], row["time_to"])
            for row in self.live(self.appointments, company_id)
            if row["time_from"] is not None
            and row["canceled_at"] is None
            and (bool(wanted & set(row["users"])) if wanted else not row["users"])
        ]
        day = self.today()
        for _ in range(PLANNING_HORIZON_DAYS):
            day += timedelta(days=1)
            if day.weekday() >= 5:
                continue
            start, close = datetime.combine(day, WORKDAY_START), datetime.combine(day, WORKDAY_END)
            while start + timedelta(minutes=minutes) <= close:
                end = start + timedelta(minutes=minutes)
                if all(end <= busy_from or start >= busy_to for busy_from, busy_to in busy):
                    return start
                start += timedelta(minutes=30)
        raise ValidationFailed({"plan_appointment": [f"No free time found in the next {PLANNING_HORIZON_DAYS} days."]})

    def delete_appointment(self, company_id: int, key: str) -> None:
        self.find(self.appointments, company_id, key, "Appointment")["deleted_at"] = self.now_utc()
