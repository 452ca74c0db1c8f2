"""Planaday's part of `agenda-mcp demo`: find a course with seats, see its sessions, enrol a
student, undo it. It prints actual records (a course, a daypart with its start and end, the
booking), not only totals."""

from __future__ import annotations

from datetime import date, timedelta

from agenda_mcp.server.kit import DemoStep


async def run(step: DemoStep) -> None:
    await step("ping_planaday", {})
    labels = await step("list_planaday_labels", {}, show=["labels"])
    label = labels["labels"][0]["name"]
    today = date.today()
    period = {"start": today.isoformat(), "end": (today + timedelta(weeks=8)).isoformat()}
    courses = await step("list_planaday_courses", {**period, "label": [label], "limit": 5}, show=["page"])
    course = next(c for c in courses["courses"] if c["users"].get("available", 0) > 1)
    await step("get_planaday_course", {"course_id": course["id"]}, show=["id", "name", "users", "costs", "level"])
    dayparts = await step("list_planaday_course_dayparts", {"course_id": course["id"]}, show=["timezone", "dayparts"])
    first = dayparts["dayparts"][0]
    # A result's moment is accepted verbatim: the courses on that daypart's day.
    same_day = await step("list_planaday_courses", {"start": first["start"], "end": first["start"]}, show=["page"])
    if course["id"] not in {c["id"] for c in same_day["courses"]}:
        raise RuntimeError(f"course {course['id']} is not listed on the day of its own daypart {first['start']}")
    if first.get("location_ids"):
        await step("get_planaday_location", {"location_id": first["location_ids"][0]}, show=["name", "address"])
    await step("list_planaday_extrafields", {}, show=["student"])
    student = {"first_name": "Sanne", "last_name": "de Vries", "email": "sanne@example.nl", "gender": "f"}
    booking = await step("create_planaday_booking", {"course_id": course["id"], "students": [student]})
    booked = await step("get_planaday_course", {"course_id": course["id"]}, show=["name", "users"])
    await step("delete_planaday_booking", {"booking_id": booking["booking_id"], "reason": "demo"})
    freed = await step("get_planaday_course", {"course_id": course["id"]}, show=["name", "users"])
    before, during, after = course["users"]["available"], booked["users"]["available"], freed["users"]["available"]
    if not during < before == after:
        raise RuntimeError(f"seat accounting is off: {before} before, {during} booked, {after} after delete")
