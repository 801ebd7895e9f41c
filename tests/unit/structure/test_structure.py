"""The shape of the code base: no import cycle anywhere (lazy imports count: a cycle is a cycle),
the layer never imports the local emulator or the sandbox, the sandbox-only parts of the FaceID
contract stay out of the layer, and no product module is over 250 lines."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from infra.local.template import ROOT

PACKAGES = {"shared": ROOT / "shared", "functions": ROOT, "infra": ROOT, "examples": ROOT, "tests": ROOT}


def modules() -> dict[str, Path]:
    found = {}
    for folder, base in PACKAGES.items():
        for path in (ROOT / folder).rglob("*.py"):
            if "__pycache__" in path.parts:
                continue
            name = ".".join(path.relative_to(base).with_suffix("").parts).removesuffix(".__init__")
            found[name] = path
    return found


def imports(path: Path, known: dict[str, Path]) -> Iterator[str]:
    """The repo's modules `path` imports, anywhere in it."""
    package = ".".join(path.parent.relative_to(ROOT / "shared" if "shared" in path.parts else ROOT).parts)
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name:
                yield name


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: set(imports(path, known)) - {name} for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_there_is_no_import_cycle() -> None:
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_one() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_layer_imports_nothing_of_infra_functions_or_tests() -> None:
    edges = graph()
    layer = {name for name in edges if name.startswith(("faceid_bridge", "faceid_bridge_client"))}
    outside = {(name, target) for name in layer for target in edges[name] if target.split(".")[0] in PACKAGES}
    assert outside == set()


def test_sandbox_only_checks_are_not_in_the_layer() -> None:
    layer = "\n".join(path.read_text() for path in (ROOT / "shared").rglob("*.py"))
    assert "def check_app_sign" not in layer and "class GetTokenRequest" not in layer


# Issue 15's bound on a product module (the layer and the handlers): past it, a module holds more
# than one concern.
MODULE_LINES = 250


def test_no_product_module_is_over_the_bound() -> None:
    product = [*(ROOT / "shared").rglob("*.py"), *(ROOT / "functions").rglob("*.py")]
    over = {
        str(path.relative_to(ROOT)): n for path in product if (n := len(path.read_text().splitlines())) > MODULE_LINES
    }
    assert product and over == {}
