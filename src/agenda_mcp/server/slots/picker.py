"""The slot picker (MCP Apps): a week of free slots from find_slots to click, in hosts that render
apps. One self-contained HTML file (picker.html); every other client reads the same slots as
structured content and text."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from mcp.server.apps import Apps, ResourceCsp

APP_URI = "ui://agenda-mcp/slot-picker.html"
APP_HTML = Path(__file__).with_name("picker.html")


def app_html() -> str:
    """The picker with its Content-Security-Policy filled in: its one script and one style are
    allowed by hash, nothing else runs or loads (no 'unsafe-inline', no network)."""
    html = APP_HTML.read_text(encoding="utf-8")

    def digest(tag: str) -> str:
        body = html.split(f"<{tag}>", 1)[1].split(f"</{tag}>", 1)[0]
        return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"

    return html.replace("{{SCRIPT_HASH}}", digest("script")).replace("{{STYLE_HASH}}", digest("style"))


def app_extension() -> Apps:
    """The slot picker: one self-contained HTML file, nothing fetched from anywhere (empty CSP
    domain lists: the host's strictest policy)."""
    apps = Apps()
    apps.add_html_resource(
        APP_URI,
        app_html(),
        name="slot-picker",
        title="Pick a slot",
        description="agenda-mcp: a week of free slots from find_slots; click one and book it",
        csp=ResourceCsp(connect_domains=[], resource_domains=[]),
        prefers_border=True,
    )
    return apps
