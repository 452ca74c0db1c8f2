"""The format rules tests/support/schemas.py applies are Ajv's (ajv-formats, full mode), which the
TypeScript SDK applies to every structured result: rows that must pass and rows that must fail."""

from __future__ import annotations

import pytest

from tests.support.schemas import is_date, is_date_time


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("2026-12-04T15:30:00+01:00", True),
        ("2026-12-04T15:30:00Z", True),
        ("2026-12-04t15:30:00.123z", True),
        ("2026-12-04 15:30:00+0100", True),
        ("2026-12-04T15:30+01:00", False),  # no seconds: what find_slots once sent
        ("2026-12-04T15:30:00", False),  # no offset
        ("2026-02-30T10:00:00Z", False),
        ("2026-12-04T24:00:00Z", False),
        ("2026-12-04", False),
    ],
)
def test_date_time_as_ajv_reads_it(value: str, ok: bool) -> None:
    assert is_date_time(value) is ok


@pytest.mark.parametrize(("value", "ok"), [("2028-02-29", True), ("2027-02-29", False), ("2026-1-04", False)])
def test_date_as_ajv_reads_it(value: str, ok: bool) -> None:
    assert is_date(value) is ok
