"""OnlineAfspraken.nl: appointment booking — agendas, appointment types, free times, appointments, customers."""

from agenda_mcp.server.kit import VendorSpec

VENDOR = VendorSpec(
    name="onlineafspraken",
    title="OnlineAfspraken.nl",
    package=__name__,
    # ONLINEAFSPRAKEN_BASE_URL is optional (default https://agenda.onlineafspraken.nl/APIREST), and so is
    # ONLINEAFSPRAKEN_SIGNATURE_HASH (sha1 default, or sha256).
    credential_env=("ONLINEAFSPRAKEN_API_KEY", "ONLINEAFSPRAKEN_API_SECRET"),
    base_url_env="ONLINEAFSPRAKEN_BASE_URL",
)
