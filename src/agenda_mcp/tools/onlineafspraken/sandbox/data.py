"""Demo account for the OnlineAfspraken simulator: a hair salon and a physiotherapy practice.

One account with two agendas (OnlineAfspraken supports several agendas per account). Appointment
types, resources and fields belong to one agenda each; opening hours are weekly schedules per
resource. Everything here is immutable; the simulator state copies what it mutates.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import MappingProxyType

from ..models import VENDOR_TZ

# The vendor's zone (reference 1.4), the same constant the client reads the answers in.
TZ = VENDOR_TZ

# Weekday numbers as datetime.weekday(): Monday 0 ... Sunday 6.
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

Hours = tuple[tuple[time, time], ...]


def _h(*spans: str) -> Hours:
    """'09:00-17:30' spans -> ((time, time), ...)."""
    out = []
    for span in spans:
        start, end = span.split("-")
        out.append((time.fromisoformat(start), time.fromisoformat(end)))
    return tuple(out)


@dataclass(frozen=True)
class Agenda:
    id: int
    name: str
    align_grid: int  # minutes; bookable start times fall on this grid
    is_default: bool
    date_format: str = "D d/m/Y"
    time_format: str = "H:i"


@dataclass(frozen=True)
class Resource:
    id: int
    agenda_id: int
    name: str
    code: str
    description: str
    weekly_hours: Mapping[int, Hours]
    phone: str = ""
    mobile_phone: str = ""
    email: str = ""
    status: int = 1
    label: str = "1"

    def __post_init__(self) -> None:
        # Read-only view: demo data is shared by every simulator instance.
        object.__setattr__(self, "weekly_hours", MappingProxyType(dict(self.weekly_hours)))


@dataclass(frozen=True)
class AppointmentType:
    id: int
    agenda_id: int
    name: str
    description: str
    duration: int  # minutes
    resource_ids: tuple[int, ...]
    category: str
    category_id: int
    price: str = "0.00"
    price_type: int = 1  # 1 fixed, 2 "from", 3 not applicable
    buffer: int = 0  # minutes blocked after the appointment
    min_before: int = 60  # MinTimeBeforeAppointment, minutes
    max_before: int = 60 * 24 * 60  # MaxTimeBeforeAppointment, minutes
    scheduling_type: str = "resource"  # or "capacity"
    capacity: int = 1
    consumer_bookable: int = 1  # 1 yes, 2 no
    status: int = 1


@dataclass(frozen=True)
class FieldDef:
    id: int
    agenda_id: int
    key: str
    label: str
    type: str  # "Appointment" or "Registration"
    required: bool
    # None: generic field of the agenda, not bound to particular appointment types.
    appointment_type_ids: frozenset[int] | None = None


@dataclass
class Customer:
    id: int
    first_name: str
    last_name: str
    email: str
    created: datetime
    updated: datetime
    insertions: str = ""
    account_number: str = ""
    birth_date: date | None = None
    gender: str = ""
    street: str = ""
    house_nr: str = ""
    house_nr_addition: str = ""
    zip_code: str = ""
    city: str = ""
    country: str = "NL"
    phone: str = ""
    mobile_phone: str = ""
    status: int = 1
    username: str = ""
    password: str = ""  # never rendered
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.insertions, self.last_name) if part)


SALON = Agenda(id=3101, name="Kapsalon Knipoog Utrecht", align_grid=15, is_default=True)
PHYSIO = Agenda(id=3102, name="FysioPlus Amersfoort", align_grid=15, is_default=False)
AGENDAS: tuple[Agenda, ...] = (SALON, PHYSIO)

RESOURCES: tuple[Resource, ...] = (
    Resource(
        id=116711,
        agenda_id=SALON.id,
        name="Sanne de Wit",
        code="SW",
        description="Kapper, knippen en föhnen",
        email="sanne@knipoog-utrecht.nl",
        weekly_hours={
            TUE: _h("09:00-17:30"),
            WED: _h("09:00-17:30"),
            THU: _h("09:00-21:00"),
            FRI: _h("09:00-17:30"),
            SAT: _h("08:30-16:00"),
        },
    ),
    Resource(
        id=116712,
        agenda_id=SALON.id,
        name="Mehmet Yilmaz",
        code="MY",
        description="Barbier",
        email="mehmet@knipoog-utrecht.nl",
        weekly_hours={
            MON: _h("12:00-18:00"),
            TUE: _h("10:00-18:00"),
            WED: _h("10:00-18:00"),
            THU: _h("10:00-18:00"),
            FRI: _h("10:00-18:00"),
            SAT: _h("09:00-17:00"),
        },
    ),
    Resource(
        id=116713,
        agenda_id=SALON.id,
        name="Lisa Vermeulen",
        code="LV",
        description="Kleurspecialist",
        email="lisa@knipoog-utrecht.nl",
        weekly_hours={
            WED: _h("09:00-17:00"),
            THU: _h("09:00-17:00"),
            FRI: _h("09:00-17:00"),
            SAT: _h("09:00-17:00"),
        },
    ),
    Resource(
        id=116721,
        agenda_id=PHYSIO.id,
        name="Eva Hendriks",
        code="EH",
        description="Fysiotherapeut",
        phone="033-4567890",
        email="eva@fysioplus-amersfoort.nl",
        weekly_hours={
            MON: _h("08:00-12:30", "13:30-17:30"),
            TUE: _h("08:00-12:30", "13:30-17:30"),
            WED: _h("08:00-12:30"),
            THU: _h("08:00-12:30", "13:30-17:30"),
            FRI: _h("08:00-12:30", "13:30-17:30"),
        },
    ),
    Resource(
        id=116722,
        agenda_id=PHYSIO.id,
        name="Daan Kuipers",
        code="DK",
        description="Sportfysiotherapeut",
        phone="033-4567890",
        email="daan@fysioplus-amersfoort.nl",
        weekly_hours={
            MON: _h("12:00-20:00"),
            TUE: _h("12:00-20:00"),
            THU: _h("12:00-20:00"),
            FRI: _h("08:00-16:00"),
            SAT: _h("09:00-12:00"),
        },
    ),
    Resource(
        id=116723,
        agenda_id=PHYSIO.id,
        name="Oefenzaal",
        code="ZAAL",
        description="Zaal voor groepstrainingen (max. 6 personen)",
        label="",
        weekly_hours={TUE: _h("19:00-20:00"), THU: _h("19:00-20:00"), SAT: _h("10:00-11:00")},
    ),
    Resource(
        id=116724,
        agenda_id=PHYSIO.id,
        name="Behandelkamer 3 (shockwave)",
        code="BK3",
        description="Behandelkamer met shockwave-apparatuur",
        label="",
        weekly_hours={day: _h("09:00-17:00") for day in (MON, TUE, WED, THU, FRI)},
    ),
)

_SALON_MIN, _SALON_MAX = 60, 60 * 24 * 60  # 1 hour .. 60 days ahead
_PHYSIO_MIN, _PHYSIO_MAX = 120, 60 * 24 * 90  # 2 hours .. 90 days ahead

APPOINTMENT_TYPES: tuple[AppointmentType, ...] = (
    AppointmentType(
        id=286851,
        agenda_id=SALON.id,
        name="Knippen heren",
        description="Wassen, knippen en stylen.",
        duration=30,
        price="24.50",
        resource_ids=(116711, 116712),
        category="Knippen",
        category_id=4691,
        min_before=_SALON_MIN,
        max_before=_SALON_MAX,
    ),
    AppointmentType(
        id=286852,
        agenda_id=SALON.id,
        name="Knippen dames",
        description="Wassen, knippen en drogen.",
        duration=45,
        price="34.50",
        resource_ids=(116711, 116713),
        category="Knippen",
        category_id=4691,
        min_before=_SALON_MIN,
        max_before=_SALON_MAX,
    ),
    AppointmentType(
        id=286853,
        agenda_id=SALON.id,
        name="Knippen en föhnen",
        description="Knippen met föhnen en advies.",
        duration=60,
        price="44.00",
        resource_ids=(116711, 116713),
        category="Knippen",
        category_id=4691,
        min_before=_SALON_MIN,
        max_before=_SALON_MAX,
    ),
    AppointmentType(
        id=286854,
        agenda_id=SALON.id,
        name="Uitgroei kleuren",
        description="Uitgroei bijwerken; inclusief inwerktijd.",
        duration=90,
        buffer=15,
        price="55.00",
        price_type=2,
        resource_ids=(116713,),
        category="Kleuren",
        category_id=4692,
        min_before=_SALON_MIN,
        max_before=_SALON_MAX,
    ),
    AppointmentType(
        id=286855,
        agenda_id=SALON.id,
        name="Baard trimmen",
        description="Baard in model brengen.",
        duration=15,
        price="15.00",
        resource_ids=(116712,),
        category="Barbier",
        category_id=4693,
        min_before=_SALON_MIN,
        max_before=_SALON_MAX,
    ),
    AppointmentType(
        id=286861,
        agenda_id=PHYSIO.id,
        name="Intake fysiotherapie",
        description="Eerste consult met onderzoek en behandelplan.",
        duration=45,
        price="55.00",
        resource_ids=(116721, 116722),
        category="Fysiotherapie",
        category_id=4701,
        min_before=_PHYSIO_MIN,
        max_before=_PHYSIO_MAX,
    ),
    AppointmentType(
        id=286862,
        agenda_id=PHYSIO.id,
        name="Behandeling fysiotherapie",
        description="Vervolgbehandeling.",
        duration=30,
        price="39.50",
        resource_ids=(116721, 116722),
        category="Fysiotherapie",
        category_id=4701,
        min_before=_PHYSIO_MIN,
        max_before=_PHYSIO_MAX,
    ),
    AppointmentType(
        id=286863,
        agenda_id=PHYSIO.id,
        name="Sportmassage",
        description="Sportmassage; tien minuten omkleedtijd na afloop.",
        duration=60,
        buffer=10,
        price="59.00",
        resource_ids=(116722,),
        category="Sport",
        category_id=4702,
        min_before=_PHYSIO_MIN,
        max_before=_PHYSIO_MAX,
    ),
    AppointmentType(
        id=286864,
        agenda_id=PHYSIO.id,
        name="Groepstraining rug",
        description="Oefentherapie in een groep van maximaal 6 personen.",
        duration=60,
        price="17.50",
        resource_ids=(116723,),
        scheduling_type="capacity",
        capacity=6,
        category="Groepstraining",
        category_id=4703,
        min_before=_PHYSIO_MIN,
        max_before=_PHYSIO_MAX,
    ),
    AppointmentType(
        id=286865,
        agenda_id=PHYSIO.id,
        name="Shockwavetherapie",
        description="Behandeling met drukgolven in behandelkamer 3.",
        duration=20,
        price="45.00",
        resource_ids=(116724,),
        category="Fysiotherapie",
        category_id=4701,
        min_before=_PHYSIO_MIN,
        max_before=_PHYSIO_MAX,
    ),
    AppointmentType(
        id=286866,
        agenda_id=PHYSIO.id,
        name="Telefonisch consult",
        description="Alleen in te plannen door de praktijk.",
        duration=15,
        price_type=3,
        resource_ids=(116721,),
        consumer_bookable=2,
        category="Fysiotherapie",
        category_id=4701,
        min_before=0,
        max_before=_PHYSIO_MAX,
    ),
)

FIELDS: tuple[FieldDef, ...] = (
    FieldDef(
        id=24830,
        agenda_id=PHYSIO.id,
        key="Klachten",
        label="Omschrijving van uw klachten",
        type="Appointment",
        required=True,
        appointment_type_ids=frozenset({286861}),
    ),
    FieldDef(
        id=24831,
        agenda_id=PHYSIO.id,
        key="Verwijzing_huisarts",
        label="Verwijzing van de huisarts (ja/nee)",
        type="Appointment",
        required=False,
        appointment_type_ids=frozenset({286861}),
    ),
    FieldDef(
        id=24832,
        agenda_id=PHYSIO.id,
        key="Zorgverzekeraar",
        label="Zorgverzekeraar",
        type="Registration",
        required=False,
    ),
    FieldDef(
        id=24840,
        agenda_id=SALON.id,
        key="Haarlengte",
        label="Huidige haarlengte (kort/halflang/lang)",
        type="Appointment",
        required=False,
    ),
)

# (first, insertions, last, gender, birth date, street, nr, zip, city, mobile, username, password)
_PEOPLE: tuple[tuple[str, ...], ...] = (
    ("Jan", "de", "Vries", "M", "1978-04-12", "Oudegracht", "112", "3511 AX", "Utrecht", "06-12345678", "", ""),
    (
        "Fleur",
        "van den",
        "Berg",
        "F",
        "1991-09-03",
        "Lange Nieuwstraat",
        "45",
        "3512 PH",
        "Utrecht",
        "06-23456789",
        "fleur.vandenberg",
        "Knipoog2024",
    ),
    ("Mohammed", "", "El Amrani", "M", "1985-01-27", "Kanaalstraat", "8", "3531 CJ", "Utrecht", "06-34567890", "", ""),
    (
        "Lotte",
        "",
        "Visser",
        "F",
        "2001-06-18",
        "Zuidsingel",
        "21",
        "3811 HA",
        "Amersfoort",
        "06-45678901",
        "lotte.visser",
        "Fysio!2024",
    ),
    ("Kees", "", "Smit", "M", "1956-11-30", "Stadsring", "140", "3811 HR", "Amersfoort", "06-56789012", "", ""),
    ("Noor", "", "Meijer", "F", "1988-02-14", "Biltstraat", "77", "3572 AN", "Utrecht", "06-67890123", "", ""),
    ("Bram", "de", "Boer", "M", "1995-07-08", "Leusderweg", "3", "3817 KA", "Amersfoort", "06-78901234", "", ""),
    ("Emma", "", "Mulder", "F", "1972-12-01", "Twijnstraat", "29", "3511 ZH", "Utrecht", "06-89012345", "", ""),
    ("Thijs", "de", "Groot", "M", "1999-03-22", "Arnhemseweg", "56", "3817 CH", "Amersfoort", "06-90123456", "", ""),
    ("Yara", "", "Bos", "F", "1983-08-09", "Nachtegaalstraat", "15", "3581 AB", "Utrecht", "06-11223344", "", ""),
)

FIRST_CUSTOMER_ID = 14180540
FIRST_APPOINTMENT_ID = 80063100
FIRST_BLOCK_ID = 9001

# Deterministic demo data: same anchor time -> same customers and appointments.
DEMO_SEED = 20240501


def demo_customers(now: datetime) -> list[Customer]:
    rng = random.Random(DEMO_SEED)
    customers = []
    for offset, person in enumerate(_PEOPLE):
        first, ins, last, gender, born, street, nr, zip_code, city, mobile, username, password = person
        created = (now - timedelta(days=rng.randint(30, 700), minutes=rng.randint(0, 600))).replace(microsecond=0)
        customer = Customer(
            id=FIRST_CUSTOMER_ID + offset,
            first_name=first,
            insertions=ins,
            last_name=last,
            email=f"{first}.{(ins + last).replace(' ', '')}@example.nl".lower(),
            gender=gender,
            birth_date=date.fromisoformat(born),
            street=street,
            house_nr=nr,
            zip_code=zip_code,
            city=city,
            mobile_phone=mobile,
            username=username,
            password=password,
            account_number=f"KL-{1000 + offset}",
            created=created,
            updated=created,
        )
        customers.append(customer)
    # One customer deleted a while ago: visible through getCustomers(UpdatedAfter=...) only.
    customers[-1].status = 3
    customers[-1].updated = (now - timedelta(days=3)).replace(microsecond=0)
    return customers
