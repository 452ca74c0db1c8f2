"""One row per vendor for the cross-vendor tests (faults, secrets, concurrency): a read, a
write, how to count the simulator's writes, and what the last free seat or slot is."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agenda_mcp.server.startup.app import AgendaServer

REPORT: Counter[str] = Counter()
"""What the hardening tests ran; printed at the end of the pytest run (see conftest.py)."""


@dataclass(frozen=True)
class VendorCase:
    vendor: str
    read: tuple[str, dict[str, Any]]
    write: tuple[str, Callable[[int], dict[str, Any]]]
    """The write tool and its arguments for the n-th attempt (distinct, so dedup stays out of it)."""
    writes: Callable[[AgendaServer], int]
    """How many writes the simulator holds."""
    last_slot: Callable[[AgendaServer], None] | None = None
    """Prepare the simulator so that exactly one `write` can still succeed (None: not applicable)."""


def _state(agenda: AgendaServer, vendor: str) -> Any:
    return agenda.vendors[vendor].sandbox_app.state.sandbox  # type: ignore[union-attr]


CASES: list[VendorCase] = [
    VendorCase(
        vendor="planaday",
        read=("list_planaday_labels", {}),
        write=(
            "create_planaday_booking",
            lambda n: {"course_id": 104, "students": [{"first_name": f"Student{n}", "last_name": "Test"}]},
        ),
        writes=lambda agenda: len(_state(agenda, "planaday").bookings),
        last_slot=lambda agenda: _state(agenda, "planaday").set_available_seats(104, 1),
    ),
    VendorCase(
        vendor="serviceplanner",
        read=("sp_list_users", {}),
        write=(
            "sp_create_address",
            lambda n: {
                "client_id": 158701,
                "type": "work",
                "street": "Teststraat",
                "house_number": str(n),
                "zipcode": "3511 AA",
                "city": "Utrecht",
            },
        ),
        writes=lambda agenda: len(_state(agenda, "serviceplanner").addresses),
    ),
    VendorCase(
        vendor="onlineafspraken",
        read=("get_agendas", {}),
        write=(
            "set_customer",
            lambda n: {"email": f"klant{n}@example.nl", "first_name": f"Klant{n}", "last_name": "Test"},
        ),
        writes=lambda agenda: len(_state(agenda, "onlineafspraken").customers),
    ),
    VendorCase(
        vendor="locaboo",
        read=("locaboo_resource_list", {}),
        write=(
            "locaboo_customer_add",
            lambda n: {"customer": {"first_name": f"Kunde{n}", "last_name": "Test", "email": f"kunde{n}@example.de"}},
        ),
        writes=lambda agenda: len(_state(agenda, "locaboo").customers),
    ),
]
