"""The distribution as a person gets it: built with `python -m build`, checked with twine, and
installed into a fresh virtual environment that already holds another package with top-level
`server` and `tools` modules (the clash that broke the old wheel without a word from pip).

The sdist and the wheel are built once per session from a copy of the checkout, and one fresh
venv is shared by the tests that run the installed command; everything runs from a temporary
folder, so no checkout is on the installed server's path.
"""

from __future__ import annotations

import base64
import hashlib
import os
import queue
import shutil
import signal
import subprocess
import sys
import tarfile
import threading
import time
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest
from mcp import Client, StdioServerParameters

from agenda_mcp import __version__
from agenda_mcp.server.startup.app import build_server
from agenda_mcp.server.startup.config import Settings
from tests.test_container import healthcheck_command, image_command

ROOT = Path(__file__).parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# What the repository keeps beside the product; none of it may reach the wheel.
NOT_SHIPPED = ("tests", "bench", "scripts", ".ci", ".vscode")
# Copied into the build folder: everything but what git ignores or a host never ships.
COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", "*.pyc", "build", "dist", "*.egg-info", ".pytest_cache", ".ruff_cache",
    ".hypothesis", "node_modules", "*.mcpb",
)  # fmt: skip


PACKAGE = ROOT / "src" / "agenda_mcp"


def test_the_package_is_found_under_src_without_any_mapping() -> None:
    """Folders are import paths: setuptools finds the packages under src/, nothing renames them."""
    setuptools = PYPROJECT["tool"]["setuptools"]
    assert "package-dir" not in setuptools and "packages" in setuptools
    assert setuptools["packages"] == {"find": {"where": ["src"]}}
    assert (PACKAGE / "py.typed").exists(), "the package claims Typing :: Typed"


@dataclass(frozen=True)
class Dist:
    sdist: Path
    wheel: Path


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    """`python -m build` as a maintainer runs it: the sdist first, then the wheel built from the
    unpacked sdist, so a file the sdist forgets also breaks the wheel."""
    work = tmp_path_factory.mktemp("build")
    source = work / "agenda-mcp"
    shutil.copytree(ROOT, source, ignore=COPY_IGNORE)
    out = work / "dist"
    done = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return Dist(sdist=sdist, wheel=wheel)


@pytest.mark.slow
def test_twine_check_passes(dist: Dist) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(dist.sdist), str(dist.wheel)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2, done.stdout


@pytest.mark.slow
def test_wheel_holds_exactly_the_agenda_mcp_package(dist: Dist) -> None:
    assert dist.wheel.name == f"agenda_mcp-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(dist.wheel) as wheel:
        names = wheel.namelist()
        metadata = wheel.read(f"agenda_mcp-{__version__}.dist-info/METADATA").decode()
        entry_points = wheel.read(f"agenda_mcp-{__version__}.dist-info/entry_points.txt").decode()
    assert {name.split("/")[0] for name in names} == {"agenda_mcp", f"agenda_mcp-{__version__}.dist-info"}
    assert not [name for name in names if set(name.split("/")) & set(NOT_SHIPPED)]

    # Every source file of the product and of each simulator, and nothing besides.
    python = {name for name in names if name.endswith(".py")}
    expected = {
        path.relative_to(PACKAGE.parent).as_posix() for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts
    }
    assert python == expected
    for vendor in (PACKAGE / "tools").iterdir():
        if (vendor / "__init__.py").exists():
            assert f"agenda_mcp/tools/{vendor.name}/sandbox/__init__.py" in names, vendor.name
    assert {"agenda_mcp/server/slots/picker.html", "agenda_mcp/py.typed"} <= set(names)

    assert "License-Expression: MIT" in metadata
    assert "Description-Content-Type: text/markdown" in metadata
    assert "agenda-mcp = agenda_mcp.server.startup.cli:main" in entry_points


@pytest.mark.slow
def test_sdist_holds_the_sources_and_the_license_not_the_checkout_clutter(dist: Dist) -> None:
    with tarfile.open(dist.sdist) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {
        "pyproject.toml",
        "README.md",
        "LICENSE",
        "src/agenda_mcp/__main__.py",
        "src/agenda_mcp/tools/planaday/client.py",
    } <= names
    assert not [name for name in names if name.split("/")[0] in (".venv", ".git", "build", "dist")]


