"""Demo catalogue for the Planaday sandbox: a small Dutch safety-training company.

Course dates are anchored on the day the sandbox starts, so there are always courses in the
coming eight weeks. Entities know how to render themselves in Planaday's wire format; `base` is
the API root of the request (e.g. ``http://planaday.sandbox/v1``) so every ``href`` points at
wherever the app is served.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

JSON = dict[str, Any]
Day = date
"""`date` by another name, for classes whose field `date` hides the type."""

VAT_CODES = {0: 0, 9: 1, 21: 2}  # Planaday: 0 = none, 1 = low (9 %), 2 = high (21 %)


def _ymd(day: date) -> str:
    return day.strftime("%Y%m%d")


def _flag(value: bool, as_bool: bool) -> bool | int:
    # List views send 0/1, detail views booleans (as in the vendor's examples).
    return value if as_bool else int(value)


@dataclass(frozen=True)
class Attribute:
    name: str
    code: str
    # option name -> (value, description); None renders as the vendor's empty option `[]`.
    options: dict[str, tuple[str | None, str | None] | None]
    is_required: bool
    multiple_values_allowed: bool = False
    vat: int | None = None  # set only for financial attributes

    def to_json(self) -> JSON:
        values: JSON = {
            name: [] if opt is None else {"value": opt[0], "description": opt[1]} for name, opt in self.options.items()
        }
        out: JSON = {
            "code": self.code,
            "values": values,
            "is_required": self.is_required,
            "multiple_values_allowed": self.multiple_values_allowed,
            "is_financial": self.vat is not None,
        }
        if self.vat is not None:
            out["vat"] = self.vat
            out["vat_code"] = VAT_CODES[self.vat]
        return out


def attributes_json(attributes: list[Attribute]) -> JSON | list[Any]:
    # The vendor sends `[]` when nothing is configured.
    return {a.name: a.to_json() for a in attributes} or []


@dataclass(frozen=True)
class Label:
    id: int
    name: str
    description: str | None

    def to_json(self) -> JSON:
        return {"id": self.id, "name": self.name, "description": self.description}


@dataclass(frozen=True)
class Location:
    id: int
    name: str
    code: str
    street: str | None
    housenumber: int | None
    zipcode: str | None
    city: str | None
    lat: float
    lng: float
    phone: str | None
    email: str | None
    capacity: int
    overbookable: bool
    price: float
    description: str | None = None
    is_virtual: bool = False

    def to_json(self, base: str) -> JSON:
        vat = 21
        return {
            "id": self.id,
            "name": self.name,
            "code": self.code,
            "address": {
                "street_1": self.street,
                "street_2": None,
                "housenumber": self.housenumber,
                "housenumber_extension": None,
                "zipcode": self.zipcode,
                "city": self.city,
                "country": None if self.is_virtual else "Nederland",
                "lat": self.lat,
                "lng": self.lng,
            },
            "contact_info": {
                "phonenumber_1": self.phone,
                "email": self.email,
                "website": "https://www.veiligwerkt-opleidingen.nl",
            },
            "description": self.description,
            "capacity": self.capacity,
            "overbookable": self.overbookable,
            "costs": {"price": self.price, "vat": vat, "vat_code": VAT_CODES[vat]},
            "is_virtual": self.is_virtual,
            "is_external": False,
            "href": f"{base}/location/{self.id}",
        }


@dataclass(frozen=True)
class Material:
    id: int
    code: str
    name: str
    description: str
    selling_price: float
    vat: int | None = None

    def to_json(self) -> JSON:
        out: JSON = {
            "id": self.id,
            "code": self.code,
            "name": self.name,
            "description": self.description,
            "selling_price": self.selling_price,
        }
        if self.vat is not None:
            out["vat"] = self.vat
            out["vat_code"] = VAT_CODES[self.vat]
        return out


@dataclass(frozen=True)
class ExtraField:
    """A custom student field from Beheer (the booking's `students[].extrafields` by id)."""

    id: int
    name: str
    type: str  # textfield, checkbox, selectbox, radiobutton
    options: list[str] = field(default_factory=list)
    default_value: str = ""  # checkbox defaults are joined with |
    is_required: bool = False
    description: str | None = None

    def to_json(self) -> JSON:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "type": self.type,
            "options": list(self.options),
            "default_value": self.default_value,
            "is_required": self.is_required,
        }


