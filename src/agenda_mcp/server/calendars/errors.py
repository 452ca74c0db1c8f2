"""The one failure type callers handle for someone's calendar."""

from __future__ import annotations


class CalendarUnavailable(Exception):
    """A calendar could not be used, with a reason short enough to show a person.

    One type (instead of httpx2, XML and iCalendar errors leaking out) lets the caller treat every
    calendar problem the same way: name the calendar and why, and never call the person free on its
    account. The reason and source never hold credentials: sources are masked
    (`fetch.display_url`, or the operator's calendar name) and the original exception is not
    chained, because its text may carry a full URL with a token in it.
    """

    def __init__(self, reason: str, *, source: str | None = None) -> None:
        self.reason = reason
        self.source = source
        super().__init__(reason if source is None else f"{source}: {reason}")
