"""Typed tool inputs for Locaboo's writes and filters, and their translation to vendor fields.

The model sends ISO dates, times in the kit's shared vocabulary (``HH:MM``, with an offset, or a
result's full ``start``) and structured lists; Locaboo wants ``Y-m-d``, ``H:i`` wall
clock in its zone and PHP arrays keyed by id. The documented required-if rules of booking_add
(reference §2.13, L3-L7) are checked here, before anything is sent.
"""

from __future__ import annotations

import calendar
import dataclasses
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, ConfigDict, Field, model_validator

from agenda_mcp.server.kit import Clock, check_period, wall_clock, wall_span, zone_name
from agenda_mcp.tools.locaboo.dates import to_vendor_date, to_vendor_time

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Condition = Literal["less_than", "less_than_et", "et", "great_than", "great_than_et"]
Flag = Literal[0, 1]
Id = Annotated[int, Field(ge=1)]
HEX_COLOR = r"^#[0-9a-fA-F]{6}$"
# Checked by a validator, not a schema pattern: the name says what it is, the regex costs tokens.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class _Input(BaseModel):
    # A misspelt key is refused rather than silently dropped.
    model_config = ConfigDict(extra="forbid")


# -- when: days and daily times ---------------------------------------------------------------

MAX_DAYS = 731
"""The longest period one read (a booking list, an availability search) or one booking_save may
name: two years with room to spare; a period of centuries would stall Locaboo (and the per-day
checks). Locaboo documents no limit."""

MAX_OCCURRENCES = 731
"""The most occurrences one booking_add may make (per resource). Locaboo documents no limit on a
booking's period, so none is set on the days: a yearly booking may run for decades. What is bounded
is the work, before any is done: the occurrences are counted (each rule at most MAX_OCCURRENCES + 1
steps past its last occurrence's gap), and 731 is as many as two years of daily bookings, the most
any booking could make when the period was capped at 731 days."""

_EVERY_DATE = (date.max - date.min).days + 1
"""`check_period`'s cap when only the order of the two dates is checked."""


@dataclass(frozen=True)
class Days:
    """Days and the wall-clock times (in Locaboo's zone) that hold on each of them: how Locaboo
    takes the time of a booking, a booking list and an availability search."""

    date_from: date
    date_to: date
    time_from: time | None = None
    time_to: time | None = None


Occurring = Callable[[date, date], list[date]]
"""The days between a first and a last day that something happens on, each checked by the
per-day rules; refuses (ToolError) before any work when there would be too many."""


def every_day(first: date, last: date) -> list[date]:
    """Every day from `first` to `last`, a period of at most MAX_DAYS (reads, booking_save)."""
    check_period(first, last, max_days=MAX_DAYS)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def days_and_times(
    zone: ZoneInfo,
    date_from: date | None,
    date_to: date | None,
    time_from: Clock | None,
    time_to: Clock | None,
    occurring: Occurring = every_day,
) -> Days | None:
    """Resolve what the model sent (raises ToolError); None when it named no day at all.

    A time may carry its own date (a slot's `start`), which then stands for date_from; date_to
    defaults to the first day. A time with an offset is converted into `zone`, and the days move
    with it when the conversion crosses midnight. Locaboo repeats the same wall-clock times on
    every day it books (`occurring`: every day of the period, or a recurrence's days), so each of
    them must exist on every such day (a DST gap or fold on any of them is refused) and a time with
    an offset must mean the same wall-clock time on all of them."""
    names = ("time_from", "time_to")
    if time_from is None and time_to is None:
        if date_from is None:
            if date_to is not None:
                raise ToolError("Locaboo: date_to needs date_from as well.")
            return None
        days = Days(date_from, date_to or date_from)
        occurring(days.date_from, days.date_to)
        return days
    if time_from is not None and time_to is not None:
        first, last = wall_span(date_from, time_from, time_to, zone, names=names, day_name="date_from")
    elif time_from is not None:
        first, last = wall_clock(date_from, time_from, zone, name="time_from", day_name="date_from"), None
    else:
        assert time_to is not None
        first, last = None, wall_clock(date_from, time_to, zone, name="time_to", day_name="date_from")
    anchor = first if first is not None else last
    assert anchor is not None  # one of the two times was given
    day = anchor.date()
    if first is not None and last is not None and last.date() != day:
        raise ToolError(
            f"Locaboo: time_from {time_from} and time_to {time_to} fall on different days; Locaboo books "
            "the same times on each day from date_from to date_to: give both times on one day."
        )
    shift = day - date_from if date_from is not None else timedelta(0)
    try:
        days = Days(day, date_to + shift if date_to is not None else day)
    except OverflowError:
        raise ToolError(f"Locaboo: date_to {date_to} is too far in the future; give an earlier one.") from None
    on = occurring(days.date_from, days.date_to)
    for clock, resolved, name in ((time_from, first, names[0]), (time_to, last, names[1])):
        if clock is not None and resolved is not None and days.date_to > days.date_from:
            # The day the model's clock was read on (as wall_span reads it), so the later days
            # are read the same way: an offset may move the wall-clock day.
            origin = clock.day or (time_from.day if time_from else None) or date_from or resolved.date()
            moved = resolved.date() - origin if clock.offset is not None else timedelta(0)
            _same_every_day(zone, days, on, clock, resolved, name, moved)
    return dataclasses.replace(days, time_from=first.time() if first else None, time_to=last.time() if last else None)


