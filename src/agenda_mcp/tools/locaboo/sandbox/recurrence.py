"""How the simulator reads Locaboo booking rules and expands them into dated instances.

Locaboo documents the rule shapes but not the expansion (reference §2.13, L3/L4, all
[inferred]); the choices made here:

- single booking: one instance per day from ``date_from`` to ``date_to`` with the same times
  (the documented booking examples show exactly that);
- ``multi_day=1`` is, in Locaboo's words, "a full day booking" (``0``: "a booking with from and
  to time"): one full-day instance per day from ``date_from`` to ``date_to``; ``time_from`` /
  ``time_to`` are then not needed and do not change it (a full-day booking has no times);
- a continuous span over several days (the documented booking 312838 has ``00:00-23:59,
  00:00-23:59, 00:00-18:00``) is something a manager makes in the dashboard; the API has no way
  to ask for one, so only the demo data use :func:`span`;
- weekly rules count weeks from the Monday of ``date_from``'s week (``biweek`` = weeks 0, 2, 4...);
- monthly rules count months from ``date_from``'s month; a month without the requested day
  (the 31st, a fifth Tuesday) is skipped rather than moved;
- yearly rules on 29 February skip non-leap years;
- full-day items run 00:00-23:59, as in the documented booking example;
- a rule makes at most ``MAX_OCCURRENCES`` instances (a local convention: the simulator's bound on
  one request's work; Locaboo documents none).
"""

from __future__ import annotations

import calendar
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from agenda_mcp.tools.locaboo.phpform import as_list
from agenda_mcp.tools.locaboo.sandbox.model import Params, as_mapping, bad_request, is_blank, to_flag, to_int, to_time

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKLY_INTERVALS: dict[str, int] = {"week": 1, "biweek": 2, "triweek": 3, "quadweek": 4}
DAY_START = time(0, 0)
DAY_END = time(23, 59)


