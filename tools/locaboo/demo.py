"""Locaboo's part of `agenda-mcp demo`: find a hall free for two hours next Tuesday, book a third of
it for a club, look the booking up, cancel it and see the slot come back."""

from __future__ import annotations

from datetime import date, timedelta

from server.vendor import DemoStep

TIME_FROM = "14:00"
TIME_TO = "16:00"


async def run(step: DemoStep) -> None:
    resources = await step("locaboo_resource_list", {}, show=["resources"])
    hall = next(r for r in resources["resources"] if r["parts"])
    today = date.today()
    first_tuesday = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
    part = None
    for week in range(4):  # a public holiday closes the hall; then try the Tuesday after
        tuesday = first_tuesday + timedelta(weeks=week)
        window = {"date_from": tuesday.isoformat(), "date_to": tuesday.isoformat(), "duration": "02:00"}
        free = await step("locaboo_availability", {**window, "resource_id": [hall["id"]], "limit": 12})
        part = next(
            (
                r
                for r in free["resources"]
                for s in r["slots"]
                if (s["time_from"], s["time_to"]) == (TIME_FROM, TIME_TO)
            ),
            None,
        )
        if part is not None:
            break
    if part is None:
        raise RuntimeError(f"no part of {hall['title']} is free {TIME_FROM}-{TIME_TO} on the next four Tuesdays")
    customers = await step("locaboo_customer_list", {"search": "TSV"}, show=["customers"])
    customer = customers["customers"][0]
    booking = await step(
        "locaboo_booking_add",
        {
            "booking_mode": "direct_booking",
            "main_resource": hall["id"],
            "resource_parts": [{"resource_id": hall["id"], "part_ids": [part["resource_id"]]}],
            "date_from": tuesday.isoformat(),
            "date_to": tuesday.isoformat(),
            "time_from": TIME_FROM,
            "time_to": TIME_TO,
            "customer_id": customer["id"],
            "title": "Probetraining Volleyball",
        },
    )
    await step(
        "locaboo_booking_details", {"booking_id": booking["booking_id"]}, show=["title", "customer", "resources"]
    )
    taken = await step("locaboo_availability", {**window, "resource_id": [part["resource_id"]]})
    await step("locaboo_booking_save", {"booking_id": booking["booking_id"], "booking_status": "Cancel"})
    back = await step("locaboo_availability", {**window, "resource_id": [part["resource_id"]]})

    def has_slot(result: dict[str, object]) -> bool:
        slots = result["resources"][0]["slots"]  # type: ignore[index]
        return any((s["time_from"], s["time_to"]) == (TIME_FROM, TIME_TO) for s in slots)

    if has_slot(taken) or not has_slot(back):
        raise RuntimeError("Locaboo slot accounting is off: the booked slot did not disappear and come back")