@dataclass
class Daypart:
    id: int
    course_id: int
    name: str
    date: date
    start_time: str
    end_time: str
    location_ids: list[int]
    labels: list[str]
    status: str = "active"
    description: str = ""
    is_elearning: bool = False
    date_finish_before: Day | None = None
    material_ids: list[int] = field(default_factory=list)
    attributes: list[Attribute] = field(default_factory=list)
    cost_user: float | None = None
    vat: int = 21
    code95: tuple[int, int] | None = None  # (practice, theory) hours
    visible: bool = True
    # Seat counters; bookings move `options`, conversion moves options to `scheduled`.
    scheduled: int = 0
    options: int = 0
    waitinglist: int = 0

    def ref_json(self, base: str) -> JSON:
        return {"id": self.id, "href": f"{base}/daypart/{self.id}"}

    def to_json(self, base: str, *, detail: bool) -> JSON:
        out: JSON = {"href": f"{base}/daypart/{self.id}", "id": self.id}
        if detail:
            out["code"] = None
        out |= {
            "name": self.name,
            "description": self.description,
            "status": self.status,
            "date": _ymd(self.date),
            "start_time": self.start_time,
            "end_time": self.end_time,
            "is_elearning": int(self.is_elearning),
            "visible": self.visible,
        }
        if self.date_finish_before is not None:
            out["date_finish_before"] = _ymd(self.date_finish_before)
        out |= {
            "users": {"scheduled": self.scheduled, "options": self.options, "waitinglist": self.waitinglist},
            "locations": [{"id": i, "href": f"{base}/location/{i}"} for i in self.location_ids],
            "costs": {"user": self.cost_user, "vat": self.vat, "vat_code": VAT_CODES[self.vat]},
            "has_code95": int(self.code95 is not None),
        }
        if self.code95 is not None:
            out["code95"] = {"practice": self.code95[0], "theory": self.code95[1]}
        out["labels"] = list(self.labels)
        out["attributes"] = attributes_json(self.attributes)
        return out


@dataclass
class Template:
    id: int
    code: str
    name: str
    description: str | None
    level: str
    labels: list[str]
    users_min: int
    users_max: int
    cost_user: float
    cost_course: float
    vat: int
    daypart_amount: int
    has_elearning: bool = False
    has_code95: bool = False
    attributes: list[Attribute] = field(default_factory=list)
    # Dayparts of the next planned course of this template (filled in by the builder), so the
    # template's daypart hrefs resolve; Planaday does not document what they point at.
    daypart_ids: list[int] = field(default_factory=list)

    def to_json(self, base: str, *, detail: bool) -> JSON:
        out: JSON = {
            "id": self.id,
            "href": f"{base}/coursetemplate/{self.id}",
            "code": self.code,
            "name": self.name,
            "description": self.description,
            "daypart_amount": self.daypart_amount,
        }
        if detail:
            out["dayparts"] = [{"id": i, "href": f"{base}/daypart/{i}"} for i in self.daypart_ids]
            out["users"] = {"min": self.users_min, "max": self.users_max}
            out["costs"] = {
                "user": self.cost_user,
                "course": self.cost_course,
                "vat": self.vat,
                "vat_code": VAT_CODES[self.vat],
                "remark": None,
            }
            out["level"] = self.level
        out |= {
            "has_elearning": _flag(self.has_elearning, detail),
            "has_code95": _flag(self.has_code95, detail),
            "has_soob": _flag(False, detail),
            "labels": list(self.labels),
        }
        if detail:
            out["attributes"] = attributes_json(self.attributes)
        out["language"] = "NL"
        return out


