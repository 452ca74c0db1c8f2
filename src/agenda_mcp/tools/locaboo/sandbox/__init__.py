"""An in-process simulator of the Locaboo API v2 (ASGI), for sandbox mode and tests.

- ``app.py``: the routes under ``/api/v2`` and ``create_app``;
- ``state.py``: ``LocabooSandbox``, the account's state and the vendor's rules (writes, occupancy);
- ``reads.py``, ``availability.py``: the read endpoints, in Locaboo's JSON;
- ``recurrence.py``: booking rules expanded into dated instances;
- ``model.py``: the records and the request-parameter checks;
- ``data.py``: the demo data (a German sports and conference venue).
"""

from agenda_mcp.tools.locaboo.sandbox.app import SANDBOX_BASE_URL, SANDBOX_ENV, create_app

__all__ = ["SANDBOX_BASE_URL", "SANDBOX_ENV", "create_app"]
