"""find_slots and book_slot: one question over every vendor with availability, one call to book."""
