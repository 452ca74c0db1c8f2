"""The OnlineAfspraken.nl client against hand-written vendor answers (no sandbox rules involved):
list normalisation, failed envelopes, unsafe XML, clock-skew re-signing and configuration."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date

import httpx2
import pytest
from mcp.server.mcpserver.exceptions import ToolError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from agenda_mcp.server.kit.http import VendorHTTP
from agenda_mcp.server.startup.config import ConfigError
from agenda_mcp.tools.onlineafspraken.client import (
    DEFAULT_BASE_URL,
    OnlineAfsprakenClient,
    SignedConnection,
    connection,
    describe_error,
)
from agenda_mcp.tools.onlineafspraken.signing import signature_matches

pytestmark = pytest.mark.anyio

ENV = {"ONLINEAFSPRAKEN_API_KEY": "key-for-tests", "ONLINEAFSPRAKEN_API_SECRET": "secret-for-tests"}
LOCAL_NOW = 1_700_000_000  # the client's clock in these tests
PROLOG = '<?xml version="1.0" encoding="UTF-8"?>\n'


def envelope(payload: str = "", *, status: str = "success", message: str = "", timestamp: int = LOCAL_NOW) -> bytes:
    head = (
        f"<Status><APIVersion>1.0</APIVersion><Timestamp>{timestamp}</Timestamp>"
        f"<Message>{message}</Message><Status>{status}</Status></Status>"
    )
    return f"{PROLOG}<Response>{head}{payload}</Response>".encode()


Answer = Callable[[dict[str, str]], tuple[int, bytes]]


@asynccontextmanager
async def fake_vendor(answer: Answer) -> AsyncIterator[tuple[OnlineAfsprakenClient, list[dict[str, str]]]]:
    """A client wired to an in-process fake APIREST that answers with `answer(query)`."""
    seen: list[dict[str, str]] = []

    async def endpoint(request: Request) -> Response:
        query = dict(request.query_params)
        seen.append(query)
        status, body = answer(query)
        return Response(body, status_code=status, media_type="text/xml")

    app = Starlette(routes=[Route("/APIREST", endpoint)])
    conn = connection({**ENV, "ONLINEAFSPRAKEN_BASE_URL": "http://fake.vendor/APIREST"})
    http = VendorHTTP(
        title="OnlineAfspraken.nl",
        connection=conn,
        auth_hint="ONLINEAFSPRAKEN_API_KEY",
        base_url_env="ONLINEAFSPRAKEN_BASE_URL",
        transport=httpx2.ASGITransport(app=app),
        backoff=0.0,
        describe_error=describe_error,
    )
    async with http.opened():
        yield OnlineAfsprakenClient(http, clock=lambda: LOCAL_NOW), seen


AGENDA = "<Agenda><Id>{}</Id><Name>Salon</Name><AlignGrid>5</AlignGrid><IsDefault>1</IsDefault></Agenda>"


@pytest.mark.parametrize(
    ("payload", "ids"),
    [("", []), ("<Objects></Objects>", []), (f"<Objects>{AGENDA.format(270)}</Objects>", [270])],
    ids=["no-objects", "empty-objects", "single-object"],
)
async def test_list_answers_with_none_or_one_object(payload: str, ids: list[int]) -> None:
    async with fake_vendor(lambda q: (200, envelope(payload))) as (client, _):
        agendas = await client.get_agendas()
    assert [a.id for a in agendas] == ids


async def test_single_object_at_the_root() -> None:
    async with fake_vendor(lambda q: (200, envelope(AGENDA.format(271)))) as (client, _):
        agenda = await client.get_agenda(271)
    assert (agenda.id, agenda.align_grid, agenda.is_default) == (271, 5, True)


async def test_failed_status_is_a_tool_error_with_the_vendor_message() -> None:
    answer = envelope(status="failed", message="Geen vrij tijdslot voor afspraak.")
    async with fake_vendor(lambda q: (200, answer)) as (client, seen):
        with pytest.raises(ToolError) as error:
            await client.get_agendas()
    assert "Geen vrij tijdslot voor afspraak." in str(error.value)
    assert str(error.value).startswith("OnlineAfspraken.nl: get agendas failed")
    assert len(seen) == 1  # a failure with a good salt is not retried


async def test_entity_expansion_answer_is_refused() -> None:
    attack = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><Response><Status><Status>success</Status>'
        b"<Message>&c;</Message></Status></Response>"
    )
    async with fake_vendor(lambda q: (200, attack)) as (client, _):
        with pytest.raises(ToolError) as error:
            await client.get_agendas()
    assert "unsafe XML refused" in str(error.value)


async def test_html_answer_names_the_base_url() -> None:
    async with fake_vendor(lambda q: (200, b"<html><body>Inloggen</body></html>")) as (client, _):
        with pytest.raises(ToolError) as error:
            await client.get_agendas()
    assert "HTML page" in str(error.value) and "ONLINEAFSPRAKEN_BASE_URL" in str(error.value)


async def test_error_status_with_envelope_uses_its_message() -> None:
    answer = envelope(status="failed", message="Interne fout")
    async with fake_vendor(lambda q: (500, answer)) as (client, _):
        with pytest.raises(ToolError) as error:
            await client.get_agendas()
    assert "HTTP 500" in str(error.value) and "Interne fout" in str(error.value)


def server_with_clock(server_now: int) -> Answer:
    """Accepts a request only when its salt is within [server_now - 300, server_now]."""

    def answer(query: dict[str, str]) -> tuple[int, bytes]:
        salt = int(query["api_salt"])
        if not server_now - 300 <= salt <= server_now:
            return 200, envelope(status="failed", message="Verlopen api_salt", timestamp=server_now)
        return 200, envelope(
            "<Objects><Appointment><Id>7</Id><Status>1</Status></Appointment></Objects>", timestamp=server_now
        )

    return answer


@pytest.mark.parametrize("skew", [-3600, 3600], ids=["server-behind", "server-ahead"])
async def test_stale_salt_is_re_signed_once_with_server_time(skew: int) -> None:
    server_now = LOCAL_NOW + skew
    async with fake_vendor(server_with_clock(server_now)) as (client, seen):
        await client.call("setAppointment", {"Id": 7}, action="change appointment", write=True)
        assert [int(q["api_salt"]) for q in seen] == [LOCAL_NOW, server_now]
        conn = client.conn
        assert all(signature_matches(q, conn.api_secret) for q in seen)
        # The offset is remembered: the next call is accepted at once.
        await client.call("getAgendas", action="get agendas")
        assert len(seen) == 3 and int(seen[-1]["api_salt"]) == server_now


async def test_salt_failure_is_retried_only_once() -> None:
    always = envelope(status="failed", message="Verlopen api_salt", timestamp=LOCAL_NOW + 10_000)
    async with fake_vendor(lambda q: (200, always)) as (client, seen):
        with pytest.raises(ToolError) as error:
            await client.get_agendas()
    assert len(seen) == 2
    assert "ONLINEAFSPRAKEN_API_SECRET" in str(error.value)  # salt trouble reads as a credentials problem


async def test_a_taken_slot_is_not_re_signed_whatever_the_server_clock() -> None:
    """`Geen vrij tijdslot` comes only after the signature was accepted: sending the booking again
    with the server's time would be a second write for nothing (the documented failure answer
    carries a Timestamp years from any client's clock)."""
    taken = envelope(status="failed", message="Geen vrij tijdslot voor afspraak.", timestamp=LOCAL_NOW + 10_000)
    async with fake_vendor(lambda q: (200, taken)) as (client, seen):
        with pytest.raises(ToolError, match="Geen vrij tijdslot"):
            await client.call("setAppointment", {"AgendaId": 1}, action="book appointment", write=True)
    assert len(seen) == 1


