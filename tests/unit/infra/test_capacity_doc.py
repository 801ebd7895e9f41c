"""docs/capacity.md stays true to its sources: its tables are what infra/capacity.py computes from the
template's defaults, bench/results.json and make scale's reports, its quotas cite AWS's pages, and
the runs it quotes are the ones its prose describes."""

from __future__ import annotations

from dataclasses import asdict

from infra.capacity import DOC, QUOTAS, generated_part, render
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


def test_the_quoted_runs_are_the_default_day_and_its_concurrent_variant() -> None:
    # Given make scale's two committed reports
    default = asdict(Scenario())
    today = load_json(ROOT / "bench" / "scale.json")["scenario"]
    concurrent = load_json(ROOT / "bench" / "scale-concurrent.json")["scenario"]
    # Then the first ran the default scenario and the second differs from it only in its reads at once
    assert {k: v for k, v in today.items() if k != "verifications_simulated"} == default | {
        "user_seconds": list(default["user_seconds"])
    }
    assert {k: v for k, v in concurrent.items() if k not in ("verifications_simulated", "read_concurrency")} == {
        k: v for k, v in today.items() if k not in ("verifications_simulated", "read_concurrency")
    }
    assert concurrent["read_concurrency"] == 64


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
    ):
        assert name in parameters and f"`{name}" in document
