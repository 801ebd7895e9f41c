"""`make mutation`: mutation testing of the pure core with the unit tests alone (issue 18).

    python -m infra.mutation            # a score per module; exit 1 if one is under THRESHOLD

mutmut 3 changes each function of the modules below in small ways (a mutant), runs the unit tests
that reach it, and counts the mutants no test notices. It names a mutant after its file's path with
a leading `src/` dropped, and imports the mutated copy from `mutants/src`, while this repository
imports the layer from shared/ (PYTHONPATH=shared:.). So it runs in a staging copy, .local/mutation,
where shared/ is src/, beside the tests and what they read (infra/, events/).

The run fails when a module's score is under THRESHOLD; when a mutant listed as equivalent in
infra/mutation_equivalents.txt is no longer there (its function changed) or is killed (it was not
equivalent); or when a hand mutant survives. Hand mutants change what mutmut never touches (the
module-level tables and constants, and the models' field declarations): each is applied to a copy
of the layer, and the unit tests must fail on it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from infra.local.template import ROOT

STAGE = ROOT / ".local" / "mutation"
EQUIVALENTS = ROOT / "infra" / "mutation_equivalents.txt"
THRESHOLD = 95.0

# The pure core (paths under shared/faceid_bridge). Not domain/verification.py: it draws random ids
# and reads the clock. Not faceid/common.py: its field validators are not yet covered (see README).
MODULES = (
    "domain/lifecycle.py",
    "domain/decision.py",
    "domain/redirects.py",
    "domain/secret_rotation.py",
    "domain/biz_no.py",
    "domain/events.py",
    "domain/changes.py",
    "domain/replay.py",
    "domain/webhook_signature.py",
    "bounded_json.py",
    "channels/h5_lite/contract.py",
    "channels/h5_lite/evaluator.py",
    "channels/app_sdk/contract.py",
    "channels/app_sdk/evaluator.py",
    "channels/h5_raw/contract.py",
    "channels/h5_raw/evaluator.py",
    "faceid/calls.py",
)
# The unit tests of the pure core: they need no file of the repository beyond what is staged.
TESTS = (
    "domain/test_lifecycle.py",
    "domain/test_changes.py",
    "domain/test_replay.py",
    "domain/test_webhooks.py",
    "services/test_listing.py",
    "domain/test_faceid_secret.py",
    "domain/test_biz_no.py",
    "channels/h5_lite/test_evaluator.py",
    "channels/h5_lite/test_callback_tolerance.py",
    "channels/h5_lite/test_signatures_and_redirects.py",
    "channels/h5_lite/test_get_token_rules.py",
    "channels/app_sdk/test_evaluator.py",
    "channels/app_sdk/test_app_sign.py",
    "channels/app_sdk/test_contract_rules.py",
    "channels/h5_raw/test_evaluator.py",
    "channels/h5_raw/test_contract_rules.py",
    "contract/test_bounded_json.py",
    "contract/test_faceid_calls.py",
    "generated/test_event_contract.py",
    "api/test_client_and_parse_event.py",
)
STAGED = ("infra", "events", "tests/__init__.py", "tests/support.py", "tests/fixtures", "tests/unit/__init__.py")
# mutmut runs pytest once per mutant, in a process forked from one that has run every test once: what
# pytest does at each start and end, more than the tests, is what a mutant costs. What these leave out
# never decides a run's outcome, only its speed: the cache (unused), the unraisable-exception hook (it
# collects the whole heap twice at each end, and only ever warns), pytest-xdist (not used here), and
# assertion rewriting (it words a failed assert's message; the assert fails without it all the same).
PYTEST_ARGS = ["-p", "no:cacheprovider", "-p", "no:unraisableexception", "-p", "no:xdist", "--assert=plain"]
KILLED = frozenset({1, 3, 24, -24, 36, 152, 255, -9, -11})  # mutmut's exit codes for killed, timeout, crash


@dataclass(frozen=True)
class HandMutant:
    module: str  # under shared/faceid_bridge
    original: str
    mutated: str
    tests: tuple[str, ...]  # the unit tests (of TESTS) that must fail on it


HAND_MUTANTS = (
    HandMutant("domain/biz_no.py", "BIZ_NO_MAX_BYTES = 128", "BIZ_NO_MAX_BYTES = 129", ("domain/test_biz_no.py",)),
    HandMutant("domain/biz_no.py", "BIZ_NO_MAX_BYTES = 128", "BIZ_NO_MAX_BYTES = 127", ("domain/test_biz_no.py",)),
    HandMutant("bounded_json.py", "MAX_DEPTH = 32", "MAX_DEPTH = 33", ("contract/test_bounded_json.py",)),
    HandMutant("bounded_json.py", "MAX_DEPTH = 32", "MAX_DEPTH = 31", ("contract/test_bounded_json.py",)),
    # A string's end found at an escaped quote; brackets counted only when opening
    HandMutant("bounded_json.py", """r'"(?:[^"\\\\]|\\\\.)*"'""", """r'"[^"]*"'""", ("contract/test_bounded_json.py",)),
    HandMutant("bounded_json.py", 'r"[^\\[\\]{}]+"', 'r"[^\\[{]+"', ("contract/test_bounded_json.py",)),
    HandMutant(
        "domain/decision.py",
        '{"DATA_SOURCE_ERROR", "INTERNAL_ERROR"}',
        '{"DATA_SOURCE_ERROR"}',
        ("channels/h5_lite/test_evaluator.py",),
    ),
    HandMutant(
        "channels/h5_raw/evaluator.py",
        '{"MASK", "SCREEN_REPLAY", "FACEGEN"}',
        '{"MASK", "SCREEN_REPLAY"}',
        ("channels/h5_raw/test_evaluator.py",),
    ),
    HandMutant(
        "channels/app_sdk/evaluator.py",
        '"USER_TIMEOUT": Status.TIMEOUT',
        '"USER_TIMEOUT": Status.CANCELLED',
        ("channels/app_sdk/test_evaluator.py",),
    ),
    HandMutant(
        "channels/app_sdk/evaluator.py",
        '{"DATA_SOURCE_ERROR", "VIDEO_LACK_FRAMES"}',
        '{"DATA_SOURCE_ERROR"}',
        ("channels/app_sdk/test_evaluator.py",),
    ),
    HandMutant("domain/lifecycle.py", "Status.PROCESSING: 1}", "Status.PROCESSING: 0}", ("domain/test_lifecycle.py",)),
    HandMutant(
        "domain/secret_rotation.py",
        '{"previous_api_secret", "previous_valid_until"}',
        '{"previous_api_secret"}',
        ("channels/h5_lite/test_signatures_and_redirects.py",),
    ),
    # notes §4: a missing result_code must never read as a pass
    HandMutant(
        "channels/app_sdk/contract.py",
        "    result_code: int\n",
        "    result_code: int = 1000\n",
        ("channels/app_sdk/test_evaluator.py",),
    ),
    HandMutant(
        "channels/h5_lite/contract.py",
        '("synthetic_face", "mask", "screen_replay")',
        '("synthetic_face", "mask")',
        ("channels/h5_lite/test_evaluator.py",),
    ),
)


def stage() -> None:
    """A fresh staging copy: shared/ as src/, the selected unit tests, what they read, mutmut's config."""
    shutil.rmtree(STAGE, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "shared", STAGE / "src", ignore=ignore)
    for name in STAGED:
        source, target = ROOT / name, STAGE / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=ignore)
        else:
            shutil.copy2(source, target)
    for test in TESTS:  # each with the __init__.py of every folder down to it
        source = ROOT / "tests" / "unit" / test
        for folder in source.relative_to(ROOT / "tests" / "unit").parents:
            init = Path("tests") / "unit" / folder / "__init__.py"
            (STAGE / init).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / init, STAGE / init)
        shutil.copy2(source, STAGE / "tests" / "unit" / test)
    (STAGE / "pyproject.toml").write_text(
        "[tool.mutmut]\n"
        'source_paths = ["src"]\n'
        f"only_mutate = {json.dumps([f'src/faceid_bridge/{module}' for module in MODULES])}\n"
        'also_copy = ["infra", "events"]\n'
        f"pytest_add_cli_args_test_selection = {json.dumps([f'tests/unit/{test}' for test in TESTS])}\n"
        f"pytest_add_cli_args = {json.dumps(PYTEST_ARGS)}\n"
        "use_git_change_detection = false\n\n"
        "[tool.pytest.ini_options]\n"
        'addopts = "-q --strict-markers"\n'
    )


