"""Availability as the simulator computes it (rule L9; the algorithm is [inferred]).

Per requested resource, or per part when it has parts: back-to-back ``duration`` windows inside
the opening hours, minus holidays and occupied time, optionally narrowed by ``time_from`` /
``time_to``, filtered by free-text field conditions and capped by ``limit``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from agenda_mcp.tools.locaboo.sandbox.model import (
    FreeTextField,
    Params,
    Resource,
    bad_request,
    date_range,
    hm,
    is_number,
    ok,
    php_object,
    to_int,
)

if TYPE_CHECKING:
    from agenda_mcp.tools.locaboo.sandbox.state import LocabooSandbox

CONDITIONS = ("less_than", "less_than_et", "et", "great_than", "great_than_et", "")


@dataclass(frozen=True)
class _FieldFilter:
    field: FreeTextField
    condition: str
    value: str


def _field_filters(s: LocabooSandbox, p: Params) -> list[_FieldFilter]:
    # Reference §4: the text names the parameters *_str, the example URL leaves the suffix off.
    # SAFE CHOICE: accept both (the *_str name wins when both are sent).
    def pick(stem: str) -> tuple[str, str | None]:
        for name in (f"{stem}_str", stem):
            if name in p.values:
                value = p.values[name]
                return name, "" if value is None else str(value)
        return f"{stem}_str", None

    ids_name, ids_text = pick("free_text_field_ids")
    if ids_text is None or not ids_text.strip():
        return []
    conds_name, conds_text = pick("free_text_field_conditions")
    values_name, values_text = pick("free_text_field_values")
    if conds_text is None:
        raise bad_request(f"{conds_name} is required if {ids_name} is passed")
    if values_text is None:
        raise bad_request(f"{values_name} is required if {ids_name} is passed")
    ids = [piece.strip() for piece in ids_text.split(",")]
    conditions = [piece.strip() for piece in conds_text.split(",")]
    values = [piece.strip() for piece in values_text.split(",")]
    if not (len(ids) == len(conditions) == len(values)):
        raise bad_request(
            f"{ids_name}, {conds_name} and {values_name} must have the same number of comma-separated entries"
        )
    filters = []
    for raw_id, condition, value in zip(ids, conditions, values, strict=True):
        field_id = to_int(raw_id, ids_name)
        definition = s.fields.get(field_id)
        if definition is None:
            raise bad_request(f"Unknown free text field id {field_id}")
        if condition not in CONDITIONS:
            raise bad_request(
                f"{conds_name}: unknown condition {condition!r} (allowed: {', '.join(CONDITIONS[:-1])} or empty)"
            )
        if definition.type == "numeric" and value and not is_number(value):
            raise bad_request(f"{values_name}: {value!r} is not a number (free text field {field_id} is numeric)")
        filters.append(_FieldFilter(definition, condition, value))
    return filters


def _matches(s: LocabooSandbox, resource_id: int, filters: list[_FieldFilter]) -> bool:
    values = s.field_values(resource_id)
    for f in filters:
        if f.value == "":
            continue  # an empty value does not restrict (the vendor allows empty values)
        actual = values.get(f.field.id)
        if actual is None:
            return False
        if f.condition in ("", "et"):
            # An empty condition is undocumented; the simulator treats it as equality.
            same = (
                float(actual) == float(f.value)
                if f.field.type == "numeric"
                else actual.casefold() == f.value.casefold()
            )
            if not same:
                return False
            continue
        if not (is_number(actual) and is_number(f.value)):
            return False
        a, b = float(actual), float(f.value)
        passed = {
            "less_than": a < b,
            "less_than_et": a <= b,
            "great_than": a > b,
            "great_than_et": a >= b,
        }[f.condition]
        if not passed:
            return False
    return True


def _targets(s: LocabooSandbox, p: Params) -> list[int]:
    raw = p.text("resource_id")
    if raw is None:
        requested = list(s.resources)
    else:
        requested = [to_int(piece, "resource_id") for piece in raw.split(",") if piece.strip()]
    targets: list[int] = []
    for rid in requested:
        main = s.require_resource(rid)
        # A main resource with parts answers per part (reference §2.6 example: 48 -> 49, 50).
        expanded = [part.id for part in main.parts] if rid == main.id and main.parts else [rid]
        targets.extend(t for t in expanded if t not in targets)
    return targets


def availability(s: LocabooSandbox, p: Params) -> dict[str, Any]:
    date_from, date_to = date_range(p)
    time_from, time_to = p.time("time_from"), p.time("time_to")
    if time_from and time_to and time_to <= time_from:
        raise bad_request("time_to must be after time_from")
    duration_text = p.text("duration") or "01:00"
    if not re.fullmatch(r"\d{2}:\d{2}", duration_text):
        raise bad_request("duration must be in format H:i")
    duration = timedelta(hours=int(duration_text[:2]), minutes=int(duration_text[3:]))
    if duration <= timedelta(0) or int(duration_text[3:]) > 59:
        raise bad_request("duration must be a positive time in format H:i")
    limit = p.integer("limit")
    if limit is not None and limit < 1:
        raise bad_request("limit must be a positive integer")
    filters = _field_filters(s, p)
    targets = _targets(s, p)

    busy = s.busy_index(exclude=None)
    now = s.now()
    remaining = limit
    total = 0
    data = []
    for target in targets:
        main = s.main_of(target)
        assert main is not None
        dates: dict[str, list[dict[str, str]]] = {}
        if _matches(s, target, filters):
            occupied = [(start, end) for rid in s.related(target) for start, end, _b, _i in busy.get(rid, ())]
            day = date_from
            while day <= date_to and remaining != 0:
                slots = _slots(s, main, target, day, time_from, time_to, duration, occupied, now)
                if remaining is not None:
                    slots = slots[:remaining]
                    remaining -= len(slots)
                if slots:
                    dates[day.isoformat()] = [{"time_from": hm(a), "time_to": hm(b)} for a, b in slots]
                    total += len(slots)
                day += timedelta(days=1)
        data.append({"resource_id": target, "dates": php_object(dates)})
    return ok(data, total=total)


def _slots(
    s: LocabooSandbox,
    main: Resource,
    target: int,
    day: date,
    time_from: time | None,
    time_to: time | None,
    duration: timedelta,
    occupied: list[tuple[datetime, datetime]],
    now: datetime,
) -> list[tuple[time, time]]:
    """Back-to-back ``duration`` windows in the free stretches of the day's opening hours.

    Slots start at the beginning of each free stretch (opening, or the end of a booking), so
    a booking ending at 09:30 makes 09:30 the next start; slots that start in the past are
    left out.
    """
    if s.is_holiday(target, day):
        return []
    busy = sorted((start, end) for start, end in occupied if start.date() <= day <= end.date())
    slots: list[tuple[time, time]] = []
    for open_from, open_to in main.opening_hours.get(day.weekday(), []):
        start = datetime.combine(day, max(open_from, time_from) if time_from else open_from)
        end = datetime.combine(day, min(open_to, time_to) if time_to else open_to)
        for free_from, free_to in _free_stretches(start, end, busy):
            cursor = free_from
            while cursor + duration <= free_to:
                if cursor >= now:
                    slots.append((cursor.time(), (cursor + duration).time()))
                cursor += duration
    return slots


def _free_stretches(
    start: datetime, end: datetime, busy: list[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    """The parts of [start, end) not covered by any of the (sorted) busy intervals."""
    free: list[tuple[datetime, datetime]] = []
    cursor = start
    for b_start, b_end in busy:
        if b_end <= cursor:
            continue
        if b_start >= end:
            break
        if b_start > cursor:
            free.append((cursor, b_start))
        cursor = max(cursor, b_end)
    if cursor < end:
        free.append((cursor, end))
    return free
