"""Issue 13, item 1: server files do not leave the machine without asking.

ServicePlanner's upload tool, attacked as a prompt-injected model would: /proc/self/environ
(every vendor credential) and /etc/passwd, by absolute path, by `..`, through a symlink inside
the allowed folder, and special files.
- Over stdio (the console script, a real subprocess): refused with AGENDA_MCP_ATTACHMENTS_DIR
  unset (with a line saying how to allow paths) and set, even when the person would say yes to
  everything; nothing reaches the vendor (the item has no attachments afterwards).
- Over HTTP (server/transport/web.py on loopback): the tool takes no paths at all, even with a folder set;
  nothing reaches the vendor (the simulator's request count does not move); bytes sent as
  content_base64 still work after the person says yes.
- A file inside the folder is sent after the person accepts a question naming it and its size;
  declined, the file is not even read, and nothing is sent."""

from __future__ import annotations

import base64
import os
import sys
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from agenda_mcp.server.guards import attachments
from agenda_mcp.server.startup.app import AgendaServer, build_agenda
from agenda_mcp.server.startup.config import HttpSettings
from agenda_mcp.server.transport.web import create_app
from tests.support import call_ok, error_text, sandbox_settings
from tests.support.loopback import serve_loopback
from tests.support.person import Person
from tests.support.vendor_cases import REPORT

pytestmark = pytest.mark.anyio
SCRIPT = str(Path(sys.executable).parent / "agenda-mcp")
TOOL = "sp_add_client_item_attachments"
SECRET_FILES = ["/proc/self/environ", "/etc/passwd"]


def demo_item() -> tuple[int, int]:
    """A (client id, item id) of the simulator's demo data, the same in every process."""
    state = build_agenda(sandbox_settings(toolsets=("serviceplanner",))).vendors["serviceplanner"]
    item = next(iter(state.sandbox_app.state.sandbox.items.values()))  # type: ignore[union-attr]
    assert item["attachments"] == []
    return item["client_id"], item["id"]


def upload(client_id: int, item_id: int, *specs: dict[str, str]) -> dict[str, Any]:
    return {"client_id": client_id, "item_id": item_id, "attachments": list(specs)}


def hostile_folder(folder: Path) -> list[str]:
    """Paths an attacker would try against an allowed folder; none may be read."""
    (folder / "link-to-passwd").symlink_to("/etc/passwd")
    (folder / "link-to-environ").symlink_to("/proc/self/environ")
    (folder / "proc").symlink_to("/proc/self")
    return [
        *SECRET_FILES,
        "../" * 12 + "etc/passwd",
        "../" * 12 + "proc/self/environ",
        "link-to-passwd",
        "link-to-environ",
        "proc/environ",
        "/dev/zero",
        "/proc/self/fd/0",
    ]


async def _attachments_of(client: Client, client_id: int, item_id: int) -> list[Any]:
    item = await call_ok(client, "sp_get_client_item", {"client_id": client_id, "item_id": item_id})
    return item.get("attachments") or []


@pytest.mark.parametrize("folder_set", [False, True], ids=["no-folder", "folder"])
async def test_secret_files_are_refused_over_stdio(folder_set: bool, tmp_path: Path) -> None:
    client_id, item_id = demo_item()
    env = {"PATH": os.environ.get("PATH", "")}
    paths = list(SECRET_FILES)
    if folder_set:
        env["AGENDA_MCP_ATTACHMENTS_DIR"] = str(tmp_path)
        paths = hostile_folder(tmp_path)
    params = StdioServerParameters(command=SCRIPT, args=["--sandbox", "--toolsets", "serviceplanner"], env=env)
    person = Person("accept")  # the worst case: a person who says yes to anything
    async with Client(params, elicitation_callback=person) as client:
        for path in paths:
            result = await client.call_tool(TOOL, upload(client_id, item_id, {"file_path": path}))
            text = error_text(result)
            assert result.is_error, f"{path} was sent: {result.structured_content}"
            assert "root:" not in text and "PATH=" not in text, f"{path}: file content in the error"
            if not folder_set:
                assert "AGENDA_MCP_ATTACHMENTS_DIR" in text, text  # how to allow paths
            REPORT["security: secret-file uploads refused (stdio)"] += 1
        assert await _attachments_of(client, client_id, item_id) == [], "a refused file reached the vendor"
    assert person.asked == [], f"the person was asked about a file that may not be sent: {person.asked}"


