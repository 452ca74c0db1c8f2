"""Keeping what tools/list and resources/list show between starts (see server/startup/listing.py).

The key is a hash of everything a listing is made from: every source file of `server/` and
`tools/` (path, size and modification time), the Python, mcp and pydantic versions, the
settings, and which vendors are enabled and with which non-secret variables. Credentials only
count as "set": they are never hashed or written. A changed file, an upgrade or another setting
is simply a different key, so a stale listing is never read; a file that cannot be read or
written only costs the time it would have saved.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import pydantic

from agenda_mcp.server.guards.redaction import get_logger
from agenda_mcp.server.kit.contract import VendorSpec
from agenda_mcp.server.startup.config import Settings

log = get_logger("agenda_mcp.listing_cache")

FORMAT = 1
"""Bumped when the file layout changes."""
KEEP = 8
"""Listings kept side by side (different settings, toolsets or versions); the oldest go."""
_ROOT = Path(__file__).resolve().parents[2]
"""The installed `agenda_mcp` package: every source file of it is part of the key."""
_SOURCES = ("server", "tools")
_SECRET_WORDS = ("KEY", "SECRET", "TOKEN", "PASSWORD")

Listings = dict[str, dict[str, list[dict[str, Any]]]]
"""vendor name -> {"tools": [entry, ...], "resources": [entry, ...]}"""


class ListingCache:
    def __init__(self, directory: Path, key: str) -> None:
        self.directory = directory
        self.key = key

    @classmethod
    def for_settings(cls, settings: Settings, specs: Iterable[VendorSpec]) -> ListingCache | None:
        if settings.listing_cache is None:
            return None
        return cls(Path(settings.listing_cache), listing_key(settings, list(specs)))

    @property
    def path(self) -> Path:
        return self.directory / f"listing-{self.key[:32]}.json"

    def load(self) -> Listings | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.info("tool list cache %s unreadable (%s); building the tools", self.path, type(exc).__name__)
            return None
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != self.key:
            return None
        listings = data.get("vendors")
        return listings if isinstance(listings, dict) else None

    def save(self, listings: Listings) -> None:
        body = json.dumps({"format": FORMAT, "key": self.key, "vendors": listings}, ensure_ascii=False)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            # Written aside and renamed: a concurrent start reads the old file or the new one, never half.
            fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".listing-", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(body)
            os.replace(temporary, self.path)
        except OSError as exc:
            log.info("tool list cache not written to %s (%s)", self.directory, type(exc).__name__)
            return
        self._prune()

    def forget(self) -> None:
        self.path.unlink(missing_ok=True)

    def _prune(self) -> None:
        try:
            kept = sorted(self.directory.glob("listing-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
            for old in kept[KEEP:]:
                old.unlink(missing_ok=True)
        except OSError:
            pass  # another start pruned the same files


def listing_key(settings: Settings, specs: list[VendorSpec]) -> str:
    digest = hashlib.sha256()
    facts = {
        "format": FORMAT,
        "python": sys.version,
        "mcp": _version("mcp"),
        "pydantic": pydantic.VERSION,
        "settings": {k: v for k, v in dataclasses.asdict(settings).items() if k not in ("env", "listing_cache")},
        "vendors": {spec.name: _vendor_facts(spec, settings.env) for spec in specs},
    }
    digest.update(json.dumps(facts, sort_keys=True, default=str).encode())
    for source in _SOURCES:
        for path in sorted((_ROOT / source).rglob("*.py")):
            stat = path.stat()
            digest.update(f"{path.relative_to(_ROOT)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _vendor_facts(spec: VendorSpec, env: Mapping[str, str]) -> dict[str, str]:
    """The vendor's variables by name; credentials (and anything named like one) only as set."""
    prefix = spec.name.upper() + "_"
    facts: dict[str, str] = {}
    for name, value in env.items():
        if not name.startswith(prefix):
            continue
        secret = name in spec.credential_env or any(word in name for word in _SECRET_WORDS)
        facts[name] = ("set" if value.strip() else "") if secret else value
    return facts


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"
