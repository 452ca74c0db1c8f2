"""OnlineAfspraken.nl's part of `agenda-mcp demo`: find a free time, book it, see it, cancel it.

The free time is booked by passing its `start` on as it came, as a model should."""

from __future__ import annotations

from typing import Any

from agenda_mcp.server.kit import DemoStep


def _slot_key(slot: dict[str, Any]) -> tuple[Any, ...]:
    return slot["start"], slot.get("resource_id")


async def run(step: DemoStep) -> None:
    agendas = await step("get_agendas", {}, show=["agendas"])
    salon = next((a for a in agendas["agendas"] if a.get("is_default")), agendas["agendas"][0])
    types = await step("get_appointment_types", {})
    haircut = next(t for t in types["appointment_types"] if t.get("duration") == 30 and t.get("bookable_by_consumer"))
    target = {"agenda_id": salon["id"], "appointment_type_id": haircut["id"]}
    days = await step("get_bookable_days", target, show=["days"])
    # Tomorrow or later, so a cancellation as the customer is still within the deadline.
    day = days["days"][min(2, len(days["days"]) - 1)]
    times = await step("get_bookable_times", {**target, "date": day}, show=["timezone", "times"])
    slot = times["times"][0]
    customer = await step(
        "set_customer",
        {
            "first_name": "Sanne",
            "last_name": "Jansen",
            "email": "sanne.jansen@example.nl",
            "mobile_phone": "06-12121212",
        },
    )
    booked = await step(
        "set_appointment",
        {
            **target,
            "customer_id": customer["customer_id"],
            "start_time": slot["start"],
            "resource_id": slot["resource_id"],
            "description": "Geboekt via agenda-mcp demo",
        },
        show=["appointment_id", "appointment", "sandbox"],
    )
    same_resource = {**target, "date": day, "resource_id": slot["resource_id"]}
    taken = await step("get_bookable_times", same_resource, show=["times"])
    if _slot_key(slot) in {_slot_key(s) for s in taken["times"]}:
        raise RuntimeError("the booked time is still offered as free")
    appointment_id = booked["appointment_id"]
    await step("cancel_appointment", {"appointment_id": appointment_id, "dry_run": True})
    await step("cancel_appointment", {"appointment_id": appointment_id})
    freed = await step("get_bookable_times", same_resource, show=["times"])
    if _slot_key(slot) not in {_slot_key(s) for s in freed["times"]}:
        raise RuntimeError("the cancelled time did not come back")
