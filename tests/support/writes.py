"""The write surface: for every tool that changes data, how to make arguments its vendor accepts,
and a vendor side that tells a request that acted from one that only read.

`WRITES` has an entry per write tool (book_slot: one per vendor it can book with). An entry's
`make(bench)` returns fresh arguments the simulator accepts: ids from its demo data, or made by an
earlier call through the bench's own client (a person who says yes), and names, times and values
that differ from every earlier call, so neither the duplicate guard nor the vendor's own rules
(a deleted booking cannot be deleted again) stand in the way of the next step. tests/team/
test_write_surface.py walks tools/list and fails, naming the tool, for a write tool without an
entry here.

`ActingVendor` is ASGI middleware in front of a simulator: it fingerprints the simulator's state
(its `app.state.sandbox`) before and after each request, so a request "acted" exactly when it
changed what the vendor holds, whatever its method (Locaboo's booking_save is a GET that writes,
every OnlineAfspraken call is a GET). With `garble` set, the answer of a request that acted is
thrown away: the vendor did it, agenda-mcp cannot tell. `"unreadable"` answers 200 with bytes no
reader makes sense of (tests/support/hostile.py `ActsThenGarbles` does that to every answer; this
one only to the writes, so the reads around a write still work); `"cut"` answers 200 whose body
stops short and the connection closes, for a tool that rightly reads only the status of its answer
(ServicePlanner's deletes: any 2xx is done), to which unreadable bytes in a 200 are no doubt at all;
`"gateway"` answers 504 Gateway Timeout, as a proxy does when the vendor behind it took too long
to say it had done it.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import itertools
import pickle
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import anyio
import mcp_types
from mcp import Client
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tests.support import call_ok
from tests.support.hostile import GARBAGE
from tests.support.onlineafspraken import GROEPSTRAINING, JAN, KNIPPEN_HEREN, PHYSIO, SALON
from tests.support.person import Person

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TICK = itertools.count(1)
"""One order for what happens in the test process: a question asked, a vendor request begun."""


# -- the vendor side --------------------------------------------------------------------------

NOT_STATE = frozenset({"requests", "_hits", "_ids"})
"""Simulator bookkeeping that is not what the vendor holds: Planaday's log of the requests it
received and ServicePlanner's rate-limit counters (every request changes them, reads included), and
the next-id counters (`_ids`, `_next_*`), which a refused create may advance (Locaboo numbers the
instances of a booking before it finds the room taken). A write that acted leaves a row, a field
or a label changed besides. Clocks (callables) and random generators are left out too."""


def is_state(name: str) -> bool:
    return name not in NOT_STATE and not name.startswith("_next")


def fingerprint(state: Any) -> bytes:
    """A digest of what a simulator holds. Each attribute of the state object is pickled when it can
    be (fast, and exact for dicts of rows, dataclasses and datetimes), else walked field by field."""
    digest = hashlib.blake2b(digest_size=20)
    for name, value in vars(state).items():
        if is_state(name):
            digest.update(name.encode() + b"=")
            _feed(value, digest)
    return digest.digest()


def _feed(value: Any, digest: Any) -> None:
    if (callable(value) and not isinstance(value, type)) or isinstance(value, random.Random):
        return
    try:
        digest.update(pickle.dumps(value, protocol=5))
        return
    except (TypeError, AttributeError, pickle.PicklingError):
        pass  # a mappingproxy or a local function somewhere inside: walk it
    items: Any
    if isinstance(value, Mapping):
        items = value.items()
    elif isinstance(value, (list, tuple)):
        items = enumerate(value)
    elif isinstance(value, (set, frozenset)):
        items = enumerate(sorted(value, key=repr))
    elif dataclasses.is_dataclass(value):
        items = ((f.name, getattr(value, f.name)) for f in dataclasses.fields(value))
    elif hasattr(value, "__dict__"):
        items = ((k, v) for k, v in vars(value).items() if is_state(k))
    else:
        digest.update(repr(value).encode())
        return
    digest.update(type(value).__qualname__.encode() + b"(")
    for key, inner in items:
        digest.update(repr(key).encode() + b":")
        _feed(inner, digest)
        digest.update(b",")
    digest.update(b")")


Garble = Literal["unreadable", "cut", "gateway"]
GARBLED: dict[Garble, tuple[int, bytes, bytes]] = {
    "unreadable": (200, b"application/json", GARBAGE),
    "cut": (200, b"application/json", GARBAGE),  # with a Content-Length the body never reaches
    "gateway": (504, b"text/html", b"<html><body><h1>504 Gateway Time-out</h1></body></html>"),
}
"""Status, content type and body of a garbled answer (see the module docstring)."""


@dataclass(frozen=True)
class Acted:
    """A request that changed the simulator's state: when it began (a `TICK`), method and path."""

    vendor: str
    tick: int
    method: str
    path: str


