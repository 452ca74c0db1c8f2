"""The README's install section says what the files do: the Cursor link and the VS Code line carry
the same server entry, the git URL and bundle name match the project, and the install section comes
first while the two commands for a checkout stay as they are."""

from __future__ import annotations

import base64
import json
import re
import tomllib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
INSTALL = README.split("\n## Install\n", 1)[1].split("\n## ", 1)[0]
SANDBOX_ENTRY = {"command": "uvx", "args": ["agenda-mcp", "--sandbox"]}


def test_install_comes_first_and_the_two_commands_stay() -> None:
    headings = re.findall(r"^## (.+)$", README, re.M)
    assert headings[:2] == ["Install", "Two commands"]
    assert "python3 -m venv .venv && .venv/bin/pip install '.[test]' && .venv/bin/agenda-mcp demo" in README
    order = [INSTALL.index(word) for word in ("Claude Desktop", "uvx", "Claude Code", "VS Code", "Cursor", "docker")]
    assert order == sorted(order), "shortest first"


def test_cursor_link_installs_the_sandbox_entry() -> None:
    (link,) = re.findall(r"\((cursor://[^)\s]+)\)", INSTALL)
    url = urlsplit(link)
    assert (url.netloc, url.path) == ("anysphere.cursor-deeplink", "/mcp/install")
    query = parse_qs(url.query)
    assert query["name"] == ["agenda-sandbox"]
    assert json.loads(base64.b64decode(query["config"][0], validate=True)) == SANDBOX_ENTRY


def test_vscode_line_adds_the_same_entry() -> None:
    (raw,) = re.findall(r"code --add-mcp '(\{.*\})'", INSTALL)
    entry = json.loads(raw)
    assert entry.pop("name") == "agenda-sandbox"
    assert entry == SANDBOX_ENTRY


def test_git_url_and_bundle_name_match_the_project() -> None:
    assert set(re.findall(r"git\+(https://\S+?)(?:`| )", INSTALL)) == {PROJECT["urls"]["Source"]}
    assert f"agenda-mcp-{PROJECT['version']}.mcpb" in INSTALL
    # scripts/mcpb.sh names its output the same way.
    assert "agenda-mcp-$version.mcpb" in (ROOT / "scripts" / "mcpb.sh").read_text()
