"""What find_slots and book_slot return. Every moment is RFC 3339 with seconds and offset
(`2026-12-08T09:00:00+01:00`): what the outputSchema's `format: date-time` promises, and what
clients that check formats (the TypeScript SDK's Ajv) accept."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from agenda_mcp.server.kit.models import ResultModel, WriteResult
from agenda_mcp.server.kit.times import Moment


class Slot(ResultModel):
    start: Moment
    end: Moment
    weekday: str
    vendor: str
    what: str
    where: str | None = None
    who: str | None = None
    price: float | None = Field(None, description="EUR, as the vendor states it")
    seats_left: int | None = None
    slot: str = Field(description="pass to book_slot as it is")


class Preferred(ResultModel):
    moment: Moment
    free: bool
    why: str | None = None


class SlotsFound(ResultModel):
    slots: list[Slot]
    total: int = Field(description="free slots found before the limit")
    preferred: Preferred | None = None
    timezones: dict[str, str] = Field(description="vendor -> IANA zone of its wall clock")
    notes: list[str] | None = None
    skipped: dict[str, str] | None = Field(None, description="vendor -> why it could not be asked")
    note: str | None = None


class CancelWith(ResultModel):
    tool: str
    arguments: dict[str, Any]


class SlotBooking(WriteResult):
    booked: bool
    already_booked: bool | None = Field(None, description="the customer already had this slot; nothing new booked")
    vendor: str
    what: str | None = None
    start: Moment
    end: Moment
    where: str | None = None
    who: str | None = None
    customer: str
    ids: dict[str, int | str] | None = None
    booking: dict[str, Any] | None = None
    cancel_with: CancelWith | None = None
    alternatives: list[Slot] | None = None
    note: str | None = None
