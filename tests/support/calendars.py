"""Helpers for tests/calendars: a real Radicale CalDAV server, a loopback feed server that can also
misbehave on purpose, and iCalendar text.

`radicale(folder)` starts `python -m radicale` on a free loopback port and is ready once the port
accepts a connection (polled, with the process watched, no fixed sleep). `feed_server()` serves
`feeds[path]` as iCalendar and answers some paths badly: `/silent` never answers, `/trickle` sends a
byte every 50 ms, `/500`, `/huge` (20 MB without Content-Length), `/gzip-bomb` (20 MB in ~20 KB of
gzip), `/away` (a redirect to another host), `/loop` (redirects for ever), `/html` (a login page).
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from uuid import uuid4

import anyio
import anyio.abc
import httpx2
from anyio.abc import SocketStream

from tests.support.loopback import free_port

MB = 1024 * 1024
RADICALE_USER = "alice"
RADICALE_PASSWORD = "app-pass-3x4mpl3-radicale"  # a test-only app password
GZIP_BOMB = gzip.compress(b"\0" * (20 * MB))


def vcalendar(*events: str, header: str = "") -> str:
    """A VCALENDAR with these VEVENT bodies (each a few `NAME:value` lines), CRLF line ends."""
    body = "".join(f"BEGIN:VEVENT\nDTSTAMP:20260101T000000Z\n{event.strip()}\nEND:VEVENT\n" for event in events)
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n{header}{body}END:VCALENDAR\n".replace("\n", "\r\n")


# -- Radicale ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Radicale:
    base_url: str
    user: str
    password: str
    log: Path

    async def new_calendar(self) -> str:
        """MKCALENDAR a fresh collection (RFC 4791 5.3.1); test set-up only."""
        url = f"{self.base_url}/{self.user}/{uuid4().hex}/"
        async with httpx2.AsyncClient(trust_env=False) as client:
            response = await client.request("MKCALENDAR", url, auth=(self.user, self.password))
        assert response.status_code == 201, response.text
        return url

    async def put(self, collection: str, name: str, text: str) -> None:
        async with httpx2.AsyncClient(trust_env=False) as client:
            response = await client.put(
                collection + name,
                content=text.encode(),
                auth=(self.user, self.password),
                headers={"Content-Type": "text/calendar"},
            )
        assert response.status_code in (201, 204), response.text

    async def objects(self, collection: str) -> dict[str, str]:
        """Every calendar object in a collection, by href, as stored (PROPFIND, then GET)."""
        async with httpx2.AsyncClient(trust_env=False, auth=(self.user, self.password)) as client:
            listing = await client.request("PROPFIND", collection, headers={"Depth": "1"})
            assert listing.status_code == 207, listing.text
            hrefs = [h for h in _hrefs(listing.text) if h.endswith(".ics")]
            found = {}
            for href in hrefs:
                answer = await client.get(self.base_url + href)
                assert answer.status_code == 200
                found[href] = answer.text
        return found


def _hrefs(xml: str) -> list[str]:
    import re

    return re.findall(r"<(?:\w+:)?href>([^<]+)</(?:\w+:)?href>", xml)


def radicale_command(port: int, folder: Path, users: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "radicale",
        "--config",
        "",  # read no /etc/radicale/config or ~/.config/radicale/config
        "--server-hosts",
        f"127.0.0.1:{port}",
        "--storage-filesystem-folder",
        str(folder),
        "--auth-type",
        "htpasswd",
        "--auth-htpasswd-filename",
        str(users),
        "--auth-htpasswd-encryption",
        "plain",
        "--logging-level",
        "warning",
    ]


@contextmanager
def radicale(root: Path) -> Iterator[Radicale]:
    """Radicale on a free loopback port; ready once it accepts a connection. A crash at start is
    reported at once with Radicale's own log."""
    users = root / "users"
    users.write_text(f"{RADICALE_USER}:{RADICALE_PASSWORD}\n")
    log = root / "radicale.log"
    port = free_port()
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            radicale_command(port, root / "collections", users),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        give_up = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                pass
            try:
                process.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                pass
            else:
                raise RuntimeError(f"radicale exited with {process.returncode}:\n{log.read_text()}")
            if time.monotonic() > give_up:
                raise RuntimeError(f"radicale did not listen within 30 s:\n{log.read_text()}")
        yield Radicale(f"http://127.0.0.1:{port}", RADICALE_USER, RADICALE_PASSWORD, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- a feed server that can misbehave -----------------------------------------------------------


@dataclass
class FeedServer:
    base: str
    feeds: dict[str, bytes | str] = field(default_factory=dict)
    """path -> iCalendar body served at it with 200 (text is sent as UTF-8)."""
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)


