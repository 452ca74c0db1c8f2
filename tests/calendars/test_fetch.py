"""The HTTP rules for calendars, against a deliberately badly behaved server on loopback."""

from __future__ import annotations

import base64
import gzip
import logging
import time
from datetime import UTC, datetime

import anyio
import pytest

from agenda_mcp.server.calendars.errors import CalendarUnavailable
from agenda_mcp.server.calendars.fetch import caldav_query, display_url, fetch_ics, open_client
from agenda_mcp.server.calendars.sources import CalendarSettings, CalendarSource, protect
from agenda_mcp.server.kit.http import call_deadline
from tests.support.calendars import feed_server
from tests.support.vendor_cases import REPORT

pytestmark = pytest.mark.anyio

ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nEND:VCALENDAR\r\n"
SECRET = "s3cret-app-pass-for-fetch"
TOKEN = "tok-9f8e7d6c5b4a3f2e1d0c"


async def fails(url: str, deadline_s: float = 1.0, **kwargs: object) -> CalendarUnavailable:
    began = time.monotonic()
    with pytest.raises(CalendarUnavailable) as caught, call_deadline(deadline_s):
        async with open_client() as client:
            await fetch_ics(client, url, **kwargs)  # type: ignore[arg-type]
    assert time.monotonic() - began < deadline_s + 0.5, "must give up within the deadline"
    REPORT["calendars: misbehaving calendar servers refused within the deadline"] += 1
    return caught.value


async def fetched(url: str, **kwargs: object) -> str:
    async with open_client() as client:
        return await fetch_ics(client, url, **kwargs)  # type: ignore[arg-type]


async def test_plain_feed_same_host_redirect_and_gzip() -> None:
    async with feed_server() as server:
        server.feeds["/ok.ics"] = ICS
        server.feeds["/gz.ics"] = ICS
        assert await fetched(f"{server.base}/ok.ics") == ICS.decode()
        assert await fetched(f"{server.base}/here") == ICS.decode()  # 301 to /ok.ics on the same host
        # The client asks for compressed answers and reads them through the bounded decoder.
        assert server.requests[0][2]["accept-encoding"] == "gzip, deflate"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/silent", "timed out"),
        ("/trickle", "timed out"),
        ("/500", "answered 500"),
        ("/huge", "more than 8 MB"),
        ("/gzip-bomb", "more than 8 MB"),
        ("/away", "redirected elsewhere"),
        ("/loop", "too many redirects"),
        ("/html", "not an iCalendar feed"),
        ("/missing", "not found"),
    ],
)
async def test_misbehaving_servers_are_unavailable_within_the_deadline(path: str, reason: str) -> None:
    async with feed_server() as server:
        error = await fails(f"{server.base}{path}?token={TOKEN}")
    assert error.reason == reason
    assert TOKEN not in str(error)
    assert error.source == f"{server.base}{path}?…"


async def test_the_password_never_shows() -> None:
    async with feed_server() as server:
        expected = "Basic " + base64.b64encode(f"alice:{SECRET}".encode()).decode()
        server.feeds["/private.ics"] = ICS
        assert await fetched(f"{server.base}/private.ics", auth=("alice", SECRET)) == ICS.decode()
        assert server.requests[-1][2]["authorization"] == expected
        host = server.base.removeprefix("http://")
        # userinfo in the URL works, and travels as a header, not in the URL
        assert await fetched(f"http://alice:{SECRET}@{host}/private.ics") == ICS.decode()
        assert server.requests[-1][1] == "/private.ics" and server.requests[-1][2]["authorization"] == expected
        error = await fails(f"http://alice:{SECRET}@{host}/500")
        assert SECRET not in str(error) and "alice" not in str(error)


async def test_connection_refused() -> None:
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    await listener.aclose()
    error = await fails(f"http://127.0.0.1:{port}/cal.ics")
    assert error.reason == "could not connect"


async def test_only_https_except_to_loopback() -> None:
    with pytest.raises(CalendarUnavailable, match="only https"):
        await fetched("http://calendar.example.com/cal.ics")
    with pytest.raises(CalendarUnavailable, match="only https"):
        await fetched("ftp://example.test/cal.ics")


async def test_webcal_means_https() -> None:
    # Nothing listens on port 9 of loopback: the attempt shows the scheme used.
    with pytest.raises(CalendarUnavailable) as caught, call_deadline(2):
        await fetched("webcal://127.0.0.1:9/cal.ics")
    assert caught.value.source == "https://127.0.0.1:9/cal.ics"


async def test_caldav_answer_with_a_dtd_is_refused() -> None:
    async with feed_server() as server, open_client() as client:
        with pytest.raises(CalendarUnavailable, match="unreadable answer"):
            await caldav_query(
                client,
                f"{server.base}/dtd",
                "alice",
                SECRET,
                datetime(2024, 10, 1, tzinfo=UTC),
                datetime(2024, 11, 1, tzinfo=UTC),
            )


async def test_request_log_lines_mask_the_feed_token(caplog: pytest.LogCaptureFixture) -> None:
    async with feed_server() as server:
        url = f"{server.base}/ok.ics?token={TOKEN}"
        protect(CalendarSettings((CalendarSource("feed", "ics", url),)))
        server.feeds["/ok.ics"] = gzip.decompress(gzip.compress(ICS))
        caplog.set_level(logging.DEBUG)
        await fetched(url)
    assert "HTTP Request" in caplog.text
    assert TOKEN not in caplog.text


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://u:p@cal.example.com/a/b/c.ics?token=x", "https://cal.example.com/…/c.ics?…"),
        (
            "https://calendar.google.com/calendar/ical/me%40gmail.com/private-0123456789abcdef0123456789abcdef/basic.ics",
            "https://calendar.google.com/…/basic.ics",
        ),
        ("webcal://p34-caldav.icloud.com/published/2/" + "A" * 80, "webcal://p34-caldav.icloud.com/…/…"),
        ("https://dav.example.com:8443/dav/alice/work/", "https://dav.example.com:8443/…/work/"),
        ("https://example.com", "https://example.com/"),
    ],
)
def test_display_url(url: str, shown: str) -> None:
    assert display_url(url) == shown
