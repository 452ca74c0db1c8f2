"""How the simulator turns Locaboo's booking rules into dated instances, and the client counts them."""

from __future__ import annotations

import calendar
import random
from datetime import date, datetime, time

import pytest

from agenda_mcp.tools.locaboo.inputs import Recurrence
from agenda_mcp.tools.locaboo.sandbox import recurrence as rec

NINE, TEN = time(9, 0), time(10, 0)


def _days(occurrences: list[rec.Occurrence]) -> list[str]:
    return [o.start.date().isoformat() for o in occurrences]


def test_single_booking_is_one_instance_per_day() -> None:
    result = rec.single(date(2026, 3, 2), date(2026, 3, 4), NINE, TEN)
    assert [(o.start, o.end) for o in result] == [
        (datetime(2026, 3, d, 9), datetime(2026, 3, d, 10)) for d in (2, 3, 4)
    ]


def test_a_dashboard_span_is_cut_per_day() -> None:
    # Only the demo data use it (a span like the documented booking 312838); the API cannot ask for one.
    result = rec.span(date(2023, 10, 11), date(2023, 10, 13), time(0, 0), time(18, 0))
    assert [(o.start.strftime("%d %H:%M"), o.end.strftime("%d %H:%M")) for o in result] == [
        ("11 00:00", "11 23:59"),
        ("12 00:00", "12 23:59"),
        ("13 00:00", "13 18:00"),
    ]


@pytest.mark.parametrize(
    ("every", "expected"),
    [
        (
            1,
            [
                "2026-03-02",
                "2026-03-05",
                "2026-03-09",
                "2026-03-12",
                "2026-03-16",
                "2026-03-19",
                "2026-03-23",
                "2026-03-26",
                "2026-03-30",
            ],
        ),
        (2, ["2026-03-02", "2026-03-05", "2026-03-16", "2026-03-19", "2026-03-30"]),
        (3, ["2026-03-02", "2026-03-05", "2026-03-23", "2026-03-26"]),
        (4, ["2026-03-02", "2026-03-05", "2026-03-30"]),
    ],
)
def test_weekly_counts_weeks_from_the_first_monday(every: int, expected: list[str]) -> None:
    items = [rec.WeeklyItem(0, NINE, TEN), rec.WeeklyItem(3, rec.DAY_START, rec.DAY_END)]
    assert _days(rec.weekly(date(2026, 3, 2), date(2026, 4, 1), items, every)) == expected


def test_weekly_starting_mid_week_skips_days_before_the_start() -> None:
    items = [rec.WeeklyItem(0, NINE, TEN), rec.WeeklyItem(4, NINE, TEN)]
    # Starts on a Wednesday: that week's Monday is not booked, its Friday is; biweekly from that week.
    assert _days(rec.weekly(date(2026, 3, 4), date(2026, 3, 31), items, 2)) == [
        "2026-03-06",
        "2026-03-16",
        "2026-03-20",
        "2026-03-30",
    ]


@pytest.mark.parametrize(
    ("day", "every", "expected"),
    [
        (15, 1, ["2026-01-15", "2026-02-15", "2026-03-15", "2026-04-15"]),
        (15, 2, ["2026-01-15", "2026-03-15"]),
        (31, 1, ["2026-01-31", "2026-03-31"]),  # months without a 31st are skipped
        (1, 1, ["2026-02-01", "2026-03-01", "2026-04-01"]),  # 1 January is before date_from
    ],
)
def test_monthly_by_day(day: int, every: int, expected: list[str]) -> None:
    assert _days(rec.monthly_by_day(date(2026, 1, 10), date(2026, 4, 20), day, every, NINE, TEN)) == expected


@pytest.mark.parametrize(
    ("week_number", "weekday", "expected"),
    [
        (2, 1, ["2026-03-10", "2026-04-14", "2026-05-12", "2026-06-09"]),  # 2nd Tuesday
        (1, 0, ["2026-03-02", "2026-04-06", "2026-05-04", "2026-06-01"]),  # 1st Monday
        (5, 4, ["2026-05-29"]),  # a 5th Friday exists only in May
    ],
)
def test_monthly_by_weekday(week_number: int, weekday: int, expected: list[str]) -> None:
    result = rec.monthly_by_weekday(date(2026, 3, 1), date(2026, 6, 30), week_number, weekday, 1, NINE, TEN)
    assert _days(result) == expected


def test_yearly_skips_29_february_outside_leap_years() -> None:
    assert _days(rec.yearly(date(2024, 1, 1), date(2029, 12, 31), 29, 2, NINE, TEN)) == ["2024-02-29", "2028-02-29"]


def test_yearly_stays_inside_the_range() -> None:
    assert _days(rec.yearly(date(2026, 7, 1), date(2028, 5, 31), 1, 6, NINE, TEN)) == ["2027-06-01"]


def test_the_rules_reach_the_ends_of_the_calendar() -> None:
    """Year 1 and 9999: no date before 0001-01-01 or after 9999-12-31 is built on the way."""
    fifth_fridays = rec.monthly_by_weekday(date(9999, 10, 1), date(9999, 12, 31), 5, 4, 1, NINE, TEN)
    assert _days(fifth_fridays) == ["9999-10-29", "9999-12-31"]
    weekly = rec.weekly(date(1, 1, 3), date(1, 1, 15), [rec.WeeklyItem(0, NINE, TEN)], 2)
    assert _days(weekly) == ["0001-01-15"]  # weeks count from 0001-01-01, the Monday before


def test_the_client_counts_the_dates_the_simulator_books() -> None:
    """locaboo_booking_add bounds a rule by its number of dates (inputs.Recurrence.dates) before it
    sends anything; Locaboo documents the rules, not their expansion, so the client's reading and
    the simulator's must agree, across leap days, fifth weekdays and week intervals."""
    generator = random.Random(7)
    weekdays = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    last_day = date(9999, 12, 31).toordinal()
    for _ in range(600):
        first = date(generator.choice([1, 1999, 2024, 2026, 9998]), generator.randint(1, 12), generator.randint(1, 28))
        last = date.fromordinal(min(first.toordinal() + generator.randint(0, 900), last_day))
        kind = generator.choice(["week", "month-day", "month-week", "year"])
        every = generator.randint(1, 12)
        if kind == "week":
            days = generator.sample(weekdays, generator.randint(1, 3))
            select = generator.choice(list(rec.WEEKLY_INTERVALS))
            rule = Recurrence(type="week", weekdays=days, weekly_type_select=select)
            items = [rec.WeeklyItem(weekdays.index(day), NINE, TEN) for day in days]
            booked = rec.weekly(first, last, items, rec.WEEKLY_INTERVALS[select])
        elif kind == "month-day":
            day_of_month = generator.randint(1, 31)
            rule = Recurrence(type="month", day=day_of_month, month=every)
            booked = rec.monthly_by_day(first, last, day_of_month, every, NINE, TEN)
        elif kind == "month-week":
            week, weekday = generator.randint(1, 5), generator.randrange(7)
            rule = Recurrence(type="month", week_number=week, week_day=weekdays[weekday], month=every)
            booked = rec.monthly_by_weekday(first, last, week, weekday, every, NINE, TEN)
        else:
            month = generator.randint(1, 12)
            day_of_month = generator.randint(1, calendar.monthrange(2024, month)[1])
            rule = Recurrence(type="year", day=day_of_month, month=month)
            booked = rec.yearly(first, last, day_of_month, month, NINE, TEN)
        assert list(rule.dates(first, last)) == sorted({o.start.date() for o in booked}), (rule, first, last)
