"""What a vendor's optional `slots.py` works with: the question, the free slots it offers, the
customer, and the booking it made.

`find_slots` and `book_slot` (server/slots/service.py) are the same for every vendor; a vendor package that
has availability adds `tools/<vendor>/slots.py` with

- `async find(kit, query) -> Found`: free slots matching the question, each with a `ref` (the
  vendor's own ids and wall-clock time, everything its booking call needs);
- `async book(kit, offer, customer) -> Booked`: book one such offer (as just re-checked) for a
  customer, found or created the way the vendor needs;
- `async reference(kit) -> dict[kind, list[str]]`: names for completions (appointment types,
  resources, course templates, agendas), and `COMPLETES: {(prompt, argument): kind}`;
- `async existing(kit, offer, customer) -> Booked | None`: the customer's own booking of exactly
  this offer when the vendor can tell (customer found by e-mail first, then by name), so a repeat
  of book_slot returns it instead of booking twice or calling the customer's own slot taken.

Nothing here knows a vendor's fields: a `ref` is opaque to the server, which only signs it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

_WORD = re.compile(r"[a-z0-9]+")
# German and Dutch spellings a person types without the special letter (ß -> ss, ĳ -> ij):
# NFKD splits accents off (ö -> o + ¨) but leaves these whole.
_SPELLED = str.maketrans({"ß": "ss", "ĳ": "ij", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l"})


def fold(text: str) -> str:
    """Lower case without accents: `Föhnen` and `fohnen`, `Großer Saal` and `grosser saal` agree."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_SPELLED))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def same_name(a: str | None, b: str | None) -> bool:
    """One person's name however it is typed: case, accents and spacing aside (`Zoë  Müller` is
    `zoe muller`). Names are the second test of identity; an e-mail address (`same_email`) is the first."""
    return bool(a and b) and " ".join(fold(a or "").split()) == " ".join(fold(b or "").split())


def same_email(a: str | None, b: str | None) -> bool:
    """One mailbox: case and surrounding spaces aside."""
    return bool(a and b) and (a or "").strip().casefold() == (b or "").strip().casefold()


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def matches(what: str | None, *texts: str | None) -> bool:
    """Whether every word of `what` occurs in the texts (as a word or part of one), accent- and
    case-insensitively; no `what` matches everything. Part of a word counts because Dutch and
    German glue words together (`kleuren` in `Uitgroei kleuren`, `saal` in `Konferenzsaal`)."""
    wanted = words(what or "")
    if not wanted:
        return True
    haystack = " ".join(fold(t) for t in texts if t)
    return all(word in haystack for word in wanted)


@dataclass(frozen=True)
class SlotQuery:
    """The question, resolved: days, wall-clock bounds (each vendor's own zone), length, wish."""

    what: str | None
    date_from: date
    date_to: date
    earliest: time | None = None
    latest: time | None = None
    """Latest end of a slot (a room "for the evening" should be over by then)."""
    duration: int | None = None
    """Minutes; None: the vendor's own length (an appointment type's, a course's)."""
    preferred: datetime | None = None
    limit: int = 50
    """How many slots a vendor need offer at most (the nearest to `preferred` first)."""
    ref: dict[str, Any] | None = None
    """Only the thing of this slot ref (book_slot's re-check and its alternatives); `what` is then
    left out."""
    exact: bool = True
    """With `ref`: True, exactly its thing (type and resource, room or part, course); False, the
    same kind (the type with any resource, the room with its parts, the course's template)."""

    def fits(self, start: datetime, end: datetime) -> bool:
        """Within the days and the time-of-day bounds, read on the slot's own wall clock."""
        if not self.date_from <= start.date() <= self.date_to:
            return False
        if self.earliest is not None and start.time() < self.earliest:
            return False
        return not (self.latest is not None and (end.time() > self.latest or end.date() > start.date()))


@dataclass
class Offer:
    """One free slot as a vendor offers it."""

    start: datetime
    """Aware: with the vendor's offset."""
    end: datetime
    what: str
    ref: dict[str, Any]
    """The vendor's own ids and wall-clock time; the server signs it into the slot token."""
    where: str | None = None
    who: str | None = None
    price: float | None = None
    seats_left: int | None = None


@dataclass
class Found:
    offers: list[Offer] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What the vendor said that explains a gap (a booking window, a holiday)."""
    zone: str = ""


@dataclass(frozen=True)
class Customer:
    name: str
    email: str
    phone: str | None = None

    @property
    def first_and_last(self) -> tuple[str, str]:
        """`Anna de Vries` -> (`Anna`, `de Vries`): vendors that want both get both."""
        parts = self.name.split(maxsplit=1)
        return (parts[0], parts[1]) if len(parts) == 2 else (parts[0], parts[0])


@dataclass
class Booked:
    ids: dict[str, int | str]
    """The vendor's ids of what was made (booking, customer)."""
    booking: dict[str, Any]
    """The vendor's booking as its own tool would show it."""
    cancel_tool: str
    cancel_arguments: dict[str, Any]
    note: str | None = None


class SlotTaken(Exception):
    """The slot is no longer free; book_slot offers the nearest free ones instead."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why
