"""The slot picker (MCP Apps) in a real browser: Debian's Chromium, headless, driven by Playwright.

A minimal host page, served on loopback, plays the host side of the MCP Apps messages: it answers
`ui/initialize` (with the host's locale in `hostContext`), sends the real `find_slots` result as
`ui/notifications/tool-result`, and passes the app's `tools/call` to this server through a real MCP
client. The picker is checked in English, Dutch and German at 1280 and 360 px, with axe-core
(axe-playwright-python, which carries its own copy: nothing is downloaded) finding no serious or
critical violation. Screenshots go to build/slot-picker/; with UPDATE_SCREENSHOTS=1 the ones the
README shows are copied to docs/ as well.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from babel.dates import format_date
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
from tests.support.vendor_cases import REPORT

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
ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "build" / "slot-picker"
DOCS = {
    # The screenshots the README shows, copied with UPDATE_SCREENSHOTS=1.
    ("en", 1280): ["slot-picker-en.png"],
    ("nl", 360): ["slot-picker-nl-360.png"],
    ("de", 1280): ["slot-picker-de.png"],
}

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
      hostCapabilities: { serverTools: {} },
      hostContext: { theme: "light", displayMode: "inline", ...__CONTEXT__ } } });
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
// What a host sends when the person changes, e.g., the language of the chat client.
window.changeContext = (context) => post({ method: "ui/notifications/host-context-changed", params: context });
</script></body></html>"""


@asynccontextmanager
async def hosted(
    agenda: AgendaServer,
    client: Client,
    arguments: dict[str, Any],
    calls: list[dict],
    host_context: dict[str, Any] | None = None,
) -> AsyncIterator[str]:
    app_html = (await client.read_resource(APP_URI)).contents[0].text  # type: ignore[union-attr]
    result = await client.call_tool("find_slots", arguments)
    found = {"arguments": arguments, "result": result.model_dump(mode="json", by_alias=True, exclude_none=True)}
    page = HOST.replace("__CONTEXT__", json.dumps(host_context or {}))

    async def host(_: Request) -> HTMLResponse:
        return HTMLResponse(page.replace("__FOUND__", json.dumps(found).replace("</", "<\\/")))

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
async def browser_page(width: int, locale: str = "en-US") -> AsyncIterator[tuple[Any, list[str], list[str]]]:
    """A page `width` px wide in a browser whose own language is `locale` (navigator.language)."""
    requests: list[str] = []
    problems: list[str] = []
    async with playwright.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page(viewport={"width": width, "height": 900}, locale=locale)
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            yield page, requests, problems
        finally:
            await browser.close()


async def screenshot(page: Any, path: Path) -> None:
    """The whole page, its viewport first grown to the page's height: a full-page capture that resizes
    the viewport itself sometimes catches the picker's frame before it has painted again (blank)."""
    width = page.viewport_size["width"]
    height = await page.evaluate("document.documentElement.scrollHeight")
    await page.set_viewport_size({"width": width, "height": max(height, 200)})
    await page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    path.parent.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(path))


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
            first = found["slots"][0]
            await slots.first.click()
            await app.locator("#name").fill("Zoë Müller")
            await app.locator("#email").fill("zoe@example.de")
            await app.locator("#book").click()
            await app.locator("#status.ok").wait_for()
            status = await app.locator("#status").inner_text()
            await screenshot(page, SHOTS / "slot-picker-1280-booked.png")

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
        await app.locator("button.slot").nth(1).focus()
        await page.keyboard.press("Enter")
        assert await app.locator("#name").evaluate("n => n === document.activeElement")
        await page.keyboard.type("Jürgen Groß")
        await page.keyboard.press("Tab")
        await page.keyboard.type("juergen@example.de")
        await page.keyboard.press("Enter")
        await app.locator("#status.ok").wait_for()
        await screenshot(page, SHOTS / "slot-picker-360-booked.png")

    assert len(calls) == 1 and calls[0]["arguments"]["name"] == "Jürgen Groß" and len(person.asked) == 1
    assert all(u.startswith(url) for u in requests), requests
    assert not problems, problems


# -- the person's language ----------------------------------------------------------------------------

WORDS = {
    # What the picker says in each language (a few of its words) and how it writes a price.
    "en": {"title": "Free slots", "book": "Book", "busy": "busy: ", "price": "€39.50"},
    "nl": {"title": "Vrije tijden", "book": "Boeken", "busy": "bezet: ", "price": "€ 39,50"},
    "de": {"title": "Freie Termine", "book": "Buchen", "busy": "belegt: ", "price": "39,50 €"},
}
HOST_LOCALE = {"en": "en-GB", "nl": "nl-NL", "de": "de-DE"}
SEMINAR_EVENINGS = {"what": "seminarraum", "earliest": "18:00", "limit": 6}
"""At 360 px: the rooms in the evening, beside the dentist and the yoga of the demo person's week."""
SERIOUS = ("serious", "critical")


async def accessibility(frame: Any) -> dict[str, Any]:
    """axe-core run inside the picker's frame (its own copy, injected by Playwright: no request)."""
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(frame)
    return results.response


