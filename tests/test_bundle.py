"""The Claude Desktop bundle (MCPB, manifest.json): valid against the v0.4 manifest schema, asking
for each vendor's credentials as sensitive values and mapping every answer to a documented
variable, and, packed with the pinned `mcpb` CLI, runnable exactly as a host runs it.

A host builds the command from `server.mcp_config` with `${__dirname}` and `${user_config.X}`
substituted. The slow test lets the `mcpb` package's own `getMcpConfigForManifest` (the reference
implementation hosts share) build that command from the unpacked bundle, with one value left
empty and others never filled in, then starts it and lists the tools through an MCP client.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator
from mcp import Client, StdioServerParameters

from agenda_mcp.server.startup.app import build_server
from agenda_mcp.server.startup.config import HttpSettings, Settings
from agenda_mcp.server.startup.registry import VENDOR_NAMES, load_vendor

ROOT = Path(__file__).parent.parent
MANIFEST = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
SCHEMA = json.loads((ROOT / "schemas" / "mcpb-manifest-v0.4.schema.json").read_text(encoding="utf-8"))
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SERVER_JSON = json.loads((ROOT / "server.json").read_text(encoding="utf-8"))
CONFIG = MANIFEST["server"]["mcp_config"]
OPTIONS = MANIFEST["user_config"]
PLACEHOLDER = re.compile(r"\$\{user_config\.(\w+)\}")
# The one pin of the mcpb CLI, shared with CI's scripts/mcpb.sh.
(MCPB_PACKAGE,) = re.findall(r'^MCPB_PACKAGE="([^"]+)"', (ROOT / "scripts" / "mcpb.sh").read_text(), re.M)

SECRET_VALUE = re.compile(r"_(KEY|SECRET|TOKEN)$|^AGENDA_MCP_CALENDARS$")
"""Kept as a secret: credentials, and calendar URLs (a feed URL carries its own key)."""


def _env_option(variable: str) -> dict[str, Any]:
    match = PLACEHOLDER.fullmatch(CONFIG["env"][variable])
    assert match, f"{variable} should be exactly one user_config value"
    return OPTIONS[match.group(1)]


def test_manifest_is_valid_against_the_v0_4_schema() -> None:
    errors = [error.message for error in Draft7Validator(SCHEMA).iter_errors(MANIFEST)]
    assert errors == []
    assert MANIFEST["manifest_version"] == "0.4"


def test_server_is_the_uv_type_running_this_package() -> None:
    server = MANIFEST["server"]
    assert server["type"] == "uv"  # the host installs the dependencies of pyproject.toml with uv
    assert (ROOT / server["entry_point"]).is_file()
    assert CONFIG["command"] == "uv"
    assert CONFIG["args"] == ["run", "--directory", "${__dirname}", "--quiet", "agenda-mcp"]
    assert "agenda-mcp" in PROJECT["scripts"]
    assert (MANIFEST["name"], MANIFEST["version"], MANIFEST["license"]) == (
        PROJECT["name"],
        PROJECT["version"],
        PROJECT["license"],
    )
    assert MANIFEST["compatibility"]["runtimes"]["python"] == PROJECT["requires-python"]


def test_user_config_asks_for_every_vendor_credential_as_a_sensitive_value() -> None:
    for name in VENDOR_NAMES:
        for variable in load_vendor(name).credential_env:
            option = _env_option(variable)
            if not variable.endswith("_BASE_URL"):
                assert option["sensitive"] is True, variable
    # Sensitive (kept in the keychain) exactly where the value is a credential.
    for variable in CONFIG["env"]:
        assert _env_option(variable).get("sensitive", False) == bool(SECRET_VALUE.search(variable))
    for variable in ("AGENDA_MCP_SANDBOX", "AGENDA_MCP_READ_ONLY"):
        option = _env_option(variable)
        assert option["type"] == "boolean" and option["default"] is False
    # A credential is never required: a person with one system fills in only that one.
    assert not [key for key, option in OPTIONS.items() if option.get("required")]
    assert {match for value in CONFIG["env"].values() for match in PLACEHOLDER.findall(value)} == set(OPTIONS)


def test_every_variable_is_documented_and_offered_by_the_registry_entry_too() -> None:
    table = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))
    assert set(CONFIG["env"]) <= documented
    (package,) = SERVER_JSON["packages"]
    assert set(CONFIG["env"]) <= {variable["name"] for variable in package["environmentVariables"]}


def test_a_value_never_filled_in_is_substituted_not_left_as_a_placeholder() -> None:
    # A host substitutes defaults and the person's answers; a placeholder with neither stays in
    # the environment verbatim (getMcpConfigForManifest keeps unknown variables), and a literal
    # `${user_config.locaboo_api_key}` would count as a Locaboo key. So every option has a default.
    assert [key for key, option in OPTIONS.items() if "default" not in option] == []


def test_empty_values_mean_unset_to_the_server() -> None:
    # What a host passes for every field left blank, plus every variable server.json offers.
    (package,) = SERVER_JSON["packages"]
    names = set(CONFIG["env"]) | {variable["name"] for variable in package["environmentVariables"]}
    empty = dict.fromkeys(names, "")
    blank, unset = Settings.from_env(empty), Settings.from_env({})
    assert (blank.sandbox, blank.read_only, blank.toolsets, blank.timezone, blank.log_level) == (
        unset.sandbox,
        unset.read_only,
        unset.toolsets,
        unset.timezone,
        unset.log_level,
    )
    assert HttpSettings.from_env(empty) == HttpSettings.from_env({})
    for name in VENDOR_NAMES:
        assert not load_vendor(name).configured(empty)


def test_mcpbignore_keeps_the_checkout_clutter_out() -> None:
    ignored = (ROOT / ".mcpbignore").read_text(encoding="utf-8").split()
    for pattern in (".git/", ".venv/", "tests/", "bench/", "scripts/", "dist/", "*.mcpb", ".env"):
        assert pattern in ignored, pattern


# -- packed with the pinned mcpb CLI, unpacked and run as a host runs it ---------------------------


@pytest.fixture(scope="module")
def mcpb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    if shutil.which("npm") is None or shutil.which("node") is None:
        pytest.skip("npm and node are not installed: the MCP bundle cannot be packed here (CI has npm)")
    prefix = tmp_path_factory.mktemp("mcpb-cli")
    done = subprocess.run(
        ["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--loglevel=error", MCPB_PACKAGE],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    yield prefix


def _uv() -> str | None:
    beside = Path(sys.executable).parent / "uv"
    return str(beside) if beside.exists() else shutil.which("uv")


def _host_config(mcpb: Path, bundle: Path, user_config: dict[str, Any]) -> dict[str, Any]:
    """`server.mcp_config` as a host computes it, by the mcpb package's own function."""
    script = """
        import { readFileSync } from "node:fs";
        const [entry, dir, values] = process.argv.slice(1);
        const { getMcpConfigForManifest } = await import(entry);
        const manifest = JSON.parse(readFileSync(`${dir}/manifest.json`, "utf8"));
        const config = await getMcpConfigForManifest({
            manifest, extensionPath: dir, systemDirs: { HOME: dir }, userConfig: JSON.parse(values), pathSeparator: "/",
        });
        process.stdout.write(JSON.stringify(config));
    """
    entry = mcpb / "node_modules" / "@anthropic-ai" / "mcpb" / "dist" / "index.js"
    done = subprocess.run(
        ["node", "--input-type=module", "-e", script, entry.as_uri(), str(bundle), json.dumps(user_config)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    config: dict[str, Any] = json.loads(done.stdout)
    return config


@dataclass(frozen=True)
class Packed:
    names: set[str]
    """The files in the .mcpb."""
    folder: Path
    """Where it was unpacked, as a host unpacks it into the extension's folder."""


@pytest.fixture(scope="module")
def packed(mcpb: Path, tmp_path_factory: pytest.TempPathFactory) -> Packed:
    mcpb_cli = str(mcpb / "node_modules" / ".bin" / "mcpb")
    validate = subprocess.run(
        [mcpb_cli, "validate", str(ROOT / "manifest.json")], capture_output=True, text=True, timeout=60
    )
    assert validate.returncode == 0, validate.stdout + validate.stderr
    work = tmp_path_factory.mktemp("bundle")
    archive_path = work / "agenda-mcp.mcpb"
    pack = subprocess.run([mcpb_cli, "pack", str(ROOT), str(archive_path)], capture_output=True, text=True, timeout=120)
    assert pack.returncode == 0, pack.stdout[-3000:] + pack.stderr[-3000:]
    folder = work / "installed extension"  # a space, as in "Application Support"
    with zipfile.ZipFile(archive_path) as archive:  # a .mcpb is a zip
        names = set(archive.namelist())
        archive.extractall(folder)
    return Packed(names=names, folder=folder)


@pytest.mark.slow
def test_the_bundle_holds_the_package_sources_and_nothing_of_the_checkout_clutter(packed: Packed) -> None:
    names = packed.names
    assert {"manifest.json", "pyproject.toml", "README.md", "LICENSE", MANIFEST["server"]["entry_point"]} <= names
    assert not [name for name in names if name.split("/")[0] in ("tests", "bench", "scripts", ".venv", ".git")]
    sources = {
        path.relative_to(ROOT).as_posix() for path in (ROOT / "src").rglob("*.py") if "__pycache__" not in path.parts
    }
    assert sources <= names, sources - names


@pytest.fixture(scope="module")
def host_config(mcpb: Path, packed: Packed) -> dict[str, Any]:
    # Sandbox on, the Locaboo key left empty, every other field never touched.
    return _host_config(mcpb, packed.folder, {"sandbox": True, "locaboo_api_key": ""})


@pytest.mark.slow
def test_the_host_command_has_every_value_substituted(packed: Packed, host_config: dict[str, Any]) -> None:
    assert host_config["command"] == "uv"
    assert host_config["args"] == ["run", "--directory", str(packed.folder), "--quiet", "agenda-mcp"]
    env = host_config["env"]
    assert not [value for value in env.values() if "${" in value], env
    assert env["LOCABOO_API_KEY"] == env["PLANADAY_API_KEY"] == ""
    assert (env["AGENDA_MCP_SANDBOX"], env["AGENDA_MCP_READ_ONLY"]) == ("true", "false")


def _host_environment(uv: str) -> dict[str, str]:
    """What the host itself adds around the manifest's environment. Claude Desktop brings its own
    uv and Python; here uv is the test extra's and the Python this interpreter (Python downloads
    come from outside the package registries, which these machines cannot reach). uv reaches PyPI
    through the TLS roots pip is configured with. The tool-list cache stays off for the test."""
    host = {
        "PATH": str(Path(uv).parent) + ":/usr/bin:/bin",
        "HOME": str(Path.home()),
        "UV_PYTHON": sys.executable,
        "UV_PYTHON_DOWNLOADS": "never",
        "AGENDA_MCP_CACHE_DIR": "off",
    }
    system_roots = Path("/etc/ssl/certs/ca-certificates.crt")
    certificates = os.environ.get("SSL_CERT_FILE") or os.environ.get("PIP_CERT")
    if certificates or system_roots.exists():
        host["SSL_CERT_FILE"] = certificates or str(system_roots)
    return host


@pytest.mark.slow
@pytest.mark.anyio
async def test_the_unpacked_bundle_runs_as_a_host_runs_it_and_lists_the_sandbox_tools(
    host_config: dict[str, Any], tmp_path: Path
) -> None:
    config = host_config
    uv = _uv()
    if uv is None:
        pytest.skip("uv is not installed (it comes with the test extra): cannot run a bundle of the uv type")
    host = _host_environment(uv)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    params = StdioServerParameters(command=uv, args=config["args"], env=host | config["env"], cwd=str(elsewhere))
    async with Client(params) as client:
        assert "SANDBOX MODE" in (client.instructions or "")
        listed = {tool.name for tool in (await client.list_tools()).tools}
    async with Client(build_server(Settings(sandbox=True))) as checkout:
        expected = {tool.name for tool in (await checkout.list_tools()).tools}
    assert listed == expected
    assert {tool["name"] for tool in MANIFEST["tools"]} <= listed