@dataclass
class Course:
    id: int
    code: str
    template: Template
    name: str
    description: str | None
    status: str
    dayparts: list[Daypart]
    material_ids: list[int]
    users_min: int
    users_max: int
    available: int
    options: int
    cost_user: float
    cost_course: float
    vat: int
    labels: list[str]
    attributes: list[Attribute] = field(default_factory=list)
    cost_remark: str | None = None
    start_guaranteed: bool = False
    moneyback_guaranteed: bool = False
    has_stap: bool = False
    stap_only: bool = False
    code95: tuple[int, int] | None = None
    recurrence: tuple[int, int] | None = None  # (months, refresher template id)

    @property
    def first_date(self) -> date | None:
        return min((d.date for d in self.dayparts), default=None)

    @property
    def last_date(self) -> date | None:
        return max((d.date for d in self.dayparts), default=None)

    @property
    def bookable_material_ids(self) -> list[int]:
        """Course-level materials plus those of its dayparts: what a booking may order."""
        ids = list(self.material_ids)
        for daypart in self.dayparts:
            ids += [i for i in daypart.material_ids if i not in ids]
        return ids

    def to_json(self, base: str, *, detail: bool) -> JSON:
        if detail:
            dayparts: list[JSON] = []
            for d in self.dayparts:
                item = d.ref_json(base) | {"labels": list(d.labels), "visible": d.visible, "status": d.status}
                if d.attributes:
                    item["attributes"] = attributes_json(d.attributes)
                dayparts.append(item)
        else:
            # The list view carries only the first daypart (vendor text).
            dayparts = [d.ref_json(base) | {"visible": d.visible} for d in self.dayparts[:1]]
        out: JSON = {
            "id": self.id,
            "code": self.code,
            "name": self.name,
            "description": self.description,
            "type": "open",
            "status": self.status,
            "daypart_amount": len(self.dayparts),
            "dayparts": dayparts,
            "users": {
                "min": self.users_min,
                "max": self.users_max,
                "available": self.available,
                "options": self.options,
            },
            "costs": {
                "user": self.cost_user,
                "course": self.cost_course,
                "vat": self.vat,
                "vat_code": VAT_CODES[self.vat],
                "remark": self.cost_remark,
            },
            "coursetemplate": {"id": self.template.id, "href": f"{base}/coursetemplate/{self.template.id}"},
        }
        if detail:
            out["level"] = self.template.level
            out["level_description"] = ""
        out |= {
            "start_guaranteed": _flag(self.start_guaranteed, detail),
            "moneyback_guaranteed": _flag(self.moneyback_guaranteed, detail),
            "has_elearning": _flag(any(d.is_elearning for d in self.dayparts), detail),
            "has_code95": _flag(self.code95 is not None, detail),
            "has_soob": _flag(False, detail),
            "has_stap": _flag(self.has_stap, detail),
            "stap_only": _flag(self.stap_only, detail),
        }
        if detail and self.code95 is not None:
            out["code95"] = {"practice": self.code95[0], "theory": self.code95[1]}
        out |= {
            "href": f"{base}/course/{self.id}",
            "labels": list(self.labels),
            "attributes": attributes_json(self.attributes),
            "language": "NL",
        }
        if detail:
            out["recurrence"] = self._recurrence_json(base)
            first = self.first_date
            if first is not None:
                out["freefields"] = {"Startdatum": first.strftime("%d-%m-%Y")}
            # What the vendor's own example shows for a course without repeats (docs, "Answer with
            # freefield"): one link whose id and href are null.
            out["repeating_courses"] = [{"id": None, "href": None}]
        return out

    def _recurrence_json(self, base: str) -> list[JSON]:
        if self.recurrence is None:
            return []
        months, tid = self.recurrence
        return [
            {
                "id": tid,
                "period": months,
                "unit": "maanden",
                "is_required": True,
                "href": f"{base}/coursetemplate/{tid}",
            }
        ]


@dataclass
class Catalogue:
    labels: list[Label]
    locations: dict[int, Location]
    materials: dict[int, Material]
    templates: dict[int, Template]
    courses: dict[int, Course]
    dayparts: dict[int, Daypart]
    extrafields: list[ExtraField]


# --- the demo data ------------------------------------------------------------------------------
# Tables are kept one entry per line; the formatter would spread them over hundreds of lines.
# fmt: off

LABELS = [
    Label(1, "BHV", "Bedrijfshulpverlening"),
    Label(2, "EHBO", "Eerste hulp bij ongelukken"),
    Label(3, "VCA", "Veiligheid, Gezondheid en Milieu Checklist Aannemers"),
    Label(4, "HEFTRUCK", "Heftruck en intern transport"),
    Label(5, "CODE95", "Nascholing beroepschauffeurs"),
    Label(6, "LOGISTIEK", None),
    Label(7, "STAP", "Scholing met STAP-budget"),
    Label(8, "Intern transport", "Heftruck, reachtruck en EPT"),  # a label name with a space
]

