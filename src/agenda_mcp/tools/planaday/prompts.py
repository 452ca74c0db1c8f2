"""Planaday prompts: the common jobs, walked through in the right tool order."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from agenda_mcp.server.kit import Workflow, steps, workflow


@workflow(
    name="enrol_student",
    title="Enrol a student on a course (Planaday)",
    tools=(
        "list_planaday_labels",
        "list_planaday_courses",
        "get_planaday_course",
        "list_planaday_course_dayparts",
        "get_planaday_location",
        "create_planaday_booking",
    ),
)
def enrol_student(
    student: Annotated[str, Field(description="who to enrol: name, and e-mail if known")],
    course: Annotated[str, Field(description="the course wanted, e.g. BHV, VCA or a course name")],
    period: Annotated[str | None, Field(description="when, e.g. 'in March' or 'before 1 June'")] = None,
) -> str:
    """Find a Planaday course with seats for someone and book them on it, after the person agrees."""
    when = f" {period}" if period else " in the coming two months"
    return f"Enrol {student} on a Planaday course for: {course}{when}.\n\n" + steps(
        "If the course is named by a topic (BHV, EHBO, VCA, ...), call list_planaday_labels to find its label.",
        "Call list_planaday_courses with start and end (YYYY-MM-DD) for the period and that label; keep "
        "courses whose users.available is above 0. Page with offset if there are more.",
        "Call get_planaday_course for the best match (price, seats left, and any attributes of the course or "
        "its dayparts a student must choose), and list_planaday_course_dayparts for its sessions (start and "
        "end, with their offset) and location ids (get_planaday_location gives the address).",
        "Show the person the course (name, dates, location, price) and ask them to confirm. Do not book without a yes.",
        "Call create_planaday_booking with course_id and students=[{first_name, last_name, email}]; add "
        "company when an employer pays, and attributes ({code: [option names]}) when there are choices.",
        "Tell the person the booking_id, and that it is a booking request the training institute still "
        "accepts in Planaday.",
    )


PROMPTS: list[Workflow] = [enrol_student]
