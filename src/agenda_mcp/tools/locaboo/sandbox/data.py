"""Demo data for the Locaboo simulator: a German sports and conference venue.

Everything is anchored on the Monday of the week of ``now`` so the calendar always has training
sessions this week, a conference next week and an event weekend after that. Same ``now`` -> same
data; nothing random.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypedDict

from agenda_mcp.tools.locaboo.sandbox import recurrence as rec
from agenda_mcp.tools.locaboo.sandbox.model import (
    BERLIN,
    BookedResource,
    Booking,
    BookingStatus,
    Customer,
    Document,
    Event,
    FreeTextField,
    Holiday,
    Instance,
    Invoice,
    InvoiceRow,
    Item,
    Part,
    Price,
    Resource,
)

VENUE_CITY = "Lahnstadt"
VENUE_ZIP = "35390"
FILES = "https://app.locaboo.com/files"

# Free-text (custom) fields of the account. On resources they describe the room (capacity,
# floor, ...), in bookings they carry the customer's answers (expected persons, seating).
FIELD_PERSONS = 1
FIELD_SEATING = 2
FIELD_FLOOR = 3
FIELD_AREA = 4
FIELD_PROJECTOR = 5

FREE_TEXT_FIELDS: tuple[FreeTextField, ...] = (
    FreeTextField(FIELD_PERSONS, "Personen", "numeric"),
    FreeTextField(FIELD_SEATING, "Bestuhlung", "select", ("Reihe", "Parlament", "U-Form", "Bankett", "Keine")),
    FreeTextField(FIELD_FLOOR, "Bodenbelag", "select", ("Schwingboden", "Parkett", "Teppich", "Linoleum")),
    FreeTextField(FIELD_AREA, "Fläche (m²)", "numeric"),
    FreeTextField(FIELD_PROJECTOR, "Beamer fest installiert", "select", ("Ja", "Nein")),
)

CUSTOMER_GROUPS: dict[int, str] = {1: "Vereine", 2: "Firmenkunden", 3: "Schulen", 4: "Privatkunden"}

# Resource ids used by tests and the demo.
HALL = 100  # Dreifeldhalle, parts 101-103
HALL_PARTS = (101, 102, 103)
CONGRESS = 110  # Großer Saal, parts 111-112
CONGRESS_PARTS = (111, 112)
SEMINAR_LINDE = 120
SEMINAR_EICHE = 121
PANORAMA = 122
GYM_ROOM = 130


@dataclass
class DemoData:
    profile: dict[str, Any]
    fields: list[FreeTextField]
    groups: dict[int, str]
    resources: list[Resource]
    holidays: list[Holiday]
    customers: list[Customer]
    items: list[Item]
    bookings: list[Booking]
    events: list[Event]
    invoices: list[Invoice]
    next_booking_id: int
    next_instance_id: int


def _t(text: str) -> time:
    return time.fromisoformat(text)


def _week(
    weekdays: list[tuple[str, str]], saturday: list[tuple[str, str]], sunday: list[tuple[str, str]]
) -> dict[int, list[tuple[time, time]]]:
    def windows(spec: list[tuple[str, str]]) -> list[tuple[time, time]]:
        return [(_t(a), _t(b)) for a, b in spec]

    hours = {day: windows(weekdays) for day in range(5)}
    hours[5] = windows(saturday)
    hours[6] = windows(sunday)
    return hours


class _Address(TypedDict):
    """The venue's address, the same on every resource."""

    street_hnr: str
    zip: str
    city: str
    phone: str


