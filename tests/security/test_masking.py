"""Issue 13, item 7: masking without gaps, and vendor text without invisible characters.

Served over real loopback HTTP by a scripted vendor, with operator credentials full of
characters that change under encoding (so the percent and base64 forms differ from the raw one):
- a credential inside a successful answer (a Planaday label description, the planaday://labels
  resource, fields of the Locaboo profile), raw, percent-encoded and base64, is masked;
- percent-encoded and base64 credentials in an error body are masked in the error and in every
  log record at DEBUG;
- bidi overrides and zero-width characters in vendor text (a result, a resource, an error
  message) do not reach the model."""

from __future__ import annotations

import base64
import json
import logging
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from mcp import Client

from agenda_mcp.server.startup.app import build_agenda
from agenda_mcp.server.startup.config import Settings
from tests.support import error_text
from tests.support.documented import ScriptedVendor, loopback_vendor
from tests.support.vendor_cases import REPORT

pytestmark = pytest.mark.anyio

PLANADAY_KEY = "Pl@n/day+Key=geheim&42"
LOCABOO_KEY = "L0c@boo/secret+key=99&x"
INVISIBLE = ["\u202e", "\u202d", "\u2066", "\u2069", "\u200b", "\u200d", "\u2060", "\ufeff", "\u061c"]


def encoded(secret: str) -> dict[str, str]:
    """The forms a credential takes on the way out, computed here (not by the code under test)."""
    return {
        "raw": secret,
        "percent": urllib.parse.quote(secret, safe=""),
        "plus": urllib.parse.quote_plus(secret),
        "base64": base64.b64encode(secret.encode()).decode(),
        "basic": base64.b64encode(f":{secret}".encode()).decode(),
    }


def assert_masked(text: str, secret: str, where: str) -> int:
    for form, value in encoded(secret).items():
        assert value not in text, f"{where}: the {form} form of a credential reached the model: {text[:300]}"
    return len(encoded(secret))


@pytest.fixture(scope="module")
def vendor() -> Iterator[tuple[str, ScriptedVendor]]:
    with loopback_vendor() as served:
        yield served


def planaday(url: str) -> Any:
    env = {"PLANADAY_API_KEY": PLANADAY_KEY, "PLANADAY_BASE_URL": f"{url}/v1"}
    return build_agenda(Settings(env=env, toolsets=("planaday",), retry_backoff=0.0, log_level="DEBUG"))


def locaboo(url: str) -> Any:
    env = {"LOCABOO_API_KEY": LOCABOO_KEY, "LOCABOO_BASE_URL": f"{url}/api/v2"}
    return build_agenda(Settings(env=env, toolsets=("locaboo",), retry_backoff=0.0, log_level="DEBUG"))


def leaky(secret: str) -> str:
    forms = encoded(secret)
    return " / ".join(f"{form}: {value}" for form, value in forms.items())


def labels_answer(description: str, name: str = "BHV") -> list[dict[str, Any]]:
    body = {"labels": [{"id": 3, "name": name, "description": description}]}
    return [{"when": {"path": "/v1/label/list"}, "status": 200, "json": body, "repeat": True}]


async def test_a_credential_in_a_planaday_label_is_masked(vendor: tuple[str, ScriptedVendor]) -> None:
    url, served = vendor
    served.script(labels_answer(leaky(PLANADAY_KEY)))
    async with Client(planaday(url).server) as client:
        result = await client.call_tool("list_planaday_labels", {})
    assert not result.is_error, error_text(result)
    text = error_text(result) + json.dumps(result.structured_content, ensure_ascii=False)
    REPORT["security: credential forms checked in successful answers"] += assert_masked(text, PLANADAY_KEY, "label")
    assert "***" in result.structured_content["labels"][0]["description"]


async def test_a_credential_in_the_planaday_labels_resource_is_masked(vendor: tuple[str, ScriptedVendor]) -> None:
    url, served = vendor
    served.script(labels_answer(leaky(PLANADAY_KEY)))
    async with Client(planaday(url).server) as client:
        resource = await client.read_resource("planaday://labels")
    text = " ".join(getattr(item, "text", "") for item in resource.contents)
    assert "BHV" in text, text
    REPORT["security: credential forms checked in successful answers"] += assert_masked(text, PLANADAY_KEY, "resource")
    assert "***" in text


