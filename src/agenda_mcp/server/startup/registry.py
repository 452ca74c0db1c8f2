"""The vendors agenda-mcp knows. Adding a vendor is one folder under tools/ and one line here.

Only names live here: a vendor package is imported when it is enabled, never before, so a
disabled vendor costs nothing at start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from agenda_mcp.server.startup.config import ConfigError

if TYPE_CHECKING:
    from agenda_mcp.server.kit.contract import VendorSpec

VENDOR_NAMES: tuple[str, ...] = ("planaday", "onlineafspraken", "serviceplanner", "locaboo")


def check_toolsets(names: tuple[str, ...] | None, source: str = "toolsets") -> None:
    """Refuse a toolset that names no vendor, in one line that lists the ones there are."""
    unknown = [name for name in names or () if name not in VENDOR_NAMES]
    if unknown:
        raise ConfigError(f"{source}: unknown toolset {', '.join(unknown)} (choose from {', '.join(VENDOR_NAMES)})")


def load_vendor(name: str) -> VendorSpec:
    module = importlib.import_module(f"agenda_mcp.tools.{name}")
    spec: VendorSpec = module.VENDOR
    return spec
