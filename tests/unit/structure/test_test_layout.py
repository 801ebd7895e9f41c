"""The tests are laid out like the code: per layer, a folder per channel, the sandbox's own tests
apart, and no product test reaching into infra/ but through tests/local_stack.py and the conftest.py
fixtures (the bridge to the local stack)."""

from __future__ import annotations

import ast
from pathlib import Path

from infra.local.template import ROOT

TESTS = ROOT / "tests"
CHANNELS = sorted(path.parent.name for path in (ROOT / "shared" / "faceid_bridge" / "channels").glob("*/channel.py"))
# The tests of the product: unit (by layer and channel), integration on moto, end to end, fuzzing.
PRODUCT = [
    *(TESTS / "unit" / layer for layer in ("domain", "contract", "channels", "adapters", "services", "api", "wiring")),
    *(TESTS / "integration" / layer for layer in ("adapters", "channels", "services")),
    TESTS / "e2e",
    TESTS / "browser",
    TESTS / "fuzz",
]
# The tests of what stands the product up: its template, package, generated files, local stack, sandbox.
OF_INFRA = [TESTS / "unit" / "infra", TESTS / "unit" / "generated", TESTS / "unit" / "structure"]
OF_INFRA += [TESTS / "integration" / "infra", TESTS / "sandbox", TESTS / "package"]


def infra_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
        found += [name for name in names if name == "infra" or name.startswith("infra.")]
    return found


def test_no_product_test_imports_infra_but_through_the_local_stack_bridge() -> None:
    reaching = {
        str(path.relative_to(ROOT)): infra_imports(path)
        for folder in PRODUCT
        for path in folder.rglob("*.py")
        if path.name != "conftest.py" and infra_imports(path)
    }
    assert reaching == {}


def test_an_infra_import_anywhere_in_a_module_is_seen(tmp_path: Path) -> None:
    # Given a test module that imports infra lazily, inside a helper
    module = tmp_path / "test_wrong.py"
    module.write_text("def helper():\n    from infra.local.client import LocalClient\n\n    return LocalClient\n")
    # Then the walk finds it
    assert infra_imports(module) == ["infra.local.client"]


def test_every_test_module_is_in_a_layer_folder() -> None:
    folders = PRODUCT + OF_INFRA
    loose = [
        str(path.relative_to(ROOT))
        for path in TESTS.rglob("test_*.py")
        if not any(folder in path.parents for folder in folders)
    ]
    assert loose == []


def test_each_channel_has_its_unit_and_integration_tests() -> None:
    for level in ("unit", "integration"):
        present = sorted(path.parent.name for path in (TESTS / level / "channels").glob("*/__init__.py"))
        assert [channel for channel in CHANNELS if channel not in present] == [], level
