"""server.json, the MCP Registry's entry for the PyPI package: valid against the registry's
published schema (vendored in schemas/, see schemas/README.md), the same name as the README's
`mcp-name:` line the registry checks for ownership, the same package and version as
pyproject.toml, and every documented variable a vendor needs, credentials marked secret."""

from __future__ import annotations

import copy
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from agenda_mcp.server.startup.registry import VENDOR_NAMES, load_vendor

ROOT = Path(__file__).parent.parent
SERVER = json.loads((ROOT / "server.json").read_text(encoding="utf-8"))
SCHEMA = json.loads((ROOT / "schemas" / "server.schema.json").read_text(encoding="utf-8"))
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
README = (ROOT / "README.md").read_text(encoding="utf-8")
(PYPI,) = [package for package in SERVER["packages"] if package["registryType"] == "pypi"]
VARIABLES = {variable["name"]: variable for variable in PYPI["environmentVariables"]}

SECRET_VALUE = re.compile(r"_(KEY|SECRET|TOKEN)$|^AGENDA_MCP_CALENDARS$")
"""Kept as a secret: credentials, and calendar URLs (a feed URL carries its own key)."""


def _errors(document: dict[str, Any]) -> list[str]:
    validator = Draft7Validator(SCHEMA, format_checker=Draft7Validator.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(document)]


def test_server_json_is_valid_against_the_vendored_published_schema() -> None:
    Draft7Validator.check_schema(SCHEMA)
    assert SERVER["$schema"] == SCHEMA["$id"]
    assert _errors(SERVER) == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("description",), "x" * 101),  # the registry allows 100 characters
        (("name",), "agenda-mcp"),  # a name needs its namespace
        (("packages", 0, "version"), "latest"),  # a package version must be exact
        (("packages", 0, "transport"), {"type": "websocket"}),
    ],
)
def test_the_validator_refuses_what_the_registry_refuses(path: tuple[str | int, ...], value: Any) -> None:
    # Proves the schema is really applied: the same document, broken in one place, fails.
    broken = copy.deepcopy(SERVER)
    target: Any = broken
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert _errors(broken)


def test_registry_name_is_proved_by_the_readme_and_matches_the_repository() -> None:
    assert re.findall(r"mcp-name: (\S+)", README) == [SERVER["name"]]
    source = re.fullmatch(r"https://github\.com/([^/]+)/([^/#]+)", PROJECT["urls"]["Source"])
    assert source, PROJECT["urls"]["Source"]
    owner, repo = source.groups()
    assert SERVER["name"] == f"io.github.{owner}/{repo}"
    assert SERVER["repository"] == {"url": PROJECT["urls"]["Source"], "source": "github"}


def test_package_is_this_distribution_at_this_version() -> None:
    assert PYPI["identifier"] == PROJECT["name"]
    assert PYPI["version"] == SERVER["version"] == PROJECT["version"]
    assert PYPI["transport"] == {"type": "stdio"}
    assert PYPI["runtimeHint"] == "uvx"
    assert "agenda-mcp" in PROJECT["scripts"]  # what `uvx agenda-mcp` runs


def test_every_vendor_variable_is_offered_and_credentials_are_secret() -> None:
    for name in VENDOR_NAMES:
        spec = load_vendor(name)
        for variable in (*spec.credential_env, spec.base_url_env):
            assert variable in VARIABLES, f"{spec.title}: {variable} missing from server.json"
    secret = {name for name, variable in VARIABLES.items() if variable.get("isSecret")}
    assert secret == {name for name in VARIABLES if SECRET_VALUE.search(name)}
    assert {"AGENDA_MCP_SANDBOX", "AGENDA_MCP_READ_ONLY"} <= VARIABLES.keys()
    for switch in ("AGENDA_MCP_SANDBOX", "AGENDA_MCP_READ_ONLY"):
        assert VARIABLES[switch]["format"] == "boolean" and VARIABLES[switch]["default"] == "false"


def test_every_variable_is_one_the_readme_documents() -> None:
    table = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))
    assert set(VARIABLES) <= documented, set(VARIABLES) - documented
