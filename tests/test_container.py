"""The Dockerfile's promises that can be checked without building it (no container engine can run
on these machines; tests/test_packaging.py runs the image's own CMD and HEALTHCHECK against the
installed wheel, as PID 1 of a fresh PID namespace, to check the rest).

Promised: a slim Python base pinned to a patch version, the package installed from the wheel a
builder stage made (not from the source tree), CA certificates, a non-root user, `--transport http`
on 0.0.0.0:8000 in exec form so SIGTERM reaches the server, a HEALTHCHECK on /healthz without curl,
and no secret baked into the image."""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
DOCKERIGNORE = [
    line.strip()
    for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]


@dataclass(frozen=True)
class Instruction:
    keyword: str
    value: str

    def exec_form(self) -> list[str] | None:
        """The JSON array of an exec-form CMD/ENTRYPOINT/HEALTHCHECK CMD, or None for shell form."""
        value = self.value.split(" CMD ", 1)[1] if self.keyword == "HEALTHCHECK" else self.value
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            return None
        return parsed if isinstance(parsed, list) and all(isinstance(part, str) for part in parsed) else None


def parse(text: str) -> list[list[Instruction]]:
    """Instructions grouped by stage (index 0: what comes before the first FROM), with line
    continuations joined and comments dropped."""
    logical: list[str] = []
    pending = ""
    for line in text.splitlines():
        if line.lstrip().startswith("#") or (not line.strip() and not pending):
            continue
        pending += line.rstrip().removesuffix("\\").strip() + " "
        if not line.rstrip().endswith("\\"):
            logical.append(pending.strip())
            pending = ""
    stages: list[list[Instruction]] = [[]]
    for line in logical:
        keyword, _, value = line.partition(" ")
        if keyword.upper() == "FROM":
            stages.append([])
        stages[-1].append(Instruction(keyword.upper(), value.strip()))
    return stages


STAGES = parse(DOCKERFILE)
FINAL = STAGES[-1]


def only(stage: list[Instruction], keyword: str) -> Instruction:
    (found,) = [instruction for instruction in stage if instruction.keyword == keyword]
    return found


def image_command() -> list[str]:
    command = only(FINAL, "CMD").exec_form()
    assert command is not None
    return command


def healthcheck_command() -> list[str]:
    command = only(FINAL, "HEALTHCHECK").exec_form()
    assert command is not None
    return command


def test_base_is_a_slim_python_3_11_pinned_to_a_patch_version() -> None:
    args = dict(arg.value.split("=", 1) for arg in STAGES[0] if arg.keyword == "ARG" and "=" in arg.value)
    bases = [only(stage, "FROM").value.split()[0] for stage in STAGES[1:]]
    assert len(bases) == 2, "a builder stage and the runtime stage"
    for base in bases:
        image = args.get(base.strip("${}"), base) if base.startswith("$") else base
        assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm", image), image


def test_runtime_installs_the_wheel_built_in_the_builder_stage_not_the_source_tree() -> None:
    builder = STAGES[1]
    assert only(builder, "FROM").value.endswith(" AS builder")
    assert any(re.search(r"python -m build --wheel --outdir /dist", i.value) for i in builder if i.keyword == "RUN")
    copies = [i.value for i in FINAL if i.keyword in ("COPY", "ADD")]
    assert copies == ["--from=builder /dist/ /tmp/dist/"], copies  # nothing of the checkout itself
    installs = [i.value for i in FINAL if i.keyword == "RUN" and "pip install" in i.value]
    assert len(installs) == 1 and re.search(r"/tmp/dist/agenda_mcp-\*\.whl\)\[team\]", installs[0]), installs


def test_runtime_has_ca_certificates_and_runs_as_a_non_root_user() -> None:
    runs = " ".join(i.value for i in FINAL if i.keyword == "RUN")
    assert re.search(r"apt-get install [^&]*\bca-certificates\b", runs)
    users = [i.value for i in FINAL if i.keyword == "USER"]
    assert users, "the image would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0") and user.isdigit(), "numeric, so runAsNonRoot can be verified"
    assert re.search(rf"useradd [^&]*--uid {user}\b", runs)
    # After USER nothing may need root again.
    after = FINAL[FINAL.index(only(FINAL, "USER")) :]
    assert not [i for i in after if i.keyword == "RUN"]


def test_command_serves_http_on_all_interfaces_in_exec_form() -> None:
    assert image_command() == ["agenda-mcp", "--transport", "http", "--host", "0.0.0.0", "--port", "8000"]
    # A shell in between (shell form, or an ENTRYPOINT wrapper) would swallow SIGTERM.
    assert not [i for i in FINAL if i.keyword == "ENTRYPOINT"]
    assert only(FINAL, "STOPSIGNAL").value == "SIGTERM"
    assert only(FINAL, "EXPOSE").value == "8000"


def test_healthcheck_asks_healthz_with_python_not_curl() -> None:
    command = healthcheck_command()
    assert command[:2] == ["python", "-c"]
    assert "http://127.0.0.1:8000/healthz" in command[2]
    instructions = " ".join(i.value for stage in STAGES for i in stage)
    assert "curl" not in instructions and "wget" not in instructions
    compile(command[2], "HEALTHCHECK", "exec")  # the probe is valid Python


def test_no_secret_is_baked_into_the_image() -> None:
    secret = re.compile(r"(TOKEN|SECRET|_KEY|PASSWORD)\b")
    for stage in STAGES:
        for instruction in stage:
            if instruction.keyword in ("ENV", "ARG", "LABEL"):
                assert not secret.search(instruction.value), instruction
    # The token and allowed hosts are required at run time, so the command carries neither.
    assert not [part for part in image_command() if secret.search(part) or "ALLOWED_HOSTS" in part]
    for pattern in (".env", "*.env", ".git", ".venv", "tests", "bench"):
        assert pattern in DOCKERIGNORE, pattern


def test_every_file_the_build_copies_is_in_the_context() -> None:
    for instruction in STAGES[1]:
        if instruction.keyword == "COPY" and "--from" not in instruction.value:
            *sources, _target = shlex.split(instruction.value)
            for source in sources:
                assert (ROOT / source).exists(), source
                assert not any(fnmatch.fnmatch(source.rstrip("/"), pattern) for pattern in DOCKERIGNORE), source
