"""Laravel conventions the ServicePlanner simulator reproduces: JSON values, validation, paging.

ServicePlanner is a Laravel application, so its error bodies, validation messages and paginator
objects follow the framework defaults. Keeping them here lets the simulator's handlers read like
the controllers they stand in for.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from agenda_mcp.tools.serviceplanner.models import VENDOR_TZ

# --------------------------------------------------------------------------------------------
# JSON values
# --------------------------------------------------------------------------------------------


def to_json(value: Any) -> Any:
    """Render stored Python values the way the vendor serialises them.

    Every timestamp goes out as Europe/Amsterdam wall-clock digits tagged "Z", the app storing
    local time yet tagging it as UTC (reference 1.3: the docs' `time_from` `...T09:00:00.000000Z`
    next to `time_from_order` `... 09:00:00`, `plan_to` `...T23:59:59.000000Z` at a month's end).
    The one rule the client reads them by (models.py `vendor_time`), for every field alike: naive
    datetimes (planning times: time_from, plan_from, ...) keep their digits, aware ones (moments
    such as created_at, updated_at) are told on Amsterdam's clock first.
    """
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(VENDOR_TZ).replace(tzinfo=None)
        return value.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    return value


def json_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """A stored record as the vendor serialises it (see `to_json`)."""
    return {key: to_json(value) for key, value in record.items()}


def order_stamp(value: datetime | None) -> str | None:
    """The list-only `*_order` sort helpers: local wall time without a zone."""
    return value.strftime("%Y-%m-%d %H:%M:%S") if value is not None else None


# --------------------------------------------------------------------------------------------
# Validation (Laravel's default English messages)
# --------------------------------------------------------------------------------------------


class ValidationFailed(Exception):
    """A 422: `errors` maps each field to its messages, in the order the rules ran."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = dict(errors)
        super().__init__(validation_message(self.errors))


def validation_message(errors: Mapping[str, list[str]]) -> str:
    """Laravel's summary: the first message plus how many more there are."""
    messages = [message for field_messages in errors.values() for message in field_messages]
    if not messages:
        return "The given data was invalid."
    rest = len(messages) - 1
    if rest == 0:
        return messages[0]
    return f"{messages[0]} (and {rest} more error{'s' if rest > 1 else ''})"


def attribute_name(field: str) -> str:
    return field.replace("_", " ")


_MISSING = object()
Day = date  # `date` is also a Validator rule: inside the class the type goes by this name
_INT_RE = re.compile(r"^[+-]?\d+$")


def _is_empty(value: Any) -> bool:
    # Laravel's ConvertEmptyStringsToNull middleware turns "" into null before validation.
    return value is _MISSING or value is None or (isinstance(value, str) and value.strip() == "")


def parse_int(value: Any) -> int | None:
    """PHP's FILTER_VALIDATE_INT: ints and digit strings, never booleans or floats with decimals."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INT_RE.match(value.strip()):
        return int(value.strip())
    return None


def parse_bool(value: Any) -> bool | None:
    """Laravel's `boolean` rule: true, false, 1, 0, "1", "0" and nothing else."""
    if value is True or value is False:
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value in ("0", "1"):
        return value == "1"
    return None


def parse_date(value: Any) -> datetime | None:
    """Laravel's `date` rule accepts anything strtotime understands; ISO 8601 covers the docs."""
    if not isinstance(value, str):
        return None
    text = value.strip().replace(" ", "T", 1)
    if text.endswith("Z"):
        text = text[:-1]
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=None)


