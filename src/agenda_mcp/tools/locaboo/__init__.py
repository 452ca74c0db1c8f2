"""Locaboo: rooms, halls and their parts, with inventory, services, customers, events and invoices."""

from agenda_mcp.server.kit import VendorSpec

VENDOR = VendorSpec(
    name="locaboo",
    title="Locaboo",
    package=__name__,
    credential_env=("LOCABOO_API_KEY",),
    base_url_env="LOCABOO_BASE_URL",
)