@dataclass
class ActingVendor:
    """ASGI middleware in front of one simulator: records each request that acted; with `garble`
    set, throws the simulator's reply to such a request away and answers as `GARBLED` says.
    Requests are taken one at a time, so a request's before and after are its own."""

    name: str
    app: ASGIApp
    garble: Garble | None = None
    acted: list[Acted] = field(default_factory=list)
    requests: int = 0
    _lock: anyio.Lock = field(default_factory=anyio.Lock)

    @property
    def state(self) -> Any:
        return self.app.state.sandbox  # type: ignore[attr-defined]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        async with self._lock:
            tick = next(TICK)
            self.requests += 1
            before = fingerprint(self.state)
            reply: list[Message] = []

            async def keep(message: Message) -> None:
                reply.append(message)

            await self.app(scope, receive, keep)
            acted = fingerprint(self.state) != before
            if acted:
                self.acted.append(Acted(self.name, tick, scope["method"], scope["path"]))
            if acted and self.garble is not None:
                reply = self._garbled(self.garble)
        for message in reply:
            await send(message)

    @staticmethod
    def _garbled(how: Garble) -> list[Message]:
        status, content_type, body = GARBLED[how]
        headers = [(b"content-type", content_type)]
        if how == "cut":  # promises more than it sends: the answer ends mid-way, the connection closes
            headers.append((b"content-length", str(len(body) * 4).encode()))
        return [
            {"type": "http.response.start", "status": status, "headers": headers},
            {"type": "http.response.body", "body": body},
        ]


# -- the person -------------------------------------------------------------------------------


class TimedPerson(Person):
    """`Person`, also noting when (a `TICK`) each question came."""

    def __init__(self, action: Literal["accept", "decline", "cancel"] = "accept") -> None:
        super().__init__(action)
        self.ticks: list[int] = []

    async def __call__(self, context: Any, params: Any) -> mcp_types.ElicitResult:
        self.ticks.append(next(TICK))
        return await super().__call__(context, params)

    def forget(self) -> None:
        self.asked.clear()
        self.ticks.clear()


# -- the cases --------------------------------------------------------------------------------


