"""The OnlineAfspraken simulator over HTTP: protocol, authentication and business rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from starlette.applications import Starlette

from agenda_mcp.tools.onlineafspraken.sandbox import SANDBOX_BASE_URL, create_app
from agenda_mcp.tools.onlineafspraken.sandbox.app import INVALID_KEY, INVALID_SALT, INVALID_SIGNATURE, STALE_SALT
from agenda_mcp.tools.onlineafspraken.sandbox.state import NO_FREE_SLOT, OnlineAfsprakenSandbox
from tests.support.onlineafspraken import (
    GROEPSTRAINING,
    INTAKE,
    JAN,
    KLEUREN,
    KNIPPEN_HEREN,
    MEHMET,
    MONDAY_9AM,
    PHYSIO,
    SALON,
    SANNE,
    TELEFONISCH,
    Clock,
    SandboxCaller,
)

pytestmark = pytest.mark.anyio

TUESDAY = "2026-03-03"
SUNDAY = "2026-03-08"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(clock: Clock) -> Starlette:
    return create_app(now=clock)


@pytest.fixture
def state(app: Starlette) -> OnlineAfsprakenSandbox:
    return app.state.sandbox


@pytest.fixture
def oa(app: Starlette, clock: Clock) -> SandboxCaller:
    return SandboxCaller(app, clock)


async def times(oa: SandboxCaller, agenda: int, type_id: int, day: str, **extra: int | str) -> list[dict]:
    envelope = await oa.ok("getBookableTimes", AgendaId=agenda, AppointmentTypeId=type_id, Date=day, **extra)
    return envelope.items("BookableTime")


async def book(oa: SandboxCaller, agenda: int, type_id: int, day: str, start: str, **extra: int | str) -> int:
    envelope = await oa.ok(
        "setAppointment", AgendaId=agenda, CustomerId=JAN, AppointmentTypeId=type_id, Date=day, StartTime=start, **extra
    )
    return int(envelope.items("Appointment")[0]["Id"])


def slot_keys(items: list[dict]) -> set[tuple[str, str, str]]:
    return {(t["Date"], t["StartTime"], t["ResourceId"]) for t in items}


# -- authentication (R1) and protocol ------------------------------------------------------------


def test_base_url_has_the_vendor_path() -> None:
    assert SANDBOX_BASE_URL == "http://onlineafspraken.sandbox/APIREST"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda q, now: q | {"api_key": "wrong"}, INVALID_KEY),
        (lambda q, now: {k: v for k, v in q.items() if k != "api_key"}, INVALID_KEY),
        (lambda q, now: q | {"AgendaId": "3102"}, INVALID_SIGNATURE),
        (lambda q, now: q | {"api_signature": "0" * 40}, INVALID_SIGNATURE),
        (lambda q, now: {k: v for k, v in q.items() if k != "api_signature"}, INVALID_SIGNATURE),
        (lambda q, now: q | {"api_salt": "yesterday"}, INVALID_SALT),
    ],
    ids=["wrong-key", "no-key", "tampered", "wrong-signature", "no-signature", "non-numeric-salt"],
)
async def test_bad_credentials_fail(oa: SandboxCaller, clock: Clock, mutate, message: str) -> None:
    query = mutate(oa.query("getAgenda", Id=SALON), clock())
    envelope = await oa.send(query)
    assert (envelope.status, envelope.message) == ("failed", message)
    assert envelope.timestamp == int(clock().timestamp())  # the server time the client can sync to


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [(0, True), (-300, True), (-301, False), (1, False)],
    ids=["now", "five-minutes-old", "stale", "future"],
)
async def test_salt_window_uses_the_sandbox_clock(oa: SandboxCaller, clock: Clock, offset: int, accepted: bool) -> None:
    salt = int(clock().timestamp()) + offset
    envelope = await oa.send(oa.query("getAgendas", salt=salt))
    assert envelope.ok is accepted
    if not accepted:
        assert envelope.message == STALE_SALT


async def test_millisecond_salt_is_rejected(oa: SandboxCaller, clock: Clock) -> None:
    envelope = await oa.send(oa.query("getAgendas", salt=int(clock().timestamp() * 1000)))
    assert envelope.message == STALE_SALT


async def test_signature_hash_is_a_setting(clock: Clock) -> None:
    sha256_app = create_app(now=clock, signature_hash="sha256")
    assert (await SandboxCaller(sha256_app, clock, "sha256").call("getAgendas")).ok
    assert (await SandboxCaller(sha256_app, clock, "sha1").call("getAgendas")).message == INVALID_SIGNATURE


async def test_upper_case_signature_is_accepted(oa: SandboxCaller) -> None:
    query = oa.query("getAgendas")
    assert (await oa.send(query | {"api_signature": query["api_signature"].upper()})).ok


@pytest.mark.parametrize(("method", "message"), [("getFoo", "getFoo"), ("", "(geen)")], ids=["unknown", "empty"])
async def test_unknown_method_fails(oa: SandboxCaller, method: str, message: str) -> None:
    assert await oa.fails(method) == f"Onbekende methode: {message}"


@pytest.mark.parametrize(
    ("method", "params", "field"),
    [
        ("getAgenda", {}, "Id"),
        ("getResource", {}, "Id"),
        ("getFields", {}, "AgendaId"),
        ("getBookableDays", {"AgendaId": SALON}, "AppointmentTypeId"),
        ("getBookableTimes", {"AgendaId": SALON, "AppointmentTypeId": KNIPPEN_HEREN}, "Date"),
        ("getAppointments", {"AgendaId": SALON}, "StartDate"),
        ("setAppointment", {"AgendaId": SALON, "AppointmentTypeId": KNIPPEN_HEREN}, "CustomerId"),
        ("cancelAppointment", {}, "Id"),
        ("confirmAppointment", {"id": 1}, "ConfirmationCode"),
        ("setCustomer", {"FirstName": "Jan", "LastName": "Jansen"}, "Email"),
        ("loginCustomer", {"Username": "x"}, "Password"),
        ("CHAddBlock", {"AgendaId": SALON, "Date": TUESDAY, "StartTime": "08:00"}, "EndTime"),
        ("CHRemoveBlock", {"AgendaId": SALON}, "id"),
        ("getCalculationModelSettings", {"AgendaId": SALON, "AppTypeId": KNIPPEN_HEREN}, "CalculationModel"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
async def test_missing_required_parameter_is_named(oa: SandboxCaller, method: str, params: dict, field: str) -> None:
    assert await oa.fails(method, **params) == f"Verplicht veld ontbreekt: {field}"


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"Date": "03-03-2026"}, "yyyy-mm-dd"),
        ({"Date": "2026-02-30"}, "yyyy-mm-dd"),
        ({"Date": TUESDAY, "AgendaId": "kapsalon"}, "geheel getal"),
    ],
    ids=["dutch-date", "impossible-date", "non-numeric-id"],
)
async def test_malformed_values_fail(oa: SandboxCaller, params: dict, fragment: str) -> None:
    base = {"AgendaId": SALON, "AppointmentTypeId": KNIPPEN_HEREN}
    assert fragment in await oa.fails("getBookableTimes", **(base | params))


async def test_parameter_names_are_case_insensitive(oa: SandboxCaller) -> None:
    assert (await oa.ok("getAgenda", id=SALON)).one("Agenda")["Id"] == str(SALON)  # type: ignore[index]


@pytest.mark.parametrize(
    ("method", "params", "tag", "at_root"),
    [
        ("getAgenda", {"Id": SALON}, "Agenda", True),
        ("getResource", {"Id": SANNE}, "Resource", True),
        ("getCustomer", {"Id": JAN}, "Customer", True),
        ("getAppointmentType", {"Id": KNIPPEN_HEREN}, "AppointmentType", False),
    ],
)
async def test_single_object_placement(oa: SandboxCaller, method: str, params: dict, tag: str, at_root: bool) -> None:
    envelope = await oa.ok(method, **params)
    assert (tag in envelope.payload) is at_root
    assert (tag in envelope.objects) is not at_root


async def test_unknown_ids_fail(oa: SandboxCaller) -> None:
    assert await oa.fails("getAgenda", Id=1) == "Agenda niet gevonden."
    assert await oa.fails("getAppointment", Id=1) == "Afspraak niet gevonden."
    assert await oa.fails("getCustomer", Id=1) == "Klant niet gevonden."
    assert await oa.fails("getResource", Id=1) == "Resource niet gevonden."
    assert await oa.fails("getAppointmentType", Id=1) == "Afspraaktype niet gevonden."


# -- demo data ---------------------------------------------------------------------------------


async def test_demo_data_has_both_businesses(oa: SandboxCaller) -> None:
    agendas = {a["Name"] for a in (await oa.ok("getAgendas")).items("Agenda")}
    assert agendas == {"Kapsalon Knipoog Utrecht", "FysioPlus Amersfoort"}
    types = (await oa.ok("getAppointmentTypes")).items("AppointmentType")
    assert len({t["Duration"] for t in types}) >= 4
    assert {"resource", "capacity"} <= {t["SchedulingType"] for t in types}
    resources = {r["Name"] for r in (await oa.ok("getResources")).items("Resource")}
    assert {"Sanne de Wit", "Oefenzaal"} <= resources


def test_demo_data_is_deterministic_and_anchored_on_now() -> None:
    def snapshot(app: Starlette) -> list[tuple]:
        appts = app.state.sandbox.appointments.values()
        return [(a.id, a.start, a.resource_id, a.customer_id) for a in appts]

    first = snapshot(create_app(now=Clock()))
    assert first == snapshot(create_app(now=Clock()))
    later_anchor = MONDAY_9AM + timedelta(days=7)
    later = snapshot(create_app(now=Clock(later_anchor)))
    assert all(abs(a[1] - later_anchor) < timedelta(days=12) for a in later)
    assert all(abs(a[1] - MONDAY_9AM) < timedelta(days=12) for a in first)


# -- availability (R4) -------------------------------------------------------------------------


async def test_bookable_times_follow_opening_hours_grid_and_window(oa: SandboxCaller) -> None:
    monday = await times(oa, SALON, KNIPPEN_HEREN, "2026-03-02")
    # Monday: only Mehmet works (12:00-18:00); the last 30-minute cut starts 17:30.
    assert {t["ResourceId"] for t in monday} == {str(MEHMET)}
    assert all("12:00" <= t["StartTime"] <= "17:30" for t in monday)
    assert all(int(t["StartTime"][3:]) % 15 == 0 for t in monday)
    assert all(t["EndTime"] == _plus(t["StartTime"], 30) for t in monday)
    assert await times(oa, SALON, KNIPPEN_HEREN, SUNDAY) == []
    # Beyond MaxTimeBeforeAppointment (60 days) nothing is bookable.
    assert await times(oa, SALON, KNIPPEN_HEREN, "2026-05-05") == []


async def test_bookable_times_respect_min_time_before(oa: SandboxCaller, clock: Clock) -> None:
    clock.advance(timedelta(hours=4))  # 13:00; minimum is one hour ahead
    monday = await times(oa, SALON, KNIPPEN_HEREN, "2026-03-02")
    assert monday and min(t["StartTime"] for t in monday) >= "14:00"


async def test_bookable_time_timestamp_is_amsterdam_wall_clock(oa: SandboxCaller) -> None:
    slot = (await times(oa, SALON, KNIPPEN_HEREN, TUESDAY))[0]
    start = MONDAY_9AM.replace(day=3, hour=int(slot["StartTime"][:2]), minute=int(slot["StartTime"][3:]))
    assert int(slot["Timestamp"]) == int(start.timestamp())


async def test_bookable_days_are_computed(oa: SandboxCaller) -> None:
    envelope = await oa.ok(
        "getBookableDays", AgendaId=SALON, AppointmentTypeId=KLEUREN, StartDate="2026-03-02", EndDate="2026-03-15"
    )
    found = {d["Date"] for d in envelope.items("BookableDay")}
    # Kleuren is done by Lisa only: Wednesday to Saturday.
    assert {date.fromisoformat(d).weekday() for d in found} <= {2, 3, 4, 5}
    assert "2026-03-04" in found
    assert envelope.items("BookableDay")[0].keys() == {"Date", "Month", "Day"}


async def test_times_for_all_resources_without_resource_id(oa: SandboxCaller) -> None:
    every = slot_keys(await times(oa, SALON, KNIPPEN_HEREN, TUESDAY))
    sanne = slot_keys(await times(oa, SALON, KNIPPEN_HEREN, TUESDAY, ResourceId=SANNE))
    mehmet = slot_keys(await times(oa, SALON, KNIPPEN_HEREN, TUESDAY, ResourceId=MEHMET))
    assert every == sanne | mehmet and sanne and mehmet


async def test_wrong_agenda_or_resource_for_type_fails(oa: SandboxCaller) -> None:
    assert (
        await oa.fails("getBookableTimes", AgendaId=PHYSIO, AppointmentTypeId=KNIPPEN_HEREN, Date=TUESDAY)
        == "Afspraaktype hoort niet bij deze agenda."
    )
    assert "kan dit afspraaktype niet" in await oa.fails(
        "getBookableTimes", AgendaId=SALON, AppointmentTypeId=KLEUREN, Date=TUESDAY, ResourceId=MEHMET
    )


async def test_bookable_blocks_are_raw_opening_hours(oa: SandboxCaller) -> None:
    envelope = await oa.ok("getBookableBlocks", AgendaId=SALON, AppointmentTypeId=KNIPPEN_HEREN, Date=TUESDAY)
    blocks = {(b["ResourceId"], b["StartTime"], b["EndTime"]) for b in envelope.items("BookableBlock")}
    assert blocks == {(str(SANNE), "09:00", "17:30"), (str(MEHMET), "10:00", "18:00")}
    consumer_only = await oa.ok(
        "getBookableBlocks", AgendaId=PHYSIO, AppointmentTypeId=TELEFONISCH, Date=TUESDAY, ConsumerBookable=1
    )
    assert consumer_only.items("BookableBlock") == []


# -- the booking flow ----------------------------------------------------------------------------


async def test_full_booking_flow(oa: SandboxCaller) -> None:
    types = (await oa.ok("getAppointmentTypes")).items("AppointmentType")
    assert any(t["Id"] == str(KNIPPEN_HEREN) for t in types)
    days = (await oa.ok("getBookableDays", AgendaId=SALON, AppointmentTypeId=KNIPPEN_HEREN)).items("BookableDay")
    day = next(d["Date"] for d in days if d["Date"] > "2026-03-02")
    slot = (await times(oa, SALON, KNIPPEN_HEREN, day, ResourceId=SANNE))[0]

    appt_id = await book(oa, SALON, KNIPPEN_HEREN, day, slot["StartTime"], ResourceId=SANNE, Description="Kort")
    appointment = (await oa.ok("getAppointment", Id=appt_id)).one("Appointment")
    assert appointment is not None
    assert appointment["StartTime"] == f"{day} {slot['StartTime']}:00"
    assert appointment["Label"] == "2" and appointment["CustomerName"] == "Jan de Vries"
    assert appointment["Resources"]["ResourceId"] == str(SANNE)  # type: ignore[index]

    listed = await oa.ok("getAppointments", AgendaId=SALON, StartDate=day, EndDate=day)
    assert str(appt_id) in {a["Id"] for a in listed.items("Appointment")}
    key = (day, slot["StartTime"], str(SANNE))
    assert key not in slot_keys(await times(oa, SALON, KNIPPEN_HEREN, day))

    await oa.ok("cancelAppointment", Id=appt_id, DryRun=1)
    assert (await oa.ok("getAppointment", Id=appt_id)).one("Appointment")["Label"] == "2"  # type: ignore[index]
    assert key not in slot_keys(await times(oa, SALON, KNIPPEN_HEREN, day))

    await oa.ok("cancelAppointment", Id=appt_id)
    assert (await oa.ok("getAppointment", Id=appt_id)).one("Appointment")["Label"] == "4"  # type: ignore[index]
    assert key in slot_keys(await times(oa, SALON, KNIPPEN_HEREN, day))
    listed = await oa.ok("getAppointments", AgendaId=SALON, StartDate=day, EndDate=day)
    assert str(appt_id) not in {a["Id"] for a in listed.items("Appointment")}
    with_cancelled = await oa.ok("getAppointments", AgendaId=SALON, StartDate=day, EndDate=day, IncludeCancelled=1)
    assert str(appt_id) in {a["Id"] for a in with_cancelled.items("Appointment")}
    assert await oa.fails("cancelAppointment", Id=appt_id) == "Afspraak is al geannuleerd."


async def test_double_booking_is_refused(oa: SandboxCaller) -> None:
    slot = (await times(oa, SALON, KNIPPEN_HEREN, TUESDAY, ResourceId=SANNE))[0]
    await book(oa, SALON, KNIPPEN_HEREN, TUESDAY, slot["StartTime"], ResourceId=SANNE)
    assert (
        await oa.fails(
            "setAppointment",
            AgendaId=SALON,
            CustomerId=JAN + 1,
            AppointmentTypeId=KNIPPEN_HEREN,
            ResourceId=SANNE,
            Date=TUESDAY,
            StartTime=slot["StartTime"],
        )
        == NO_FREE_SLOT
    )


async def test_booking_without_resource_picks_a_free_one(oa: SandboxCaller, state: OnlineAfsprakenSandbox) -> None:
    common = set.intersection(
        *[
            {t["StartTime"] for t in await times(oa, SALON, KNIPPEN_HEREN, TUESDAY, ResourceId=r)}
            for r in (SANNE, MEHMET)
        ]
    )
    start = min(common)
    first_id = await book(oa, SALON, KNIPPEN_HEREN, TUESDAY, start)
    second_id = await book(oa, SALON, KNIPPEN_HEREN, TUESDAY, start)
    assert {state.appointments[first_id].resource_id, state.appointments[second_id].resource_id} == {SANNE, MEHMET}
    assert (
        await oa.fails(
            "setAppointment",
            AgendaId=SALON,
            CustomerId=JAN,
            AppointmentTypeId=KNIPPEN_HEREN,
            Date=TUESDAY,
            StartTime=start,
        )
        == NO_FREE_SLOT
    )


@pytest.mark.parametrize(
    ("day", "start"),
    [(SUNDAY, "10:00"), (TUESDAY, "10:05"), ("2026-03-02", "09:30"), (TUESDAY, "08:00"), ("2026-05-05", "10:00")],
    ids=["closed-day", "off-grid", "too-soon", "before-opening", "too-far-ahead"],
)
async def test_booking_outside_bookable_times_is_refused(oa: SandboxCaller, day: str, start: str) -> None:
    message = await oa.fails(
        "setAppointment",
        AgendaId=SALON,
        CustomerId=JAN,
        AppointmentTypeId=KNIPPEN_HEREN,
        ResourceId=SANNE if day != "2026-03-02" else MEHMET,
        Date=day,
        StartTime=start,
    )
    assert message == NO_FREE_SLOT


async def test_buffer_blocks_following_slots(oa: SandboxCaller) -> None:
    wednesday = "2026-03-04"
    before = {t["StartTime"] for t in await times(oa, SALON, KLEUREN, wednesday)}
    start = min(before)
    await book(oa, SALON, KLEUREN, wednesday, start)
    appointment = (
        await oa.ok(
            "getAppointments", AgendaId=SALON, StartDate=wednesday, EndDate=wednesday, AppointmentTypeId=KLEUREN
        )
    ).items("Appointment")
    mine = next(a for a in appointment if a["StartTime"].endswith(f"{start}:00"))
    # 90 minutes plus 15 minutes buffer.
    assert mine["FinishTime"].endswith(f"{_plus(start, 90)}:00")
    assert mine["BlockedTime"].endswith(f"{_plus(start, 105)}:00")
    after = {t["StartTime"] for t in await times(oa, SALON, KLEUREN, wednesday)}
    assert not any(start <= t < _plus(start, 105) for t in after)


async def test_override_mode_books_outside_hours_without_resource(oa: SandboxCaller) -> None:
    appt_id = await book(oa, SALON, KNIPPEN_HEREN, SUNDAY, "10:00", OverrideMode=1)
    appointment = (await oa.ok("getAppointment", Id=appt_id)).one("Appointment")
    assert appointment is not None and appointment.get("Resources") is None


# -- booking modes (R7-R9, R11) ------------------------------------------------------------------


async def test_end_time_only_in_customer_mode(oa: SandboxCaller) -> None:
    slot = (await times(oa, SALON, KNIPPEN_HEREN, TUESDAY, ResourceId=SANNE))[0]
    base = {
        "AgendaId": SALON,
        "CustomerId": JAN,
        "AppointmentTypeId": KNIPPEN_HEREN,
        "ResourceId": SANNE,
        "Date": TUESDAY,
        "StartTime": slot["StartTime"],
    }
    assert "BookingMode=customer" in await oa.fails("setAppointment", **base, EndTime=slot["EndTime"])
    assert await oa.fails("setAppointment", **base, BookingMode="customer") == "Verplicht veld ontbreekt: EndTime"
    assert "BookingMode" in await oa.fails("setAppointment", **base, BookingMode="admin")
    created = await oa.ok("setAppointment", **base, BookingMode="customer", EndTime=_plus(slot["StartTime"], 45))
    appt_id = created.items("Appointment")[0]["Id"]
    appointment = (await oa.ok("getAppointment", Id=appt_id)).one("Appointment")
    assert appointment["FinishTime"].endswith(f"{_plus(slot['StartTime'], 45)}:00")  # type: ignore[index]


async def test_editing_requires_customer_mode_and_moves_the_appointment(oa: SandboxCaller) -> None:
    free = await times(oa, SALON, KNIPPEN_HEREN, TUESDAY, ResourceId=SANNE)
    first, later = free[0]["StartTime"], free[-1]["StartTime"]
    appt_id = await book(oa, SALON, KNIPPEN_HEREN, TUESDAY, first, ResourceId=SANNE, Description="Eerste notitie")
    edit = {"Id": appt_id, "AgendaId": SALON, "CustomerId": JAN, "Date": TUESDAY, "StartTime": later}
    assert "BookingMode=customer" in await oa.fails("setAppointment", **edit, AppointmentTypeId=KNIPPEN_HEREN)
    # AppointmentTypeId is required on every call (D1), a change included, where it is then ignored.
    unspecified = await oa.fails("setAppointment", **edit, EndTime=_plus(later, 30), BookingMode="customer")
    assert unspecified == "Verplicht veld ontbreekt: AppointmentTypeId"
    await oa.ok(
        "setAppointment",
        **edit,
        EndTime=_plus(later, 30),
        BookingMode="customer",
        AppointmentTypeId=KLEUREN,  # ignored when editing
        ResourceId=MEHMET,  # ignored when editing
        Description="Verzet op verzoek",
    )
    appointment = (await oa.ok("getAppointment", Id=appt_id)).one("Appointment")
    assert appointment is not None
    assert appointment["StartTime"] == f"{TUESDAY} {later}:00"
    assert appointment["AppointmentTypeId"] == str(KNIPPEN_HEREN)
    assert appointment["Resources"]["ResourceId"] == str(SANNE)  # type: ignore[index]
    assert appointment["Description"] == "Eerste notitie\nVerzet op verzoek"
    now_free = slot_keys(await times(oa, SALON, KNIPPEN_HEREN, TUESDAY))
    assert (TUESDAY, first, str(SANNE)) in now_free
    assert (TUESDAY, later, str(SANNE)) not in now_free


async def test_type_not_bookable_by_consumers(oa: SandboxCaller) -> None:
    base = {"AgendaId": PHYSIO, "CustomerId": JAN, "AppointmentTypeId": TELEFONISCH, "Date": TUESDAY}
    assert "consumenten" in await oa.fails("setAppointment", **base, StartTime="10:00")
    await oa.ok("setAppointment", **base, StartTime="10:00", EndTime="10:15", BookingMode="customer")


async def test_required_extra_field(oa: SandboxCaller) -> None:
    slot = (await times(oa, PHYSIO, INTAKE, TUESDAY))[0]
    base = {
        "AgendaId": PHYSIO,
        "CustomerId": JAN,
        "AppointmentTypeId": INTAKE,
        "Date": TUESDAY,
        "StartTime": slot["StartTime"],
        "ResourceId": int(slot["ResourceId"]),
    }
    assert await oa.fails("setAppointment", **base) == "Verplicht veld ontbreekt: Klachten"
    appt_id = await book(
        oa,
        PHYSIO,
        INTAKE,
        TUESDAY,
        slot["StartTime"],
        ResourceId=int(slot["ResourceId"]),
        Klachten="Lage rugpijn sinds twee weken",
    )
    appointment = (await oa.ok("getAppointment", Id=appt_id)).one("Appointment")
    assert appointment["Klachten"] == "Lage rugpijn sinds twee weken"  # type: ignore[index]
    second = (await times(oa, PHYSIO, INTAKE, TUESDAY))[0]
    await oa.ok(
        "setAppointment",
        **(base | {"StartTime": second["StartTime"], "ResourceId": int(second["ResourceId"])}),
        RequiredFieldsCheck=0,
    )


async def test_get_fields(oa: SandboxCaller) -> None:
    intake = (await oa.ok("getFields", AgendaId=PHYSIO, AppointmentTypeId=INTAKE)).items("Field")
    assert {(f["Key"], f["Required"]) for f in intake} == {("Klachten", "1"), ("Verwijzing_huisarts", "0")}
    everything = (await oa.ok("getFields", AgendaId=PHYSIO)).items("Field")
    assert {f["Type"] for f in everything} == {"Appointment", "Registration"}
    salon = (await oa.ok("getFields", AgendaId=SALON, AppointmentTypeId=KNIPPEN_HEREN)).items("Field")
    assert salon == []
    generic = (await oa.ok("getFields", AgendaId=SALON, AppointmentTypeId=KNIPPEN_HEREN, GenericFields=1)).items(
        "Field"
    )
    assert [f["Key"] for f in generic] == ["Haarlengte"]


async def test_capacity_type_accepts_up_to_capacity(oa: SandboxCaller) -> None:
    slot = (await times(oa, PHYSIO, GROEPSTRAINING, TUESDAY))[0]
    assert slot["StartTime"] == "19:00"
    booked = await oa.ok(
        "getAppointments", AgendaId=PHYSIO, StartDate=TUESDAY, EndDate=TUESDAY, AppointmentTypeId=GROEPSTRAINING
    )
    free_seats = 6 - len(booked.items("Appointment"))
    assert free_seats >= 2
    for seat in range(free_seats):
        assert await times(oa, PHYSIO, GROEPSTRAINING, TUESDAY)  # the session is still offered
        await oa.ok(
            "setAppointment",
            AgendaId=PHYSIO,
            CustomerId=JAN + seat,
            AppointmentTypeId=GROEPSTRAINING,
            Date=TUESDAY,
            StartTime="19:00",
        )
    assert await times(oa, PHYSIO, GROEPSTRAINING, TUESDAY) == []
    assert (
        await oa.fails(
            "setAppointment",
            AgendaId=PHYSIO,
            CustomerId=JAN + 7,
            AppointmentTypeId=GROEPSTRAINING,
            Date=TUESDAY,
            StartTime="19:00",
        )
        == NO_FREE_SLOT
    )


async def test_booking_needs_an_existing_customer(oa: SandboxCaller) -> None:
    assert (
        await oa.fails(
            "setAppointment",
            AgendaId=SALON,
            CustomerId=1,
            AppointmentTypeId=KNIPPEN_HEREN,
            Date=TUESDAY,
            StartTime="10:00",
        )
        == "Klant niet gevonden."
    )


# -- confirmation (R13), cancel (R14), remove (R16) ----------------------------------------------


async def test_confirmation_flow(oa: SandboxCaller, state: OnlineAfsprakenSandbox) -> None:
    flag = (await oa.ok("requiresConfirmation")).find_text("Required")
    assert flag == "0"
    state.set_requires_confirmation(True)
    assert (await oa.ok("requiresConfirmation")).find_text("Required") == "1"
    slot = (await times(oa, SALON, KNIPPEN_HEREN, TUESDAY))[0]
    appt_id = await book(oa, SALON, KNIPPEN_HEREN, TUESDAY, slot["StartTime"], ResourceId=int(slot["ResourceId"]))
    assert (await oa.ok("getAppointment", Id=appt_id)).one("Appointment")["Label"] == "1"  # type: ignore[index]
    code = state.confirmation_code(appt_id)
    assert code and len(code) == 6
    wrong = await oa.ok("confirmAppointment", id=appt_id, ConfirmationCode="AAAAAA" if code != "AAAAAA" else "BBBBBB")
    assert wrong.find_text("Confirmed") == "0"
    assert (await oa.ok("getAppointment", Id=appt_id)).one("Appointment")["Label"] == "1"  # type: ignore[index]
    right = await oa.ok("confirmAppointment", id=appt_id, ConfirmationCode=code)
    assert right.items("Appointment")[0]["Confirmed"] == "1"
    assert (await oa.ok("getAppointment", Id=appt_id)).one("Appointment")["Label"] == "2"  # type: ignore[index]


async def test_cancellation_deadline(oa: SandboxCaller, clock: Clock) -> None:
    today = await times(oa, SALON, KNIPPEN_HEREN, "2026-03-02")
    soon = await book(oa, SALON, KNIPPEN_HEREN, "2026-03-02", today[0]["StartTime"], ResourceId=MEHMET)
    deadline_message = await oa.fails("cancelAppointment", Id=soon, DryRun=1)
    assert "24 uur" in deadline_message
    assert await oa.fails("cancelAppointment", Id=soon, Mode="customer") == deadline_message
    await oa.ok("cancelAppointment", Id=soon, Mode="company", DryRun=1)
    await oa.ok("cancelAppointment", Id=soon, Mode="company", Remarks="Kapper ziek", Confirmations=1)

    later = await book(oa, SALON, KNIPPEN_HEREN, TUESDAY, "15:30", ResourceId=MEHMET)
    await oa.ok("cancelAppointment", Id=later, DryRun=1)  # in time now
    clock.advance(timedelta(hours=24))  # Tuesday 09:00: within 24 h of 15:30
    assert await oa.fails("cancelAppointment", Id=later, DryRun=1) == deadline_message


@pytest.mark.parametrize(
    ("params", "fragment"),
    [({"Mode": "boss"}, "Mode"), ({"Mode": "company", "Confirmations": 7}, "Confirmations")],
)
async def test_cancel_parameter_validation(oa: SandboxCaller, params: dict, fragment: str) -> None:
    appt_id = await book(oa, SALON, KNIPPEN_HEREN, TUESDAY, "15:30", ResourceId=MEHMET)
    assert fragment in await oa.fails("cancelAppointment", Id=appt_id, **params)


async def test_remove_appointment_deletes_permanently(oa: SandboxCaller) -> None:
    appt_id = await book(oa, SALON, KNIPPEN_HEREN, TUESDAY, "15:30", ResourceId=MEHMET)
    await oa.ok("removeAppointment", Id=appt_id)
    assert await oa.fails("getAppointment", Id=appt_id) == "Afspraak niet gevonden."
    assert await oa.fails("removeAppointment", Id=appt_id) == "Afspraak niet gevonden."
    assert (TUESDAY, "15:30", str(MEHMET)) in slot_keys(await times(oa, SALON, KNIPPEN_HEREN, TUESDAY))


async def test_get_appointments_filters_and_pages(oa: SandboxCaller) -> None:
    week = {"AgendaId": SALON, "StartDate": "2026-02-23", "EndDate": "2026-03-15"}
    everything = await oa.ok("getAppointments", **week)
    total = len(everything.items("Appointment"))
    assert total >= 5 and everything.stats["TotalRecords"] == total
    page = await oa.ok("getAppointments", **week, Limit=2, Offset=1)
    assert [a["Id"] for a in page.items("Appointment")] == [a["Id"] for a in everything.items("Appointment")][1:3]
    assert page.stats == {"Limit": 2, "Offset": 1, "Records": 2, "TotalRecords": total}
    past = [a for a in everything.items("Appointment") if a["StartTime"] < "2026-03-02"]
    assert past and all(a["Label"] == "3" for a in past)  # finished
    mine = await oa.ok("getAppointments", **week, CustomerId=JAN)
    assert all(a["CustomerId"] == str(JAN) for a in mine.items("Appointment"))


# -- customers (R17-R19) -------------------------------------------------------------------------


async def test_customer_create_read_login(oa: SandboxCaller) -> None:
    created = await oa.ok(
        "setCustomer",
        FirstName="Sophie",
        Insertions="van der",
        LastName="Linden",
        Email="sophie@example.nl",
        MobilePhone="06-98765432",
        Gender="F",
        BirthDate="1990-05-17",
        Username="sophie.vdl",
        Password="geheim123",
        Zorgverzekeraar="Zilveren Kruis",
    )
    customer_id = int(created.items("Customer")[0]["Id"])
    customer = (await oa.ok("getCustomer", Id=customer_id)).one("Customer")
    assert customer is not None
    assert (customer["FirstName"], customer["Insertions"], customer["BirthDate"]) == ("Sophie", "van der", "1990-05-17")
    assert customer["Zorgverzekeraar"] == "Zilveren Kruis"
    assert "Password" not in customer and "geheim123" not in str(customer)
    login = await oa.ok("loginCustomer", Username="sophie.vdl", Password="geheim123")
    assert login.one("Customer")["Id"] == str(customer_id)  # type: ignore[index]
    assert (
        await oa.fails("loginCustomer", Username="sophie.vdl", Password="fout")
        == "Ongeldige gebruikersnaam of wachtwoord."
    )
    # Modify: names change, a new Username is ignored.
    await oa.ok(
        "setCustomer",
        id=customer_id,
        FirstName="Sophie",
        LastName="Linden-Bakker",
        Email="sophie@example.nl",
        Username="other",
        Password="whatever1",
    )
    assert (await oa.ok("getCustomer", Id=customer_id)).one("Customer")["LastName"] == "Linden-Bakker"  # type: ignore[index]
    assert not (await oa.call("loginCustomer", Username="other", Password="whatever1")).ok


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"Email": ""}, "Email"),
        ({"Email": "geen-email"}, "e-mailadres"),
        ({"Gender": "X"}, "Gender"),
        ({"Phone": "bel me"}, "Phone"),
        ({"MobilePhone": "123"}, "MobilePhone"),
        ({"Status": 9}, "Status"),
        ({"HouseNr": "12a"}, "HouseNr"),
        ({"BirthDate": "17-05-1990"}, "BirthDate"),
        ({"Username": "kort", "Password": "12345"}, "6 tekens"),
        ({"Username": "fleur.vandenberg", "Password": "123456"}, "gebruikersnaam"),
    ],
    ids=lambda v: None if isinstance(v, dict) else v,
)
async def test_customer_validation(oa: SandboxCaller, params: dict, fragment: str) -> None:
    base = {"FirstName": "Piet", "LastName": "Jansen", "Email": "piet@example.nl"}
    assert fragment in await oa.fails("setCustomer", **(base | params))


async def test_get_customers_hides_deleted_unless_updated_after(oa: SandboxCaller) -> None:
    active = (await oa.ok("getCustomers")).items("Customer")
    assert active and all(c["Status"] == "1" for c in active)
    recent = (await oa.ok("getCustomers", UpdatedAfter="2026-02-20 00:00:00")).items("Customer")
    assert [c for c in recent if c["Status"] == "3"] == [{"Id": "14180549", "Status": "3"}]
    by_email = (await oa.ok("getCustomers", Email="jan.devries@example.nl")).items("Customer")
    assert [c["Id"] for c in by_email] == [str(JAN)]
    paged = await oa.ok("getCustomers", Limit=3, Offset=3)
    assert paged.stats["Records"] == 3 and paged.stats["TotalRecords"] == len(active)


# -- availability administration (R20) and calculation models -----------------------------------


async def test_add_and_remove_block(oa: SandboxCaller) -> None:
    assert await times(oa, SALON, KNIPPEN_HEREN, SUNDAY) == []
    added = await oa.ok("CHAddBlock", AgendaId=SALON, ResourceId=SANNE, Date=SUNDAY, StartTime="10:00", EndTime="12:00")
    block_id = int(added.items("Block")[0]["Id"])
    sunday = await times(oa, SALON, KNIPPEN_HEREN, SUNDAY)
    assert [t["StartTime"] for t in sunday] == ["10:00", "10:15", "10:30", "10:45", "11:00", "11:15", "11:30"]
    assert {t["ResourceId"] for t in sunday} == {str(SANNE)}
    await oa.ok("CHRemoveBlock", AgendaId=SALON, id=block_id)
    assert await times(oa, SALON, KNIPPEN_HEREN, SUNDAY) == []
    assert await oa.fails("CHRemoveBlock", AgendaId=SALON, id=block_id) == "Blok niet gevonden."


async def test_block_for_one_type_only(oa: SandboxCaller) -> None:
    await oa.ok("CHAddBlock", AgendaId=SALON, AppointmentType=KLEUREN, Date=SUNDAY, StartTime="10:00", EndTime="12:00")
    assert await times(oa, SALON, KLEUREN, SUNDAY)
    assert await times(oa, SALON, KNIPPEN_HEREN, SUNDAY) == []


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"StartTime": "12:00", "EndTime": "10:00"}, "na StartTime"),
        ({"ResourceId": 116721}, "Resource"),  # a physio resource in the salon agenda
        ({"StartTime": "25:00"}, "hh:mm"),
    ],
)
async def test_add_block_validation(oa: SandboxCaller, params: dict, fragment: str) -> None:
    base = {"AgendaId": SALON, "Date": SUNDAY, "StartTime": "10:00", "EndTime": "12:00"}
    assert fragment in await oa.fails("CHAddBlock", **(base | params))


async def test_calculation_model_settings(oa: SandboxCaller) -> None:
    key = {"AgendaId": PHYSIO, "AppTypeId": GROEPSTRAINING, "CalculationModel": "multiple"}
    initial = (await oa.ok("getCalculationModelSettings", **key)).items("CalculationModelSettings")[0]
    assert (initial["Value"], initial["Enabled"]) == ("{}", "0")
    await oa.ok("setCalculationModelSettings", **key, Value='{"max": 6}', Enabled=1)
    stored = (await oa.ok("getCalculationModelSettings", **key)).items("CalculationModelSettings")[0]
    assert (stored["Value"], stored["Enabled"]) == ('{"max": 6}', "1")
    assert "JSON" in await oa.fails("setCalculationModelSettings", **key, Value="{max")
    assert "rekenmodel" in await oa.fails("getCalculationModelSettings", **(key | {"CalculationModel": "magic"}))


def _plus(hhmm: str, minutes: int) -> str:
    total = int(hhmm[:2]) * 60 + int(hhmm[3:]) + minutes
    return f"{total // 60:02d}:{total % 60:02d}"