EXTRA_FIELDS = [
    ExtraField(53, "Eerder behaalde certificaten", "checkbox", ["bhv", "brand", "ehbo", "vca"],
               description="Vink aan wat nog geldig is"),
    ExtraField(54, "Dieetwensen", "textfield", description="Voor de lunch op de lesdag"),
    ExtraField(55, "Hoe heeft u ons gevonden?", "selectbox", ["Google", "LinkedIn", "Via werkgever", "Anders"]),
    ExtraField(56, "Rijbewijs", "radiobutton", ["geen", "B", "C", "CE"], default_value="B", is_required=True),
]

UTRECHT, AMERSFOORT, ZWOLLE, ONLINE = 1, 2, 3, 4

LOCATIONS = [
    Location(id=UTRECHT, name="Trainingscentrum Utrecht", code="UTR01",
             street="Papendorpseweg", housenumber=100, zipcode="3528BJ", city="Utrecht",
             lat=52.0771, lng=5.0865, phone="030-7400100", email="utrecht@veiligwerkt-opleidingen.nl",
             capacity=16, overbookable=False, price=40.0,
             description="Gratis parkeren; 10 minuten lopen vanaf station Utrecht Vaartsche Rijn."),
    Location(id=AMERSFOORT, name="Opleidingslocatie Amersfoort", code="AMF01",
             street="Computerweg", housenumber=22, zipcode="3821AB", city="Amersfoort",
             lat=52.1746, lng=5.4072, phone="033-2001122", email="amersfoort@veiligwerkt-opleidingen.nl",
             capacity=20, overbookable=True, price=35.0),
    Location(id=ZWOLLE, name="Praktijkhal Zwolle", code="ZWL01",
             street="Zuiderzeelaan", housenumber=40, zipcode="8017JV", city="Zwolle",
             lat=52.5168, lng=6.1170, phone="038-4550077", email="zwolle@veiligwerkt-opleidingen.nl",
             capacity=12, overbookable=False, price=55.0,
             description="Praktijkhal met heftrucks, reachtrucks en brandoefenplaats."),
    Location(id=ONLINE, name="Online leeromgeving", code="ONL01",
             street=None, housenumber=None, zipcode=None, city=None,
             lat=0.0, lng=0.0, phone=None, email="elearning@veiligwerkt-opleidingen.nl",
             capacity=100, overbookable=True, price=0.0, is_virtual=True),
]

MATERIALS = [
    Material(450, "bhv01", "Lesboek BHV Basis", "NIBHV-lesboek, nieuwste druk", 24.95, 9),
    Material(451, "brb02", "Brandblusser-oefenset", "", 12.5),
    Material(452, "ehb01", "Lesboek EHBO", "Oranje Kruis boekje", 32.5, 9),
    Material(453, "ehb02", "Pocketmasker reanimatie", "", 8.95, 21),
    Material(454, "vca01", "Lesboek VCA Basis", "", 39.95, 9),
    Material(455, "vca02", "Oefenexamen VCA online", "Drie online oefenexamens", 15.0, 21),
    Material(456, "hef01", "Heftruck certificaatpas", "", 17.5, 21),
    Material(457, "hef02", "Veiligheidshesje oranje", "", 6.5, 21),
    Material(458, "stl01", "Werkmap Leidinggevende Logistiek", "", 45.0, 9),
]

EXAM_LANGUAGE = Attribute(
    "Examentaal", "{7D3F0A2C-5B1E-4C8A-9E21-3A6B8C0D4F11}",
    {"Nederlands": (None, "Examen in het Nederlands"),
     "Engels": ("25", "Examen in het Engels"),
     "Pools": ("25", "Examen in het Pools")},
    is_required=True, vat=21,
)
EXTRAS = Attribute(
    "Extra's", "{2B9E4C71-8A0D-4F3B-B6C5-1E7D9A2F3C40}",
    {"Lesboek": ("39.95", None), "Oefenexamen": ("15", "Online oefenexamen"), "Lunch": None},
    is_required=False, multiple_values_allowed=True, vat=21,
)
TRUCK_TYPE = Attribute(
    "Type heftruck", "{C41A8E20-3F6B-4D92-A7E5-90B1D2C3E4F5}",
    {"Heftruck": (None, "Contragewicht heftruck"), "Reachtruck": (None, None), "EPT": None},
    is_required=True,
)

CRKBO = "Vrijgesteld van btw (CRKBO-geregistreerd)"


