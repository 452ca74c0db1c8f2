"""In-process simulator of the OnlineAfspraken.nl APIREST endpoint (ASGI, no network).

- ``app.py``: the routes (signature check, parameters, XML envelopes) and ``create_app``;
- ``state.py``: ``OnlineAfsprakenSandbox``, the account's state and the vendor's rules (reference §3);
- ``data.py``: the demo account (a hair salon and a physiotherapy practice).
"""

from .app import SANDBOX_BASE_URL, SANDBOX_ENV, create_app

__all__ = ["SANDBOX_BASE_URL", "SANDBOX_ENV", "create_app"]
