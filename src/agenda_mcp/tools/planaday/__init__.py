"""Planaday: training courses, dayparts, materials, labels, locations and bookings of students."""

from agenda_mcp.server.kit import VendorSpec

VENDOR = VendorSpec(
    name="planaday",
    title="Planaday",
    package=__name__,
    credential_env=("PLANADAY_API_KEY", "PLANADAY_BASE_URL"),
    base_url_env="PLANADAY_BASE_URL",
)