async def test_a_credential_in_the_locaboo_profile_is_masked(vendor: tuple[str, ScriptedVendor]) -> None:
    url, served = vendor
    forms = encoded(LOCABOO_KEY)
    profile = {
        "first_name": "LOY",
        "last_name": forms["raw"],
        "company_name": f"API {forms['percent']}",
        "email": f"{forms['base64']}@locaboo.com",
        "address": f"https://app.locaboo.com/api/v2/x?api_secret_key={forms['plus']}",
        "city": "Testhausen",
        "country": "DE",
    }
    body = {"data": profile, "total": 1, "success": True}
    served.script([{"when": {"path": "/api/v2/profile"}, "status": 200, "json": body, "repeat": True}])
    async with Client(locaboo(url).server) as client:
        result = await client.call_tool("locaboo_profile", {})
    assert not result.is_error, error_text(result)
    text = error_text(result) + json.dumps(result.structured_content, ensure_ascii=False)
    assert "Testhausen" in text
    REPORT["security: credential forms checked in successful answers"] += assert_masked(text, LOCABOO_KEY, "profile")


@pytest.mark.parametrize("status", [401, 422, 500])
async def test_encoded_credentials_in_an_error_body_are_masked_in_the_error_and_the_logs(
    status: int, vendor: tuple[str, ScriptedVendor], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url, served = vendor
    body = {"message": f"invalid api_secret_key: {leaky(LOCABOO_KEY)}", "error": leaky(LOCABOO_KEY)}
    served.script([{"status": status, "json": body, "repeat": True}])
    async with Client(locaboo(url).server) as client:
        result = await client.call_tool("locaboo_resource_list", {})
    assert result.is_error
    text = error_text(result)
    assert "***" in text, f"the vendor's message was not shown (masked): {text}"
    assert_masked(text, LOCABOO_KEY, f"HTTP {status} error")
    logged = [record.getMessage() for record in caplog.records]
    assert any("->" in line for line in logged), "expected the DEBUG request log"
    for line in logged:
        assert_masked(line, LOCABOO_KEY, "log")
    REPORT["security: encoded credentials in error bodies masked (error + logs)"] += 1


def _visible(text: str, where: str) -> None:
    for char in INVISIBLE:
        assert char not in text, f"{where}: U+{ord(char):04X} reached the model"


async def test_bidi_and_zero_width_characters_do_not_reach_the_model(vendor: tuple[str, ScriptedVendor]) -> None:
    url, served = vendor
    hidden = "".join(INVISIBLE)
    served.script(labels_answer(f"Alle BHV{hidden} items \u202eevil\u202c", name=f"B\u200bH\u200dV{hidden}"))
    async with Client(planaday(url).server) as client:
        result = await client.call_tool("list_planaday_labels", {})
        assert not result.is_error, error_text(result)
        resource = await client.read_resource("planaday://labels")
    label = result.structured_content["labels"][0]
    assert label["name"] == "BHV", label
    _visible(error_text(result) + json.dumps(result.structured_content, ensure_ascii=False), "result")
    _visible(" ".join(getattr(item, "text", "") for item in resource.contents), "resource")
    REPORT["security: invisible characters kept from the model (result, resource)"] += 2


async def test_bidi_and_zero_width_characters_in_a_vendor_error_do_not_reach_the_model(
    vendor: tuple[str, ScriptedVendor],
) -> None:
    url, served = vendor
    hidden = "".join(INVISIBLE)
    served.script(
        [{"status": 422, "json": {"message": f"Ongeldig{hidden} verzoek \u202eeteled\u202c"}, "repeat": True}]
    )
    async with Client(planaday(url).server) as client:
        result = await client.call_tool("list_planaday_labels", {})
    assert result.is_error
    text = error_text(result)
    assert "Ongeldig" in text, text
    _visible(text, "error")
    REPORT["security: invisible characters kept from the model (error)"] += 1