async def test_no_local_paths_over_http(tmp_path: Path) -> None:
    (tmp_path / "werkbon.pdf").write_bytes(b"%PDF-1.4 werkbon")
    settings = sandbox_settings(toolsets=("serviceplanner",), attachments_dir=str(tmp_path))
    app = create_app(settings, HttpSettings())
    agenda: AgendaServer = app.state.agenda
    client_id, item_id = demo_item()
    person = Person("accept")
    async with (
        serve_loopback(app, lifespan=True) as url,
        httpx2.AsyncClient(timeout=30) as http,
        Client(streamable_http_client(f"{url}/mcp", http_client=http), elicitation_callback=person) as client,  # type: ignore[arg-type]
    ):
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        schema = str(tools[TOOL].input_schema)
        assert "file_path" not in schema, "over HTTP the tool must not take paths"
        faults = agenda.vendors["serviceplanner"].faults
        assert faults is not None
        before = faults.passed + faults.faulted
        for path in [*SECRET_FILES, "werkbon.pdf", str(tmp_path / "werkbon.pdf")]:
            result = await client.call_tool(TOOL, upload(client_id, item_id, {"file_path": path}))
            text = error_text(result)
            assert result.is_error and "nothing was sent" in text, text
            assert "root:" not in text
            REPORT["security: local-path uploads refused (HTTP)"] += 1
        assert faults.passed + faults.faulted == before, "a refused upload reached the vendor"
        assert person.asked == []

        photo = base64.b64encode(b"\xff\xd8\xff foto").decode()
        sent = await call_ok(
            client, TOOL, upload(client_id, item_id, {"content_base64": photo, "filename": "ketel.jpg"})
        )
        assert [a["name"] for a in sent["attachments"]] == ["ketel.jpg"]
        assert len(person.asked) == 1 and "ketel.jpg" in person.asked[0] and "bytes" in person.asked[0], person.asked


@pytest.mark.parametrize("answer", ["accept", "decline", "cancel"])
async def test_a_file_in_the_folder_is_sent_only_after_the_person_says_yes(
    answer: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = b"%PDF-1.4 werkbon 2026, 30 bytes"
    (tmp_path / "werkbon.pdf").write_bytes(content)
    reads: list[Path] = []
    real_read = attachments._read_capped

    def counted(path: Path) -> bytes:
        reads.append(path)
        return real_read(path)

    monkeypatch.setattr(attachments, "_read_capped", counted)
    agenda = build_agenda(sandbox_settings(toolsets=("serviceplanner",), attachments_dir=str(tmp_path)))
    state = agenda.vendors["serviceplanner"].sandbox_app.state.sandbox  # type: ignore[union-attr]
    item = next(iter(state.items.values()))
    faults = agenda.vendors["serviceplanner"].faults
    assert faults is not None
    person = Person(answer)
    async with Client(agenda.server, elicitation_callback=person) as client:
        before = faults.passed
        result = await client.call_tool(TOOL, upload(item["client_id"], item["id"], {"file_path": "werkbon.pdf"}))
    assert len(person.asked) == 1, person.asked
    question = person.asked[0]
    assert "werkbon.pdf" in question and f"{len(content)} bytes" in question, question
    if answer == "accept":
        assert not result.is_error, error_text(result)
        assert [a["name"] for a in item["attachments"]] == ["werkbon.pdf"]
        assert reads == [tmp_path / "werkbon.pdf"]
        REPORT["security: in-folder uploads sent after yes"] += 1
    else:
        assert result.is_error and "Nothing was changed" in error_text(result), error_text(result)
        assert reads == [], "the file was read although the person said no"
        assert faults.passed == before and item["attachments"] == [], "something was sent although the person said no"
        REPORT["security: in-folder uploads not read after no"] += 1


@pytest.mark.parametrize("source", ["content", "file"])
async def test_over_ten_megabytes_is_refused_before_anything_is_sent(source: str, tmp_path: Path) -> None:
    agenda = build_agenda(sandbox_settings(toolsets=("serviceplanner",), attachments_dir=str(tmp_path)))
    state = agenda.vendors["serviceplanner"].sandbox_app.state.sandbox  # type: ignore[union-attr]
    item = next(iter(state.items.values()))
    faults = agenda.vendors["serviceplanner"].faults
    assert faults is not None
    if source == "content":
        spec = {"content_base64": base64.b64encode(bytes(10 * 1024 * 1024 + 1)).decode(), "filename": "groot.bin"}
    else:
        with (tmp_path / "groot.bin").open("wb") as big:  # sparse: 10 MB + 1 byte without writing them
            big.truncate(10 * 1024 * 1024 + 1)
        spec = {"file_path": "groot.bin"}
    async with Client(agenda.server, elicitation_callback=Person("accept")) as client:
        before = faults.passed
        result = await client.call_tool(TOOL, upload(item["client_id"], item["id"], spec))
    text = error_text(result)
    assert result.is_error and "larger than 10 MB" in text, text[:300]
    assert len(text) < 2100, len(text)
    assert faults.passed == before and item["attachments"] == []
    REPORT["security: uploads over 10 MB refused"] += 1
