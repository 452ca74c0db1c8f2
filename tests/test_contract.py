"""Every vendor package offers the whole vendor contract (src/agenda_mcp/server/kit/contract.py),
in the same shape: the recipe in CONTRIBUTING.md for a fifth vendor, checked. A missing part fails
with its name."""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path

import pytest

from agenda_mcp.server.kit.contract import VendorContractError, VendorSpec
from agenda_mcp.server.kit.toolkit import VendorTools
from agenda_mcp.server.startup.registry import VENDOR_NAMES, load_vendor

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "agenda_mcp" / "tools"
FILES = (
    "__init__.py",
    "client.py",
    "models.py",
    "tools.py",
    "prompts.py",
    "demo.py",
    "sandbox/__init__.py",
    "sandbox/app.py",
    "sandbox/state.py",
    "sandbox/data.py",
)
"""What CONTRIBUTING.md's recipe makes (slots.py only for a vendor with availability)."""


def missing_parts(spec: VendorSpec, packages: Path = PACKAGE, tests: Path = ROOT / "tests") -> list[str]:
    """Every part of the contract the vendor lacks, by name."""
    folder = packages / spec.name
    missing = [f"tools/{spec.name}/{name}" for name in FILES if not (folder / name).exists()]
    for check in (spec.client, spec.sandbox, spec.demo, lambda: spec.prompts(set())):
        try:
            check()
        except VendorContractError as exc:
            missing.append(str(exc))
    slots = folder / "slots.py"
    if slots.exists():
        try:
            spec.slots()
        except VendorContractError as exc:
            missing.append(str(exc))
    tools = importlib.import_module(f"{spec.package}.tools")
    classes = [
        c for _, c in inspect.getmembers(tools, inspect.isclass) if issubclass(c, VendorTools) and c is not VendorTools
    ]
    if len(classes) != 1 or not classes[0].__name__.endswith("Tools") or not classes[0].marks():
        missing.append(f"tools/{spec.name}/tools.py: one <Vendor>Tools(VendorTools) class with marked tools")
    if not (tests / spec.name / "__init__.py").exists():
        missing.append(f"tests/{spec.name}/ (a test package)")
    return missing


@pytest.mark.parametrize("vendor", VENDOR_NAMES)
def test_every_vendor_offers_the_whole_contract(vendor: str) -> None:
    spec = load_vendor(vendor)
    assert spec.name == vendor and spec.title and spec.credential_env and spec.base_url_env
    assert missing_parts(spec) == []


def test_a_vendor_missing_a_part_is_told_which(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new vendor started from a copy with its sandbox and demo left out: each gap is named."""
    package = tmp_path / "halfvendor"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "client.py").write_text("def connection(env): ...\n")
    (package / "prompts.py").write_text("PROMPTS = []\n")
    (package / "tools.py").write_text(
        "from agenda_mcp.server.kit import VendorTools\n\nclass HalfTools(VendorTools):\n    pass\n\n"
        "def register(kit):\n    kit.add(HalfTools(kit))\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    spec = VendorSpec(name="halfvendor", title="Half", package="halfvendor", credential_env=("X",), base_url_env="X")
    try:
        named = " | ".join(missing_parts(spec, packages=tmp_path, tests=tmp_path))
    finally:
        for name in [n for n in sys.modules if n == "halfvendor" or n.startswith("halfvendor.")]:
            del sys.modules[name]
    for part in (
        "sandbox/app.py",
        "sandbox/state.py",
        "demo.py",
        "models.py",
        "has no sandbox module",
        "has no demo module",
    ):
        assert part in named, named
    assert "one <Vendor>Tools(VendorTools) class with marked tools" in named  # HalfTools has no tools
