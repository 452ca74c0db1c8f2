"""The person's own calendars: when they are busy, and every booking as an event in them.

`find_slots` is "when is the salon free"; with the person's calendars it becomes "when are the salon
and I both free". This package reads busy times from ICS feeds and CalDAV collections
(AGENDA_MCP_CALENDARS, `sources`), expands them exactly (`busy`), and writes each booking as an
iCalendar event (`events`) to the one calendar the operator marked writable, removing it again when
the booking is cancelled (`service`). Every request follows the project's HTTP rules (`fetch`); in
sandbox mode a demo person's feed and CalDAV collection are simulated in-process (`sandbox`).
"""
