"""Issue 15: every write, and every refusal of one, is one JSON line in AGENDA_MCP_AUDIT_LOG with
the caller's subject, the tool, the vendor, the ids it touched and the outcome; never a token,
a vendor key or a customer's name or e-mail address."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp import Client

from agenda_mcp.server.guards.audit import AUDIT_ENV
from agenda_mcp.server.startup.app import build_agenda
from agenda_mcp.server.startup.config import HttpSettings
from agenda_mcp.server.transport.web import public_url
from agenda_mcp.tools.planaday import sandbox as planaday_sandbox
from tests.support import call_error, call_ok, sandbox_settings
from tests.support.hostile import GARBAGE, ActsThenGarbles
from tests.support.team import (
    BOOKING,
    STUDENT,
    audit_lines,
    issuer_on_loopback,
    mcp_client,
    replicas,
    vendor_on_loopback,
)
from tests.support.vendor_cases import REPORT

pytestmark = pytest.mark.anyio
STATIC = "team-token-0123456789abcdef"


def assert_no_secret(log: Path, *secrets: str) -> None:
    text = log.read_text(encoding="utf-8")
    for secret in (*secrets, planaday_sandbox.SANDBOX_ENV["PLANADAY_API_KEY"], *STUDENT.values(), "Noor"):
        assert secret not in text, f"{secret!r} is in the audit log"


async def test_each_write_outcome_is_one_line_with_the_token_subject(tmp_path: Path) -> None:
    log = tmp_path / "audit.log"
    other = {**BOOKING, "students": [{**STUDENT, "first_name": "Noor"}]}
    async with issuer_on_loopback() as issuer, vendor_on_loopback() as (vendor, vendor_url):
        http = HttpSettings(stateless=True, auth_issuer=issuer.url)
        async with replicas(1, vendor_url, http=http, **{AUDIT_ENV: str(log)}) as [url]:
            token = issuer.token(public_url(http), sub="planner-7f3a")
            async with mcp_client(url, token) as client:
                booked = await call_ok(client, "create_planaday_booking", BOOKING)
                await call_ok(client, "create_planaday_booking", BOOKING)  # repeated
                await call_error(client, "create_planaday_booking", {**BOOKING, "course_id": 999_999})
                vendor.app = ActsThenGarbles(vendor.app, answer=GARBAGE)  # the vendor books, answers garbage
                await call_error(client, "create_planaday_booking", other)  # uncertain
                await call_error(client, "create_planaday_booking", other)  # its repeat: refused, not sent
    lines = audit_lines(log)
    outcomes = [(line["outcome"], line.get("reason")) for line in lines]
    assert outcomes == [
        ("done", None),
        ("repeated", None),
        ("refused", "vendor"),
        ("uncertain", None),
        ("refused", "duplicate"),
    ]
    assert {line["subject"] for line in lines} == {"planner-7f3a"}
    assert {(line["tool"], line["vendor"]) for line in lines} == {("create_planaday_booking", "planaday")}
    assert lines[0]["ids"] == {"course_id": 104, "booking_id": booked["booking_id"]}
    assert lines[1]["ids"]["booking_id"] == booked["booking_id"] and lines[2]["ids"] == {"course_id": 999_999}
    assert all(line["time"].endswith("Z") for line in lines)
    assert_no_secret(log, token)


async def test_the_static_token_and_a_local_caller_are_named_as_such(tmp_path: Path) -> None:
    log = tmp_path / "audit.log"
    async with vendor_on_loopback() as (_, vendor_url):
        http = HttpSettings(stateless=True, token=STATIC)
        async with replicas(1, vendor_url, http=http, **{AUDIT_ENV: str(log)}) as [url], mcp_client(url, STATIC) as c:
            await call_ok(c, "create_planaday_booking", BOOKING)
    agenda = build_agenda(sandbox_settings(toolsets=("planaday",), env={AUDIT_ENV: str(log)}))
    async with Client(agenda.server) as client:
        await call_ok(client, "create_planaday_booking", BOOKING)
        await call_ok(client, "list_planaday_labels")  # a read: no line
    assert [(line["subject"], line["outcome"]) for line in audit_lines(log)] == [
        ("static-token", "done"),
        ("local", "done"),
    ]
    assert_no_secret(log, STATIC)


async def test_a_subject_with_line_separators_and_bidi_stays_one_line(tmp_path: Path) -> None:
    """A token's `sub` is the issuer's text, not ours: U+2028/U+2029, NEL and bidi controls in it
    must not split one entry into several for a reader that splits on them (Python's splitlines
    does), nor forge an entry of their own."""
    log = tmp_path / "audit.log"
    forged = '{"subject":"admin","tool":"delete_planaday_booking","outcome":"done"}'
    sub = f"planner\u2028{forged}\u2029\u0085\u202eevil"
    async with issuer_on_loopback() as issuer, vendor_on_loopback() as (_vendor, vendor_url):
        http = HttpSettings(stateless=True, auth_issuer=issuer.url)
        async with (
            replicas(1, vendor_url, http=http, **{AUDIT_ENV: str(log)}) as [url],
            mcp_client(url, issuer.token(public_url(http), sub=sub)) as client,
        ):
            await call_ok(client, "create_planaday_booking", BOOKING)
    text = log.read_text(encoding="utf-8")
    assert len(text.splitlines()) == 1 and text.isascii(), text
    [line] = audit_lines(log)
    assert line["subject"] == sub and line["outcome"] == "done"
    REPORT["security: audit entries with line separators in the subject, kept on one line"] += 1
