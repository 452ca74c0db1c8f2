"""The simulator behind a sandbox vendor, as its own type: what a test looks at after a call."""

from __future__ import annotations

from typing import Any

from agenda_mcp.server.startup.app import AgendaServer
from agenda_mcp.tools.locaboo.sandbox.state import LocabooSandbox
from agenda_mcp.tools.onlineafspraken.sandbox.state import OnlineAfsprakenSandbox
from agenda_mcp.tools.planaday.sandbox.state import PlanadaySandbox
from agenda_mcp.tools.serviceplanner.sandbox.state import ServicePlannerSandbox


def simulator(agenda: AgendaServer, vendor: str) -> Any:
    """The state of `vendor`'s simulator in a sandbox server (`app.state.sandbox`)."""
    app = agenda.vendors[vendor].sandbox_app
    assert app is not None, f"{vendor} is not served by its simulator"
    return app.state.sandbox  # type: ignore[attr-defined]


def planaday(agenda: AgendaServer) -> PlanadaySandbox:
    found: PlanadaySandbox = simulator(agenda, "planaday")
    return found


def onlineafspraken(agenda: AgendaServer) -> OnlineAfsprakenSandbox:
    found: OnlineAfsprakenSandbox = simulator(agenda, "onlineafspraken")
    return found


def locaboo(agenda: AgendaServer) -> LocabooSandbox:
    found: LocabooSandbox = simulator(agenda, "locaboo")
    return found


def serviceplanner(agenda: AgendaServer) -> ServicePlannerSandbox:
    found: ServicePlannerSandbox = simulator(agenda, "serviceplanner")
    return found
