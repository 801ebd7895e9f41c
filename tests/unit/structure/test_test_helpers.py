"""The tests build a Verification in one place, tests/support.py's `make_verification`: a new
required field is added there once, not in every test module that needed a record."""

from __future__ import annotations

import ast
from pathlib import Path

from infra.local.template import ROOT

TESTS = ROOT / "tests"
BUILDER = TESTS / "support.py"


def verification_constructions(path: Path) -> list[int]:
    """The lines of `path` that call the Verification model's constructor."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and (getattr(node.func, "id", None) == "Verification" or getattr(node.func, "attr", None) == "Verification")
    ]


def test_only_the_shared_builder_constructs_a_verification() -> None:
    building = {
        str(path.relative_to(ROOT)): lines
        for path in TESTS.rglob("*.py")
        if path != BUILDER and (lines := verification_constructions(path))
    }
    assert building == {}
    assert verification_constructions(BUILDER)


def test_a_construction_anywhere_in_a_module_is_seen(tmp_path: Path) -> None:
    # Given a test module that builds a record inside a helper, by either spelling
    module = tmp_path / "test_wrong.py"
    module.write_text(
        "from faceid_bridge.domain import verification\n"
        "from faceid_bridge.domain.verification import Verification\n\n"
        "def helper():\n    return Verification(verification_id='v'), verification.Verification()\n"
    )
    # Then the walk finds both
    assert verification_constructions(module) == [5, 5]