def _resources() -> list[Resource]:
    sports = _week([("08:00", "22:00")], [("09:00", "20:00")], [("10:00", "18:00")])
    congress = _week([("07:00", "23:00")], [("08:00", "23:59")], [])
    rooms = _week([("07:30", "21:00")], [("08:00", "14:00")], [])
    common = _Address(street_hnr="Am Auenpark 12", zip=VENUE_ZIP, city=VENUE_CITY, phone="06403 77 41-0")
    return [
        Resource(
            HALL,
            "Dreifeldhalle",
            564,
            "Sporthalle",
            sports,
            parts=[
                Part(101, "Hallendrittel A", {FIELD_PERSONS: "60", FIELD_AREA: "405"}),
                Part(102, "Hallendrittel B", {FIELD_PERSONS: "60", FIELD_AREA: "405"}),
                Part(103, "Hallendrittel C", {FIELD_PERSONS: "60", FIELD_AREA: "405"}),
            ],
            field_values={FIELD_PERSONS: "800", FIELD_FLOOR: "Schwingboden", FIELD_AREA: "1215"},
            image=f"{FILES}/location/100/thumb_dreifeldhalle.jpg",
            public_comment="Hallenschuhe mit heller Sohle sind Pflicht. Trennvorhänge bedient der Hausmeister.",
            **common,
        ),
        Resource(
            CONGRESS,
            "Großer Saal",
            565,
            "Veranstaltungssaal",
            congress,
            parts=[
                Part(111, "Saal Rhein", {FIELD_PERSONS: "180", FIELD_AREA: "260"}),
                Part(112, "Saal Main", {FIELD_PERSONS: "220", FIELD_AREA: "310"}),
            ],
            field_values={
                FIELD_PERSONS: "400",
                FIELD_FLOOR: "Parkett",
                FIELD_AREA: "570",
                FIELD_PROJECTOR: "Ja",
                FIELD_SEATING: "Reihe",
            },
            image=f"{FILES}/location/110/thumb_grosser_saal.jpg",
            public_comment="Mobile Trennwand zwischen Saal Rhein und Saal Main.",
            **common,
        ),
        Resource(
            SEMINAR_LINDE,
            "Seminarraum Linde",
            566,
            "Seminarraum",
            rooms,
            field_values={
                FIELD_PERSONS: "24",
                FIELD_FLOOR: "Teppich",
                FIELD_AREA: "58",
                FIELD_PROJECTOR: "Ja",
                FIELD_SEATING: "U-Form",
            },
            **common,
        ),
        Resource(
            SEMINAR_EICHE,
            "Seminarraum Eiche",
            566,
            "Seminarraum",
            rooms,
            field_values={
                FIELD_PERSONS: "16",
                FIELD_FLOOR: "Teppich",
                FIELD_AREA: "40",
                FIELD_PROJECTOR: "Nein",
                FIELD_SEATING: "Parlament",
            },
            **common,
        ),
        Resource(
            PANORAMA,
            "Konferenzraum Panorama",
            566,
            "Seminarraum",
            rooms,
            field_values={
                FIELD_PERSONS: "40",
                FIELD_FLOOR: "Parkett",
                FIELD_AREA: "85",
                FIELD_PROJECTOR: "Ja",
                FIELD_SEATING: "Bankett",
            },
            public_comment="Dachterrasse mit Blick über die Lahnauen.",
            **common,
        ),
        Resource(
            GYM_ROOM,
            "Gymnastikraum",
            567,
            "Bewegungsraum",
            _week([("08:00", "12:00"), ("15:00", "21:30")], [("09:00", "13:00")], []),
            field_values={FIELD_PERSONS: "30", FIELD_FLOOR: "Schwingboden", FIELD_AREA: "140"},
            public_comment="Spiegelwand und Musikanlage vorhanden.",
            **common,
        ),
    ]


