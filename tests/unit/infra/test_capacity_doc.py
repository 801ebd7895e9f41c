"""docs/capacity.md stays true to its sources: its tables are what infra/capacity.py computes from the
template's defaults, bench/results.json and make scale's reports, its quotas cite AWS's pages, and
the runs it quotes are the ones its prose describes."""

from __future__ import annotations

from dataclasses import asdict

from faceid_bridge.config import MAX_FACEID_CALLS_AT_ONCE, ReconcileConfig
from infra.capacity import DOC, QUOTAS, SUSTAINED, Inputs, generated_part, reads_at_once, render
from infra.local.template import ROOT, Template
from infra.scale.services import DUE_BUCKETS
from infra.scale.simulation import Scenario
from tests.support import load_json


def test_the_generated_part_is_what_the_sources_give_now() -> None:
    # Given the page as committed and the figures computed from today's template, bench and scale results
    # Then they agree (python -m infra.capacity --write brings the page back in line)
    assert generated_part(DOC.read_text()) == render()


def test_every_quota_cites_an_aws_page_the_page_links() -> None:
    document = DOC.read_text()
    for quota in QUOTAS.values():
        assert quota.url.startswith("https://docs.aws.amazon.com/"), quota.url
        assert f"]({quota.url})" in document


def test_the_quoted_runs_are_the_default_day_and_its_one_at_a_time_variant() -> None:
    # Given make scale's two committed reports
    default = asdict(Scenario())
    day = load_json(ROOT / "bench" / "scale.json")["scenario"]
    one_at_a_time = load_json(ROOT / "bench" / "scale-one-at-a-time.json")["scenario"]
    # Then the first ran the default scenario (the reconciler at its default concurrency) and the
    # second differs from it only in reading one verification at a time
    assert {k: v for k, v in day.items() if k != "verifications_simulated"} == default | {
        "user_seconds": list(default["user_seconds"])
    }
    assert {k: v for k, v in one_at_a_time.items() if k != "read_concurrency"} == {
        k: v for k, v in day.items() if k != "read_concurrency"
    }
    assert one_at_a_time["read_concurrency"] == 1


def test_the_reconcilers_default_concurrency_carries_a_thousand_a_second() -> None:
    # Given the reads at once Little's law asks of the reconciler at 1,000/s (FaceID's assumed latency)
    inputs = Inputs.load()
    needed = reads_at_once(inputs, SUSTAINED, inputs.scenario.faceid_seconds)
    # Then the template's default gives it, with room for FaceID answering half again as slowly
    default = inputs.param("ReconcilerConcurrency")
    assert default == ReconcileConfig.model_fields["reconcile_concurrency"].default == Scenario().read_concurrency
    assert needed * 1.5 <= default <= MAX_FACEID_CALLS_AT_ONCE, (needed, default)
    # And the prose says so with these numbers
    prose = DOC.read_text().split("<!-- generated", 1)[0]
    assert f"`ReconcilerConcurrency` verifications at once, {default} by default: the {needed} Little's law" in (
        " ".join(prose.split())
    )


def test_the_prose_states_the_assumptions_the_tables_use() -> None:
    document, scenario = DOC.read_text(), Scenario()
    prose = document.split("<!-- generated", 1)[0]
    assert f"FaceID's latency ({scenario.faceid_seconds} s" in prose
    assert f"DynamoDB's per call ({scenario.dynamodb_seconds * 1000:.0f} ms)" in prose
    assert f"1/{scenario.scale:,} slice" in prose and f"time of {scenario.scale:,} reads" in prose
    assert f"{DUE_BUCKETS} buckets" in prose and "`DUE_BUCKETS`" in prose
    # And the parameters it tells operators to set exist
    parameters = Template().parameters
    for name in (
        "NotifyThrottleRate",
        "ApiThrottleRate",
        "BrowserReturnThrottleRate",
        "PublisherParallelizationFactor",
        "ReconcilerConcurrency",
    ):
        assert name in parameters and f"`{name}" in document
