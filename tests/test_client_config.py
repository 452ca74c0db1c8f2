"""The ready-to-paste client config stays in step with the product: it is valid JSON, has a
sandbox entry, and sets exactly the credential variables the vendors read."""

from __future__ import annotations

import json
from pathlib import Path

from agenda_mcp.server.startup.registry import VENDOR_NAMES, load_vendor

CONFIG = Path(__file__).parent.parent / "claude_config.example.json"


def test_example_config_has_a_sandbox_entry_and_every_vendor() -> None:
    servers = json.loads(CONFIG.read_text())["mcpServers"]
    assert "--sandbox" in servers["agenda-sandbox"]["args"]
    env = servers["agenda"]["env"]
    required = {name for vendor in VENDOR_NAMES for name in load_vendor(vendor).credential_env}
    assert required <= set(env), f"missing: {required - set(env)}"
    assert all(key.endswith(("_KEY", "_SECRET", "_URL", "_TOKEN")) for key in env)
