"""In-process simulator of the ServicePlanner API (Laravel, Bearer token, JSON, paginators).

- `app.py`: the ASGI app (`create_app`) and ROUTES, the one table of the vendor's paths, with
  Laravel's answers for what goes wrong (401, 404, 405, 422, 429, redirects and HTML for callers
  that do not ask for JSON);
- `state.py`: `ServicePlannerSandbox`, the records and the vendor's rules (reference section 3,
  S1-S15), and the test hooks, on `app.state.sandbox`;
- `laravel.py`: the framework's conventions (JSON values, validation messages, paginators);
- `data.py`: the demo company, anchored on the simulator's clock.
"""

from agenda_mcp.tools.serviceplanner.sandbox.app import SANDBOX_BASE_URL, SANDBOX_ENV, create_app

__all__ = ["SANDBOX_BASE_URL", "SANDBOX_ENV", "create_app"]
