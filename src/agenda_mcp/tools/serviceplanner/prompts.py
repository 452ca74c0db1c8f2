"""ServicePlanner prompts: the common jobs, walked through in the right tool order."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from agenda_mcp.server.kit import Workflow, steps, workflow


@workflow(
    name="plan_service_visit",
    title="Plan a service visit (ServicePlanner)",
    tools=("sp_list_clients", "sp_list_addresses", "sp_list_appointment_types", "sp_create_appointment"),
)
def plan_service_visit(
    client: Annotated[str, Field(description="the client: name, company or client number")],
    job: Annotated[str, Field(description="what needs doing, e.g. 'onderhoud cv-ketel'")],
) -> str:
    """Plan a ServicePlanner appointment at a client's address for a kind of job, after the person agrees."""
    return f"Plan a ServicePlanner visit for {client}: {job}.\n\n" + steps(
        "Call sp_list_clients with search (a name) or client_number; ask the person if several clients match.",
        "Call sp_list_addresses with the client_id and pick the work address where the visit is (else the "
        "invoice address).",
        "Call sp_list_appointment_types and pick the appointment_type_id that matches the job.",
        "Repeat the visit back (client, address, type) and create it only after the person agrees: "
        "sp_create_appointment with client_id, address_id and appointment_type_id. Leave plan_appointment "
        "false, so the visit waits in this month's planning.",
        "Tell the person the appointment id and that ServicePlanner's planning will give it a time.",
    )


PROMPTS: list[Workflow] = [plan_service_visit]
