"""Every structured result against its tool's outputSchema, formats checked the way the TypeScript
SDK checks them (Ajv with ajv-formats in "full" mode): a `date-time` needs seconds and an offset,
a `date` must be a real day. Python clients check nothing, so without this a result every Python
test accepts can be refused by every TypeScript host (as find_slots' `15:30+01:00` once was).

`schemas = await output_schemas(client)` once per client, then `validated(schemas, name, structured)`
per result: it raises naming the path and the rule, and returns 1 to count."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from mcp import Client

# ajv-formats (lib/formats.ts, "full"): DATE, TIME with strictTimeZone for date-time.
_DATE = re.compile(r"^(\d\d\d\d)-(\d\d)-(\d\d)$")
_TIME = re.compile(r"^(\d\d):(\d\d):(\d\d(?:\.\d+)?)(z|([+-])(\d\d)(?::?(\d\d))?)?$", re.IGNORECASE)
_SEPARATOR = re.compile(r"t|\s", re.IGNORECASE)
CHECKER = FormatChecker(formats=())


@CHECKER.checks("date")
def is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    found = _DATE.match(value)
    if found is None:
        return False
    year, month, day = (int(part) for part in found.groups())
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _is_time(value: str, *, strict_zone: bool) -> bool:
    found = _TIME.match(value)
    if found is None:
        return False
    hour, minute, second = int(found[1]), int(found[2]), float(found[3])
    zone = found[4]
    if strict_zone and not zone:
        return False
    if hour > 23 or minute > 59 or second >= 61:
        return False
    return second < 60 or (hour == 23 and minute == 59)  # a leap second only at the end of a (UTC) day


@CHECKER.checks("date-time")
def is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = _SEPARATOR.split(value, maxsplit=1)
    return len(parts) == 2 and is_date(parts[0]) and _is_time(parts[1], strict_zone=True)


async def output_schemas(client: Client) -> dict[str, dict[str, Any]]:
    """Tool name -> outputSchema, as the client was shown them."""
    tools = (await client.list_tools()).tools
    return {tool.name: tool.output_schema for tool in tools if tool.output_schema is not None}


def validated(schemas: dict[str, dict[str, Any]], tool: str, structured: Any) -> int:
    """1 when `structured` satisfies the tool's outputSchema with formats checked; else AssertionError."""
    schema = schemas.get(tool)
    assert schema is not None, f"{tool} has no outputSchema"
    errors = sorted(Draft202012Validator(schema, format_checker=CHECKER).iter_errors(structured), key=str)
    assert not errors, f"{tool}: " + "; ".join(
        f"{'/'.join(str(p) for p in e.absolute_path) or '$'}: {e.message}" for e in errors[:5]
    )
    return 1
