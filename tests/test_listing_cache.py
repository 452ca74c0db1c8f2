"""Tools listed from the kept listing (server/startup/listing.py, server/startup/listing_cache.py): the same list as
building gives, nothing built until it is used, and never a stale or credential-bearing file."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.server.mcpserver import MCPServer

import agenda_mcp.server.startup.app as app_module
from agenda_mcp.server.startup import listing_cache
from agenda_mcp.server.startup.app import AgendaServer, build_agenda
from agenda_mcp.server.startup.config import Settings
from agenda_mcp.server.startup.listing_cache import ListingCache, listing_key
from agenda_mcp.server.startup.registry import load_vendor
from tests.support import call_ok, error_text, sandbox_settings
from tests.support.person import Person

pytestmark = pytest.mark.anyio
STUDENT = {"first_name": "Sanne", "last_name": "de Vries"}


def kept(tmp_path: Path, **overrides: Any) -> Settings:
    return sandbox_settings(listing_cache=str(tmp_path), **overrides)


def listing_files(folder: Path) -> list[Path]:
    return list(folder.glob("listing-*.json"))


async def everything_listed(mcp: MCPServer) -> dict[str, Any]:
    async with Client(mcp) as client:
        tools = (await client.list_tools()).tools
        resources = (await client.list_resources()).resources
        prompts = (await client.list_prompts()).prompts
    return {
        kind: [item.model_dump(mode="json", by_alias=True, exclude_none=True) for item in items]
        for kind, items in (("tools", tools), ("resources", resources), ("prompts", prompts))
    }


@pytest.mark.parametrize(
    "overrides",
    [{}, {"read_only": True}, {"toolsets": ("planaday", "locaboo")}, {"confirm": "never"}, {"timezone": "UTC"}],
)
async def test_a_kept_listing_lists_exactly_what_building_lists(tmp_path: Path, overrides: dict[str, Any]) -> None:
    built = build_agenda(kept(tmp_path, **overrides))
    assert built.cached is None and built.vendors, "the first start builds every vendor"
    assert len(listing_files(tmp_path)) == 1

    listed = build_agenda(kept(tmp_path, **overrides))
    assert listed.cached is not None and listed.vendors == {}, "a start with a kept listing builds nothing"
    assert await everything_listed(listed.server) == await everything_listed(built.server)


@pytest.fixture
def no_warming(monkeypatch: pytest.MonkeyPatch) -> None:
    """Building on first use, seen alone: without the background build that follows a listing."""

    async def idle(self: AgendaServer) -> None:
        return None

    monkeypatch.setattr(AgendaServer, "warm", idle)


@pytest.mark.usefixtures("no_warming")
async def test_first_use_builds_only_that_vendor_and_answers_as_a_built_one(tmp_path: Path) -> None:
    built = build_agenda(kept(tmp_path))
    listed = build_agenda(kept(tmp_path))
    async with Client(built.server) as one, Client(listed.server) as other:
        assert await call_ok(other, "list_planaday_labels") == await call_ok(one, "list_planaday_labels")
        assert set(listed.vendors) == {"planaday"}
        read = await other.read_resource("locaboo://resources")
        assert read.contents == (await one.read_resource("locaboo://resources")).contents
        assert set(listed.vendors) == {"planaday", "locaboo"}
        refused = await other.call_tool("get_planaday_course", {"course_id": 99999})
        assert refused.is_error and error_text(refused) == error_text(
            await one.call_tool("get_planaday_course", {"course_id": 99999})
        )


@pytest.mark.usefixtures("no_warming")
async def test_concurrent_first_calls_build_the_vendor_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_agenda(kept(tmp_path))
    listed = build_agenda(kept(tmp_path))
    registered: list[str] = []
    original = app_module._registered

    def counting(spec: Any, settings: Settings) -> Any:
        registered.append(spec.name)
        return original(spec, settings)

    monkeypatch.setattr(app_module, "_registered", counting)
    answers: list[dict[str, Any]] = []
    async with Client(listed.server) as client:

        async def call() -> None:
            answers.append(await call_ok(client, "list_planaday_labels"))

        async with anyio.create_task_group() as tg:
            for _ in range(10):
                tg.start_soon(call)
    assert registered == ["planaday"]
    assert len(answers) == 10 and all(answer == answers[0] for answer in answers)


async def test_after_the_listing_every_vendor_is_built_in_the_background_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a kept list nothing is built at start; once tools/list is answered every vendor is
    built in the background (each once), so the first call finds its vendor ready."""
    build_agenda(kept(tmp_path))
    listed = build_agenda(kept(tmp_path))
    registered: list[str] = []
    original = app_module._registered

    def counting(spec: Any, settings: Settings) -> Any:
        registered.append(spec.name)
        return original(spec, settings)

    monkeypatch.setattr(app_module, "_registered", counting)
    async with Client(listed.server) as client:
        await client.list_tools()
        with anyio.fail_after(60):  # a guard against a hang, not a timing
            await listed.warmed.wait()
        assert set(listed.vendors) == set(listed.specs)
        assert sorted(registered) == sorted(listed.specs)
        await call_ok(client, "list_planaday_labels")
    assert sorted(registered) == sorted(listed.specs), "the first call built nothing more"


