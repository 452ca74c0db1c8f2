"""In-process simulator of the Planaday public API v1 (an ASGI app with Dutch demo data).

It enforces the documented contract (see the Planaday reference, §3 P1-P16): the API key,
JSON media types, hourly rate limit, the numbered booking errors 400-436 in a fixed order,
seat accounting and the pending -> converted booking life cycle. Bookings live in the app's
state object (`app.state.sandbox`, a `state.PlanadaySandbox`) for the lifetime of the app.

- `app.py`: the ASGI routes and `create_app`, with the gate in front (key, media types, rate limit);
- `state.py`: `PlanadaySandbox`, its bookings and the vendor's booking rules;
- `data.py`: the demo catalogue.
"""

from agenda_mcp.tools.planaday.sandbox.app import SANDBOX_BASE_URL, SANDBOX_ENV, create_app

__all__ = ["SANDBOX_BASE_URL", "SANDBOX_ENV", "create_app"]
