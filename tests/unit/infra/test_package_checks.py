"""`make package`'s checks, on small synthetic builds: a build for x86_64, one missing its handler
or its faceid_bridge, or one without its current bytecode, must be refused."""

from __future__ import annotations

import py_compile
from collections.abc import Callable
from pathlib import Path

import pytest

from infra import package


def elf(machine: int) -> bytes:
    return b"\x7fELF" + b"\0" * 14 + machine.to_bytes(2, "little") + b"\0" * 44


def synthetic_build(root: Path, *, machine: int = 183, wheel_tag: str = "cp313-cp313-manylinux_2_17_aarch64") -> Path:
    (root / "Fn").mkdir(parents=True)
    (root / "Fn" / "app.py").write_text("def lambda_handler(event, context):\n    return {}\n")
    site = root / package.LAYER / "python"
    (site / "faceid_bridge").mkdir(parents=True)
    (site / "faceid_bridge" / "__init__.py").write_text("")
    (site / "pydantic_core").mkdir()
    (site / "pydantic_core" / "_pydantic_core.cpython-313.so").write_bytes(elf(machine))
    (site / "pydantic_core-2.0.dist-info").mkdir()
    (site / "pydantic_core-2.0.dist-info" / "WHEEL").write_text(f"Wheel-Version: 1.0\nTag: {wheel_tag}\n")
    (root / "template.yaml").write_text(
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
        "    Properties: {CodeUri: Fn, Handler: app.lambda_handler}\n"
    )
    package.compile_bytecode(root)
    return root


def test_an_arm64_build_passes(tmp_path: Path) -> None:
    # Given a build with its handler, faceid_bridge and an aarch64 pydantic_core; Then nothing is wrong
    assert package.check(synthetic_build(tmp_path)) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"machine": 62}, "is x86_64"),
        ({"wheel_tag": "cp313-cp313-manylinux_2_17_x86_64"}, "from a manylinux_2_17_x86_64 wheel"),
    ],
)
def test_an_x86_64_library_or_wheel_is_refused(tmp_path: Path, change: dict[str, object], problem: str) -> None:
    # Given a build whose compiled library or wheel is for x86_64
    problems = package.check(synthetic_build(tmp_path, **change))  # type: ignore[arg-type]
    # Then the check names it
    assert any(problem in line for line in problems), problems


def test_a_missing_handler_or_package_is_refused(tmp_path: Path) -> None:
    build = synthetic_build(tmp_path)
    (build / "Fn" / "app.py").write_text("def other():\n    pass\n")
    (build / package.LAYER / "python" / "faceid_bridge" / "__init__.py").unlink()
    package.compile_bytecode(build)
    assert package.check(build) == ["Fn: no app.lambda_handler in its artifact", "SharedLayer: no python/faceid_bridge"]


@pytest.mark.parametrize("sdk", sorted(package.RUNTIME_PROVIDED))
def test_a_layer_holding_the_runtimes_aws_sdk_is_refused(tmp_path: Path, sdk: str) -> None:
    # Given a build whose layer holds a copy of the AWS SDK (what aws-xray-sdk would pull in)
    build = synthetic_build(tmp_path)
    (build / package.LAYER / "python" / sdk).mkdir()
    (build / package.LAYER / "python" / sdk / "__init__.py").write_text("")
    package.compile_bytecode(build)
    # Then the check names it
    assert f"{package.LAYER}: holds {sdk}, which the Lambda runtime provides" in package.check(build)


def test_elf_machine_reads_the_header(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(elf(183))
    (tmp_path / "b").write_bytes(b"#!/bin/sh\n")
    assert [package.elf_machine(tmp_path / name) for name in "ab"] == ["aarch64", "not ELF"]


def pyc_of(source: Path) -> Path:
    return source.parent / "__pycache__" / f"{source.stem}.cpython-313.pyc"


def test_the_build_ships_unchecked_hash_bytecode_with_lambdas_paths(tmp_path: Path) -> None:
    build = synthetic_build(tmp_path)
    pyc = pyc_of(build / "Fn" / "app.py").read_bytes()
    # Then the .pyc is hash-based and never checked against its source (flags 0b01), and its code
    # names the file where Lambda will have it
    assert int.from_bytes(pyc[4:8], "little") == 1
    assert b"/var/task/app.py" in pyc


@pytest.mark.parametrize(
    ("spoil", "problem"),
    [
        (lambda source: pyc_of(source).unlink(), "Fn/app.py: no cpython-313 bytecode"),
        (lambda source: source.write_text(source.read_text() + "# changed\n"), "Fn/app.py: stale bytecode"),
        (
            lambda source: py_compile.compile(str(source), str(pyc_of(source))),  # timestamp-based
            "Fn/app.py: bytecode is not unchecked-hash cpython-313",
        ),
    ],
    ids=["missing", "stale", "timestamp"],
)
def test_missing_stale_or_revalidated_bytecode_is_refused(
    tmp_path: Path, spoil: Callable[[Path], object], problem: str
) -> None:
    # Given a build whose handler's bytecode is missing, older than its source, or checked at import
    build = synthetic_build(tmp_path)
    spoil(build / "Fn" / "app.py")
    # Then the check names it
    assert package.check(build) == [f"bytecode: {problem}"]