def _templates() -> dict[int, Template]:
    items = [
        Template(1, "bhv-#Y#M-#3C", "BHV Basis", "Tweedaagse basisopleiding bedrijfshulpverlening.",
                 "Basis", ["BHV", "EHBO"], 6, 12, 295.0, 2950.0, vat=0, daypart_amount=2),
        Template(2, "bhh-#Y#M-#3C", "BHV Herhaling", "Jaarlijkse herhaling voor gecertificeerde BHV'ers.",
                 "Herhaling", ["BHV"], 4, 10, 165.0, 1320.0, vat=0, daypart_amount=1),
        Template(3, "ehb-#Y#M-#3C", "EHBO Basis met reanimatie en AED", None,
                 "Basis", ["EHBO"], 6, 12, 245.0, 2450.0, vat=0, daypart_amount=2),
        Template(4, "vca-#Y#M-#3C", "VCA Basis (B-VCA)", "E-learning met examen op locatie.",
                 "Basis", ["VCA"], 8, 16, 325.0, 3900.0, vat=21, daypart_amount=2,
                 has_elearning=True, attributes=[EXAM_LANGUAGE, EXTRAS]),
        Template(5, "hef-#Y#M-#3C", "Heftruckchauffeur", "Theorie, praktijk en praktijkexamen.",
                 "Basis", ["HEFTRUCK", "LOGISTIEK", "CODE95", "Intern transport"], 3, 8, 595.0, 3570.0, vat=21,
                 daypart_amount=3, has_code95=True),
        Template(6, "stl-#Y#M-#3C", "Leidinggevende Logistiek (STAP)", "Alleen te boeken met STAP-budget.",
                 "Gevorderd", ["LOGISTIEK", "STAP"], 6, 14, 850.0, 9350.0, vat=0, daypart_amount=2),
        # No dayparts yet: hidden from /coursetemplate/list, as Planaday does.
        Template(7, "aed-#Y#M-#3C", "Reanimatie en AED voor zorgmedewerkers", "In ontwikkeling.",
                 "Basis", ["EHBO"], 6, 15, 145.0, 1450.0, vat=0, daypart_amount=0),
    ]
    return {t.id: t for t in items}


def build_catalogue(today: date) -> Catalogue:
    """Fresh, mutable demo data for one sandbox instance; same `today` gives the same data."""
    b = _Builder(today)
    dp, day = b.daypart, b.day  # day(week, weekday): week 1 is next week, weekday 0 is Monday
    b.course(101, 1, [
        dp("Dag 1: EHBO en ontruiming", day(1, 1), "08:30", "16:30", UTRECHT, material_ids=[451]),
        dp("Dag 2: brandbestrijding en praktijk", day(1, 2), "08:30", "16:30", UTRECHT),
    ], available=7, options=2, materials=[450], start_guaranteed=True, recurrence=(12, 2))
    b.course(102, 1, [
        dp("Dag 1: EHBO en ontruiming", day(3, 0), "08:30", "16:30", AMERSFOORT, material_ids=[451]),
        dp("Dag 2: brandbestrijding en praktijk", day(3, 1), "08:30", "16:30", AMERSFOORT),
    ], available=10, options=0, materials=[450], has_stap=True, recurrence=(12, 2))
    # Exactly one seat left.
    b.course(103, 2, [
        dp("Herhalingsochtend", day(2, 3), "09:00", "13:00", ZWOLLE, material_ids=[451], waitinglist=2),
    ], available=1, options=1, materials=[], moneyback_guaranteed=True)
    b.course(104, 3, [
        dp("Avond 1: eerste hulp", day(2, 0), "18:30", "21:30", UTRECHT),
        dp("Avond 2: reanimatie en AED", day(2, 2), "18:30", "21:30", UTRECHT, material_ids=[453]),
    ], available=9, options=1, materials=[452])
    b.course(105, 3, [
        dp("Dag 1: eerste hulp", day(5, 1), "09:00", "16:00", ZWOLLE),
        dp("Dag 2: reanimatie en AED", day(5, 3), "09:00", "16:00", ZWOLLE, material_ids=[453]),
    ], available=12, options=0, materials=[452])
    # Course-level attributes: one required, one optional with several values allowed.
    b.course(106, 4, [
        dp("E-learning VCA Basis", day(4, 0), "00:00", "23:59", ONLINE, is_elearning=True,
           date_finish_before=day(4, 2), cost_user=0.0, vat=0),
        dp("Examen B-VCA", day(4, 3), "09:00", "11:30", AMERSFOORT),
    ], available=11, options=3, materials=[454, 455], attributes=[EXAM_LANGUAGE, EXTRAS])
    # A required attribute on one daypart only: booking the other dayparts does not need it.
    b.course(107, 5, [
        dp("Theorie intern transport", day(6, 0), "08:30", "16:30", ZWOLLE, code95=(0, 7)),
        dp("Praktijk", day(6, 1), "08:30", "16:30", ZWOLLE, material_ids=[457], attributes=[TRUCK_TYPE],
           code95=(7, 0)),
        dp("Praktijkexamen", day(6, 2), "09:00", "12:00", ZWOLLE),
    ], available=5, options=1, materials=[456], code95=(7, 7))
    b.course(108, 6, [
        dp("Module 1: leidinggeven op de werkvloer", day(7, 1), "09:00", "17:00", UTRECHT),
        dp("Module 2: planning en veiligheid", day(7, 3), "09:00", "17:00", UTRECHT),
    ], available=14, options=0, materials=[458], has_stap=True, stap_only=True)
    b.course(109, 1, [
        dp("Dag 1: EHBO en ontruiming", day(8, 0), "08:30", "16:30", ZWOLLE, status="option"),
        dp("Dag 2: brandbestrijding en praktijk", day(8, 1), "08:30", "16:30", ZWOLLE, status="option"),
    ], available=12, options=0, materials=[450])
    # Already held: still readable, no longer bookable.
    b.course(110, 2, [
        dp("Herhalingsochtend", day(-2, 3), "09:00", "13:00", AMERSFOORT),
    ], available=3, options=0, materials=[])
    # A concept course whose dayparts are not planned yet (booking answers 413).
    b.course(111, 7, [], available=15, options=0, materials=[], status="concept")
    return Catalogue(
        labels=list(LABELS),
        locations={loc.id: loc for loc in LOCATIONS},
        materials={m.id: m for m in MATERIALS},
        templates=b.templates,
        courses=b.courses,
        dayparts=b.dayparts,
        extrafields=list(EXTRA_FIELDS),
    )