def run_mutmut() -> None:
    log = STAGE / "mutmut.log"
    command = [sys.executable, "-m", "mutmut", "run", "--max-children", str(os.cpu_count() or 1)]
    with log.open("w") as out:
        done = subprocess.run(command, cwd=STAGE, stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        print(log.read_text()[-4000:])
        sys.exit(f"mutmut failed ({done.returncode}); its log: {log}")


def exit_codes(module: str) -> dict[str, int | None]:
    meta = STAGE / "mutants" / "src" / "faceid_bridge" / f"{module}.meta"
    codes: dict[str, int | None] = json.loads(meta.read_text())["exit_code_by_key"]
    return codes


def module_of(mutant: str) -> str:
    dotted = mutant.partition("__mutmut_")[0].rsplit(".", 1)[0].removeprefix("faceid_bridge.")
    return dotted.replace(".", "/") + ".py"


@dataclass(frozen=True)
class Equivalent:
    mutant: str
    change: str  # text of the mutated line, so that a renumbered mutant does not pass for this one
    reason: str


def equivalents() -> list[Equivalent]:
    """infra/mutation_equivalents.txt: `<mutant>: <text of the mutated line>  # <why it is equivalent>`."""
    found = []
    for line in EQUIVALENTS.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            mutant, _, rest = line.partition(": ")
            change, _, reason = rest.partition("  # ")
            found.append(Equivalent(mutant.strip(), change.strip(), reason.strip()))
    return found


def diff(mutant: str) -> str:
    """The mutant's change as a unified diff (mutmut's own, read from the staged run)."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    path = Path("src") / "faceid_bridge" / module_of(mutant)
    cwd = Path.cwd()
    os.chdir(STAGE)  # mutmut reads its run relative to the directory it ran in
    try:
        return get_diff_for_mutant(mutant, path=path)
    finally:
        os.chdir(cwd)


def added_lines(mutant: str) -> str:
    return "\n".join(line for line in diff(mutant).splitlines() if line.startswith("+") and not line.startswith("+++"))


def check_equivalents(codes: dict[str, int | None]) -> list[str]:
    """Problems with the list of equivalent mutants: each must still exist, survive, and be the change listed."""
    problems = []
    for equivalent in equivalents():
        if not equivalent.reason:
            problems.append(f"{equivalent.mutant}: no reason given")
        if equivalent.mutant not in codes:
            problems.append(f"{equivalent.mutant}: no such mutant any more")
        elif codes[equivalent.mutant] in KILLED:
            problems.append(f"{equivalent.mutant}: killed, so not equivalent: remove it from the list")
        elif equivalent.change not in added_lines(equivalent.mutant):
            problems.append(f"{equivalent.mutant}: is no longer `{equivalent.change}` (renumbered?)")
    return problems


def report(codes: dict[str, int | None], equivalent: set[str]) -> bool:
    """Prints the table; True when every module reaches THRESHOLD."""
    print("\n| module | mutants | killed | equivalent | score |\n|---|---|---|---|---|")
    passed = True
    for module in MODULES:
        counts: Counter[str] = Counter()
        for mutant, code in codes.items():
            if module_of(mutant) == module:
                counts["equivalent" if mutant in equivalent else "killed" if code in KILLED else "survived"] += 1
        killed, survived, equivalents = counts["killed"], counts["survived"], counts["equivalent"]
        score = 100.0 * killed / (killed + survived) if killed + survived else 100.0  # equivalents do not count
        passed &= score >= THRESHOLD
        flag = "" if score >= THRESHOLD else f" **< {THRESHOLD:.0f}%**"
        print(f"| {module} | {killed + survived + equivalents} | {killed} | {equivalents} | {score:.1f}%{flag} |")
    return passed


def survivors(codes: dict[str, int | None], equivalent: set[str]) -> None:
    for mutant, code in codes.items():
        if code not in KILLED and mutant not in equivalent:
            print(f"\nsurvived: {mutant}\n{diff(mutant)}")


def hand_mutant_problem(index: int, mutant: HandMutant) -> str | None:
    """Applies one hand mutant to a copy of the layer and runs its unit tests: None when they fail."""
    copy = STAGE / "hand" / str(index)
    shutil.copytree(STAGE / "src", copy, ignore=shutil.ignore_patterns("__pycache__"))
    path = copy / "faceid_bridge" / mutant.module
    text = path.read_text()
    if text.count(mutant.original) != 1:
        return f"{mutant.module}: `{mutant.original}` is not there once: update HAND_MUTANTS"
    path.write_text(text.replace(mutant.original, mutant.mutated))
    tests = [f"tests/unit/{test}" for test in mutant.tests]
    environment = os.environ | {"PYTHONPATH": f"{copy}:{STAGE}"}
    command = [sys.executable, "-m", "pytest", "-x", "-q", *PYTEST_ARGS, *tests]
    done = subprocess.run(command, cwd=STAGE, env=environment, capture_output=True, check=False)
    if done.returncode in (1, 2):  # tests failed, or could not even be collected: the mutant was noticed
        return None
    outcome = "survived" if done.returncode == 0 else f"could not be tested (pytest exit {done.returncode})"
    return f"{mutant.module}: `{mutant.original}` -> `{mutant.mutated}` {outcome}"


def main() -> None:
    stage()
    run_mutmut()
    codes = {mutant: code for module in MODULES for mutant, code in exit_codes(module).items()}
    equivalent = {item.mutant for item in equivalents()}
    passed = report(codes, equivalent)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        hand = [problem for problem in pool.map(hand_mutant_problem, range(len(HAND_MUTANTS)), HAND_MUTANTS) if problem]
    print(f"\nhand mutants: {len(HAND_MUTANTS) - len(hand)} of {len(HAND_MUTANTS)} killed")
    problems = hand + check_equivalents(codes)
    if not passed:
        survivors(codes, equivalent)
    for problem in problems:
        print(f"FAIL {problem}")
    if not passed or problems:
        sys.exit(f"mutation testing failed: every module must reach {THRESHOLD:.0f}% ({STAGE})")


if __name__ == "__main__":
    main()