async def test_requests_carry_the_documented_parameters() -> None:
    async with fake_vendor(lambda q: (200, envelope("<Objects></Objects>"))) as (client, seen):
        await client.get_customers(limit=10, email="jan@example.nl")
    query = seen[0]
    assert query["method"] == "getCustomers"
    assert {k: query[k] for k in ("Limit", "Offset", "Email", "api_key")} == {
        "Limit": "10",
        "Offset": "0",
        "Email": "jan@example.nl",
        "api_key": "key-for-tests",
    }
    assert "UpdatedAfter" not in query and "BirthDate" not in query


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("<Objects><Appointment><Confirmed>1</Confirmed></Appointment></Objects>", True),
        ("<Objects><Appointment><Confirmed>0</Confirmed></Appointment></Objects>", False),
        ("<Confirmed>1</Confirmed>", True),
        ("", None),
    ],
)
async def test_confirmed_flag_is_found_anywhere(payload: str, expected: bool | None) -> None:
    async with fake_vendor(lambda q: (200, envelope(payload))) as (client, _):
        assert await client.confirm_appointment(7, "ABC123") is expected


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("<Objects><Confirmation><Required>1</Required></Confirmation></Objects>", True),
        ("<Objects><Confirmation>0</Confirmation></Objects>", False),
        ("<Objects><Required>true</Required></Objects>", True),
    ],
)
async def test_requires_confirmation_accepts_both_element_names(payload: str, expected: bool) -> None:
    async with fake_vendor(lambda q: (200, envelope(payload))) as (client, _):
        assert await client.requires_confirmation() is expected


