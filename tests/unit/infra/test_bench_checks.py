"""`make bench`'s verdicts (issue 17): each figure printed beside its target with met or NOT MET, and
the instruction counts held under their recorded ceilings, so that a regression fails the bench and
`make test`'s smoke run without any timing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra.bench import __main__ as bench


def results(*, callbacks_ratio: float = 1.5, first: int = 2_000_000) -> dict[str, Any]:
    """A run's results as `run` makes them, with the figures the checks read."""
    calls = {"reads": 1, "writes": 1, "invocations": {}, "operations": {}}
    return {
        "when": "2026-11-28T20:00:00+00:00",
        "cold": [
            {
                "function": "faceid_callbacks",
                "instruction_ratio": callbacks_ratio,
                "rss_mib": 60.0,
                "baseline_rss_mib": 52.0,
            },
            {"function": "publisher", "instruction_ratio": None, "rss_mib": 56.0, "baseline_rss_mib": 52.0},
        ],
        "warm": {
            "first_us_least_run": 400.0,
            "duplicate_us_least_run": 150.0,
            "first_instructions": first,
            "duplicate_instructions": 900_000,
        },
        "calls": {"first_notify": calls, "duplicate_notify": calls | {"reads": 1, "writes": 0}},
        "throughput": [{"ratio": 0.3}],
        "cost_per_1000": {"h5_lite": {"total": 0.0137}},
    }


@pytest.fixture
def ceilings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "ceilings.json"
    monkeypatch.setattr(bench, "CEILINGS", path)
    return path


def test_each_figure_is_printed_beside_its_target_with_its_verdict(ceilings_file: Path) -> None:
    # Given a run that meets some targets and not others
    run = results()
    run["checks"] = bench.checks(run)
    bench.record_ceilings(run, 0.02)
    # When its table is printed
    printed = bench.table_of_targets(run)
    # Then each check's line holds its measured figure, its target and its verdict
    lines = {line.split()[0]: line.split()[1:] for line in printed.splitlines()[1:] if line.startswith("  ")}
    assert lines["cold_init_instructions"] == ["1.5", "<=", "1.45x", "NOT", "MET"]
    assert lines["warm_duplicate"] == ["150.0", "<=", "200", "us", "met"]
    assert lines["warm_first"] == ["400.0", "<=", "350", "us", "NOT", "MET"]
    assert lines["first_notify_calls"] == ["1", "/", "1", "<=", "1", "/", "1", "met"]
    assert all(name in lines for name in run["checks"])


def test_a_count_over_its_ceiling_is_a_regression_and_within_the_margin_is_not(ceilings_file: Path) -> None:
    # Given ceilings recorded 2% over a run's counts
    bench.record_ceilings(results(), 0.02)
    recorded = json.loads(ceilings_file.read_text())["ceilings"]
    assert recorded == {
        "cold_instruction_ratio.faceid_callbacks": 1.53,
        "warm_duplicate_instructions": 918_000,
        "warm_first_instructions": 2_040_000,
    }
    # When a later run counts within the margin, or past it
    within = bench.ceilings(results(callbacks_ratio=1.52, first=2_030_000))
    past = bench.ceilings(results(callbacks_ratio=1.54, first=2_050_000))
    # Then only the counts past it regressed
    assert all(ok for *_, ok in within)
    assert {name for name, *_, ok in past if not ok} == {
        "cold_instruction_ratio.faceid_callbacks",
        "warm_first_instructions",
    }


def test_a_count_without_a_ceiling_fails(ceilings_file: Path) -> None:
    # Given no ceiling recorded, Then every count fails until one is
    assert not any(ok for *_, ok in bench.ceilings(results()))