async def test_a_background_build_that_fails_is_retried_on_first_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_agenda(kept(tmp_path, toolsets=("planaday",)))
    listed = build_agenda(kept(tmp_path, toolsets=("planaday",)))
    original = app_module._registered
    attempts: list[str] = []

    def failing_once(spec: Any, settings: Settings) -> Any:
        attempts.append(spec.name)
        if len(attempts) == 1:
            raise RuntimeError("the vendor package could not be imported this time")
        return original(spec, settings)

    monkeypatch.setattr(app_module, "_registered", failing_once)
    async with Client(listed.server) as client:
        await client.list_tools()
        await call_ok(client, "list_planaday_labels")
    assert attempts == ["planaday", "planaday"]


async def test_a_deferred_write_tool_still_asks_first(tmp_path: Path) -> None:
    build_agenda(kept(tmp_path, toolsets=("planaday",)))
    listed = build_agenda(kept(tmp_path, toolsets=("planaday",)))
    person = Person("accept")
    asked = person.asked

    async with Client(listed.server, elicitation_callback=person) as client:
        booking = await call_ok(client, "create_planaday_booking", {"course_id": 104, "students": [STUDENT]})
        person.action = "decline"
        result = await client.call_tool("delete_planaday_booking", {"booking_id": booking["booking_id"]})
    assert result.is_error and "Nothing was changed" in error_text(result)
    assert len(asked) == 2 and "course 104" in asked[0] and booking["booking_id"] in asked[1]
    sandbox = listed.vendors["planaday"].sandbox_app.state.sandbox  # type: ignore[union-attr]
    assert {b.booking_id: b.status for b in sandbox.bookings}[booking["booking_id"]] != "deleted"


def test_the_key_follows_code_settings_and_vendors_but_not_credential_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for folder in ("server", "tools"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "module.py").write_text("x = 1\n")
    monkeypatch.setattr(listing_cache, "_ROOT", tmp_path)
    spec = load_vendor("planaday")
    env = {"PLANADAY_API_KEY": "first-secret", "PLANADAY_BASE_URL": "https://acme.example/v1"}

    def key(settings: Settings) -> str:
        return listing_key(settings, [spec])

    base = key(Settings(env=env))
    assert key(Settings(env=env)) == base
    assert key(Settings(env={**env, "PLANADAY_API_KEY": "second-secret"})) == base, "credentials count only as set"
    assert key(Settings(env={**env, "PLANADAY_API_KEY": ""})) != base
    assert key(Settings(env=env, read_only=True)) != base
    assert key(Settings(env=env, timezone="UTC")) != base
    assert listing_key(Settings(env=env), []) != base
    (tmp_path / "tools" / "module.py").write_text("x = 22\n")
    assert key(Settings(env=env)) != base, "an edited source file is another key"