async def test_appointment_resources_accept_both_child_spellings() -> None:
    payload = (
        "<Appointment><Id>5</Id><StartTime>2026-07-01 10:00:00</StartTime><Label>9</Label><Status>1</Status>"
        "<Resources><Id>11</Id><StartTime>2026-07-01 10:00:00</StartTime></Resources>"
        "<Resources><ResourceId>12</ResourceId></Resources><Klachten>Rug</Klachten></Appointment>"
    )
    async with fake_vendor(lambda q: (200, envelope(payload))) as (client, _):
        appointment = await client.get_appointment(5)
    assert appointment.resource_ids == [11, 12]
    assert appointment.start is not None and appointment.start.isoformat() == "2026-07-01T10:00:00+02:00"
    assert appointment.label is None  # an undocumented code is left out, not guessed
    assert appointment.fields == {"Klachten": "Rug"}


SLOT = (
    "<BookableTime><Date>2026-10-25</Date><StartTime>02:30</StartTime><EndTime>{end}</EndTime>{stamp}"
    "<AppointmentTypeId>5</AppointmentTypeId><ResourceId>7</ResourceId></BookableTime>"
)


@pytest.mark.parametrize(
    ("stamp", "end", "start_at", "end_at"),
    [
        # 02:30 happens twice that night: the wall clock alone is read as the first one...
        ("", "02:45", "2026-10-25T02:30:00+02:00", "2026-10-25T02:45:00+02:00"),
        # ...and the vendor's Timestamp (01:30 UTC) says it is the second (SAFE CHOICE, reference 1.4).
        ("<Timestamp>1792891800</Timestamp>", "02:45", "2026-10-25T02:30:00+01:00", "2026-10-25T02:45:00+01:00"),
        # An end at or before the start clock is on the next day.
        ("", "00:00", "2026-10-25T02:30:00+02:00", "2026-10-26T00:00:00+01:00"),
    ],
    ids=["wall-clock", "timestamp", "midnight"],
)
async def test_bookable_times_become_moments(stamp: str, end: str, start_at: str, end_at: str) -> None:
    payload = f"<Objects>{SLOT.format(stamp=stamp, end=end)}</Objects>"
    async with fake_vendor(lambda q: (200, envelope(payload))) as (client, _):
        (slot,) = await client.get_bookable_times(1, 5, date(2026, 10, 25), None, None)
    assert (slot.start.isoformat(), slot.end and slot.end.isoformat(), slot.resource_id) == (start_at, end_at, 7)


def test_connection_defaults_and_settings() -> None:
    conn = connection(ENV)
    assert isinstance(conn, SignedConnection)
    assert conn.base_url == DEFAULT_BASE_URL and conn.signature_hash == "sha1"
    assert set(conn.secrets) == {"key-for-tests", "secret-for-tests"}
    assert connection({**ENV, "ONLINEAFSPRAKEN_SIGNATURE_HASH": "SHA256"}).signature_hash == "sha256"
    with pytest.raises(ConfigError, match="sha1 or sha256"):
        connection({**ENV, "ONLINEAFSPRAKEN_SIGNATURE_HASH": "md5"})
    with pytest.raises(ConfigError, match="ONLINEAFSPRAKEN_BASE_URL"):
        connection({**ENV, "ONLINEAFSPRAKEN_BASE_URL": "agenda.onlineafspraken.nl/APIREST"})
