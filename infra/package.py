"""`make package`: `sam build` without Docker, then the checks that what it built is what Lambda runs.

    python -m infra.package            # build into .aws-sam/build and check it

SAM's python3.13 build for arm64 needs a Python 3.13 on PATH (pyenv's here) and downloads arm64
wheels. sam build ships sources only, and Lambda's /opt is read-only: without bytecode in the
package every cold start compiles every module. So the build is then compiled by that Python 3.13,
with unchecked-hash .pyc files (never revalidated against their sources at import). The checks:
every function's artifact holds its handler, the layer holds python/faceid_bridge and its
dependencies, every compiled library in the layer is an aarch64 ELF from an aarch64 wheel (never
x86_64), and every module of the layer and of every function has its current 3.13 bytecode.
`fresh()` says whether the build was made from the
sources as they are, so a test of the packaged artifacts fails on a stale build instead of testing old code.

An x86_64 machine cannot load the layer's aarch64 libraries, so `x86_64_twin()` builds the layer's
own requirements.txt a second time for x86_64 around the packaged faceid_bridge (pure Python,
copied as built), and checks that the twin holds the same distributions at the same versions.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from infra.local.template import ROOT, load

BUILD_DIR = ROOT / ".aws-sam" / "build"
LAYER = "SharedLayer"
SAM = ROOT / ".venv-sam" / "bin" / "sam"
SOURCES_STAMP = "faceid-bridge-sources.sha256"
ELF_MACHINES = {183: "aarch64", 62: "x86_64"}  # e_machine, at byte 18 of an ELF header
# The python3.13 runtime's own AWS SDK: a second copy in the layer would shadow it and cost cold start.
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer"})


def python313() -> Path:
    """The Python 3.13 SAM's python3.13 workflow runs pip with."""
    found = subprocess.run([ROOT / "infra" / "find-python.sh"], capture_output=True, text=True, check=True)
    python = Path(found.stdout.strip())
    version = subprocess.run([python, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True)
    if version.stdout.strip() != "(3, 13)":
        raise SystemExit(f"sam build for python3.13 needs Python 3.13 on PATH (found {python}): pyenv install 3.13")
    return python


def build(build_dir: Path = BUILD_DIR) -> None:
    digest = sources_digest()  # of the sources as they were when the build started
    path = f"{python313().parent}{os.pathsep}{os.environ.get('PATH', '')}"
    subprocess.run(
        [SAM, "build", "--build-dir", build_dir, "--region", "us-east-1"],
        cwd=ROOT,
        # Exactly what shared/requirements.txt pins (its own lock): none of what they name beyond it,
        # such as aws-xray-sdk's botocore, which the runtime provides.
        env=os.environ | {"PATH": path, "SAM_CLI_TELEMETRY": "0", "PIP_NO_DEPS": "1"},
        check=True,
    )
    compile_bytecode(build_dir)
    (build_dir / SOURCES_STAMP).write_text(digest)


def artifacts(build_dir: Path) -> dict[Path, str]:
    """Each built code directory, and where Lambda puts it (the layer's python/ lands in /opt)."""
    built = load(build_dir / "template.yaml")["Resources"]
    dirs = {build_dir / LAYER: "/opt"}
    for resource in built.values():
        if resource["Type"] == "AWS::Serverless::Function":
            dirs[build_dir / resource["Properties"]["CodeUri"]] = "/var/task"
    return dirs


def compile_bytecode(build_dir: Path) -> None:
    """Every module's .pyc in its __pycache__, by Lambda's Python version, with the paths it will
    have in Lambda (for tracebacks)."""
    for directory, lambda_path in artifacts(build_dir).items():
        compile_directory(directory, lambda_path)


def compile_directory(directory: Path, lambda_path: str) -> None:
    subprocess.run(
        [
            *(python313(), "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash"),
            *("-s", directory, "-p", lambda_path, directory),
        ],
        check=True,
    )


def elf_machine(path: Path) -> str:
    with path.open("rb") as handle:
        header = handle.read(20)
    if header[:4] != b"\x7fELF":
        return "not ELF"
    return ELF_MACHINES.get(int.from_bytes(header[18:20], "little"), "other")


def wheel_tags(site: Path) -> dict[str, list[str]]:
    """Each installed distribution's wheel tags, from its dist-info/WHEEL."""
    tags = {}
    for wheel in site.glob("*.dist-info/WHEEL"):
        lines = wheel.read_text().splitlines()
        tags[wheel.parent.name] = [line.split(":", 1)[1].strip() for line in lines if line.startswith("Tag:")]
    return tags


def sources_digest() -> str:
    """A digest of everything `sam build` builds from."""
    files = [ROOT / "template.yaml", ROOT / "shared" / "requirements.txt"]
    files += sorted((ROOT / "shared" / "faceid_bridge").rglob("*.py")) + sorted((ROOT / "functions").rglob("*.py"))
    sha = hashlib.sha256()
    for file in files:
        sha.update(str(file.relative_to(ROOT)).encode() + b"\0" + file.read_bytes())
    return sha.hexdigest()


def fresh(build_dir: Path = BUILD_DIR) -> bool:
    """Whether the build was made from the sources as they are now."""
    stamp = build_dir / SOURCES_STAMP
    return stamp.is_file() and stamp.read_text() == sources_digest()


def check(build_dir: Path = BUILD_DIR) -> list[str]:
    """What is wrong with a build for Lambda's python3.13 on arm64 (empty when nothing is)."""
    problems = []
    built = load(build_dir / "template.yaml")["Resources"]
    for name, resource in built.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        module, _, function = resource["Properties"]["Handler"].rpartition(".")
        source = build_dir / resource["Properties"]["CodeUri"] / f"{module}.py"
        if not source.is_file() or f"def {function}(" not in source.read_text():
            problems.append(f"{name}: no {module}.{function} in its artifact")
    site = build_dir / LAYER / "python"
    if not (site / "faceid_bridge" / "__init__.py").is_file():
        problems.append(f"{LAYER}: no python/faceid_bridge")
    for provided in sorted(name for name in RUNTIME_PROVIDED if (site / name).exists()):
        problems.append(f"{LAYER}: holds {provided}, which the Lambda runtime provides")
    libraries = list(site.rglob("*.so"))
    if not any(library.parent.name == "pydantic_core" for library in libraries):
        problems.append(f"{LAYER}: no compiled pydantic_core")
    for library in libraries:
        if elf_machine(library) != "aarch64":
            problems.append(f"{LAYER}: {library.relative_to(site)} is {elf_machine(library)}")
    for dist, tags in wheel_tags(site).items():
        platforms = {tag.rsplit("-", 1)[1] for tag in tags}
        if platforms != {"any"} and not all("aarch64" in platform for platform in platforms):
            problems.append(f"{LAYER}: {dist} was built from a {', '.join(sorted(platforms))} wheel")
    return problems + bytecode_check(build_dir)


def bytecode_check(build_dir: Path) -> list[str]:
    """infra.bytecode's problems for every artifact, run by Python 3.13 itself (a .pyc's header and
    source hash are the interpreter's own)."""
    directories = [str(directory.relative_to(build_dir)) for directory in artifacts(build_dir)]
    found = subprocess.run(
        [python313(), "-m", "infra.bytecode", *directories],
        cwd=build_dir,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    return [f"bytecode: {line}" for line in found.stdout.splitlines()]


def x86_64_twin(build_dir: Path, dest: Path) -> Path:
    """The packaged layer's python/ with its dependencies built again for x86_64 (see module doc)."""
    site = dest / "python"
    shutil.rmtree(dest, ignore_errors=True)
    layer = build_dir / LAYER / "python"
    shutil.copytree(layer / "faceid_bridge", site / "faceid_bridge")
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "install", "-q", "--target", site, "--only-binary=:all:"),
            *("--platform", "manylinux2014_x86_64", "--python-version", "3.13", "--implementation", "cp"),
            *("-r", layer / "requirements.txt", "--no-compile", "--no-deps"),  # as build() does
        ],
        check=True,
    )
    compile_directory(dest, "/opt")  # as the packaged layer is
    if sorted(wheel_tags(site)) != sorted(wheel_tags(layer)):
        raise RuntimeError(f"the x86_64 twin's distributions differ: {sorted(wheel_tags(site))}")
    return site


def main() -> None:
    build()
    problems = check()
    site = BUILD_DIR / LAYER / "python"
    print(f"\n{'artifact':<72} {'check'}")
    for name, tags in sorted(wheel_tags(site).items()):
        print(f"{LAYER + '/' + name:<72} {', '.join(tags)}")
    for library in sorted(site.rglob("*.so")):
        print(f"{LAYER + '/' + str(library.relative_to(site)):<72} {elf_machine(library)}")
    for problem in problems:
        print(f"PROBLEM  {problem}")
    if problems:
        raise SystemExit(1)
    print(f"package OK: {BUILD_DIR.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