def _same_every_day(
    zone: ZoneInfo, days: Days, on: list[date], clock: Clock, resolved: datetime, name: str, moved: timedelta
) -> None:
    # The first day was resolved already; the others can differ only around a change of the clocks.
    # `moved`: how far the offset moved the model's day into Locaboo's (23:30Z is tomorrow in Berlin).
    bare = dataclasses.replace(clock, day=None)
    for day in on:
        if day == days.date_from:
            continue
        local = wall_clock(day - moved, bare, zone, name=name)
        if local.time() != resolved.time():
            raise ToolError(
                f"Locaboo: {name} {clock} is {resolved:%H:%M} in {zone_name(zone)} on {days.date_from} but "
                f"{local:%H:%M} on {day} (the clocks change in between), and Locaboo books the same "
                "wall-clock time each day: give it as local HH:MM, or book the days either side apart."
            )


# -- booking_add ------------------------------------------------------------------------------


_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_WEEKLY = Literal["week", "biweek", "triweek", "quadweek"]
_WEEKLY_INTERVALS: dict[str, int] = {"week": 1, "biweek": 2, "triweek": 3, "quadweek": 4}
_WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Which fields each kind of rule takes (Locaboo's daily/weekly/monthly/yearly_recurrence).
_RULE_FIELDS = {
    "day": set(),
    "week": {"weekdays", "weekly_type_select"},
    "month": {"day", "week_number", "week_day", "month"},
    "year": {"day", "month"},
}


# One object for the four rules rather than four branches: each field names the rules it serves
# and the validator refuses the others. The times are the booking's own (time_from/time_to).
class Recurrence(_Input):
    type: Literal["day", "week", "month", "year"]
    weekdays: list[Weekday] | None = Field(None, min_length=1, max_length=7, description="week: on these days")
    weekly_type_select: _WEEKLY | None = Field(None, description="week: every 1st (default), 2nd, 3rd or 4th week")
    day: int | None = Field(None, ge=1, le=31, description="month, year: day of the month")
    week_number: int | None = Field(
        None, ge=1, le=5, description="month, instead of day: 2 + week_day tue = 2nd Tuesday"
    )
    week_day: Weekday | None = None
    month: int | None = Field(None, ge=1, le=12, description="year: the month; month: every N months (default 1)")

    @model_validator(mode="after")
    def _fields_of_the_rule(self) -> Recurrence:
        given = {name for name in self.model_fields_set if name != "type" and getattr(self, name) is not None}
        stray = sorted(given - _RULE_FIELDS[self.type])
        if stray:
            raise ValueError(f"a {self.type} recurrence takes no {', '.join(stray)}")
        if self.type == "week" and not self.weekdays:
            raise ValueError("a week recurrence needs weekdays")
        if self.type == "month":
            by_week = self.week_number is not None or self.week_day is not None
            if (self.day is None) == (not by_week):
                raise ValueError("a month recurrence needs day, or week_number and week_day (not both)")
            if by_week and (self.week_number is None or self.week_day is None):
                raise ValueError("a month recurrence by weekday needs week_number and week_day")
        if self.type == "year":
            if self.day is None or self.month is None:
                raise ValueError("a year recurrence needs day and month")
            if self.day > _DAYS_IN_MONTH[self.month - 1]:
                raise ValueError(f"month {self.month} has no day {self.day}")
        return self

    def dates(self, first: date, last: date) -> Iterator[date]:
        """The days this rule books from `first` to `last`, in order. Locaboo documents the rules,
        not how it expands them [inferred, as the simulator does]: weeks count from the Monday of
        `first`'s week and months from `first`'s month; a month without the day (the 31st, a fifth
        Tuesday) and 29 February outside leap years are skipped. Lazy: a caller takes what it needs."""
        if self.type == "day":
            yield from _days_between(first, last)
        elif self.type == "week":
            every = _WEEKLY_INTERVALS[self.weekly_type_select or "week"]
            wanted = {_WEEKDAYS.index(day) for day in self.weekdays or []}
            for offset in range((last - first).days + 1):
                day = first + timedelta(days=offset)
                if ((offset + first.weekday()) // 7) % every == 0 and day.weekday() in wanted:
                    yield day
        elif self.type == "month":
            every = self.month or 1
            for index, (year, month) in enumerate(_months(first, last)):
                if index % every:
                    continue
                if self.day is not None:
                    found = date(year, month, self.day) if self.day <= calendar.monthrange(year, month)[1] else None
                else:
                    assert self.week_number is not None and self.week_day is not None
                    found = _nth_weekday(year, month, self.week_number, _WEEKDAYS.index(self.week_day))
                if found is not None and first <= found <= last:
                    yield found
        else:
            assert self.day is not None and self.month is not None
            for year in range(first.year, last.year + 1):
                if (
                    self.day <= calendar.monthrange(year, self.month)[1]
                    and first <= date(year, self.month, self.day) <= last
                ):
                    yield date(year, self.month, self.day)

    def vendor(self, times: dict[str, Any]) -> dict[str, Any]:
        """Locaboo's recurrence fields, with the booking's times (``from``/``to`` or ``full_day``)."""
        if self.type == "day":
            return {"recurrence_type": "day", "daily_recurrence": times}
        if self.type == "week":
            # Locaboo allows other times per weekday; one time for all keeps the input simple.
            weekdays = dict.fromkeys(self.weekdays or [])  # unique, in the given order
            return {
                "recurrence_type": "week",
                "weekly_type_select": self.weekly_type_select or "week",
                "weekly_recurrence": [{"day": day, **times} for day in weekdays],
            }
        if self.type == "month":
            every = f"{self.month or 1:02d}"
            days: dict[str, Any]
            if self.day is not None:
                mode, days = "day", {"day": f"{self.day:02d}", "month": every}
            else:
                mode, days = "week", {"week_number": self.week_number, "week_day": self.week_day, "month": every}
            return {"recurrence_type": "month", "monthly_recurrence": {"mode": mode, "days": days, **times}}
        rule = {"day": f"{self.day:02d}", "month": f"{self.month:02d}", **times}
        return {"recurrence_type": "year", "yearly_recurrence": rule}


def _days_between(first: date, last: date) -> Iterator[date]:
    return (first + timedelta(days=n) for n in range((last - first).days + 1))


def _months(first: date, last: date) -> Iterator[tuple[int, int]]:
    """(year, month) from `first`'s month to `last`'s, without building a date past 9999-12."""
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _nth_weekday(year: int, month: int, week_number: int, weekday: int) -> date | None:
    """The `week_number`-th `weekday` (0 = Monday) of the month, or None when it has none."""
    first_weekday, length = calendar.monthrange(year, month)
    day = 1 + (weekday - first_weekday) % 7 + 7 * (week_number - 1)
    return date(year, month, day) if day <= length else None


def occurrences(recurrence: Recurrence | None) -> Occurring:
    """The days a booking_add books (one a day without a rule), for `days_and_times`: no cap on the
    period (Locaboo documents none), at most MAX_OCCURRENCES days, counted before anything is sent."""

    def on(first: date, last: date) -> list[date]:
        check_period(first, last, max_days=_EVERY_DATE)  # the order only
        if recurrence is None or recurrence.type == "day":
            if (last - first).days >= MAX_OCCURRENCES:
                raise _too_many(first, last)
            return list(_days_between(first, last))
        found = list(itertools.islice(recurrence.dates(first, last), MAX_OCCURRENCES + 1))
        if len(found) > MAX_OCCURRENCES:
            raise _too_many(first, last)
        return found

    return on


def _too_many(first: date, last: date) -> ToolError:
    return ToolError(
        f"Locaboo: from date_from {first} to date_to {last} this booking has more than {MAX_OCCURRENCES} "
        f"occurrences; at most {MAX_OCCURRENCES} per booking: give an earlier date_to, and book the rest "
        "as a second booking."
    )


class ResourceParts(_Input):
    resource_id: Id = Field(description="a main resource")
    part_ids: list[Id] = Field(min_length=1)


class CategoryField(_Input):
    resource_id: Id
    field_id: Id
    value: str


class BookedItem(_Input):
    resource_id: Id = Field(description="the booked resource it goes with")
    item_id: Id
    quantity: int = Field(1, ge=1)


def _by_resource(items: list[BookedItem]) -> dict[str, dict[str, dict[str, Any]]]:
    result: dict[str, dict[str, dict[str, Any]]] = {}
    for item in items:
        result.setdefault(str(item.resource_id), {})[str(item.item_id)] = {"checked": "on", "quantity": item.quantity}
    return result


def booking_add_fields(
    *,
    booking_mode: str,
    main_resource: int,
    days: Days,
    full_day: bool,
    recurrence: Recurrence | None,
    resource_parts: list[ResourceParts],
    category_fields: list[CategoryField],
    inventory: list[BookedItem],
    services: list[BookedItem],
    color: str | None,
    **optional: Any,
) -> dict[str, Any]:
    """booking_add's POST fields, after the documented required-if rules (raises ValueError).

    One set of times serves every kind of booking: Locaboo wants them as top-level fields for a
    single booking and inside the rule (``from``/``to``/``full_day``) for a recurrence; whole days
    are ``multi_day=1`` without a rule (Locaboo: "1 if it is a full day booking") and
    ``full_day=1`` inside one.
    """
    timed = days.time_from is not None or days.time_to is not None
    if full_day and timed:
        raise ValueError("give time_from and time_to, or full_day: true, not both")
    if not full_day and (days.time_from is None or days.time_to is None):
        raise ValueError("give time_from and time_to, or full_day: true")
    fields: dict[str, Any] = {
        "booking_mode": booking_mode,
        "main_resource": main_resource,
        "date_from": to_vendor_date(days.date_from),
        "date_to": to_vendor_date(days.date_to),
    }
    if recurrence is None:
        fields.update(recurring=0, multi_day=int(full_day))
        if full_day:
            # SAFE CHOICE: the docs require time_from/time_to whenever recurring is 0 and also
            # call multi_day=1 a full-day booking; the whole day's times (Locaboo's full-day
            # instances run 00:00-23:59) satisfy both readings and book the same thing.
            fields.update(time_from="00:00", time_to="23:59")
        else:
            assert days.time_from is not None and days.time_to is not None
            fields.update(time_from=to_vendor_time(days.time_from), time_to=to_vendor_time(days.time_to))
    else:
        times: dict[str, Any] = {"full_day": 1}
        if not full_day:
            assert days.time_from is not None and days.time_to is not None
            times = {"from": to_vendor_time(days.time_from), "to": to_vendor_time(days.time_to), "full_day": 0}
        fields.update(recurring=1, **recurrence.vendor(times))
    mains = [main_resource, *(p.resource_id for p in resource_parts)]
    if len(set(mains[1:])) != len(mains) - 1:
        raise ValueError("resource_parts lists the same resource twice")
    if resource_parts:
        fields["resource_parts"] = {str(p.resource_id): p.part_ids for p in resource_parts}
    if category_fields:
        grouped: dict[str, dict[str, str]] = {}
        for entry in category_fields:
            grouped.setdefault(str(entry.resource_id), {})[str(entry.field_id)] = entry.value
        fields["category_fields"] = grouped
    if inventory:
        fields["inventory"] = _by_resource(inventory)
    if services:
        fields["services"] = _by_resource(services)
    if color is not None:
        fields.update(custom_color=1, color=color)
    for name, value in optional.items():
        if isinstance(value, bool):
            fields[name] = int(value)
        elif value not in (None, [], ""):
            fields[name] = value
    return fields


# -- availability -----------------------------------------------------------------------------


class FieldCondition(_Input):
    field_id: Id
    condition: Condition = Field(description="less_than <, less_than_et <=, et =, great_than >, great_than_et >=")
    value: Annotated[str, Field(max_length=100)]

    @model_validator(mode="before")
    @classmethod
    def _number_as_text(cls, data: Any) -> Any:
        if (
            isinstance(data, dict)
            and isinstance(data.get("value"), int | float)
            and not isinstance(data["value"], bool)
        ):
            return {**data, "value": str(data["value"])}
        return data


def condition_params(conditions: list[FieldCondition]) -> dict[str, str]:
    """The three parallel comma lists Locaboo wants. SAFE CHOICE (reference §4): the ``_str``
    names the text documents; the simulator also accepts the example URL's names."""
    for entry in conditions:
        if "," in entry.value:
            raise ValueError("a condition value cannot contain a comma (Locaboo separates values with commas)")
    return {
        "free_text_field_ids_str": ",".join(str(c.field_id) for c in conditions),
        "free_text_field_conditions_str": ",".join(c.condition for c in conditions),
        "free_text_field_values_str": ",".join(c.value for c in conditions),
    }


# -- customers --------------------------------------------------------------------------------

#: Documented customer fields (reference §2.14) without a parameter of their own: `other_fields`.
OTHER_CUSTOMER_FIELDS = frozenset(
    (
        "customer_number_prefix",
        "customer_account_number",
        "debtor_account_number",
        "customer_tags",
        "default_customer_group",
        "customer_department",
        "matriculation_number",
        "salutation_title",
        "customer_function",
        "show_name",
        "mobile",
        "website",
        "ust_id",
        "color",
        "bank_owner",
        "iban",
        "bic",
        "mandate",
        "internal_comment",
        "reference_sign_shown_invoice",
        "reference_sign",
        "financial_number_shown_invoice",
        "financial_number",
        "cost_centre_shown_invoice",
        "cost_centre",
        "reference_number_shown_invoice",
        "reference_number",
        "master_id",
        "primion_id",
    )
)


class CustomerFields(_Input):
    # Locaboo documents no required field; the simulator, like a sensible account, wants a
    # last_name or company_name (reference §2.14 SAFE CHOICE) and says so if both are missing.
    company_name: str | None = None
    salutation: Flag | None = Field(None, description="0 = Mr., 1 = Ms./Mrs.")
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    street: str | None = None
    house_number: str | None = None
    zip: str | None = None
    city: str | None = None
    country: str | None = Field(None, pattern=r"^[A-Z]{2}$", description="e.g. DE")
    customer_group_id: Id | None = None
    customer_number: str | None = None
    customer_newsletter: bool | None = None
    other_fields: dict[str, str] | None = Field(
        None, description="other customer fields, e.g. mobile, website, ust_id, iban, internal_comment"
    )

    @model_validator(mode="after")
    def _known_fields(self) -> CustomerFields:
        if self.email is not None and not _EMAIL.fullmatch(self.email):
            raise ValueError(f"email {self.email!r} is not an e-mail address")
        unknown = sorted(set(self.other_fields or {}) - OTHER_CUSTOMER_FIELDS)
        if unknown:
            raise ValueError(
                f"unknown customer field {unknown[0]}; allowed: {', '.join(sorted(OTHER_CUSTOMER_FIELDS))}"
            )
        return self

    def vendor(self) -> dict[str, Any]:
        data = self.model_dump(exclude_none=True, exclude={"other_fields"})
        if "customer_newsletter" in data:
            data["customer_newsletter"] = int(data["customer_newsletter"])
        return {**data, **(self.other_fields or {})}


class SaveCustomer(_Input):
    # booking_save's customer_* fields. Whether Locaboo matches an existing customer or creates
    # one is undocumented; the simulator matches by e-mail and otherwise creates one.
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    company: str | None = None
    salutation: Literal["Mr", "Ms/Mrs", "Pr", "Dr"] | None = None
    street: str | None = None
    zip: str | None = None
    city: str | None = None
    phone: str | None = None

    def vendor(self) -> dict[str, str]:
        return {f"customer_{key}": value for key, value in self.model_dump(exclude_none=True).items()}


class CustomerAddress(_Input):
    company_name: str | None = None
    salutation: Flag | None = Field(None, description="0 = Mr., 1 = Ms./Mrs.")
    salutation_title: Flag | None = Field(None, description="0 = Dr., 1 = Pr.")
    function: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    street: str | None = None
    house_number: str | None = None
    zip: str | None = None
    city: str | None = None
    country: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    ust_id: str | None = Field(None, description="VAT id")
    address_type: Literal["secondary"] | None = None
    phone: str | None = None
    email: str | None = None
    mobile: str | None = None

    @model_validator(mode="after")
    def _something(self) -> CustomerAddress:
        if not (self.company_name or self.last_name or self.street):
            raise ValueError("an address needs at least a company_name, last_name or street")
        return self

    def vendor(self) -> dict[str, Any]:
        data = self.model_dump(exclude_none=True)
        if "ust_id" in data:
            data["UstID"] = data.pop("ust_id")  # the vendor's spelling in addresses
        return data