async def _send(stream: SocketStream, status: str, headers: dict[str, str], body: bytes = b"") -> None:
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    await stream.send(head.encode() + body)


async def _handle(server: FeedServer, stream: SocketStream) -> None:
    request = b""
    async with stream:
        while b"\r\n\r\n" not in request:
            request += await stream.receive()
        request_line, *header_lines = request.split(b"\r\n\r\n")[0].decode().split("\r\n")
        method, target, _ = request_line.split(" ")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in header_lines)}
        server.requests.append((method, target, headers))
        path = target.split("?")[0]
        if path not in server.feeds:
            path = path.rstrip("/") or "/"  # a CalDAV collection is asked for with its trailing slash
        if path in server.feeds:
            feed = server.feeds[path]
            body = feed.encode() if isinstance(feed, str) else feed
            await _send(stream, "200 OK", {"Content-Type": "text/calendar", "Content-Length": str(len(body))}, body)
        elif path == "/silent":
            await anyio.sleep(60)
        elif path == "/trickle":
            await _send(stream, "200 OK", {"Content-Length": "100000"})
            for _ in range(1200):  # one byte every 50 ms: each read is quick, the whole never ends
                await stream.send(b"B")
                await anyio.sleep(0.05)
        elif path == "/500":
            await _send(stream, "500 Internal Server Error", {"Content-Length": "4"}, b"oops")
        elif path == "/huge":  # no Content-Length: the cap must count as it reads
            await _send(stream, "200 OK", {"Connection": "close", "Content-Type": "text/calendar"})
            for _ in range(20 * 16):  # 20 MB in 64 KB pieces, until the client hangs up
                await stream.send(b"BEGIN:VCALENDAR\r\n" + b"x" * (65536 - 17))
        elif path == "/gzip-bomb":
            await _send(
                stream, "200 OK", {"Content-Encoding": "gzip", "Content-Length": str(len(GZIP_BOMB))}, GZIP_BOMB
            )
        elif path == "/away":
            await _send(stream, "302 Found", {"Location": "http://elsewhere.test/cal.ics", "Content-Length": "0"})
        elif path == "/here":
            await _send(stream, "301 Moved Permanently", {"Location": "/ok.ics", "Content-Length": "0"})
        elif path == "/loop":
            await _send(stream, "302 Found", {"Location": "/loop", "Content-Length": "0"})
        elif path == "/html":
            page = b"<html><body>Please log in</body></html>"
            await _send(stream, "200 OK", {"Content-Type": "text/html", "Content-Length": str(len(page))}, page)
        elif path == "/dtd" and method == "REPORT":
            bomb = (
                b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa">'
                b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><multistatus xmlns="DAV:">&b;</multistatus>'
            )
            await _send(stream, "207 Multi-Status", {"Content-Length": str(len(bomb))}, bomb)
        else:
            await _send(stream, "404 Not Found", {"Content-Length": "0"})


@asynccontextmanager
async def feed_server() -> AsyncIterator[FeedServer]:
    """A loopback HTTP server for calendar feeds, good and bad (see the module docstring)."""
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    server = FeedServer(f"http://127.0.0.1:{port}")

    async def handle(stream: SocketStream) -> None:
        # The client hanging up is what many of these tests want.
        with contextlib.suppress(
            anyio.BrokenResourceError, anyio.ClosedResourceError, anyio.EndOfStream, ConnectionError
        ):
            await _handle(server, stream)

    async with listener, anyio.create_task_group() as group:
        group.start_soon(listener.serve, handle)
        try:
            yield server
        finally:
            group.cancel_scope.cancel()
