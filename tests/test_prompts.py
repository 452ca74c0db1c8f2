"""Prompts for the common jobs: every vendor's workflows name tools that exist, walk through them
in the order they declare, render through a real MCP client, and vanish when a tool they need is
not registered (read-only mode)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
from mcp import Client

from agenda_mcp.server.kit.contract import VendorContractError, VendorSpec
from agenda_mcp.server.kit.prompts import Workflow
from agenda_mcp.server.startup.app import build_agenda
from agenda_mcp.server.startup.registry import VENDOR_NAMES, load_vendor
from tests.support import sandbox_settings

pytestmark = pytest.mark.anyio


def workflows(vendor: str) -> list[Workflow]:
    try:
        module = importlib.import_module(f"agenda_mcp.tools.{vendor}.prompts")
    except ModuleNotFoundError:
        return []
    declared: list[Workflow] = module.PROMPTS
    return declared


WITH_PROMPTS = [name for name in VENDOR_NAMES if workflows(name)]


def test_the_common_jobs_have_prompts() -> None:
    names = {w.prompt.name for vendor in VENDOR_NAMES for w in workflows(vendor)}
    assert "enrol_student" in names  # Planaday is always there
    expected = {
        "onlineafspraken": "book_appointment",
        "locaboo": "find_free_room",
        "serviceplanner": "plan_service_visit",
    }
    for vendor, prompt in expected.items():
        if vendor in VENDOR_NAMES:
            assert prompt in names, f"{vendor} has no {prompt} prompt"


@pytest.mark.parametrize("vendor", WITH_PROMPTS)
async def test_prompts_walk_through_registered_tools_in_order(vendor: str) -> None:
    agenda = build_agenda(sandbox_settings(toolsets=(vendor,)))
    registered = {tool.name for tool in agenda.vendors[vendor].toolkit.tools}
    title = load_vendor(vendor).title
    async with Client(agenda.server) as client:
        listed = {prompt.name: prompt for prompt in (await client.list_prompts()).prompts}
        for flow in workflows(vendor):
            missing = set(flow.tools) - registered
            assert not missing, f"{flow.prompt.name} names tools that do not exist: {missing}"
            prompt = listed[flow.prompt.name]
            assert title in (prompt.title or "") and prompt.description
            arguments = {arg.name: f"<{arg.name}>" for arg in prompt.arguments or [] if arg.required}
            assert all(arg.description for arg in prompt.arguments or [])
            result = await client.get_prompt(flow.prompt.name, arguments)
            text = " ".join(getattr(message.content, "text", "") for message in result.messages)
            assert all(value in text for value in arguments.values()), "an argument is not used"
            positions = [text.find(tool) for tool in flow.tools]
            assert -1 not in positions, f"{flow.prompt.name} does not mention {flow.tools[positions.index(-1)]}"
            assert positions == sorted(positions), f"{flow.prompt.name} names its tools out of order"


async def test_read_only_mode_drops_prompts_that_need_a_write() -> None:
    agenda = build_agenda(sandbox_settings(read_only=True))
    async with Client(agenda.server) as client:
        names = {prompt.name for prompt in (await client.list_prompts()).prompts}
    assert "enrol_student" not in names
    for vendor in agenda.vendors:
        registered = {tool.name for tool in agenda.vendors[vendor].toolkit.tools}
        for flow in workflows(vendor):
            assert (flow.prompt.name in names) == flow.usable(registered)
    if "locaboo" in agenda.vendors:
        assert "find_free_room" in names and "book_room" not in names  # finding needs no write


def test_a_vendor_without_prompts_is_named_and_a_broken_one_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, prompts in (("quietvendor", None), ("brokenvendor", "import not_a_real_module_anywhere\n")):
        package = tmp_path / name
        package.mkdir()
        (package / "__init__.py").write_text("")
        if prompts is not None:
            (package / "prompts.py").write_text(prompts)
    monkeypatch.syspath_prepend(str(tmp_path))
    spec = VendorSpec(name="q", title="Q", package="quietvendor", credential_env=(), base_url_env="Q_BASE_URL")
    with pytest.raises(VendorContractError, match="quietvendor has no prompts module"):
        spec.prompts({"any_tool"})
    broken = VendorSpec(name="b", title="B", package="brokenvendor", credential_env=(), base_url_env="B_BASE_URL")
    with pytest.raises(ModuleNotFoundError, match="not_a_real_module_anywhere"):
        broken.prompts({"any_tool"})
    for name in ("quietvendor", "brokenvendor", "brokenvendor.prompts"):
        sys.modules.pop(name, None)
