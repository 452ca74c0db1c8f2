"""Keys that every replica of one deployment must agree on, without a key store.

Slot tokens (signed by find_slots, opened by book_slot) and the sealed `requestState` of a question
asked over the 2026-07-28 protocol (server/guards/consent.py) may come back to any replica. Each
replica derives the same key from the same configuration: AGENDA_MCP_SECRET_KEY when it is set,
else the vendor credentials it serves (whoever holds those owns the accounts anyway). The sandbox's
credentials are public, so without AGENDA_MCP_SECRET_KEY it gets a random key per process.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from agenda_mcp.server.guards.redaction import register_secrets
from agenda_mcp.server.kit.contract import VendorSpec
from agenda_mcp.server.startup.config import Settings

SECRET_ENV = "AGENDA_MCP_SECRET_KEY"


def derived_key(settings: Settings, specs: Iterable[VendorSpec], purpose: str) -> bytes:
    """32 bytes for `purpose`, the same on every replica configured alike."""
    explicit = settings.env.get(SECRET_ENV, "").strip()
    if explicit:
        register_secrets([explicit])
        material = [f"{SECRET_ENV}={explicit}"]
    elif settings.sandbox:
        return secrets.token_bytes(32)
    else:
        env = settings.env
        material = sorted(f"{k}={env.get(k, '')}" for spec in specs for k in spec.credential_env)
    return hashlib.sha256("\n".join([f"agenda-mcp {purpose} v1", *material]).encode()).digest()
