"""OnlineAfspraken.nl prompts: the common jobs, walked through in the right tool order."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from agenda_mcp.server.kit import Workflow, steps, workflow


@workflow(
    name="book_appointment",
    title="Book an appointment (OnlineAfspraken.nl)",
    tools=(
        "get_agendas",
        "get_appointment_types",
        "get_bookable_days",
        "get_bookable_times",
        "get_customers",
        "set_customer",
        "set_appointment",
    ),
)
def book_appointment(
    customer: Annotated[str, Field(description="who the appointment is for: name and e-mail address")],
    service: Annotated[str, Field(description="what the appointment is for, e.g. 'knippen' or 'intake'")],
    when: Annotated[str | None, Field(description="preferred day or time, e.g. 'Tuesday morning'")] = None,
) -> str:
    """Book an OnlineAfspraken.nl appointment in a free time, for a new or existing customer."""
    preference = f" Preferred: {when}." if when else ""
    return f"Book an OnlineAfspraken.nl appointment for {customer}: {service}.{preference}\n\n" + steps(
        "Call get_agendas and take the agenda_id of the right agenda (ask if there are several).",
        "Call get_appointment_types and pick the appointment_type_id that matches the service; note its duration.",
        "Call get_bookable_days with agenda_id and appointment_type_id (start_date/end_date as YYYY-MM-DD) to "
        "see which days still have room.",
        "Call get_bookable_times for a chosen day; each time's start carries its offset (Europe/Amsterdam). "
        "Offer the person two or three times that fit the preference and let them choose. Keep the chosen "
        "time's start and resource_id as they are.",
        "Find the customer with get_customers (by e-mail); only if there is none, create them with set_customer.",
        "Repeat the appointment back (type, day, time, customer) and book it only after the person agrees: "
        "set_appointment with agenda_id, appointment_type_id, customer_id, resource_id and the time's start "
        "as start_time, unchanged.",
        "If the appointment stays pending (see requires_confirmation), it is confirmed with "
        "confirm_appointment and the code the customer receives; tell the person so.",
    )


PROMPTS: list[Workflow] = [book_appointment]