def _easter(year: int) -> date:
    """Easter Sunday (Gregorian; anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _public_holidays(year: int) -> list[Holiday]:
    """Public holidays in Hesse, where the venue is."""
    easter = _easter(year)
    days = [
        ("Neujahr", date(year, 1, 1)),
        ("Karfreitag", easter - timedelta(days=2)),
        ("Ostermontag", easter + timedelta(days=1)),
        ("Tag der Arbeit", date(year, 5, 1)),
        ("Christi Himmelfahrt", easter + timedelta(days=39)),
        ("Pfingstmontag", easter + timedelta(days=50)),
        ("Fronleichnam", easter + timedelta(days=60)),
        ("Tag der Deutschen Einheit", date(year, 10, 3)),
        ("1. Weihnachtsfeiertag", date(year, 12, 25)),
        ("2. Weihnachtsfeiertag", date(year, 12, 26)),
    ]
    return [Holiday(title, day, day) for title, day in days]


def _customers(now: datetime) -> list[Customer]:
    def at(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=BERLIN)

    recent = (now - timedelta(days=2)).replace(hour=19, minute=42, second=5, microsecond=0)
    rows: list[tuple[int, datetime, datetime | None, dict[str, Any]]] = [
        (
            2001,
            at("2016-03-14 10:12:00"),
            recent,
            {
                "email": "vorstand@tsv-lahnstadt.de",
                "company_name": "TSV Lahnstadt 1898 e.V.",
                "first_name": "Jürgen",
                "last_name": "Becker",
                "group_id": 1,
                "street": "Sportplatzweg 3",
                "zip": VENUE_ZIP,
                "city": VENUE_CITY,
                "phone": "06403 55 21 90",
                "salutation": 0,
                "country": "DE",
                "customer_number": "K-1001",
                "color": "#2e7d32",
            },
        ),
        (
            2002,
            at("2019-09-02 08:31:17"),
            None,
            {
                "email": "m.schaefer@auental-solar.de",
                "company_name": "Auental Solar GmbH",
                "first_name": "Miriam",
                "last_name": "Schäfer",
                "group_id": 2,
                "street": "Industriestraße 41",
                "zip": "35394",
                "city": VENUE_CITY,
                "phone": "06403 91 88-0",
                "salutation": 1,
                "country": "DE",
                "customer_number": "K-1002",
            },
        ),
        (
            2003,
            at("2017-08-21 07:55:40"),
            at("2024-11-12 13:05:09"),
            {
                "email": "sekretariat@gesamtschule-auenpark.de",
                "company_name": "Gesamtschule Am Auenpark",
                "first_name": "Thomas",
                "last_name": "Weber",
                "group_id": 3,
                "street": "Schulstraße 10",
                "zip": VENUE_ZIP,
                "city": VENUE_CITY,
                "country": "DE",
                "customer_number": "K-1003",
            },
        ),
        (
            2004,
            at("2021-01-18 16:20:00"),
            None,
            {
                "email": "c.heuser@heuser-partner.de",
                "company_name": "Heuser & Partner Steuerberatung",
                "first_name": "Claudia",
                "last_name": "Heuser",
                "group_id": 2,
                "street": "Marktplatz 7",
                "zip": VENUE_ZIP,
                "city": VENUE_CITY,
                "salutation": 1,
                "country": "DE",
            },
        ),
        (
            2005,
            at("2023-06-30 21:02:11"),
            None,
            {
                "email": "katharina.vogt@posteo.de",
                "first_name": "Katharina",
                "last_name": "Vogt",
                "group_id": 4,
                "street": "Wiesenweg 15",
                "zip": "35396",
                "city": VENUE_CITY,
                "phone": "0171 2233445",
                "salutation": 1,
                "country": "DE",
            },
        ),
        (
            2006,
            at("2018-02-05 09:00:00"),
            None,
            {
                "email": "kurse@fbw-lahnstadt.de",
                "company_name": "Familienbildungswerk Lahnstadt e.V.",
                "first_name": "Petra",
                "last_name": "Lorenz",
                "group_id": 1,
                "street": "Kirchgasse 2",
                "zip": VENUE_ZIP,
                "city": VENUE_CITY,
                "country": "DE",
            },
        ),
        (
            2007,
            at("2020-10-01 11:11:11"),
            None,
            {
                "email": "events@stadtmarketing-lahnstadt.de",
                "company_name": "Stadtmarketing Lahnstadt GmbH",
                "first_name": "Deniz",
                "last_name": "Yilmaz",
                "group_id": 2,
                "street": "Rathausplatz 1",
                "zip": VENUE_ZIP,
                "city": VENUE_CITY,
                "country": "DE",
            },
        ),
    ]
    return [Customer(cid, created, fields, last_login=last) for cid, created, last, fields in rows]


ALL_ROOMS = [CONGRESS, *CONGRESS_PARTS, SEMINAR_LINDE, SEMINAR_EICHE, PANORAMA]
ALL_SPORTS = [HALL, *HALL_PARTS, GYM_ROOM]


def _items() -> list[Item]:
    def at(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=BERLIN)

    def price(amount: str, groups: tuple[int, ...] | None, interval: str, tax: int | str = 19) -> Price:
        return Price(amount, groups, interval, tax)

    return [
        Item(
            301,
            "inventory",
            "Beamer Full-HD",
            at("2020-09-02 12:53:05"),
            [price("25", None, "per_quantity"), price("15", (1, 3), "per_quantity", "19")],
            ALL_ROOMS,
            description="Lichtstarker Beamer mit HDMI- und USB-C-Anschluss",
            inventory_no="INV-0301",
            i_type="Medientechnik",
            model="Epson EB-L630U",
            serial_no="X5LK0042",
            quantity=4,
            price_cost="8",
        ),
        Item(
            302,
            "inventory",
            "Moderationskoffer",
            at("2020-09-02 12:55:40"),
            [price("8", None, "per_quantity")],
            ALL_ROOMS,
            inventory_no="INV-0302",
            quantity=6,
        ),
        Item(
            303,
            "inventory",
            "Flipchart",
            at("2021-03-11 09:14:00"),
            [price("5", None, "per_quantity"), price("0", (1,), "per_quantity")],
            ALL_ROOMS,
            inventory_no="INV-0303",
            quantity=8,
        ),
        Item(
            304,
            "inventory",
            "Mobile Tribüne (100 Plätze)",
            at("2019-05-20 15:30:00"),
            [price("250", None, "per_quantity"), price("120", (1, 3), "per_quantity")],
            [HALL],
            inventory_no="INV-0304",
            quantity=1,
            price_cost="60",
        ),
        Item(
            305,
            "inventory",
            "Ballwagen Volleyball",
            at("2019-05-20 15:35:12"),
            [price("0", None, "per_quantity")],
            ALL_SPORTS,
            inventory_no="INV-0305",
            quantity=3,
        ),
        Item(
            306,
            "inventory",
            "Funkmikrofon-Set",
            at("2022-01-10 10:00:00"),
            [price("12", None, "per_hour"), price("6", (1,), "per_hour", "19")],
            [CONGRESS, *CONGRESS_PARTS, PANORAMA, HALL],
            inventory_no="INV-0306",
            model="Sennheiser XSW 2",
            quantity=2,
        ),
        Item(
            401,
            "service",
            "Kaffeepause (pro Person)",
            at("2019-02-25 08:37:30"),
            [price("6.50", None, "per_quantity", "7")],
            ALL_ROOMS,
            description="Kaffee, Tee, Wasser und Gebäck",
        ),
        Item(
            402,
            "service",
            "Hausmeisterbereitschaft",
            at("2019-02-25 08:40:00"),
            [price("38", None, "per_hour")],
            [*ALL_ROOMS, *ALL_SPORTS],
        ),
        Item(
            403,
            "service",
            "Endreinigung",
            at("2019-02-25 08:41:10"),
            [price("120", None, "per_quantity"), price("60", (1, 3), "per_quantity")],
            [*ALL_ROOMS, *ALL_SPORTS],
        ),
        Item(
            404,
            "service",
            "Veranstaltungstechniker",
            at("2020-11-30 14:00:00"),
            [price("45", None, "per_hour")],
            [CONGRESS, *CONGRESS_PARTS, HALL],
            description="Betreuung von Licht, Ton und Projektion",
        ),
    ]


class _Ids:
    def __init__(self) -> None:
        self.instance = itertools.count(90001)

    def instances(self, occurrences: list[rec.Occurrence], resource_ids: list[int]) -> list[tuple[int, list[Instance]]]:
        return [
            (rid, [Instance(next(self.instance), rid, o.start, o.end) for o in occurrences]) for rid in resource_ids
        ]


def _bookings(monday: date, ids: _Ids) -> list[Booking]:
    def day(offset: int) -> date:
        return monday + timedelta(days=offset)

    def booked(main_id: int, targets: list[int], occurrences: list[rec.Occurrence]) -> BookedResource:
        instances = [i for _rid, chunk in ids.instances(occurrences, targets) for i in chunk]
        instances.sort(key=lambda i: (i.start, i.resource_id))
        return BookedResource(main_id, instances)

    def weekly(first: int, last: int, items: list[tuple[int, str, str]]) -> list[rec.Occurrence]:
        spec = [rec.WeeklyItem(wd, _t(a), _t(b)) for wd, a, b in items]
        return rec.weekly(day(first), day(last), spec, 1)

    def single(first: int, last: int, start: str, end: str) -> list[rec.Occurrence]:
        return rec.single(day(first), day(last), _t(start), _t(end))

    def booking(
        bid: int, title: str, status: BookingStatus, customer: int | None, resources: list[BookedResource], **kw: Any
    ) -> Booking:
        return Booking(bid, title, status, resources, customer_id=customer, **kw)

    tsv_training = booked(HALL, [101, 102], weekly(-14, 55, [(0, "18:00", "20:00"), (2, "18:00", "20:00")]))
    school = booked(HALL, [HALL], weekly(-14, 55, [(1, "08:00", "12:00"), (3, "08:00", "12:00")]))
    conference = booked(CONGRESS, [CONGRESS], single(8, 9, "08:00", "18:00"))
    conference.inventory = {301: 2, 306: 1}
    conference.services = {401: 120, 404: 10}
    workshop = booked(SEMINAR_LINDE, [SEMINAR_LINDE], weekly(0, 13, [(3, "09:00", "16:00")]))
    workshop.inventory = {302: 1, 303: 2}
    workshop.services = {401: 18}
    fachtagung = booked(CONGRESS, [112], single(23, 23, "09:00", "17:00"))
    fachtagung.instances[0].custom_fields = {CONGRESS: {FIELD_SEATING: "Reihe", FIELD_PERSONS: "150"}}
    cup = booked(HALL, [HALL], rec.span(day(19), day(20), time(0, 0), time(18, 0)))
    cup.inventory = {304: 1}
    cup.services = {402: 20, 403: 1}

    return [
        booking(
            5001,
            "Handballtraining Herren",
            "Live",
            2001,
            [tsv_training],
            color="#2e7d32",
            custom_fields={HALL: {FIELD_PERSONS: "30"}},
            persons=[8801, 8802],
        ),
        booking(5002, "Schulsport Jahrgang 7-9", "Live", 2003, [school], color="#f9a825"),
        booking(
            5003,
            "Jahrestagung Auental Solar",
            "Live",
            2002,
            [conference],
            custom_fields={CONGRESS: {FIELD_PERSONS: "320", FIELD_SEATING: "Parlament"}},
            comments="Anlieferung Bühnentechnik am Vorabend ab 17 Uhr.",
            internal_comments="Rechnung an Buchhaltung, Bestellnummer 4711-23.",
        ),
        booking(5004, "Steuer-Workshop für Vereinskassierer", "Live", 2004, [workshop]),
        booking(
            5005,
            "Kindergeburtstag",
            "Request",
            2005,
            [booked(GYM_ROOM, [GYM_ROOM], single(12, 12, "09:00", "12:00"))],
            comments="Bitte Musikanlage freischalten.",
        ),
        booking(
            5006, "Chorprobe Lahnklang", "Draft", 2006, [booked(CONGRESS, [111], single(15, 15, "10:00", "14:00"))]
        ),
        booking(
            5007, "Vertriebsmeeting", "Cancel", 2002, [booked(PANORAMA, [PANORAMA], single(2, 2, "13:00", "17:00"))]
        ),
        booking(
            5008,
            "Vorstandssitzung TSV",
            "Complete",
            2001,
            [booked(SEMINAR_EICHE, [SEMINAR_EICHE], single(-10, -10, "18:00", "21:00"))],
        ),
        booking(
            5009,
            "Jugend-Volleyballturnier",
            "Complete",
            2001,
            [booked(HALL, [103], single(-9, -9, "10:00", "16:00"))],
        ),
        booking(5010, "Lahnstädter Hallenfußball-Cup", "Live", 2007, [cup], color="#c62828"),
        booking(5011, "Fachtagung Digitale Verwaltung", "Live", 2007, [fachtagung]),
        booking(
            5012,
            "Rückengymnastik",
            "Live",
            2006,
            [booked(GYM_ROOM, [GYM_ROOM], weekly(-14, 55, [(1, "09:00", "10:30"), (4, "17:00", "18:30")]))],
        ),
    ]


def _events(monday: date) -> list[Event]:
    def day(offset: int) -> date:
        return monday + timedelta(days=offset)

    image = f"{FILES}/eplanning/marketingdata/262"
    return [
        Event(
            1,
            "Lahnstädter Hallenfußball-Cup",
            day(19),
            day(20),
            _t("09:00"),
            _t("18:00"),
            _t("08:30"),
            _t("09:30"),
            marketing_data_title="Hallenfußball-Cup 2 Tage, 16 Teams",
            marketing_data_description="Das traditionelle Hallenturnier der Lahnstädter Vereine.",
            marketing_data_ticket_link="https://www.stadtmarketing-lahnstadt.de/tickets",
            marketing_data_price="5",
            marketing_data_notice_text="Kinder unter 12 Jahren frei.",
            image=f"{image}/hallencup.jpg",
            documents=[
                Document("Offer", "ANG-2031", 1450.0, day(-30), 1, day(-27), (5010,)),
                Document("Order confirmation", "AB-1187", 1525.5, day(-27), 1, day(-26), (5010,)),
                Document("Invoice", "RE-3305", 1525.5, day(-1), 0, None, (5010,)),
            ],
        ),
        Event(
            2,
            "Fachtagung Digitale Verwaltung",
            day(23),
            day(23),
            _t("09:00"),
            _t("17:00"),
            _t("08:15"),
            _t("09:00"),
            marketing_data_title="Digitale Verwaltung in Mittelhessen",
            marketing_data_description="Vorträge und Workshops für Kommunen.",
            marketing_data_price="89",
            image=f"{image}/fachtagung.jpg",
            documents=[Document("Offer", "ANG-2040", 980.0, day(-3), 0, None, (5011,))],
        ),
        Event(
            3,
            "Jugend-Volleyballturnier",
            day(-9),
            day(-9),
            _t("10:00"),
            _t("16:00"),
            _t("09:30"),
            _t("10:00"),
            marketing_data_title="Volleyball U16",
            documents=[
                Document("Order confirmation", "AB-1190", 108.0, day(-20), 1, day(-19), (5009,)),
                Document("Invoice", "RE-3290", 124.95, day(-8), 1, day(-2), (5009,)),
            ],
        ),
    ]


def _invoices(monday: date, bookings: dict[int, Booking]) -> list[Invoice]:
    def rows(booking_id: int, rate: float, discount: float | None, first_id: int, until: date) -> list[InvoiceRow]:
        result: list[InvoiceRow] = []
        ids = itertools.count(first_id)
        for instance in bookings[booking_id].instances():
            if instance.start.date() >= until:
                continue
            hours = (instance.end - instance.start).total_seconds() / 3600
            result.append(
                InvoiceRow(
                    next(ids), instance.start.date(), instance.resource_id, booking_id, hours, rate, discount, 19
                )
            )
        return result

    def at(offset: int, clock: str) -> datetime:
        return datetime.combine(monday + timedelta(days=offset), _t(clock))

    year = monday.year
    return [
        Invoice(
            46475,
            f"RE-{year}-0117",
            at(-8, "21:38"),
            monday + timedelta(days=6),
            2001,
            rows(5008, 25.0, None, 245219, monday),
            "Bezahlt",
            "Auf Rechnung",
            "Fertig",
            text="Vielen Dank für Ihre Buchung.",
        ),
        Invoice(
            46476,
            f"RE-{year}-0118",
            at(-8, "21:41"),
            monday + timedelta(days=6),
            2001,
            rows(5009, 18.0, 10.0, 245230, monday),
            "Offen",
            "Lastschrift",
            "Fertig",
            text="Vereinsrabatt berücksichtigt.",
            discount_rate=2,
        ),
        Invoice(
            46477,
            f"RE-{year}-0119",
            at(-1, "08:15"),
            monday + timedelta(days=13),
            2003,
            rows(5002, 12.0, None, 245240, monday),
            "Offen",
            "Auf Rechnung",
            "Fertig",
            text="Schulsport der vergangenen zwei Wochen.",
        ),
    ]


def build(now: datetime) -> DemoData:
    """Fresh demo data for a simulator whose clock reads ``now`` (aware, Europe/Berlin)."""
    today = now.date()
    monday = today - timedelta(days=today.weekday())
    ids = _Ids()
    bookings = _bookings(monday, ids)
    holidays = [h for year in (today.year - 1, today.year, today.year + 1) for h in _public_holidays(year)]
    holidays += [
        Holiday("Grundreinigung Gymnastikraum", monday + timedelta(days=17), monday + timedelta(days=18), GYM_ROOM),
        Holiday("Wartung Trennvorhänge", monday + timedelta(days=26), monday + timedelta(days=26), HALL),
    ]
    profile = {
        "first_name": "Sabine",
        "last_name": "Krüger",
        "company_name": "Sport- und Kongresszentrum Lahnstadt GmbH",
        "email": "verwaltung@skz-lahnstadt.de",
        "logo": f"{FILES}/user/46/logo_skz_lahnstadt.png",
        "logo_thumbnail": f"{FILES}/user/46/thumb_logo_skz_lahnstadt.png",
        "currency": "EUR",
        "language": "de",
        "created": date(2016, 6, 2),
        "zip": VENUE_ZIP,
        "city": VENUE_CITY,
        "country": "DE",
        "phone": "06403 77 41-0",
        "fax": "06403 77 41-99",
        "address": "Am Auenpark 12",
    }
    return DemoData(
        profile=profile,
        fields=list(FREE_TEXT_FIELDS),
        groups=dict(CUSTOMER_GROUPS),
        resources=_resources(),
        holidays=holidays,
        customers=_customers(now),
        items=_items(),
        bookings=bookings,
        events=_events(monday),
        invoices=_invoices(monday, {b.id: b for b in bookings}),
        next_booking_id=5013,
        next_instance_id=next(ids.instance),
    )
