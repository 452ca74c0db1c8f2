"""The slot picker (MCP Apps) in a real browser: Debian's Chromium, headless, driven by Playwright.

A minimal host page, served on loopback, plays the host side of the MCP Apps messages: it answers
`ui/initialize`, sends the real `find_slots` result as `ui/notifications/tool-result`, and passes the
app's `tools/call` to this server through a real MCP client. Screenshots at 1280 and 360 px go to
build/slot-picker/ (docs/slot-picker.png in the README is one of them).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from agenda_mcp.server.slots.picker import APP_URI
from agenda_mcp.server.startup.app import AgendaServer, build_agenda
from tests.support import call_ok, sandbox_settings
from tests.support.loopback import serve_loopback
from tests.support.person import Person

playwright = pytest.importorskip("playwright.async_api", reason="playwright (the test extra) is not installed")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.anyio,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (see .ci/run)"),
]
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SHOTS = Path(__file__).resolve().parent.parent / "build" / "slot-picker"

HOST = """<!doctype html>
<html><head><meta charset="utf-8"><title>test host</title><link rel="icon" href="data:,">
<style>body{margin:0;font:14px system-ui} iframe{border:0;width:100%;display:block}</style></head>
<body>
<iframe id="app" title="slot picker" sandbox="allow-scripts allow-forms" src="/app.html"></iframe>
<script id="found" type="application/json">__FOUND__</script>
<script>
// The host side of MCP Apps: just enough of it to run the picker as a chat client would.
const frame = document.getElementById("app");
const found = JSON.parse(document.getElementById("found").textContent);
window.messages = [];
const post = (m) => frame.contentWindow.postMessage({ jsonrpc: "2.0", ...m }, "*");
window.addEventListener("message", async (event) => {
  if (event.source !== frame.contentWindow) return;
  const m = event.data;
  window.messages.push(m);
  if (m.method === "ui/initialize") {
    post({ id: m.id, result: { protocolVersion: "2026-01-26", hostInfo: { name: "test host", version: "1" },
      hostCapabilities: { serverTools: {} }, hostContext: { theme: "light", displayMode: "inline" } } });
  } else if (m.method === "ui/notifications/initialized") {
    post({ method: "ui/notifications/tool-input", params: { arguments: found.arguments } });
    post({ method: "ui/notifications/tool-result", params: found.result });
  } else if (m.method === "tools/call") {
    const answer = await fetch("/call", { method: "POST", body: JSON.stringify(m.params) });
    post({ id: m.id, result: await answer.json() });
  } else if (m.method === "ui/notifications/size-changed") {
    frame.style.height = m.params.height + "px";
  }
});
</script></body></html>"""


@asynccontextmanager
async def hosted(
    agenda: AgendaServer, client: Client, arguments: dict[str, Any], calls: list[dict]
) -> AsyncIterator[str]:
    app_html = (await client.read_resource(APP_URI)).contents[0].text  # type: ignore[union-attr]
    result = await client.call_tool("find_slots", arguments)
    found = {"arguments": arguments, "result": result.model_dump(mode="json", by_alias=True, exclude_none=True)}

    async def host(_: Request) -> HTMLResponse:
        return HTMLResponse(HOST.replace("__FOUND__", json.dumps(found).replace("</", "<\\/")))

    async def app(_: Request) -> HTMLResponse:
        return HTMLResponse(app_html)

    async def call(request: Request) -> JSONResponse:
        params = json.loads(await request.body())
        calls.append(params)
        answer = await client.call_tool(params["name"], params["arguments"])
        return JSONResponse(answer.model_dump(mode="json", by_alias=True, exclude_none=True))

    routes = [Route("/", host), Route("/app.html", app), Route("/call", call, methods=["POST"])]
    async with serve_loopback(Starlette(routes=routes)) as url:
        yield url


@asynccontextmanager
async def browser_page(width: int) -> AsyncIterator[tuple[Any, list[str], list[str]]]:
    requests: list[str] = []
    problems: list[str] = []
    async with playwright.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page(viewport={"width": width, "height": 900})
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            yield page, requests, problems
        finally:
            await browser.close()


def next_thursday() -> date:
    today = date.today()
    return today + timedelta(days=(3 - today.weekday()) % 7 + 7)


def mixed_week() -> dict[str, Any]:
    """A week with all three vendors in it: haircuts, rooms in the evening, a first-aid course."""
    thursday = next_thursday()
    return {"date_from": str(thursday - timedelta(days=3)), "date_to": str(thursday + timedelta(days=3)), "limit": 14}


async def test_the_picker_renders_find_slots_and_books_with_one_click(tmp_path: Path) -> None:
    agenda = build_agenda(sandbox_settings())
    calls: list[dict] = []
    person = Person("accept")
    async with Client(agenda.server, elicitation_callback=person) as client:
        found = await call_ok(client, "find_slots", mixed_week())
        async with hosted(agenda, client, mixed_week(), calls) as url, browser_page(1280) as (page, requests, problems):
            await page.goto(url)
            app = page.frame_locator("#app")
            slots = app.locator("button.slot")
            await slots.first.wait_for()
            assert await slots.count() == len(found["slots"])
            days = await app.locator(".day h2").all_inner_texts()
            assert len(days) == len({s["start"][:10] for s in found["slots"]}) >= 2
            legend = await app.locator("#legend li").all_inner_texts()
            assert set(legend) == {s["vendor"] for s in found["slots"]}
            SHOTS.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(SHOTS / "slot-picker-1280.png"), full_page=True)

            first = found["slots"][0]
            await slots.first.click()
            await app.locator("#name").fill("Zoë Müller")
            await app.locator("#email").fill("zoe@example.de")
            await app.locator("#book").click()
            await app.locator("#status.ok").wait_for()
            status = await app.locator("#status").inner_text()
            await page.screenshot(path=str(SHOTS / "slot-picker-1280-booked.png"), full_page=True)

    assert [c["name"] for c in calls] == ["book_slot"]  # exactly one call: the booking
    assert calls[0]["arguments"] == {"slot": first["slot"], "name": "Zoë Müller", "email": "zoe@example.de"}
    assert status.startswith(f"Booked: {first['what']}") and "Sandbox" in status
    # One confirmation: agenda-mcp's question, shown by the host after the click; the app asks none of its own.
    assert len(person.asked) == 1 and first["what"] in person.asked[0] and "“Zoë Müller”" in person.asked[0]
    assert all(u.startswith(url) for u in requests), f"the page fetched something else: {requests}"
    assert not problems, problems  # no CSP violation, no script error


async def test_a_no_in_the_hosts_question_books_nothing() -> None:
    agenda = build_agenda(sandbox_settings())
    calls: list[dict] = []
    person = Person("decline")
    async with Client(agenda.server, elicitation_callback=person) as client:
        async with (
            hosted(agenda, client, mixed_week(), calls) as url,
            browser_page(1280) as (page, _requests, problems),
        ):
            await page.goto(url)
            app = page.frame_locator("#app")
            await app.locator("button.slot").first.click()
            await app.locator("#name").fill("Zoë Müller")
            await app.locator("#email").fill("zoe@example.de")
            await app.locator("#book").click()
            await app.locator("#status.err").wait_for()
            status = await app.locator("#status").inner_text()
        found = await call_ok(client, "find_slots", mixed_week())
    assert len(person.asked) == 1 and "did not confirm" in status, status
    assert found["slots"][0]["slot"] == calls[0]["arguments"]["slot"], "the slot is still free"
    assert not problems, problems


async def test_the_picker_works_by_keyboard_at_360_px() -> None:
    agenda = build_agenda(sandbox_settings())
    calls: list[dict] = []
    arguments = {"what": "seminarraum", "earliest": "18:00", "limit": 6}
    person = Person("accept")
    async with (
        Client(agenda.server, elicitation_callback=person) as client,
        hosted(agenda, client, arguments, calls) as url,
        browser_page(360) as (page, requests, problems),
    ):
        await page.goto(url)
        app = page.frame_locator("#app")
        await app.locator("button.slot").first.wait_for()
        # One column, nothing wider than the phone.
        widths = await app.locator("body").evaluate("b => [b.scrollWidth, b.clientWidth]")
        assert widths[0] <= widths[1] <= 360
        SHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SHOTS / "slot-picker-360.png"), full_page=True)

        await app.locator("button.slot").nth(1).focus()
        await page.keyboard.press("Enter")
        assert await app.locator("#name").evaluate("n => n === document.activeElement")
        await page.keyboard.type("Jürgen Groß")
        await page.keyboard.press("Tab")
        await page.keyboard.type("juergen@example.de")
        await page.keyboard.press("Enter")
        await app.locator("#status.ok").wait_for()
        await page.screenshot(path=str(SHOTS / "slot-picker-360-booked.png"), full_page=True)

    assert len(calls) == 1 and calls[0]["arguments"]["name"] == "Jürgen Groß" and len(person.asked) == 1
    assert all(u.startswith(url) for u in requests), requests
    assert not problems, problems
