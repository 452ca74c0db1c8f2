"""What ServicePlanner receives, byte for byte: the tools against a scripted vendor on loopback HTTP
(tests/support/documented.py) that answers with the docs' records and keeps every request."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from mcp import Client

from agenda_mcp.server.startup.app import build_server
from agenda_mcp.server.startup.config import Settings
from agenda_mcp.tools.serviceplanner.client import ADDRESS_FIELDS
from tests.support import call_ok
from tests.support.documented import VENDOR_ENV, ScriptedVendor, cases, loopback_vendor

pytestmark = pytest.mark.anyio


def documented(name: str, path: str) -> dict[str, Any]:
    """The record a documented answer (tests/documented/serviceplanner/<name>.json) holds at `path`."""
    case = next(case for case in cases("serviceplanner") if case.name == name)
    record = case.spec["answers"][0]["json"]
    for part in path.split(".") if path else []:
        record = record[part]
    return dict(record)


@pytest.fixture(scope="module")
def vendor() -> Iterator[tuple[str, ScriptedVendor]]:
    with loopback_vendor() as served:
        yield served


@pytest.fixture
async def client(vendor: tuple[str, ScriptedVendor]) -> AsyncIterator[Client]:
    url, _ = vendor
    env = {name: value.format(url=url) for name, value in VENDOR_ENV["serviceplanner"].items()}
    settings = Settings(env=env, toolsets=("serviceplanner",), retry_backoff=0.0, dedup_seconds=0)
    async with Client(build_server(settings)) as client:
        yield client


def put_body(served: ScriptedVendor, path: str) -> dict[str, Any]:
    puts = [request for request in served.requests if request.method == "PUT" and request.path == path]
    assert len(puts) == 1, [(r.method, r.path) for r in served.requests]
    body: dict[str, Any] = json.loads(puts[0].body)
    return body


async def test_update_client_puts_the_whole_record(vendor: tuple[str, ScriptedVendor], client: Client) -> None:
    """As the docs' PUT example (every field, `"email": ""` included): the record read just before,
    the change merged in. Its empty company_name and null e-mail go back as they are; the docs'
    client object has no mobile_phone, so none is sent (sending null could clear one)."""
    _, served = vendor
    record = documented("get_appointment_200", "client")  # the docs' client object, as a show gives it
    served.script(
        [
            {"when": {"method": "GET", "path": "/client/158816"}, "json": record},
            {"when": {"method": "PUT", "path": "/client/158816"}, "json": record | {"phone": "0612345678"}},
        ]
    )
    updated = await call_ok(client, "sp_update_client", {"client_id": 158816, "phone": "0612345678"})
    assert put_body(served, "/client/158816") == {
        "client_number": 8145,
        "gender": "M",
        "first_name": "Fam.",
        "last_name": "Hendrix",
        "company_name": "",
        "email": None,
        "phone": "0612345678",
    }
    assert (updated["id"], updated["phone"]) == (158816, "0612345678")
    assert not served.unmatched


async def test_update_address_puts_the_whole_record(vendor: tuple[str, ScriptedVendor], client: Client) -> None:
    """The same rule as sp_update_client: every field of the docs' address PUT, empty ones too."""
    _, served = vendor
    record = documented("get_address_200", "")
    served.script(
        [
            {"when": {"method": "GET", "path": "/address/1"}, "json": record},
            {"when": {"method": "PUT", "path": "/address/1"}, "json": record | {"type": "work"}},
        ]
    )
    saved = await call_ok(client, "sp_update_address", {"address_id": 1, "type": "work"})
    body = put_body(served, "/address/1")
    assert body == {
        "client_id": 1,
        "type": "work",
        "street": "Dorpstraat 1",
        "house_number": "",
        "house_number_addition": "",
        "zipcode": "1234 VM",
        "city": "Tegelen",
        "country_id": 157,
        "geocode_lat": "",
        "geocode_lng": "",
    }
    assert set(body) == set(ADDRESS_FIELDS)
    assert (saved["id"], saved["type"]) == (1, "work")
    assert not served.unmatched