@dataclass
class Bench:
    """What making arguments needs: a client of replica A whose person says yes (for the calls that
    make an id a case needs), each simulator's state (its demo data and test hooks), and counters."""

    client: Client
    states: Mapping[str, Any]
    used: set[str] = field(default_factory=set)
    """Free times already handed to a case."""
    _counters: dict[str, itertools.count[int]] = field(default_factory=dict)

    def next(self, purpose: str = "") -> int:
        """0, 1, 2, ... per purpose: distinct names, values and times for every call."""
        return next(self._counters.setdefault(purpose, itertools.count()))

    @property
    def today(self) -> date:
        return datetime.now(AMSTERDAM).date()

    async def ok(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        return await call_ok(self.client, tool, arguments)


Make = Callable[[Bench], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class WriteCase:
    tool: str
    vendor: str
    """The vendor the write reaches: the audit line's `vendor`, the simulator that must act."""
    make: Make
    garble: Garble = "unreadable"
    """How its answer is made unreadable once the vendor has acted (see `ActingVendor`)."""

    @property
    def label(self) -> str:
        return self.tool if self.tool != "book_slot" else f"book_slot ({self.vendor})"


def weekday_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


# Planaday: courses that need no attribute choice, STAP details or daypart choice (demo data).
PLANADAY_COURSES = (101, 102, 104, 105, 109)


def _planaday_course(bench: Bench) -> int:
    state = bench.states["planaday"]
    return max(PLANADAY_COURSES, key=state.available_seats)


async def planaday_booking(bench: Bench) -> dict[str, Any]:
    n = bench.next("planaday")
    student = {"first_name": "Wessel", "last_name": f"Schrijver {n}", "email": f"wessel.{n}@example.nl"}
    return {"course_id": _planaday_course(bench), "students": [student]}


async def _planaday_booking_id(bench: Bench) -> str:
    booked = await bench.ok("create_planaday_booking", await planaday_booking(bench))
    return str(booked["booking_id"])


async def planaday_paid(bench: Bench) -> dict[str, Any]:
    booking_id = await _planaday_booking_id(bench)
    return {"booking_id": booking_id, "party": "ideal", "transaction_id": f"TX-W{bench.next('tx')}"}


async def planaday_deletion(bench: Bench) -> dict[str, Any]:
    return {"booking_id": await _planaday_booking_id(bench)}


# OnlineAfspraken.nl: the salon's men's haircut for Jan de Vries (demo data, tests/support/onlineafspraken.py).


async def oa_appointment(bench: Bench) -> dict[str, Any]:
    """The first free haircut from three days on that no case was given yet."""
    for offset in range(3, 40):
        day = bench.today + timedelta(days=offset)
        found = await bench.ok(
            "get_bookable_times", {"agenda_id": SALON, "appointment_type_id": KNIPPEN_HEREN, "date": day.isoformat()}
        )
        for free in found["times"]:
            key = f"oa {free['start']} {free['resource_id']}"
            if key not in bench.used:
                bench.used.add(key)
                return {
                    "agenda_id": SALON,
                    "appointment_type_id": KNIPPEN_HEREN,
                    "customer_id": JAN,
                    "start_time": free["start"],
                    "resource_id": free["resource_id"],
                }
    raise AssertionError("OnlineAfspraken offers no free haircut in the coming weeks")


async def _oa_appointment_id(bench: Bench) -> int:
    return int((await bench.ok("set_appointment", await oa_appointment(bench)))["appointment_id"])


async def oa_cancellation(bench: Bench) -> dict[str, Any]:
    return {"appointment_id": await _oa_appointment_id(bench), "mode": "company"}


async def oa_confirmation(bench: Bench) -> dict[str, Any]:
    """A pending appointment (the account asks for confirmation while it is made) and the code the
    customer received (the simulator's test hook)."""
    state = bench.states["onlineafspraken"]
    state.set_requires_confirmation(True)
    try:
        appointment_id = await _oa_appointment_id(bench)
    finally:
        state.set_requires_confirmation(False)
    return {"appointment_id": appointment_id, "confirmation_code": state.confirmation_code(appointment_id)}


async def oa_removal(bench: Bench) -> dict[str, Any]:
    return {"appointment_id": await _oa_appointment_id(bench)}


async def oa_customer(bench: Bench) -> dict[str, Any]:
    n = bench.next("oa-customer")
    return {"email": f"klant.w{n}@example.nl", "first_name": "Klaas", "last_name": f"Schrijver{n}"}


async def oa_block(bench: Bench) -> dict[str, Any]:
    """An hour on a Sunday (the salon is closed), a week apart for each call."""
    sunday = weekday_after(bench.today + timedelta(days=1), 6) + timedelta(weeks=bench.next("oa-sunday"))
    return {"agenda_id": SALON, "date": sunday.isoformat(), "start_time": "10:00", "end_time": "11:00"}


async def oa_block_removal(bench: Bench) -> dict[str, Any]:
    added = await bench.ok("add_availability_block", await oa_block(bench))
    return {"agenda_id": SALON, "block_id": added["block_id"]}


async def oa_calculation_model(bench: Bench) -> dict[str, Any]:
    value = {"max": 2 + bench.next("oa-model")}
    return {
        "agenda_id": PHYSIO,
        "app_type_id": GROEPSTRAINING,
        "calculation_model": "multiple",
        "value": value,
        "enabled": True,
    }


# ServicePlanner: a demo client with an address and an item to service.


def _sp_item(bench: Bench) -> dict[str, Any]:
    state = bench.states["serviceplanner"]
    return next(item for item in state.items.values() if item["deleted_at"] is None)


async def sp_client(bench: Bench) -> dict[str, Any]:
    n = bench.next("sp-client")
    return {"first_name": "Dhr.", "last_name": f"Schrijver {n}", "email": f"schrijver{n}@example.nl"}


async def sp_client_change(bench: Bench) -> dict[str, Any]:
    return {"client_id": _sp_item(bench)["client_id"], "phone": f"030{bench.next('sp-phone'):07d}"}


async def sp_client_deletion(bench: Bench) -> dict[str, Any]:
    return {"client_id": (await bench.ok("sp_create_client", await sp_client(bench)))["id"]}


async def sp_address(bench: Bench) -> dict[str, Any]:
    n = bench.next("sp-address")
    client_id = _sp_item(bench)["client_id"]
    return {
        "client_id": client_id,
        "type": "work",
        "street": "Schrijfstraat",
        "house_number": str(n + 1),
        "zipcode": "3511 AA",
        "city": "Utrecht",
    }


async def sp_address_change(bench: Bench) -> dict[str, Any]:
    return {"address_id": _sp_item(bench)["address_id"], "house_number_addition": f"W{bench.next('sp-addition')}"}


async def sp_address_deletion(bench: Bench) -> dict[str, Any]:
    return {"address_id": (await bench.ok("sp_create_address", await sp_address(bench)))["id"]}


async def sp_appointment(bench: Bench) -> dict[str, Any]:
    item = _sp_item(bench)
    return {
        "client_id": item["client_id"],
        "address_id": item["address_id"],
        "appointment_type_id": item["appointment_type_id"],
        "services": [item["id"]],
        "time": 30 + bench.next("sp-minutes"),
    }


async def sp_appointment_deletion(bench: Bench) -> dict[str, Any]:
    return {"appointment_id": (await bench.ok("sp_create_appointment", await sp_appointment(bench)))["id"]}


async def sp_item(bench: Bench) -> dict[str, Any]:
    item = _sp_item(bench)
    return {
        "client_id": item["client_id"],
        "address_id": item["address_id"],
        "name": f"Remeha Calenta Ace 28c (W{bench.next('sp-item')})",
        "appointment_type_id": item["appointment_type_id"],
    }


async def sp_item_change(bench: Bench) -> dict[str, Any]:
    item = _sp_item(bench)
    return {"client_id": item["client_id"], "item_id": item["id"], "name": f"{item['name'][:40]} W{bench.next('sp-n')}"}


async def sp_attachments(bench: Bench) -> dict[str, Any]:
    item = _sp_item(bench)
    n = bench.next("sp-file")
    content = base64.b64encode(f"werkbon {n}".encode()).decode()
    return {
        "client_id": item["client_id"],
        "item_id": item["id"],
        "attachments": [{"content_base64": content, "filename": f"werkbon-{n}.txt"}],
    }


async def sp_item_deletion(bench: Bench) -> dict[str, Any]:
    return {"item_id": (await bench.ok("sp_create_client_item", await sp_item(bench)))["id"]}


# Locaboo: the Konferenzraum Panorama, far enough ahead to be free, and demo customers.
LOCABOO_ROOM = 122
LOCABOO_CUSTOMER, LOCABOO_OTHER_CUSTOMER = 2001, 2002


def _locaboo_hour(bench: Bench) -> tuple[date, str, str]:
    """An hour of its own for each call: ten a day on Tuesdays from eight weeks on, holidays left out."""
    n = bench.next("locaboo-hour")
    state = bench.states["locaboo"]
    tuesdays = (weekday_after(bench.today + timedelta(weeks=8), 1) + timedelta(weeks=w) for w in itertools.count())
    open_days = (day for day in tuesdays if not state.is_holiday(LOCABOO_ROOM, day))
    day = next(itertools.islice(open_days, n // 10, None))
    hour = 8 + n % 10
    return day, f"{hour:02d}:00", f"{hour + 1:02d}:00"


async def locaboo_booking(bench: Bench) -> dict[str, Any]:
    day, start, end = _locaboo_hour(bench)
    return {
        "booking_mode": "direct_booking",
        "main_resource": LOCABOO_ROOM,
        "date_from": day.isoformat(),
        "time_from": start,
        "time_to": end,
        "title": f"Schreibprobe {bench.next('locaboo-title')}",
        "customer_id": LOCABOO_CUSTOMER,
    }


async def locaboo_cancellation(bench: Bench) -> dict[str, Any]:
    """booking_save's destructive use: cancel a booking."""
    booked = await bench.ok("locaboo_booking_add", await locaboo_booking(bench))
    return {"booking_id": booked["booking_id"], "booking_status": "Cancel"}


async def locaboo_customer(bench: Bench) -> dict[str, Any]:
    n = bench.next("locaboo-customer")
    return {"customer": {"first_name": "Karla", "last_name": f"Schreiber {n}", "email": f"karla.{n}@example.de"}}


async def locaboo_customer_change(bench: Bench) -> dict[str, Any]:
    return {"customer_id": LOCABOO_OTHER_CUSTOMER, "customer": {"phone": f"06403 {bench.next('lb-phone'):05d}"}}


async def locaboo_address(bench: Bench) -> dict[str, Any]:
    n = bench.next("locaboo-address")
    address = {"street": "Hauptstraße", "house_number": str(n + 1), "zip": "35390", "city": "Lahnstadt"}
    return {"customer_id": LOCABOO_OTHER_CUSTOMER, "address": [{**address, "address_type": "secondary"}]}


# book_slot: a token from find_slots, for a customer each vendor already knows where it keeps
# customers (so booking is the one write), a new student per booking for Planaday.


def slot_for(
    vendor: str, find: Callable[[Bench], dict[str, Any]], customer: Callable[[Bench], tuple[str, str]]
) -> Make:
    async def make(bench: Bench) -> dict[str, Any]:
        # A slot booked (or perhaps booked) is offered no more, or, a course seat, the next time to
        # another student: only free slots come back, and a call never repeats an earlier one.
        found = await bench.ok("find_slots", {"vendor": vendor, "limit": 50, **find(bench)})
        assert found["slots"], f"find_slots offered no {vendor} slot: {found.get('note')}"
        slot = max(found["slots"], key=lambda s: s.get("seats_left") or 0)  # the first of the most seats
        name, email = customer(bench)
        return {"slot": slot["slot"], "name": name, "email": email}

    return make


def _days(start: int, length: int) -> Callable[[Bench], dict[str, Any]]:
    def days(bench: Bench) -> dict[str, Any]:
        first = bench.today + timedelta(days=start)
        return {"date_from": first.isoformat(), "date_to": (first + timedelta(days=length - 1)).isoformat()}

    return days


def _student(bench: Bench) -> tuple[str, str]:
    n = bench.next("slot-student")
    return f"Sanne Slot{n}", f"sanne.slot{n}@example.nl"


STATUS_ONLY = frozenset({"sp_delete_client", "sp_delete_address", "sp_delete_appointment", "sp_delete_item"})
"""Tools that read only the status of the vendor's answer (ServicePlanner's deletes: "any 2xx will do",
tools/serviceplanner/client.py `_delete`): their answer is cut off rather than garbled."""

MAKERS: dict[str, list[tuple[str, Make]]] = {
    # Planaday
    "create_planaday_booking": [("planaday", planaday_booking)],
    "mark_planaday_booking_paid": [("planaday", planaday_paid)],
    "delete_planaday_booking": [("planaday", planaday_deletion)],
    # OnlineAfspraken.nl
    "set_appointment": [("onlineafspraken", oa_appointment)],
    "cancel_appointment": [("onlineafspraken", oa_cancellation)],
    "confirm_appointment": [("onlineafspraken", oa_confirmation)],
    "remove_appointment": [("onlineafspraken", oa_removal)],
    "set_customer": [("onlineafspraken", oa_customer)],
    "add_availability_block": [("onlineafspraken", oa_block)],
    "remove_availability_block": [("onlineafspraken", oa_block_removal)],
    "set_calculation_model_settings": [("onlineafspraken", oa_calculation_model)],
    # ServicePlanner
    "sp_create_client": [("serviceplanner", sp_client)],
    "sp_update_client": [("serviceplanner", sp_client_change)],
    "sp_delete_client": [("serviceplanner", sp_client_deletion)],
    "sp_create_address": [("serviceplanner", sp_address)],
    "sp_update_address": [("serviceplanner", sp_address_change)],
    "sp_delete_address": [("serviceplanner", sp_address_deletion)],
    "sp_create_appointment": [("serviceplanner", sp_appointment)],
    "sp_delete_appointment": [("serviceplanner", sp_appointment_deletion)],
    "sp_create_client_item": [("serviceplanner", sp_item)],
    "sp_update_client_item": [("serviceplanner", sp_item_change)],
    "sp_add_client_item_attachments": [("serviceplanner", sp_attachments)],
    "sp_delete_item": [("serviceplanner", sp_item_deletion)],
    # Locaboo
    "locaboo_booking_save": [("locaboo", locaboo_cancellation)],
    "locaboo_booking_add": [("locaboo", locaboo_booking)],
    "locaboo_customer_add": [("locaboo", locaboo_customer)],
    "locaboo_customer_edit": [("locaboo", locaboo_customer_change)],
    "locaboo_customer_address_add": [("locaboo", locaboo_address)],
    # every vendor with availability
    "book_slot": [
        ("planaday", slot_for("planaday", _days(1, 31), _student)),
        (
            "onlineafspraken",
            slot_for(
                "onlineafspraken",
                lambda bench: {"what": "knippen dames", **_days(10, 6)(bench)},
                lambda _bench: ("Jan de Vries", "jan.devries@example.nl"),
            ),
        ),
        (
            "locaboo",
            slot_for(
                "locaboo",
                lambda bench: {"what": "seminarraum linde", "duration": 60, **_days(21, 7)(bench)},
                lambda _bench: ("Jürgen Becker", "vorstand@tsv-lahnstadt.de"),
            ),
        ),
    ],
}

WRITES: dict[str, tuple[WriteCase, ...]] = {
    name: tuple(
        WriteCase(name, vendor, make, garble="cut" if name in STATUS_ONLY else "unreadable") for vendor, make in entries
    )
    for name, entries in MAKERS.items()
}
"""Every write tool -> how to make arguments its vendor accepts (book_slot: for each vendor it books with)."""
