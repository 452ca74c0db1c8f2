"""The vendors agenda-mcp knows. Adding a vendor is one folder under tools/ and one line here.

Only names live here: a vendor package is imported when it is enabled, never before, so a
disabled vendor costs nothing at start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agenda_mcp.server.vendor import VendorSpec

VENDOR_NAMES: tuple[str, ...] = ("planaday", "onlineafspraken", "serviceplanner", "locaboo")


def load_vendor(name: str) -> VendorSpec:
    module = importlib.import_module(f"agenda_mcp.tools.{name}")
    spec: VendorSpec = module.VENDOR
    return spec