class Validator:
    """Collects Laravel-style errors; each rule returns the coerced value or None.

    Rules behave like Laravel's: an absent or empty optional field skips its other rules, and a
    field stops at its first failure (as with `bail`), so every field carries one clear message.
    """

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.errors: dict[str, list[str]] = {}

    # -- plumbing --------------------------------------------------------------------------

    def raw(self, field: str) -> Any:
        current: Any = self.data
        for part in field.split("."):
            if isinstance(current, Mapping) and part in current:
                current = current[part]
            elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
                current = current[int(part)]
            else:
                return _MISSING
        return current

    def present(self, field: str) -> bool:
        return not _is_empty(self.raw(field))

    def fail(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def failed(self, field: str) -> bool:
        return field in self.errors

    def check(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)

    def _start(self, field: str, required: bool) -> Any:
        """The value to check, or _MISSING when the field is absent (failing `required`)."""
        value = self.raw(field)
        if _is_empty(value):
            if required:
                self.fail(field, f"The {attribute_name(field)} field is required.")
            return _MISSING
        return value

    # -- rules -----------------------------------------------------------------------------

    def required_without(self, field: str, other: str) -> None:
        if not self.present(field) and not self.present(other):
            self.fail(
                field,
                f"The {attribute_name(field)} field is required when {attribute_name(other)} is not present.",
            )

    def integer(
        self, field: str, *, required: bool = False, minimum: int | None = None, maximum: int | None = None
    ) -> int | None:
        value = self._start(field, required)
        if value is _MISSING:
            return None
        number = parse_int(value)
        if number is None:
            self.fail(field, f"The {attribute_name(field)} field must be an integer.")
            return None
        if minimum is not None and number < minimum:
            self.fail(field, f"The {attribute_name(field)} field must be at least {minimum}.")
            return None
        if maximum is not None and number > maximum:
            self.fail(field, f"The {attribute_name(field)} field must not be greater than {maximum}.")
            return None
        return number

    def string(self, field: str, *, required: bool = False, max_length: int = 255) -> str | None:
        value = self._start(field, required)
        if value is _MISSING:
            return None
        if not isinstance(value, str):
            # Numbers are accepted where the docs' examples send them (house numbers, zipcodes).
            if isinstance(value, int | float) and not isinstance(value, bool):
                value = str(value)
            else:
                self.fail(field, f"The {attribute_name(field)} field must be a string.")
                return None
        if len(value) > max_length:
            self.fail(field, f"The {attribute_name(field)} field must not be greater than {max_length} characters.")
            return None
        return value.strip()

    def one_of(self, field: str, allowed: Sequence[str], *, required: bool = False) -> str | None:
        value = self._start(field, required)
        if value is _MISSING:
            return None
        if not isinstance(value, str) or value not in allowed:
            self.fail(field, f"The selected {attribute_name(field)} is invalid.")
            return None
        return value

    def boolean(self, field: str, *, required: bool = False) -> bool | None:
        value = self._start(field, required)
        if value is _MISSING:
            return None
        result = parse_bool(value)
        if result is None:
            self.fail(field, f"The {attribute_name(field)} field must be true or false.")
        return result

    def date(self, field: str, *, required: bool = False) -> datetime | None:
        value = self._start(field, required)
        if value is _MISSING:
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.fail(field, f"The {attribute_name(field)} field must be a valid date.")
        return parsed

    def date_format_ymd(self, field: str) -> Day | None:
        value = self._start(field, False)
        if value is _MISSING:
            return None
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(field, f"The {attribute_name(field)} field must match the format Y-m-d.")
        return None

    def email(self, field: str) -> str | None:
        value = self.string(field)
        if value is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            self.fail(field, f"The {attribute_name(field)} field must be a valid email address.")
            return None
        return value

    def int_list(self, field: str) -> list[int] | None:
        value = self._start(field, False)
        if value is _MISSING:
            return None
        if not isinstance(value, list):
            self.fail(field, f"The {attribute_name(field)} field must be an array.")
            return None
        numbers: list[int] = []
        for index, item in enumerate(value):
            number = parse_int(item)
            if number is None:
                self.fail(f"{field}.{index}", f"The {field}.{index} field must be an integer.")
            else:
                numbers.append(number)
        return numbers

    def exists(self, field: str, ok: bool) -> None:
        """Laravel's `exists` (and our ownership checks, which reuse its message)."""
        if not ok and not self.failed(field):
            self.fail(field, f"The selected {attribute_name(field)} is invalid.")


# --------------------------------------------------------------------------------------------
# Pagination (Illuminate\Pagination\LengthAwarePaginator)
# --------------------------------------------------------------------------------------------

DEFAULT_PER_PAGE = 100  # reference S14: 100 everywhere


def resolve_page(value: Any) -> int:
    """Laravel falls back to page 1 for anything that is not an integer >= 1."""
    number = parse_int(value)
    return number if number is not None and number >= 1 else 1


def paginate(
    records: Sequence[dict[str, Any]],
    *,
    page: int,
    per_page: int,
    path: str,
    query: Iterable[tuple[str, str]],
) -> dict[str, Any]:
    """A length-aware paginator object; page URLs keep the request's other query parameters.

    Keeping the query string (Laravel's `withQueryString()`) means `next_page_url` really is the
    next page of the same listing, filters and `per_page` included.
    """
    kept = [(key, value) for key, value in query if key != "page"]

    def url(number: int) -> str:
        return f"{path}?{urlencode([*kept, ('page', str(number))])}"

    total = len(records)
    last_page = max(1, math.ceil(total / per_page))
    start = (page - 1) * per_page
    chunk = list(records[start : start + per_page])
    return {
        "current_page": page,
        "data": chunk,
        "first_page_url": url(1),
        "from": start + 1 if chunk else None,
        "last_page": last_page,
        "last_page_url": url(last_page),
        "next_page_url": url(page + 1) if page < last_page else None,
        "path": path,
        "per_page": per_page,
        "prev_page_url": url(page - 1) if page > 1 else None,
        "to": start + len(chunk) if chunk else None,
        "total": total,
    }


def query_pairs(query_string: str) -> list[tuple[str, str]]:
    return parse_qsl(query_string, keep_blank_values=True)


def query_array(pairs: Sequence[tuple[str, str]], name: str) -> list[str] | str | None:
    """PHP's view of `name[]=1&name[]=2` (or `name[0]=1`): a list; a bare `name=1` stays scalar."""
    values = [value for key, value in pairs if re.fullmatch(rf"{re.escape(name)}\[\d*\]", key)]
    if values:
        return values
    scalars = [value for key, value in pairs if key == name]
    return scalars[-1] if scalars else None
