"""The person's own calendars (server/calendars/): busy times, the HTTP rules, events, CalDAV, and
find_slots and book_slot with them."""