# -- a fresh virtual environment that already holds `server` and `tools` -------------------------


def _record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def _impostor_wheel(folder: Path) -> Path:
    """A tiny wheel with top-level packages `server` and `tools`, as many projects have. Importing
    either raises, so if agenda-mcp ever imported a generic name again, the commands below fail."""
    files = {
        name: f'raise ImportError("the other project\'s {name.split("/")[0]} package: agenda-mcp must not import it")\n'
        for name in ("server/__init__.py", "tools/__init__.py")
    }
    files["other_project-1.0.dist-info/METADATA"] = "Metadata-Version: 2.1\nName: other-project\nVersion: 1.0\n"
    files["other_project-1.0.dist-info/WHEEL"] = (
        "Wheel-Version: 1.0\nGenerator: tests/test_packaging.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record = [_record_line(name, text.encode()) for name, text in files.items()]
    record.append("other_project-1.0.dist-info/RECORD,,")
    files["other_project-1.0.dist-info/RECORD"] = "\n".join(record) + "\n"
    path = folder / "other_project-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        for name, text in files.items():
            wheel.writestr(name, text)
    return path


@dataclass(frozen=True)
class Venv:
    root: Path
    cwd: Path
    """An empty folder to run from: no checkout on the path."""

    @property
    def bin(self) -> Path:
        return self.root / ("Scripts" if sys.platform == "win32" else "bin")

    def env(self) -> dict[str, str]:
        # No PYTHONPATH and no variables of this run: only what a shell would hand the command.
        return {
            "PATH": f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}",
            "HOME": str(self.cwd),
            "AGENDA_MCP_CACHE_DIR": "off",
        }

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, cwd=self.cwd, env=self.env(), capture_output=True, text=True, timeout=120)


def _pip(python: Path, *args: str) -> None:
    # The running venv's pip drives the fresh one (`--python`), so the new venv needs no ensurepip;
    # pip's own cache and index settings are reused, so dependencies come from what is cached here.
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "--disable-pip-version-check", "install", *args],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


@pytest.fixture(scope="session")
def venv(dist: Dist, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Venv]:
    work = tmp_path_factory.mktemp("fresh")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(work / "venv")], check=True, timeout=120)
    fresh = Venv(root=work / "venv", cwd=work / "elsewhere")
    fresh.cwd.mkdir()
    python = fresh.bin / "python"
    _pip(python, "--no-index", str(_impostor_wheel(work)))
    _pip(python, str(dist.wheel))
    yield fresh


@pytest.mark.slow
def test_installed_command_and_module_report_the_version(venv: Venv) -> None:
    for command in (["agenda-mcp", "--version"], ["python", "-m", "agenda_mcp", "--version"]):
        done = venv.run(str(venv.bin / command[0]), *command[1:])
        assert done.returncode == 0, done.stderr
        assert __version__ in done.stdout, done.stdout


@pytest.mark.slow
def test_the_other_projects_server_and_tools_stay_installed_beside_it(venv: Venv) -> None:
    # Both projects keep their files: agenda-mcp put nothing under the generic names.
    probe = "import importlib.util as u; print(u.find_spec('server').origin); print(u.find_spec('tools').origin)"
    done = venv.run(str(venv.bin / "python"), "-c", probe)
    assert done.returncode == 0, done.stderr
    origins = done.stdout.split()
    assert len(origins) == 2
    for origin in origins:
        assert "site-packages" in origin and "agenda_mcp" not in origin
        assert "the other project" in Path(origin).read_text()


@pytest.mark.slow
@pytest.mark.anyio
async def test_installed_sandbox_lists_the_same_tools_over_stdio(venv: Venv) -> None:
    params = StdioServerParameters(
        command=str(venv.bin / "agenda-mcp"), args=["--sandbox"], env=venv.env(), cwd=str(venv.cwd)
    )
    async with Client(params) as client:
        assert "SANDBOX MODE" in (client.instructions or "")
        installed = {tool.name for tool in (await client.list_tools()).tools}
    async with Client(build_server(Settings(sandbox=True))) as checkout:
        expected = {tool.name for tool in (await checkout.list_tools()).tools}
    # The four names the product owner fixed, and every tool the checkout serves.
    fixed = {"get_bookable_times", "create_planaday_booking", "locaboo_availability", "sp_create_appointment"}
    assert fixed <= installed
    assert installed == expected


