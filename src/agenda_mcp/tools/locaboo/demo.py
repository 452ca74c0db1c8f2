"""Locaboo's part of `agenda-mcp demo`: find a hall free for two hours next Tuesday, book a third of
it for a club with the slot exactly as availability returned it, look the booking up, cancel it and
see the slot come back."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from agenda_mcp.server.kit import DemoStep

WANTED = "14:00"  # the club's usual start, Locaboo's wall clock


def _slot_at(result: dict[str, Any], clock: str) -> tuple[dict[str, Any], dict[str, str]] | None:
    """The first part with a free slot starting at `clock` (read from the slot's moment), and the slot."""
    for resource in result["resources"]:
        for slot in resource["slots"]:
            if slot["start"][11:16] == clock:
                return resource, slot
    return None


async def run(step: DemoStep) -> None:
    resources = await step("locaboo_resource_list", {}, show=["resources"])
    hall = next(r for r in resources["resources"] if r["parts"])
    today = date.today()
    first_tuesday = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
    found = None
    for week in range(4):  # a public holiday closes the hall; then try the Tuesday after
        tuesday = first_tuesday + timedelta(weeks=week)
        window = {"date_from": tuesday.isoformat(), "date_to": tuesday.isoformat(), "duration": "02:00"}
        free = await step("locaboo_availability", {**window, "resource_id": [hall["id"]], "limit": 12})
        found = _slot_at(free, WANTED)
        if found is not None:
            break
    if found is None:
        raise RuntimeError(f"no part of {hall['title']} is free at {WANTED} on the next four Tuesdays")
    part, slot = found
    customers = await step("locaboo_customer_list", {"search": "TSV"}, show=["customers"])
    customer = customers["customers"][0]
    # The slot's own start and end, verbatim: they carry the day and Berlin's offset.
    booking = await step(
        "locaboo_booking_add",
        {
            "booking_mode": "direct_booking",
            "main_resource": hall["id"],
            "resource_parts": [{"resource_id": hall["id"], "part_ids": [part["resource_id"]]}],
            "time_from": slot["start"],
            "time_to": slot["end"],
            "customer_id": customer["id"],
            "title": "Probetraining Volleyball",
        },
    )
    details = await step(
        "locaboo_booking_details",
        {"booking_id": booking["booking_id"]},
        show=["id", "title", "customer_id", "resources"],
    )
    (instance,) = details["resources"][0]["instances"]
    if (instance["start"], instance["end"]) != (slot["start"], slot["end"]):
        raise RuntimeError(f"booked {instance['start']}-{instance['end']}, not the slot {slot['start']}-{slot['end']}")
    taken = await step("locaboo_availability", {**window, "resource_id": [part["resource_id"]]}, show=["total"])
    await step("locaboo_booking_save", {"booking_id": booking["booking_id"], "booking_status": "Cancel"})
    back = await step("locaboo_availability", {**window, "resource_id": [part["resource_id"]]}, show=["total"])

    def has_slot(result: dict[str, Any]) -> bool:
        return any(s == slot for r in result["resources"] for s in r["slots"])

    if has_slot(taken) or not has_slot(back):
        raise RuntimeError("Locaboo slot accounting is off: the booked slot did not disappear and come back")
