"""The client set-ups in the repository and its documents stay usable: the files parse, point at
the installed command, and the JSON blocks and command lines of the README and of the pages it
links for clients and teams (docs/clients.md, docs/team.md) match what exists."""

from __future__ import annotations

import json
import re
from pathlib import Path

from agenda_mcp.server.startup.cli import _parser

ROOT = Path(__file__).parent.parent
# The README, and the pages that took over its client entries and team commands.
DOCS = "\n".join((ROOT / name).read_text(encoding="utf-8") for name in ("README.md", "docs/clients.md", "docs/team.md"))


def test_vscode_workspace_offers_the_sandbox() -> None:
    servers = json.loads((ROOT / ".vscode" / "mcp.json").read_text())["servers"]
    sandbox = servers["agenda-sandbox"]
    assert sandbox["type"] == "stdio"
    assert sandbox["command"] == "${workspaceFolder}/.venv/bin/agenda-mcp"
    assert sandbox["args"] == ["--sandbox"]


def test_claude_desktop_team_entry_sends_the_bearer_header_from_its_env() -> None:
    team = json.loads((ROOT / "claude_config.example.json").read_text())["mcpServers"]["agenda-team"]
    args = team["args"]
    assert any(arg.startswith("mcp-remote@") for arg in args) and args[args.index("--header") - 1].endswith("/mcp")
    header = args[args.index("--header") + 1]
    # No space inside the argument: some clients split arguments on spaces when they start npx.
    match = re.fullmatch(r"Authorization:\$\{(\w+)\}", header)
    assert match, header
    assert team["env"][match.group(1)].startswith("Bearer ")


def test_readme_json_blocks_parse_and_remote_entries_carry_the_bearer_header() -> None:
    blocks = re.findall(r"```json\n(.*?)```", DOCS, re.S)
    assert len(blocks) >= 2
    remote = 0
    for block in blocks:
        config = json.loads(block)
        for entry in (config.get("servers") or config.get("mcpServers") or {}).values():
            if "url" in entry:
                remote += 1
                assert entry["url"].endswith("/mcp")
                assert entry["headers"]["Authorization"].startswith("Bearer ${")
    assert remote >= 2


def test_readme_command_lines_use_only_existing_flags() -> None:
    known = set(re.findall(r"--[a-z-]+", _parser().format_help()))
    used = {
        flag
        for line in re.findall(r"^.*agenda-mcp(?: |$).*$", DOCS, re.M)
        # Only the flags after the command: a launcher's own (uvx --from, docker run --rm) come before it.
        for flag in re.findall(r"(?<![\w-])--[a-z][a-z-]+", re.split(r"agenda-mcp(?: |$)", line)[-1])
    }
    assert {"--transport", "--stateless", "--sandbox"} <= used
    assert used <= known, f"the documents use flags the CLI does not have: {used - known}"
