"""ServicePlanner: field-service planning — clients, addresses, serviced items, appointments, invoices."""

from agenda_mcp.server.kit import VendorSpec

VENDOR = VendorSpec(
    name="serviceplanner",
    title="ServicePlanner",
    package=__name__,
    # The base URL has a default (https://api.service-planner.nl), so only the token is required.
    credential_env=("SERVICEPLANNER_API_TOKEN",),
    base_url_env="SERVICEPLANNER_BASE_URL",
)