def test_no_credential_is_written(tmp_path: Path) -> None:
    secret = "pd-live-0123456789abcdef"
    env = {"PLANADAY_API_KEY": secret, "PLANADAY_BASE_URL": "https://acme.example/v1"}
    agenda = build_agenda(Settings(env=env, listing_cache=str(tmp_path)))
    assert set(agenda.vendors) == {"planaday"}
    written = [path.read_text() for path in tmp_path.iterdir()]
    assert written and not any(secret in text for text in written)


def test_an_unreadable_file_is_rebuilt_and_an_unwritable_folder_only_costs_time(tmp_path: Path) -> None:
    settings = kept(tmp_path, toolsets=("planaday",))
    cache = ListingCache.for_settings(settings, [load_vendor("planaday")])
    assert cache is not None
    tmp_path.mkdir(exist_ok=True)
    cache.path.write_text('{"format": 1, "key": "')
    agenda = build_agenda(settings)
    assert agenda.cached is None and set(agenda.vendors) == {"planaday"}
    assert json.loads(cache.path.read_text())["key"] == cache.key

    blocked = tmp_path / "a-file"
    blocked.write_text("")
    agenda = build_agenda(sandbox_settings(toolsets=("planaday",), listing_cache=str(blocked / "cache")))
    assert set(agenda.vendors) == {"planaday"}


async def test_a_listing_that_does_not_match_the_code_is_dropped_at_first_use(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = kept(tmp_path, toolsets=("planaday",))
    build_agenda(settings)
    [path] = listing_files(tmp_path)
    data = json.loads(path.read_text())
    data["vendors"]["planaday"]["tools"][0]["description"] = "Planaday: what an older version said."
    path.write_text(json.dumps(data))

    stale = build_agenda(settings)
    assert stale.cached is not None
    caplog.set_level(logging.WARNING)
    async with Client(stale.server) as client:
        await call_ok(client, "list_planaday_labels")
    assert not listing_files(tmp_path)
    assert any("out of date" in record.getMessage() for record in caplog.records)
    assert build_agenda(settings).cached is None


def test_a_start_with_a_kept_listing_imports_no_vendor_code(tmp_path: Path) -> None:
    env = {"AGENDA_MCP_SANDBOX": "1", "AGENDA_MCP_CACHE_DIR": str(tmp_path)}
    script = (
        "import json, sys; from agenda_mcp.server.startup.app import AgendaServer, build_agenda; "
        "from agenda_mcp.server.startup.config import Settings;"
        f"agenda = build_agenda(Settings.from_env({env!r}));"
        "print(json.dumps([agenda.cached is not None, "
        "sorted(m for m in sys.modules if m.startswith('agenda_mcp.tools.'))]))"
    )
    root = Path(__file__).resolve().parent.parent

    def start() -> list[Any]:
        done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True)
        answer: list[Any] = json.loads(done.stdout)
        return answer

    assert start()[0] is False
    cached, modules = start()
    assert cached is True
    # Each package's VendorSpec and its prompt texts only: no client, models, tools or simulator.
    vendors = ("planaday", "onlineafspraken", "serviceplanner", "locaboo")
    assert set(modules) == {f"agenda_mcp.tools.{v}" for v in vendors} | {
        f"agenda_mcp.tools.{v}.prompts" for v in vendors
    }


def test_the_cache_folder_setting() -> None:
    assert Settings.from_env({"AGENDA_MCP_CACHE_DIR": "off"}).listing_cache is None
    assert Settings.from_env({"AGENDA_MCP_CACHE_DIR": "/srv/agenda"}).listing_cache == "/srv/agenda"
    assert Settings.from_env({"XDG_CACHE_HOME": "/c"}).listing_cache == str(Path("/c/agenda-mcp"))
    assert Settings().listing_cache is None, "settings built in code (tests, embedding) build every start"
