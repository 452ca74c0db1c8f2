"""ServicePlanner's part of `agenda-mcp demo`: look at the planning, find a client and their
boiler, queue a maintenance visit for it, look at it, and remove it again."""

from __future__ import annotations

from agenda_mcp.server.kit import DemoStep


async def run(step: DemoStep) -> None:
    await step("sp_list_appointment_types", {}, show=["appointment_types"])
    # The planning as a technician sees it: the latest visits first (visits not yet given a time
    # sort first the other way round), each with its time as an ISO datetime with offset.
    planning = await step("sp_list_appointments", {"ordertype": "desc", "per_page": 2}, show=["appointments"])
    if not planning["appointments"] or "start" not in planning["appointments"][0]:
        raise RuntimeError(f"the planning shows no visit with a time: {planning}")
    found = await step("sp_list_clients", {"search": "Utrecht", "per_page": 3}, show=["clients", "page"])
    client = found["clients"][0]
    detail = await step("sp_get_client", {"client_id": client["id"]}, show=["name", "addresses"])
    items = await step("sp_list_client_items", {"client_id": client["id"]}, show=["items"])
    if not items["items"]:
        raise RuntimeError(f"demo client {client['id']} has no items to service")
    item = items["items"][0]
    created = await step(
        "sp_create_appointment",
        {
            "client_id": client["id"],
            "address_id": item["address_id"],
            "appointment_type_id": item["appointment_type_id"],
            "services": [item["id"]],
            "plan_appointment": False,
        },
    )
    shown = await step(
        "sp_get_appointment",
        {"appointment_id": created["id"]},
        show=["status_system", "client_name", "address", "appointment_type", "plan_from", "plan_to", "services"],
    )
    if shown["client_name"] != detail["name"] or [s["id"] for s in shown["services"]] != [item["id"]]:
        raise RuntimeError(f"appointment {created['id']} is not the visit that was planned: {shown}")
    await step("sp_delete_appointment", {"appointment_id": created["id"]})
    after = await step("sp_get_client", {"client_id": client["id"]}, show=["name"])
    if created["id"] in {appointment["id"] for appointment in after.get("appointments", [])}:
        raise RuntimeError(f"appointment {created['id']} is still there after deleting it")
