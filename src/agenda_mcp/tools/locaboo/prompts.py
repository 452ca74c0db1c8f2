"""Locaboo prompts: the common jobs, walked through in the right tool order."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from agenda_mcp.server.kit import Workflow, steps, workflow

Need = Annotated[str, Field(description="what the room is for, e.g. 'Sitzung für 12 Personen mit Beamer'")]
When = Annotated[str, Field(description="day and time wanted, e.g. 'next Thursday 14:00-16:00'")]


def _find(need: str, when: str) -> list[str]:
    return [
        "Call locaboo_resource_list: rooms and halls with their parts and custom fields (capacity, equipment). "
        f"Pick the resources that fit: {need}.",
        "Call locaboo_availability with date_from and date_to (YYYY-MM-DD), resource_id of those resources, "
        f"time_from/time_to and a duration (HH:MM) for: {when}. Times without an offset are the venue's "
        "local time; each slot's start and end say it with the offset, in the result's timezone.",
    ]


@workflow(
    name="find_free_room",
    title="Find a free room (Locaboo)",
    tools=("locaboo_resource_list", "locaboo_availability"),
)
def find_free_room(need: Need, when: When) -> str:
    """Find Locaboo rooms or halls that are free at a given time and fit what they are needed for."""
    return f"Find a free Locaboo room: {need}, {when}.\n\n" + steps(
        *_find(need, when),
        "Show the person the free options (room, part, time); if nothing fits, offer the nearest free times.",
    )


@workflow(
    name="book_room",
    title="Book a room (Locaboo)",
    tools=("locaboo_resource_list", "locaboo_availability", "locaboo_customer_list", "locaboo_booking_add"),
)
def book_room(
    need: Need,
    when: When,
    customer: Annotated[str | None, Field(description="who books: name or company, if known")] = None,
) -> str:
    """Find a free Locaboo room at a given time and book it, after the person agrees."""
    who = f" for {customer}" if customer else ""
    return f"Book a Locaboo room{who}: {need}, {when}.\n\n" + steps(
        *_find(need, when),
        "Find the customer_id with locaboo_customer_list (search by name); ask the person if it is unclear.",
        "Repeat the booking back (room, part, day, times, customer) and book only after the person agrees: "
        "locaboo_booking_add with main_resource, the chosen slot's start and end as time_from and time_to "
        "(unchanged; they carry the day), resource_parts for a part of a hall, and booking_mode "
        "(booking_request unless the person may book directly).",
        "Tell the person the booking id and whether it is booked or a request waiting for the manager.",
    )


PROMPTS: list[Workflow] = [find_free_room, book_room]
