"""The heap is settled once the vendors are built, and only in the process that owns the server."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from agenda_mcp.server.startup import app as app_module
from agenda_mcp.server.startup import heap
from agenda_mcp.server.startup.app import build_agenda
from agenda_mcp.server.startup.config import Settings
from tests.support import call_ok, sandbox_settings

pytestmark = pytest.mark.anyio


def test_settling_freezes_only_in_a_process_that_owns_its_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """Frozen objects are never freed: a test run or a program building many servers must not
    freeze them, the `agenda-mcp` process must."""
    assert gc.get_freeze_count() == 0
    heap.settle()
    assert gc.get_freeze_count() == 0, "settled without owning the process"
    monkeypatch.setattr(heap, "_owned", True)
    monkeypatch.setattr(heap, "_settled", False)
    try:
        heap.settle()
        assert gc.get_freeze_count() > 0
        gc.unfreeze()
        heap.settle()
        assert gc.get_freeze_count() == 0, "settled twice: a second collection of the whole heap"
    finally:
        gc.unfreeze()


def _recording(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """The vendors built at each settle() call."""
    settled: list[set[str]] = []
    agendas: list[Any] = []
    original = app_module.AgendaServer.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        agendas.append(self)

    monkeypatch.setattr(app_module.AgendaServer, "__init__", init)
    monkeypatch.setattr(heap, "settle", lambda: settled.append(set(agendas[-1].vendors)))
    return settled


async def test_a_start_that_builds_everything_settles_once_built(monkeypatch: pytest.MonkeyPatch) -> None:
    settled = _recording(monkeypatch)
    agenda = build_agenda(sandbox_settings())
    assert settled == [set(agenda.specs)]


async def test_a_kept_listing_settles_after_the_background_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings.from_env({"AGENDA_MCP_SANDBOX": "1", "AGENDA_MCP_CACHE_DIR": str(tmp_path)})
    build_agenda(settings)  # writes the listing
    settled = _recording(monkeypatch)
    listed = build_agenda(settings)
    assert settled == [], "nothing is built at start, so nothing to settle yet"
    async with Client(listed.server) as client:
        await client.list_tools()
        with anyio.fail_after(60):  # a guard against a hang, not a timing
            await listed.warmed.wait()
        assert settled == [set(listed.specs)], "settled once, with every vendor built"
        await call_ok(client, "list_planaday_labels")
    assert len(settled) == 1


def test_the_agenda_mcp_command_settles_its_heap(tmp_path: Path) -> None:
    """The command owns its process: the start that builds every tool settles before serving."""
    env = {**os.environ, "AGENDA_MCP_CACHE_DIR": "off", "AGENDA_MCP_LOG_LEVEL": "DEBUG"}
    done = subprocess.run(
        [sys.executable, "-m", "agenda_mcp", "--sandbox"],
        input="",  # EOF: the server exits once it is up
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=True,
    )
    assert "heap settled in" in done.stderr
    assert done.stdout == ""