@pytest.mark.parametrize("width", [1280, 360])
@pytest.mark.parametrize("language", ["en", "nl", "de"])
async def test_the_picker_speaks_the_hosts_language_and_shows_the_persons_busy_times(language: str, width: int) -> None:
    agenda = build_agenda(sandbox_settings())
    words = WORDS[language]
    arguments = mixed_week() if width == 1280 else SEMINAR_EVENINGS
    async with Client(agenda.server, elicitation_callback=Person("decline")) as client:
        found = await call_ok(client, "find_slots", arguments)
        context = {"locale": HOST_LOCALE[language]}
        async with (
            hosted(agenda, client, arguments, [], context) as url,
            # The browser's own language is another one: the host's locale wins.
            browser_page(width, locale="fr-FR") as (page, requests, problems),
        ):
            await page.goto(url)
            app = page.frame_locator("#app")
            await app.locator("button.slot").first.wait_for()
            frame = page.frame(url=re.compile(r".*/app\.html$"))
            assert frame is not None
            assert (await frame.evaluate("document.documentElement.lang")) == HOST_LOCALE[language]
            assert await app.locator("h1").inner_text() == words["title"]
            assert await app.locator("#book").inner_text() == words["book"]
            widths = await app.locator("body").evaluate("b => [b.scrollWidth, b.clientWidth]")
            assert widths[0] <= widths[1] <= width, widths  # nothing wider than the screen, in any language

            # Days in the language (babel and the browser read the same CLDR data).
            days = await app.locator(".day h2").all_inner_texts()
            shown_days = sorted({s["start"][:10] for s in found["slots"]} | {b["start"][:10] for b in found["busy"]})
            assert len(days) == len(shown_days)
            for heading, day in zip(days, shown_days, strict=True):
                weekday = format_date(date.fromisoformat(day), "EEEE", locale=language)
                assert weekday.lower() in heading.lower(), (heading, weekday)
            text = " ".join((await app.locator("#week").inner_text()).replace("\u00a0", " ").split())
            if any(s.get("price") == 39.5 for s in found["slots"]):
                assert words["price"] in text, text

            # The person's busy times: greyed, in their day among the slots, in time order, never a button.
            busy = app.locator("li.busy")
            assert await busy.count() == len(found["busy"]) >= 1
            labels = [await busy.nth(i).get_attribute("aria-label") or "" for i in range(await busy.count())]
            for label, entry in zip(labels, found["busy"], strict=True):
                assert label.startswith(words["busy"]) and (entry["what"] or "") in label, label
                assert re.search(r"\d\d:\d\d–\d\d:\d\d$", label), label
            assert await app.locator("li.busy button, li.busy [tabindex]").count() == 0
            grey = await busy.first.evaluate(
                "b => [getComputedStyle(b).color, getComputedStyle(b).backgroundImage, getComputedStyle(b).cursor]"
            )
            assert grey[0] == "rgb(91, 100, 115)" and "repeating-linear-gradient" in grey[1] and grey[2] == "default"
            for column in await app.locator(".day ul").all():
                times = [t[:5] for t in await column.locator(":scope > li .t").all_inner_texts()]
                assert times == sorted(times), times

            shot = SHOTS / f"slot-picker-{language}-{width}.png"
            await screenshot(page, shot)
            if os.environ.get("UPDATE_SCREENSHOTS"):
                for name in DOCS.get((language, width), []):
                    shutil.copyfile(shot, ROOT / "docs" / name)

            found_by_axe = await accessibility(frame)
            assert found_by_axe["url"].endswith("/app.html") and len(found_by_axe["passes"]) >= 15, "axe checked little"
            serious = [
                f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
                for v in found_by_axe["violations"]
                if v["impact"] in SERIOUS
            ]
            assert not serious, serious
            REPORT[f"slot picker: axe violations serious or critical ({language}, {width} px)"] += len(serious)
            REPORT[f"slot picker: axe violations minor or moderate ({language}, {width} px)"] += sum(
                1 for v in found_by_axe["violations"] if v["impact"] not in SERIOUS
            )
    assert all(u.startswith(url) for u in requests), f"the page fetched something else: {requests}"
    assert not problems, problems  # no CSP violation, no script error


async def test_without_a_host_locale_the_browsers_language_and_a_change_of_language_rerenders() -> None:
    agenda = build_agenda(sandbox_settings())
    async with (
        Client(agenda.server, elicitation_callback=Person("accept")) as client,
        hosted(agenda, client, SEMINAR_EVENINGS, []) as url,
        browser_page(1280, locale="de-AT") as (page, _requests, problems),
    ):
        await page.goto(url)
        app = page.frame_locator("#app")
        await app.locator("button.slot").first.wait_for()
        assert await app.locator("h1").inner_text() == WORDS["de"]["title"]
        await app.locator("button.slot").first.click()
        await page.evaluate("changeContext({ locale: 'nl-BE' })")
        await app.locator("h1", has_text=WORDS["nl"]["title"]).wait_for()
        assert await app.locator("#book").inner_text() == WORDS["nl"]["book"]
        assert (await app.locator("#chosen").inner_text()).endswith("Voor wie is het?")
        assert await app.locator("button.slot[aria-pressed=true]").count() == 1  # the choice survives
        await page.evaluate("changeContext({ locale: 'fr-FR' })")  # not one of ours: the browser's again
        await app.locator("h1", has_text=WORDS["de"]["title"]).wait_for()
        await page.evaluate("changeContext({ locale: 'en-US' })")
        await app.locator("h1", has_text=WORDS["en"]["title"]).wait_for()
        assert (
            "AM" in await app.locator("button.slot").first.inner_text()
            or "PM" in await app.locator("button.slot").first.inner_text()
        )
    assert not problems, problems
