"""The command line and the assembled server, without any vendor specifics."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from mcp import Client

from agenda_mcp import __version__
from agenda_mcp.server.startup.app import build_agenda, build_server
from agenda_mcp.server.startup.config import ConfigError, Settings
from agenda_mcp.server.startup.registry import VENDOR_NAMES
from tests.support import sandbox_settings

SCRIPT = str(Path(sys.executable).parent / "agenda-mcp")


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SCRIPT, *args], capture_output=True, text=True, timeout=60, env=env, check=False)


def test_version_and_help() -> None:
    version = run_cli("--version")
    assert version.returncode == 0 and version.stdout.strip() == f"agenda-mcp {__version__}"
    help_text = run_cli("--help")
    assert help_text.returncode == 0 and "--sandbox" in help_text.stdout and "--read-only" in help_text.stdout


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["--bogus"], {}, "unrecognized arguments: --bogus"),
        (["--transport", "carrier-pigeon"], {}, "invalid choice"),
        (["--toolsets", "planaday,nope"], {}, "unknown toolset nope"),
        ([], {"AGENDA_MCP_SANDBOX": "maybe"}, "AGENDA_MCP_SANDBOX must be 1 or 0"),
        ([], {"AGENDA_MCP_TIMEZONE": "Mars/Olympus"}, "unknown time zone"),
        ([], {"AGENDA_MCP_LOG_LEVEL": "LOUD"}, "AGENDA_MCP_LOG_LEVEL"),
        ([], {"PLANADAY_API_KEY": "k" * 20, "PLANADAY_BASE_URL": "planaday.nl"}, "PLANADAY_BASE_URL must be a URL"),
    ],
)
def test_bad_input_gives_one_clear_line(args: list[str], env: dict[str, str], expected: str) -> None:
    result = run_cli(*args, env={"PATH": "/usr/bin:/bin", **env})
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_settings_from_env_parse_and_validate() -> None:
    settings = Settings.from_env(
        {"AGENDA_MCP_SANDBOX": "1", "AGENDA_MCP_READ_ONLY": "true", "AGENDA_MCP_TOOLSETS": " Planaday , planaday"}
    )
    assert settings.sandbox and settings.read_only and settings.toolsets == ("planaday",)
    assert settings.timezone == "Europe/Amsterdam" and settings.log_level == "INFO"
    assert Settings.from_env({"AGENDA_MCP_SANDBOX": "1"}, sandbox=False).sandbox is False
    with pytest.raises(ConfigError):
        Settings.from_env({"AGENDA_MCP_SANDBOX_LATENCY_MS": "-5"})


@pytest.mark.anyio
async def test_without_credentials_no_vendor_tools_and_instructions_say_what_to_set(
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = build_server(Settings(env={}))
    async with Client(server) as client:
        assert (await client.list_tools()).tools == []
        assert "PLANADAY_API_KEY" in (client.instructions or "")
        assert "--sandbox" in (client.instructions or "")
    assert any("PLANADAY_API_KEY" in r.getMessage() for r in caplog.records)


@pytest.mark.anyio
async def test_credentials_enable_a_vendor_and_sandbox_enables_all() -> None:
    env = {"PLANADAY_API_KEY": "real-looking-key", "PLANADAY_BASE_URL": "https://acme.api.planaday.nl/v1"}
    agenda = build_agenda(Settings(env=env))
    assert "planaday" in agenda.vendors and agenda.vendors["planaday"].sandbox_app is None
    everything = build_agenda(sandbox_settings())
    assert set(everything.vendors) == set(VENDOR_NAMES)
    assert all(runtime.sandbox_app is not None for runtime in everything.vendors.values())


@pytest.mark.anyio
async def test_toolsets_narrow_the_vendors() -> None:
    agenda = build_agenda(sandbox_settings(toolsets=("planaday",)))
    assert list(agenda.vendors) == ["planaday"]
    async with Client(agenda.server) as client:
        names = [tool.name for tool in (await client.list_tools()).tools]
    # find_slots and book_slot span whichever enabled vendors have availability (server/slots/service.py).
    assert names and all("planaday" in name for name in names if name not in ("find_slots", "book_slot"))


@pytest.mark.anyio
async def test_read_only_registers_no_write_tool() -> None:
    async with Client(build_server(sandbox_settings())) as client:
        every = (await client.list_tools()).tools
    async with Client(build_server(sandbox_settings(read_only=True))) as client:
        tools = (await client.list_tools()).tools
        assert "Read-only mode" in (client.instructions or "")
    writes = {tool.name for tool in every if not tool.annotations.read_only_hint}
    assert writes, "the full server should have write tools"
    names = {tool.name for tool in tools}
    assert names == {tool.name for tool in every} - writes
    assert all(tool.annotations.read_only_hint for tool in tools)


def test_disabled_vendor_packages_are_not_imported() -> None:
    code = (
        "import sys; from agenda_mcp.server.startup.app import build_agenda;"
        "from agenda_mcp.server.startup.config import Settings;"
        "build_agenda(Settings(env={}));"
        "print(sorted(m for m in sys.modules if m.startswith('agenda_mcp.tools.') and m.count('.') > 2))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"