# -- the container image's command, without a container engine ------------------------------------


def _namespaces_usable() -> str | None:
    """Why the image's command cannot run as PID 1 here, or None when it can."""
    if sys.platform != "linux" or os.geteuid() != 0:
        return "needs Linux and root to make a PID and network namespace"
    missing = [tool for tool in ("unshare", "nsenter", "ip") if shutil.which(tool) is None]
    if missing:
        return f"needs {', '.join(missing)} (util-linux, iproute2)"
    done = subprocess.run(["unshare", "--pid", "--net", "--fork", "true"], capture_output=True, timeout=30)
    return None if done.returncode == 0 else f"unshare refused: {done.stderr.decode().strip()}"


def _lines(stream: IO[str]) -> queue.Queue[str]:
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in stream], daemon=True).start()
    return lines


def _wait_for(lines: queue.Queue[str], text: str, seconds: float) -> list[str]:
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    while not any(text in line for line in seen):
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no {text!r} within {seconds} s:\n" + "".join(seen)
        try:
            seen.append(lines.get(timeout=remaining))
        except queue.Empty:
            continue
    return seen


@pytest.mark.slow
def test_the_images_command_needs_its_token_serves_health_as_pid_1_and_stops_on_sigterm(venv: Venv) -> None:
    """The Dockerfile's CMD and HEALTHCHECK, read from the Dockerfile, run against the installed wheel
    the way a container runs them: the command as PID 1 of its own PID namespace, in its own network
    namespace (so port 8000 is its own), SIGTERM sent to PID 1 as `docker stop` does."""
    command, health = image_command(), healthcheck_command()

    # Without the token and allowed hosts the image refuses to start on 0.0.0.0.
    refused = venv.run(*command)
    assert refused.returncode != 0 and "AGENDA_MCP_HTTP_TOKEN" in refused.stderr, refused.stderr

    reason = _namespaces_usable()
    if reason:
        pytest.skip(f"the image's command as PID 1: {reason}")
    env = venv.env() | {
        "AGENDA_MCP_HTTP_TOKEN": "container-test-token-0123456789",
        "AGENDA_MCP_ALLOWED_HOSTS": "agenda.example.com",
        "AGENDA_MCP_SANDBOX": "1",
    }
    # `exec` hands PID 1 to the command itself, as the exec-form CMD does in a container.
    wrapper = ["unshare", "--pid", "--net", "--fork", "--mount-proc"]
    wrapper += ["sh", "-c", 'ip link set lo up && exec "$@"', "sh"]
    server = subprocess.Popen([*wrapper, *command], cwd=venv.cwd, env=env, stderr=subprocess.PIPE, text=True)
    try:
        lines = _lines(server.stderr)  # type: ignore[arg-type]
        _wait_for(lines, "Uvicorn running on http://0.0.0.0:8000", 60)
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        assert len(children) == 1
        pid = int(children[0])
        nspid = [line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("NSpid:")]
        assert nspid[0].split()[-1] == "1", nspid  # agenda-mcp itself is PID 1, no shell above it
        assert "agenda-mcp" in Path(f"/proc/{pid}/cmdline").read_text()

        probe = subprocess.run(
            ["nsenter", f"--net=/proc/{pid}/ns/net", *health], env=env, capture_output=True, text=True, timeout=30
        )
        assert probe.returncode == 0, probe.stderr

        os.kill(pid, signal.SIGTERM)
        # Well inside a 30 s grace period (nothing is in flight). As PID 1 the exit status is 0: the
        # kernel ignores the SIGTERM uvicorn re-raises at PID 1 once it has shut down.
        assert server.wait(timeout=30) in (0, 128 + signal.SIGTERM)
        rest = "".join(_wait_for(lines, "Finished server process", 5))
        assert "Shutting down" in rest or "Finished server process" in rest
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