# fmt: on


class _Builder:
    """Numbers dayparts, derives course codes and seat counters from the template."""

    def __init__(self, today: date) -> None:
        self.monday = today - timedelta(days=today.weekday())
        self.templates = _templates()
        self.courses: dict[int, Course] = {}
        self.dayparts: dict[int, Daypart] = {}
        self._next_daypart = 1001
        self._sequence: dict[str, int] = {}

    def day(self, week: int, weekday: int) -> date:
        return self.monday + timedelta(weeks=week, days=weekday)

    def daypart(self, name: str, day: date, start: str, end: str, location: int, **extra: Any) -> Daypart:
        # course_id, labels and counters are filled in by course().
        part = Daypart(self._next_daypart, 0, name, day, start, end, [location], [], **extra)
        self._next_daypart += 1
        return part

    def course(
        self,
        course_id: int,
        template_id: int,
        dayparts: list[Daypart],
        *,
        available: int,
        options: int,
        materials: list[int],
        status: str = "active",
        recurrence: tuple[int, int] | None = None,  # (months, template id of the refresher)
        **extra: Any,
    ) -> None:
        t = self.templates[template_id]
        first = min((d.date for d in dayparts), default=self.monday)
        prefix = t.code.split("-")[0]
        self._sequence[prefix] = self._sequence.get(prefix, 0) + 1
        scheduled = t.users_max - available - options
        for part in dayparts:
            part.course_id = course_id
            part.labels = list(t.labels)
            part.scheduled, part.options = scheduled, options
            self.dayparts[part.id] = part
        self.courses[course_id] = Course(
            id=course_id,
            code=f"{prefix}-{first:%Y%m}-{self._sequence[prefix]:03d}",
            template=t,
            name=t.name,
            description=t.description,
            status=status,
            dayparts=dayparts,
            material_ids=materials,
            users_min=t.users_min,
            users_max=t.users_max,
            available=available,
            options=options,
            cost_user=t.cost_user,
            cost_course=t.cost_course,
            vat=t.vat,
            labels=list(t.labels),
            cost_remark=CRKBO if t.vat == 0 else None,
            recurrence=recurrence,
            **extra,
        )
        if not t.daypart_ids and dayparts and first >= self.monday:
            t.daypart_ids = [d.id for d in dayparts]