@dataclass(frozen=True)
class Occurrence:
    """One dated instance: wall-clock times in the venue's zone."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class WeeklyItem:
    weekday: int  # 0 = Monday
    start: time
    end: time


MAX_OCCURRENCES = 3660
"""A local convention, not Locaboo's (it documents no limit): the most dated instances one rule
expands to, ten years of daily bookings. The simulator refuses more (400) instead of building them,
as any server bounds the work one request may cause; rules are expanded lazily, so the refusal
comes after MAX_OCCURRENCES + 1 instances, never after the whole period."""


def _at_most(found: Iterator[Occurrence]) -> list[Occurrence]:
    taken = list(itertools.islice(found, MAX_OCCURRENCES + 1))
    if len(taken) > MAX_OCCURRENCES:
        raise bad_request(
            f"The booking has more than {MAX_OCCURRENCES} dates between date_from and date_to; book a shorter period"
        )
    return taken


def _days(date_from: date, date_to: date) -> Iterator[date]:
    return (date_from + timedelta(days=n) for n in range((date_to - date_from).days + 1))


def _at(day: date, start: time, end: time) -> Occurrence:
    return Occurrence(datetime.combine(day, start), datetime.combine(day, end))


def single(date_from: date, date_to: date, start: time, end: time) -> list[Occurrence]:
    return _at_most(_at(day, start, end) for day in _days(date_from, date_to))


def span(date_from: date, date_to: date, start: time, end: time) -> list[Occurrence]:
    """One stretch from ``date_from start`` to ``date_to end``, cut into one instance per day."""
    days = _days(date_from, date_to)
    return _at_most(
        _at(day, start if day == date_from else DAY_START, end if day == date_to else DAY_END) for day in days
    )


def daily(date_from: date, date_to: date, start: time, end: time) -> list[Occurrence]:
    return single(date_from, date_to, start, end)


def weekly(date_from: date, date_to: date, items: list[WeeklyItem], every_weeks: int) -> list[Occurrence]:
    def found() -> Iterator[Occurrence]:
        for offset, day in enumerate(_days(date_from, date_to)):
            # Weeks count from the Monday of date_from's week (reckoned without building that
            # Monday, which for 0001-01-03 would be before year 1).
            if ((offset + date_from.weekday()) // 7) % every_weeks:
                continue
            yield from (_at(day, item.start, item.end) for item in items if item.weekday == day.weekday())

    return _at_most(found())


def _months(date_from: date, date_to: date, every_months: int) -> Iterator[tuple[int, int]]:
    year, month = date_from.year, date_from.month
    index = 0
    while (year, month) <= (date_to.year, date_to.month):
        if index % every_months == 0:
            yield year, month
        index += 1
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _within(day: date, date_from: date, date_to: date) -> bool:
    return date_from <= day <= date_to


def monthly_by_day(
    date_from: date, date_to: date, day_of_month: int, every_months: int, start: time, end: time
) -> list[Occurrence]:
    def found() -> Iterator[Occurrence]:
        for year, month in _months(date_from, date_to, every_months):
            if day_of_month > calendar.monthrange(year, month)[1]:
                continue
            day = date(year, month, day_of_month)
            if _within(day, date_from, date_to):
                yield _at(day, start, end)

    return _at_most(found())


def nth_weekday(year: int, month: int, week_number: int, weekday: int) -> date | None:
    """The ``week_number``-th ``weekday`` (0 = Monday) of the month, or None if it has none."""
    first_weekday, length = calendar.monthrange(year, month)
    day = 1 + (weekday - first_weekday) % 7 + 7 * (week_number - 1)
    return date(year, month, day) if day <= length else None  # (no date past the month: 9999-12 has none)


def monthly_by_weekday(
    date_from: date,
    date_to: date,
    week_number: int,
    weekday: int,
    every_months: int,
    start: time,
    end: time,
) -> list[Occurrence]:
    def found() -> Iterator[Occurrence]:
        for year, month in _months(date_from, date_to, every_months):
            day = nth_weekday(year, month, week_number, weekday)
            if day is not None and _within(day, date_from, date_to):
                yield _at(day, start, end)

    return _at_most(found())


def yearly(date_from: date, date_to: date, day_of_month: int, month: int, start: time, end: time) -> list[Occurrence]:
    def found() -> Iterator[Occurrence]:
        for year in range(date_from.year, date_to.year + 1):
            if day_of_month > calendar.monthrange(year, month)[1]:
                continue
            day = date(year, month, day_of_month)
            if _within(day, date_from, date_to):
                yield _at(day, start, end)

    return _at_most(found())


# --- reading the rules from a booking_add request ---------------------------------------------


def occurrences_from(p: Params, recurring: int, date_from: date, date_to: date) -> list[Occurrence]:
    """The dated instances a booking_add request asks for, enforcing the required-if rules L3/L4."""
    if recurring == 0:
        if p.flag("multi_day"):
            # The docs name time_from/time_to required whenever recurring is 0, but a full-day
            # booking has no times; the reference (L3) reads them as optional then [inferred].
            # Sent times are still checked for their format, and then have no effect.
            for name in ("time_from", "time_to"):
                p.time(name)
            return single(date_from, date_to, DAY_START, DAY_END)
        start = p.time("time_from")
        end = p.time("time_to")
        if start is None:
            raise bad_request("time_from is required if recurring is 0")
        if end is None:
            raise bad_request("time_to is required if recurring is 0")
        if end <= start:
            raise bad_request("time_to must be after time_from")
        return single(date_from, date_to, start, end)

    kind = p.choice("recurrence_type", ("day", "week", "month", "year"))
    if kind is None:
        raise bad_request("recurrence_type is required if recurring is 1")
    name = {"day": "daily", "week": "weekly", "month": "monthly", "year": "yearly"}[kind] + "_recurrence"
    if p.raw(name) is None:
        raise bad_request(f"{name} is required if recurrence_type is {kind}")
    if kind == "day":
        start, end = _item_times(as_mapping(p.raw(name), name), name)
        return daily(date_from, date_to, start, end)
    if kind == "week":
        interval = p.choice("weekly_type_select", tuple(WEEKLY_INTERVALS)) or "week"
        items = as_list(p.raw(name))
        if not items:
            raise bad_request(f"{name} must be a non-empty array of days")
        spec = []
        for index, raw_item in enumerate(items):
            path = f"{name}[{index}]"
            item = as_mapping(raw_item, path)
            day = str(item.get("day", "")).strip().lower()
            if day not in WEEKDAYS:
                raise bad_request(f"{path}[day] must be one of {', '.join(WEEKDAYS)}")
            start, end = _item_times(item, path)
            spec.append(WeeklyItem(WEEKDAYS.index(day), start, end))
        return weekly(date_from, date_to, spec, WEEKLY_INTERVALS[interval])
    if kind == "month":
        rule = as_mapping(p.raw(name), name)
        mode = str(rule.get("mode", "")).strip()
        if mode not in ("day", "week"):
            raise bad_request(f"{name}[mode] must be day or week")
        days = as_mapping(rule.get("days"), f"{name}[days]")
        every = _bounded(days.get("month"), f"{name}[days][month]", 1, 12)
        start, end = _item_times(rule, name)
        if mode == "day":
            day_of_month = _bounded(days.get("day"), f"{name}[days][day]", 1, 31)
            return monthly_by_day(date_from, date_to, day_of_month, every, start, end)
        week_number = _bounded(days.get("week_number"), f"{name}[days][week_number]", 1, 5)
        week_day = str(days.get("week_day", "")).strip().lower()
        if week_day not in WEEKDAYS:
            raise bad_request(f"{name}[days][week_day] must be one of {', '.join(WEEKDAYS)}")
        return monthly_by_weekday(date_from, date_to, week_number, WEEKDAYS.index(week_day), every, start, end)
    rule = as_mapping(p.raw(name), name)
    month = _bounded(rule.get("month"), f"{name}[month]", 1, 12)
    day_of_month = _bounded(rule.get("day"), f"{name}[day]", 1, 31)
    if day_of_month > [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]:
        raise bad_request(f"{name}: month {month} has no day {day_of_month}")
    start, end = _item_times(rule, name)
    return yearly(date_from, date_to, day_of_month, month, start, end)


def _bounded(value: Any, name: str, low: int, high: int) -> int:
    if is_blank(value):
        raise bad_request(f"{name} is required")
    number = to_int(value, name)
    if not low <= number <= high:
        raise bad_request(f"{name} must be between {low} and {high}")
    return number


def _item_times(item: dict[str, Any], name: str) -> tuple[time, time]:
    """``from``/``to`` of a recurrence item, or the whole day when ``full_day`` is 1 (L4)."""
    if not is_blank(item.get("full_day")) and to_flag(item["full_day"], f"{name}[full_day]") == 1:
        return DAY_START, DAY_END
    if is_blank(item.get("from")):
        raise bad_request(f"{name}[from] is required unless full_day is 1")
    if is_blank(item.get("to")):
        raise bad_request(f"{name}[to] is required unless full_day is 1")
    start, end = to_time(item["from"], f"{name}[from]"), to_time(item["to"], f"{name}[to]")
    if end <= start:
        raise bad_request(f"{name}[to] must be after {name}[from]")
    return start, end
