"""Demo data for the ServicePlanner simulator: an installation company around Utrecht.

A few hundred clients (so paging is real) with invoice and work addresses, serviced items
(boilers, heat pumps, ventilation units) with plan cycles, technicians, appointment types,
appointments in every lifecycle state and invoices. Everything is derived from `now` and a
fixed seed, so the same `now` always yields the same data.

Stored values are Python types (see laravel.py `to_json`): aware datetimes are instants,
naive datetimes are local planning wall-clock times, dates are dates.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

Record = dict[str, Any]

COMPANY_ID = 1632  # the company id in the docs' client examples
OTHER_COMPANY_ID = 1411  # the company id in the docs' appointment-type example
NETHERLANDS = 157
CLIENT_COUNT = 320

COMPANIES: dict[int, Record] = {
    COMPANY_ID: {
        "id": COMPANY_ID,
        "name": "Van der Linden Installatietechniek B.V.",
        "email": "planning@vanderlinden-installatie.nl",
        "phone": "030-2345678",
        "city": "Utrecht",
    },
    OTHER_COMPANY_ID: {
        "id": OTHER_COMPANY_ID,
        "name": "Garage Verhoeven",
        "email": "info@garageverhoeven.nl",
        "phone": "073-6123456",
        "city": "Den Bosch",
    },
}

# city, zipcode range (4 digits), centre latitude, centre longitude
CITIES: tuple[tuple[str, int, int, float, float], ...] = (
    ("Utrecht", 3511, 3585, 52.0907, 5.1214),
    ("Amersfoort", 3811, 3829, 52.1561, 5.3878),
    ("Zeist", 3701, 3709, 52.0894, 5.2313),
    ("Nieuwegein", 3431, 3439, 52.0296, 5.0822),
    ("Houten", 3991, 3998, 52.0283, 5.1681),
    ("Woerden", 3441, 3449, 52.0853, 4.8836),
    ("IJsselstein", 3401, 3403, 52.0203, 5.0431),
    ("De Bilt", 3731, 3732, 52.1100, 5.1800),
    ("Bilthoven", 3721, 3723, 52.1289, 5.2044),
    ("Maarssen", 3601, 3608, 52.1351, 5.0413),
    ("Veenendaal", 3901, 3907, 52.0287, 5.5589),
    ("Soest", 3761, 3769, 52.1733, 5.2911),
    ("Leusden", 3831, 3833, 52.1322, 5.4297),
    ("Culemborg", 4101, 4107, 51.9550, 5.2278),
    ("Wijk bij Duurstede", 3961, 3962, 51.9747, 5.3417),
    ("Hilversum", 1211, 1223, 52.2292, 5.1669),
)
CITY_INDEX: dict[str, tuple[float, float]] = {name.lower(): (lat, lng) for name, _, _, lat, lng in CITIES}

STREETS = (
    "Dorpstraat", "Kerkstraat", "Molenweg", "Julianalaan", "Wilhelminastraat", "Beatrixlaan",
    "Prinses Irenelaan", "Oranjestraat", "Lindenlaan", "Eikenlaan", "Beukenlaan", "Populierenweg",
    "Merelstraat", "Lijsterbeslaan", "Zonnebloemstraat", "Tulpstraat", "Rembrandtlaan",
    "Vermeerstraat", "Van Goghstraat", "Schoolstraat", "Stationsweg", "Nieuwe Gracht",
    "Burgemeester Reigerstraat", "Amsterdamsestraatweg", "Biltstraat", "Laan van Nieuw Guinea",
    "Kastanjelaan", "Esdoornstraat", "Hoofdstraat", "Parkweg", "Slotlaan", "Waterstraat",
)  # fmt: skip
SURNAMES = (
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser",
    "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks",
    "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer",
    "Kok", "Jacobs", "de Haan", "Vermeulen", "van den Heuvel", "van der Veen", "van den Broek",
    "de Bruijn", "van der Heijden", "Schouten", "van Beek", "Willems", "van Vliet", "Hoekstra",
    "Maas", "Verhoeven", "Koster", "van Dam", "Prins", "Blom", "Huisman", "Kuipers", "Post",
    "Kramer", "Scholten", "van Wijk", "Vink", "de Ruiter", "Timmermans", "Groen", "Gerritsen",
    "Jonker", "van Loon", "van der Velde", "Smeets", "de Lange", "van Dongen", "Schipper",
    "de Koning", "van der Laan", "Driessen", "van Doorn", "Hermans", "Evers", "van den Bosch",
)  # fmt: skip
FIRST_NAMES = (
    ("Jan", "M"), ("Kees", "M"), ("Ruud", "M"), ("Henk", "M"), ("Bas", "M"), ("Thijs", "M"),
    ("Joost", "M"), ("Mark", "M"), ("Wouter", "M"), ("Pieter", "M"), ("Anne", "F"),
    ("Sanne", "F"), ("Lotte", "F"), ("Marieke", "F"), ("Ingrid", "F"), ("Eva", "F"),
    ("Femke", "F"), ("Linda", "F"), ("Esther", "F"), ("Ilse", "F"),
)  # fmt: skip
SALUTATIONS = (("Fam.", "M"), ("Dhr.", "M"), ("Mevr.", "F"))
BUSINESS_KINDS = (
    "Bakkerij", "Kapsalon", "Tandartspraktijk", "Fysiotherapie", "Restaurant", "VvE",
    "Huisartsenpraktijk", "Kinderopvang", "Autobedrijf", "Bloemenzaak", "Camping", "Sportschool",
)  # fmt: skip
BUSINESS_NAMES = (
    "De Linde", "Het Anker", "De Zonnebloem", "De Molen", "Het Wapen", "De Regenboog",
    "Oudwijk", "De Korenaar", "Het Baken", "De Eik", "Vechtzicht", "De Berkenhof",
)  # fmt: skip
MAIL_DOMAINS = ("ziggo.nl", "kpnmail.nl", "gmail.com", "hotmail.com", "outlook.com", "xs4all.nl", "planet.nl")

# name, minutes, description, priority, publicly visible
APPOINTMENT_TYPES: tuple[tuple[str, int, str, int, bool], ...] = (
    ("Onderhoud cv-ketel", 60, "Periodiek onderhoud van uw cv-ketel", 0, True),
    ("Onderhoud warmtepomp", 90, "Jaarlijkse controle en onderhoud van uw warmtepomp", 0, True),
    ("Storing", 60, "Monteur komt langs voor een storing", 1, False),
    ("Onderhoud WTW-unit", 45, "Filters vervangen en WTW-unit reinigen", 0, True),
    ("Installatie warmtepomp", 480, "Plaatsen en in bedrijf stellen van een warmtepomp", 0, False),
    ("Adviesgesprek", 30, "Advies op locatie over verduurzaming", 0, True),
    ("Onderhoud airco", 60, "Reinigen en controleren van uw airconditioning", 0, True),
)

# model, appointment type name, minutes, plan cycle (months), contract
ITEM_MODELS: tuple[tuple[str, str, int, int, str], ...] = (
    ("Intergas Kombi Kompakt HRE 28/24", "Onderhoud cv-ketel", 60, 12, "Onderhoud 1jr"),
    ("Intergas Xtreme 36", "Onderhoud cv-ketel", 60, 24, "Onderhoud 2jr"),
    ("Remeha Calenta Ace 28c", "Onderhoud cv-ketel", 60, 24, "Onderhoud 2jr"),
    ("Nefit EcoHome HRC 30/CW5", "Onderhoud cv-ketel", 55, 24, "Onderhoud 2jr"),
    ("Vaillant ecoTEC plus VHR 30-34/5-5", "Onderhoud cv-ketel", 60, 12, "All-in 1jr"),
    ("ATAG i36C", "Onderhoud cv-ketel", 60, 12, "Onderhoud 1jr"),
    ("Daikin Altherma 3 H HT 14 kW", "Onderhoud warmtepomp", 90, 12, "Onderhoud 1jr"),
    ("Mitsubishi Ecodan PUZ-WM85", "Onderhoud warmtepomp", 90, 12, "All-in 1jr"),
    ("Itho Daalderop WPU 5G", "Onderhoud warmtepomp", 90, 24, "Onderhoud 2jr"),
    ("Remeha Elga Ace hybride", "Onderhoud warmtepomp", 90, 12, "Onderhoud 1jr"),
    ("Zehnder ComfoAir Q350", "Onderhoud WTW-unit", 45, 12, "Onderhoud 1jr"),
    ("Brink Flair 325", "Onderhoud WTW-unit", 45, 24, "Onderhoud 2jr"),
    ("Daikin Perfera FTXM35R", "Onderhoud airco", 60, 12, "Onderhoud 1jr"),
)
ITEM_NOTES = (
    "Garantie tot: {warranty}", "Sleutel bij de buren (nr. {number})", "Ketel staat op zolder",
    "Hond aanwezig", "Parkeren op het plein achter de woning", "", "", "",
)  # fmt: skip
ITEM_REMINDERS = ("Filters meenemen", "Trap meenemen (zolder)", "Afspraak 's ochtends", "", "", "")

TECHNICIANS = (
    ("Jeroen", "Bakker", "monteur"),
    ("Sander", "de Vries", "monteur"),
    ("Mohamed", "El Amrani", "monteur"),
    ("Kevin", "Visser", "monteur"),
    ("Tom", "Hendriks", "monteur"),
    ("Lisa", "Mulder", "planner"),
    ("Ruud", "van der Linden", "beheerder"),
)
VISIT_SLOTS = (time(8, 0), time(10, 30), time(13, 30))  # a fixed grid: visits of <= 2h never overlap
PRICES = {  # excl. VAT, per appointment type
    "Onderhoud cv-ketel": "119.00",
    "Onderhoud warmtepomp": "189.00",
    "Storing": "95.00",
    "Onderhoud WTW-unit": "89.00",
    "Onderhoud airco": "129.00",
    "Adviesgesprek": "0.00",
}


@dataclass
class DemoData:
    companies: dict[int, Record]
    users: list[Record] = field(default_factory=list)
    appointment_types: list[Record] = field(default_factory=list)
    clients: list[Record] = field(default_factory=list)
    addresses: list[Record] = field(default_factory=list)
    contact_persons: list[Record] = field(default_factory=list)
    items: list[Record] = field(default_factory=list)
    appointments: list[Record] = field(default_factory=list)
    invoices: list[Record] = field(default_factory=list)


def month_window(day: date) -> tuple[datetime, datetime]:
    """The planning window the vendor shows: the whole month, 00:00:00 to 23:59:59."""
    last = calendar.monthrange(day.year, day.month)[1]
    return datetime(day.year, day.month, 1), datetime(day.year, day.month, last, 23, 59, 59)


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_plan_date(date_from: date | None, cycle_months: int, today: date) -> date | None:
    """The first cycle date on or after today: when the item is next due for service."""
    if date_from is None or cycle_months < 1:
        return None
    due = date_from
    while due < today:
        due = add_months(due, cycle_months)
    return due


def working_days(start: date, count: int, step: int) -> list[date]:
    days: list[date] = []
    day = start
    while len(days) < count:
        day += timedelta(days=step)
        if day.weekday() < 5:
            days.append(day)
    return days


def geocode(city: str, rng: random.Random) -> tuple[str, str]:
    lat, lng = CITY_INDEX.get(city.lower(), (0.0, 0.0))
    if not lat:
        return "", ""
    return f"{lat + rng.uniform(-0.02, 0.02):.7f}", f"{lng + rng.uniform(-0.03, 0.03):.7f}"


class _Builder:
    def __init__(self, now: datetime) -> None:
        self.rng = random.Random(COMPANY_ID)
        self.now = now
        self.today = now.date()
        self.data = DemoData(companies={key: dict(value) for key, value in COMPANIES.items()})
        self.type_ids: dict[str, int] = {}
        self.next_ids = {"user": 26500, "type": 4920, "client": 158700, "address": 578700}
        self.next_ids |= {"contact": 9100, "item": 258400, "appointment": 466100, "invoice": 71200}

    def new_id(self, table: str) -> int:
        self.next_ids[table] += 1
        return self.next_ids[table]

    def instant(self, days_ago: float) -> datetime:
        """A real instant in the past (created_at and friends), second precision."""
        return (self.now - timedelta(days=days_ago)).astimezone(UTC).replace(microsecond=0)

    # -- reference data --------------------------------------------------------------------

    def users(self) -> None:
        for first, last, role in TECHNICIANS:
            slug = f"{first}.{last}".lower().replace(" ", "")
            self.data.users.append(
                {
                    "id": self.new_id("user"),
                    "company_id": COMPANY_ID,
                    "name": f"{first} {last}",
                    "first_name": first,
                    "last_name": last,
                    "email": f"{slug}@vanderlinden-installatie.nl",
                    "phone": f"06{self.rng.randint(10000000, 99999999)}",
                    "role": role,
                    "active": True,
                    "created_at": self.instant(900),
                    "updated_at": self.instant(30),
                }
            )
        self.data.users.append(
            {
                "id": self.new_id("user"),
                "company_id": OTHER_COMPANY_ID,
                "name": "Frank Verhoeven",
                "first_name": "Frank",
                "last_name": "Verhoeven",
                "email": "frank@garageverhoeven.nl",
                "phone": "0687654321",
                "role": "beheerder",
                "active": True,
                "created_at": self.instant(700),
                "updated_at": self.instant(700),
            }
        )

    def appointment_types(self) -> None:
        rows = [(COMPANY_ID, *row) for row in APPOINTMENT_TYPES]
        rows.append((OTHER_COMPANY_ID, "Auto inspectie", 30, "het inspecteren van uw auto", 0, True))
        for company_id, name, minutes, description, priority, public in rows:
            type_id = self.new_id("type")
            if company_id == COMPANY_ID:
                self.type_ids[name] = type_id
            self.data.appointment_types.append(
                {
                    "id": type_id,
                    "profitemp_id": None,
                    "company_id": company_id,
                    "name": name,
                    "location": "",
                    "time": minutes,
                    "description": description,
                    "priority": priority,
                    "max_distance": "",
                    "publicly_visible": public,
                    "created_at": self.instant(1000),
                    "updated_at": self.instant(400),
                    "deleted_at": None,
                }
            )

    # -- clients, addresses, items ---------------------------------------------------------

    def address(self, client_id: int, company_id: int, kind: str, age: float) -> Record:
        city, low, high, _, _ = self.rng.choice(CITIES)
        lat, lng = geocode(city, self.rng)
        letters = "".join(self.rng.choice("ABCDEGHJKLMNPRSTVWXZ") for _ in range(2))
        record = {
            "id": self.new_id("address"),
            "profitemp_id": None,
            "company_id": company_id,
            "client_id": client_id,
            "street": self.rng.choice(STREETS),
            "house_number": str(self.rng.randint(1, 180)),
            "house_number_addition": self.rng.choice((None, None, None, None, "A", "B", "bis")),
            "zipcode": f"{self.rng.randint(low, high)} {letters}",
            "city": city,
            "type": kind,
            "geocode_lat": lat,
            "geocode_lng": lng,
            "country_id": NETHERLANDS,
            "created_at": self.instant(age),
            "updated_at": self.instant(age / 2),
            "old_address_id": 0,
            "deleted_at": None,
        }
        self.data.addresses.append(record)
        return record

    def client(self, number: int) -> None:
        rng = self.rng
        business = rng.random() < 0.15
        surname = rng.choice(SURNAMES)
        if rng.random() < 0.4:
            first, gender = rng.choice(SALUTATIONS)
        else:
            first, gender = rng.choice(FIRST_NAMES)
        company_name = f"{rng.choice(BUSINESS_KINDS)} {rng.choice(BUSINESS_NAMES)}" if business else ""
        slug = (company_name or f"{first}{surname}").lower().replace(" ", "").replace(".", "")
        domain = "nl" if business else rng.choice(MAIL_DOMAINS)
        email = f"info@{slug}.nl" if business else f"{slug}@{domain}"
        age = rng.uniform(60, 2500)
        client_id = self.new_id("client")
        invoice = self.address(client_id, COMPANY_ID, "invoice", age)
        work: list[Record] = []
        if business:
            work = [self.address(client_id, COMPANY_ID, "work", age) for _ in range(rng.randint(1, 3))]
        elif rng.random() < 0.25:  # e.g. a rented-out house or a holiday home
            work = [self.address(client_id, COMPANY_ID, "work", age)]
        self.data.clients.append(
            {
                "id": client_id,
                "profitemp_id": None,
                "company_id": COMPANY_ID,
                "client_number": number,
                "gender": gender,
                "first_name": first,
                "last_name": surname,
                "company_name": company_name,
                "email": email,
                "email_alternative": "",
                "email_invoice": f"administratie@{slug}.nl" if business else None,
                "appointment_confirmation": rng.choice((0, 1, 1)),
                "phone": f"030{rng.randint(1000000, 9999999)}",
                "phone_note": None,
                "phone_alternative": "",
                "phone_alternative_note": None,
                "mobile_phone": f"06{rng.randint(10000000, 99999999)}",
                "note": rng.choice(("", "", "", "Liefst bellen voor komst", "Betaalt per incasso")),
                "email_option": "",
                "work_address_same_as_invoice_address": 0 if work else 1,
                "add_contact_person": 1 if business else 0,
                "checked": None,
                "deleted_at": None,
                "created_at": self.instant(age),
                "updated_at": self.instant(age / 3),
            }
        )
        if business:
            contact_first, _ = rng.choice(FIRST_NAMES)
            contact_last = rng.choice(SURNAMES)
            self.data.contact_persons.append(
                {
                    "id": self.new_id("contact"),
                    "client_id": client_id,
                    "first_name": contact_first,
                    "last_name": contact_last,
                    "email": f"{contact_first.lower()}@{slug}.nl",
                    "phone": f"06{rng.randint(10000000, 99999999)}",
                    "function": rng.choice(("Eigenaar", "Beheerder", "Facilitair medewerker")),
                }
            )
        for place in work or [invoice]:
            for _ in range(rng.choice((1, 1, 1, 2)) if rng.random() < 0.92 else 0):
                self.item(client_id, place)

    def item(self, client_id: int, address: Record) -> None:
        rng = self.rng
        model, type_name, minutes, cycle, contract = rng.choice(ITEM_MODELS)
        installed = self.today - timedelta(days=rng.randint(120, 3600))
        warranty = add_months(installed, 60)
        note = rng.choice(ITEM_NOTES).format(
            warranty=f"{warranty.day}-{warranty.month}-{warranty.year}", number=rng.randint(2, 90)
        )
        self.data.items.append(
            {
                "id": self.new_id("item"),
                "profitemp_id": None,
                "client_id": client_id,
                "company_id": COMPANY_ID,
                "item_category_id": None,
                "address_id": address["id"],
                "name": model,
                "time": minutes,
                "appointment_type_id": self.type_ids[type_name],
                "user_id": 0,
                "recurring": True,
                "plan_cycle": cycle,
                "date_from": installed,
                "date_to": None,
                "reminders": rng.choice(ITEM_REMINDERS),
                "contract": contract,
                "note": note or None,
                "appointment_or_invite": "appointment",
                "created_at": self.instant((self.today - installed).days),
                "updated_at": self.instant(rng.uniform(1, 90)),
                "deleted_at": None,
                "comments": [],
                "attachments": [],
            }
        )

    def other_company(self) -> None:
        """A second tenant, so tests can prove records are scoped to the token's company."""
        client_id = self.new_id("client")
        self.data.clients.append(
            {
                "id": client_id,
                "profitemp_id": None,
                "company_id": OTHER_COMPANY_ID,
                "client_number": 1,
                "gender": "M",
                "first_name": "Dhr.",
                "last_name": "Hendrix",
                "company_name": "",
                "email": None,
                "email_alternative": "",
                "email_invoice": None,
                "appointment_confirmation": 0,
                "phone": "",
                "phone_note": None,
                "phone_alternative": "",
                "phone_alternative_note": None,
                "mobile_phone": "",
                "note": "",
                "email_option": "",
                "work_address_same_as_invoice_address": 1,
                "add_contact_person": 0,
                "checked": None,
                "deleted_at": None,
                "created_at": self.instant(500),
                "updated_at": self.instant(500),
            }
        )
        self.address(client_id, OTHER_COMPANY_ID, "invoice", 500)

    # -- appointments and invoices ---------------------------------------------------------

    def appointment(self, item: Record, **fields: Any) -> Record:
        type_minutes = item["time"]
        record: Record = {
            "id": self.new_id("appointment"),
            "company_id": COMPANY_ID,
            "client_id": item["client_id"],
            "appointment_type_id": item["appointment_type_id"],
            "send_mail_to_client": "default",
            "prepared_at": None,
            "planned_at": None,
            "send_confirmed_at": None,
            "send_at": None,
            "confirmed_at": None,
            "visited_at": None,
            "send_reminder_at": None,
            "send_reminder_2_at": None,
            "not_visited_at": None,
            "canceled_at": None,
            "drive_time": None,
            "time_from": None,
            "time_to": None,
            "time": type_minutes,
            "plan_from": None,
            "plan_to": None,
            "plan_next_date": None,
            "address_geocode": None,
            "address_id": item["address_id"],
            "description_intern": "",
            "description_client": None,
            "reminder_checked": None,
            "appointment_or_invite": "appointment",
            "services": [item["id"]],
            "users": [],
            "created_at": self.instant(30),
            "updated_at": self.instant(5),
            "deleted_at": None,
        }
        record.update(fields)
        self.data.appointments.append(record)
        return record

    def planned(self, item: Record, user_id: int, day: date, slot: time, **fields: Any) -> Record:
        start = datetime.combine(day, slot)
        plan_from, plan_to = month_window(day)
        created = min(day - timedelta(days=21), self.today - timedelta(days=1))
        return self.appointment(
            item,
            prepared_at=created,
            planned_at=created,
            send_at=created + timedelta(days=1),
            time_from=start,
            time_to=start + timedelta(minutes=int(item["time"])),
            plan_from=plan_from,
            plan_to=plan_to,
            users=[user_id],
            created_at=self.instant(max((self.today - created).days, 1)),
            **fields,
        )

    def appointments(self) -> None:
        rng = self.rng
        technicians = [user["id"] for user in self.data.users if user["role"] == "monteur"]
        serviceable = [item for item in self.data.items if int(item["time"]) <= 120]
        pool = rng.sample(serviceable, len(serviceable))

        # Visits done in the last four weeks, then the next two weeks of planned visits.
        for days, step, done in ((20, -1, True), (10, 1, False)):
            for day in working_days(self.today, days, step):
                for user_id in technicians:
                    for slot in rng.sample(VISIT_SLOTS, rng.randint(1, 2)):
                        if not pool:
                            return
                        item = pool.pop()
                        extra = {"visited_at": day, "confirmed_at": day - timedelta(days=14)} if done else {}
                        self.planned(item, user_id, day, slot, **extra)

        # Open: to plan this month or next, no time yet (plan_appointment=false).
        for index in range(30):
            item = pool.pop()
            plan_from, plan_to = month_window(add_months(self.today, index % 2))
            self.appointment(
                item,
                prepared_at=self.today - timedelta(days=rng.randint(1, 20)),
                plan_from=plan_from,
                plan_to=plan_to,
            )
        # Invitations sent: the client picks a time through the mail.
        for _ in range(10):
            item = pool.pop()
            item["appointment_or_invite"] = "invite"
            sent = self.today - timedelta(days=rng.randint(1, 10))
            plan_from, plan_to = month_window(add_months(self.today, 1))
            self.appointment(
                item,
                appointment_or_invite="invite",
                send_mail_to_client="direct",
                prepared_at=sent,
                send_at=sent,
                plan_from=plan_from,
                plan_to=plan_to,
            )
        # A few cancellations of planned visits.
        for day in working_days(self.today, 3, 1):
            item = pool.pop()
            self.planned(
                item,
                rng.choice(technicians),
                day,
                VISIT_SLOTS[2],
                canceled_at=self.today - timedelta(days=rng.randint(1, 5)),
            )

    def invoices(self) -> None:
        rng = self.rng
        type_names = {row["id"]: row["name"] for row in self.data.appointment_types}
        visited = [row for row in self.data.appointments if row["visited_at"] is not None]
        older = [
            (rng.choice(self.data.clients[:CLIENT_COUNT])["id"], "Onderhoud cv-ketel", days)
            for days in sorted(rng.sample(range(30, 180), 60), reverse=True)
        ]
        rows = [(client_id, name, days) for client_id, name, days in older]
        rows += [
            (row["client_id"], type_names[row["appointment_type_id"]], (self.today - row["visited_at"]).days)
            for row in sorted(visited, key=lambda row: row["visited_at"])
        ]
        for sequence, (client_id, type_name, days_ago) in enumerate(rows, start=1):
            invoice_day = self.today - timedelta(days=days_ago)
            excl = PRICES.get(type_name, "119.00")
            vat = f"{float(excl) * 0.21:.2f}"
            paid = days_ago > 14 and rng.random() < 0.85
            status = "paid" if paid else ("overdue" if days_ago > 30 else "open")
            created = self.instant(days_ago)
            self.data.invoices.append(
                {
                    "id": self.new_id("invoice"),
                    "company_id": COMPANY_ID,
                    "client_id": client_id,
                    "invoice_number": f"F{invoice_day.year}-{sequence:05d}",
                    "date": invoice_day,
                    "due_date": invoice_day + timedelta(days=30),
                    "status": status,
                    "description": type_name,
                    "total_excl_vat": excl,
                    "vat": vat,
                    "total_incl_vat": f"{float(excl) + float(vat):.2f}",
                    "paid_at": invoice_day + timedelta(days=rng.randint(3, 14)) if paid else None,
                    "lines": [
                        {
                            "description": type_name,
                            "quantity": "1.00",
                            "price": excl,
                            "vat_percentage": 21,
                            "total": excl,
                        }
                    ],
                    "created_at": created,
                    "updated_at": self.instant(max(days_ago - 10, 0)) if paid else created,
                }
            )


def build_demo(now: datetime) -> DemoData:
    """The demo company, anchored on `now` (aware, Europe/Amsterdam)."""
    builder = _Builder(now)
    builder.users()
    builder.appointment_types()
    for number in range(CLIENT_COUNT):
        builder.client(10001 + number)
    builder.other_company()
    builder.appointments()
    builder.invoices()
    return builder.data
