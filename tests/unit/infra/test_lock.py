"""The lock files pin what the requirements name, at the same versions, and the layer's
requirements (its own lock, sam build reads nothing else) agree with the dev lock."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from infra.local.template import ROOT

PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==(\S+)", re.MULTILINE)


def pins(path: Path) -> dict[str, str]:
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in PIN.findall(path.read_text())}


@pytest.mark.parametrize(
    ("requirements", "lock"),
    [
        ("requirements-dev.txt", "requirements.lock"),
        ("shared/requirements.txt", "requirements.lock"),
        ("requirements-sam.txt", "requirements-sam.lock"),
    ],
)
def test_every_pinned_requirement_is_locked_at_its_version(requirements: str, lock: str) -> None:
    wanted, locked = pins(ROOT / requirements), pins(ROOT / lock)
    assert wanted, f"{requirements} pins nothing"
    assert {name: version for name, version in wanted.items() if locked.get(name) != version} == {}


def test_the_layer_is_fully_pinned() -> None:
    # Every line of the layer's requirements is an exact pin (sam build has no constraints file)
    lines = [line.strip() for line in (ROOT / "shared" / "requirements.txt").read_text().splitlines()]
    requirements = [line for line in lines if line and not line.startswith("#")]
    assert requirements and all(PIN.match(line) for line in requirements)


def test_pre_commit_runs_what_make_lint_runs() -> None:
    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"]
    entries = {hook["entry"].replace(" --force-exclude", "") for hook in hooks}
    makefile = (ROOT / "Makefile").read_text()
    lint = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert {"$(VENV)/bin/ruff check .", "$(VENV)/bin/ruff format --check .", "$(VENV)/bin/mypy"} <= set(
        lint.replace("\t", "").splitlines()
    )
    assert entries == {".venv/bin/ruff check", ".venv/bin/ruff format --check", ".venv/bin/mypy", "make lint-templates"}
    assert "lint-templates" in lint.splitlines()[0]
