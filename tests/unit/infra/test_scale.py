"""`make scale`'s simulation (infra/scale/), in the smoke form `make test` runs: its report accounts
for every verification, every get_result read and every event, against the store and FaceID fakes
it ran on."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace
from typing import Any

import pytest

from infra.local.template import ROOT
from infra.scale.__main__ import SMOKE
from infra.scale.simulation import BACKLOG_ALARM_SECONDS, Scenario, Simulation

Run = tuple[Simulation, dict[str, Any]]


def _run(read_concurrency: int) -> Run:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
        simulation = Simulation(replace(SMOKE, read_concurrency=read_concurrency))
        return simulation, simulation.run()


@pytest.fixture(scope="module")
def one_at_a_time() -> Run:
    """The smoke run with a reconciler that reads one verification at a time."""
    return _run(read_concurrency=1)


@pytest.fixture(scope="module")
def at_the_default() -> Run:
    """The smoke run with the reconciler at its default concurrency (ReconcilerConcurrency's)."""
    return _run(read_concurrency=Scenario().read_concurrency)


@pytest.mark.parametrize("name", ["one_at_a_time", "at_the_default"])
def test_every_verification_ends_terminal_or_is_counted_as_standing(name: str, request: pytest.FixtureRequest) -> None:
    # Given a smoke run
    simulation, report = request.getfixturevalue(name)
    # Then every verification created is in exactly one of the report's standings, as the store has it
    created = report["scenario"]["verifications_simulated"]
    assert len(simulation.store.verifications) == created == sum(report["standing_at_end"].values())
    terminal = sum(v.status.terminal for v in simulation.store.verifications.values())
    assert terminal == sum(n for key, n in report["standing_at_end"].items() if key.startswith("terminal_"))
    assert sum(simulation.fates.values()) == created


@pytest.mark.parametrize("name", ["one_at_a_time", "at_the_default"])
def test_get_result_is_read_at_most_three_times_and_only_for_lost_callbacks(
    name: str, request: pytest.FixtureRequest
) -> None:
    simulation, report = request.getfixturevalue(name)
    reads = report["get_result"]
    assert reads["max_per_verification"] <= 3
    assert "read_out" not in reads["refused"]  # no fourth read was ever tried
    assert reads["reads"] == sum(simulation.faceid.reads.values())
    assert reads["reads"] == sum(int(k) * n for k, n in reads["per_verification"].items())
    assert reads["reads"] <= reads["budget"] == 3 * sum(n for f, n in simulation.fates.items() if f.startswith("lost_"))
    assert set(simulation.faceid.reads) <= simulation.lost
    assert all(v.get_result_reads == simulation.faceid.reads[v.biz_id] for v in simulation.store.verifications.values())


@pytest.mark.parametrize("name", ["one_at_a_time", "at_the_default"])
def test_each_verification_is_announced_once_at_creation_and_once_when_it_ends(
    name: str, request: pytest.FixtureRequest
) -> None:
    simulation, report = request.getfixturevalue(name)
    publisher, scale = report["publisher"], report["scenario"]["scale"]
    terminal = sum(v.status.terminal for v in simulation.store.verifications.values())
    assert publisher["events"] == len(simulation.store.verifications) + terminal
    passing = publisher["stream_records"] - publisher["filtered_out"]
    assert publisher["batches"] == math.ceil(passing / simulation.deployment.batch_size)
    assert publisher["put_events_calls"] == publisher["batches"]  # a batch of 10 is one PutEvents call
    assert (publisher["full_scale_batches"], publisher["full_scale_events"]) == (
        publisher["batches"] * scale,
        publisher["events"] * scale,
    )
    assert publisher["redelivered"] == publisher["dead_lettered"] == 0


def test_one_read_at_a_time_does_not_keep_up_at_a_thousand_a_second(one_at_a_time: Run) -> None:
    # Given one run at a time reading one verification at a time
    _, report = one_at_a_time
    reconciler = report["reconciler"]
    # Then its runs stop for time, the backlog outgrows the alarm, and lost callbacks stay unsettled
    assert reconciler["runs_out_of_time"] > 0
    assert reconciler["due_backlog_age_max_seconds"] > BACKLOG_ALARM_SECONDS
    assert report["standing_at_end"]["due_backlog"] > 0
    assert reconciler["bounded"] is False


def test_the_reconciler_at_its_default_keeps_up_and_settles_each_lost_callback_by_its_fate(
    at_the_default: Run,
) -> None:
    # Given the reconciler reading as many at once as it does by default
    simulation, report = at_the_default
    # Then the backlog stays under the alarm and empties
    assert report["reconciler"]["bounded"] is True
    assert "due_backlog" not in report["standing_at_end"] and "not_yet_due" not in report["standing_at_end"]
    # And a result FaceID has settles on one read, NOT_STARTED expires on one, PROCESSING on the third
    reads_by_fate: dict[str, Counter[int]] = {}
    for verification in simulation.store.verifications.values():
        fate = simulation.faceid.fates[verification.biz_id] if verification.biz_id in simulation.lost else "notified"
        reads_by_fate.setdefault(fate, Counter())[verification.get_result_reads] += 1
        expected = "OK" if fate in ("finished", "notified") else "EXPIRED"
        assert verification.status.value == expected, (fate, verification.status)
    assert set(reads_by_fate["finished"]) == set(reads_by_fate["not_started"]) == {1}
    assert set(reads_by_fate["processing"]) == {3}
    assert set(reads_by_fate["notified"]) == {0}


def test_make_test_runs_the_smoke_and_make_scale_the_day() -> None:
    makefile = (ROOT / "Makefile").read_text()
    test_target = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "$(PY) -m infra.scale --smoke" in test_target
    assert "\nscale: $(VENV)/.installed\n\t$(PY) -m infra.scale $(SCALE_ARGS)" in makefile
