"""What find_slots and book_slot return. Every moment is RFC 3339 with seconds and offset
(`2026-12-08T09:00:00+01:00`): what the outputSchema's `format: date-time` promises, and what
clients that check formats (the TypeScript SDK's Ajv) accept."""

from __future__ import annotations

from typing import Any

from mcp_types import EmbeddedResource, TextResourceContents
from pydantic import Field, PrivateAttr

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


# No docstrings on result models: pydantic would publish them in the outputSchema, which the
# model reads (tokens). What each is for is said here instead.


# One of the person's own busy times (from their calendars), in their zone.
class BusyTime(ResultModel):
    start: Moment
    end: Moment
    what: str | None = None
    calendar: str


# find_slots' answer when the person's calendars are configured (AGENDA_MCP_CALENDARS): slots they
# are busy at are left out, and their busy times are listed for the slot picker to grey out. Without
# calendars the answer is plain `SlotsFound`, so the tool list does not grow.
class SlotsWithBusy(SlotsFound):
    skipped: dict[str, str] | None = Field(None, description="vendor or 'calendar <name>' -> why it could not be read")
    busy: list[BusyTime] | None = Field(None, description="your own busy times on the days with slots")


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
    event: str | None = Field(None, description="uri of the booking as an iCalendar event, attached to this result")
    calendar: str | None = Field(None, description="whether the event was added to your own calendar")
    _ics: str | None = PrivateAttr(default=None)
    """The event's text (METHOD:PUBLISH), sent beside the JSON as an embedded resource (`attachments`)."""

    def with_event(self, uri: str, ics: str, calendar: str | None) -> SlotBooking:
        """A copy carrying the booking's iCalendar event."""
        copy = self.model_copy(update={"event": uri, "calendar": calendar})
        copy._ics = ics
        return copy

    def attachments(self) -> list[EmbeddedResource]:
        """The event as an MCP embedded resource (`text/calendar`), for clients to add to a calendar."""
        if self.event is None or self._ics is None:
            return []
        contents = TextResourceContents(uri=self.event, mime_type="text/calendar", text=self._ics)
        return [EmbeddedResource(type="resource", resource=contents)]
