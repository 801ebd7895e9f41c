"""The cost model with webhooks a deploy-time option (issue 17 item 6, docs/decisions.md §21): the
cost per channel is the default deployment's (Webhooks=Disabled), without the delivery function's
invocations and calls; what webhooks add is beside it, SQS requests included, checked by hand on
the counts of a bench run whose local stack ran them (tests/fixtures/bench_calls_with_webhooks.json)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.bench import cost
from infra.bench.__main__ import TARGETS
from infra.local.template import ROOT

TARGET = TARGETS["h5_lite_dollars_per_1000_max"]
PRICE = cost.PRICES


@pytest.fixture
def calls() -> dict[str, Any]:
    found: dict[str, dict[str, Any]] = json.loads(
        (ROOT / "tests" / "fixtures" / "bench_calls_with_webhooks.json").read_text()
    )
    return found["calls"]


def test_the_webhook_path_is_what_the_template_creates_only_with_webhooks_enabled() -> None:
    assert {"WebhookDeliveryFunction", "WebhookSubscriptionsFunction"} == cost.WEBHOOK_FUNCTIONS


def test_the_default_deployment_is_costed_without_the_delivery_function(calls: dict[str, Any]) -> None:
    # Given H5 Lite's counts with the delivery function's two fan-outs (a Query each) among them
    lite = calls["h5_lite"]
    assert lite["invocations"]["WebhookDeliveryFunction"] == 2 and lite["operations"]["Query"] == 2
    # When the counts are taken as the default deployment makes them
    default = cost.without_webhooks(lite)
    # Then the function, its invocations, records and Query are gone, and every other call stays
    assert "WebhookDeliveryFunction" not in default["invocations"]
    assert {r["function"] for r in default["invocation_records"]} == set(default["invocations"])
    assert "Query" not in default["operations"]
    assert default["operations"] == {op: n for op, n in lite["operations"].items() if op != "Query"}
    assert (default["reads"], default["writes"]) == (lite["reads"] - 2, lite["writes"])
    assert cost.deployed_by_default(lite) == cost.per_thousand(default)


def test_webhooks_add_the_fan_out_and_its_sqs_requests_per_verification(calls: dict[str, Any]) -> None:
    # Given each channel's two events, each fanned out to nobody in an invocation of its own
    added = cost.webhooks(calls)
    assert added is not None
    for channel, dollars in added["per_1000_verifications_no_subscription"].items():
        fan_outs = [r for r in calls[channel]["invocation_records"] if r["function"] == "WebhookDeliveryFunction"]
        assert len(fan_outs) == 2
        # Then SQS bills each event's send by the rule, and each batch's receive and delete
        assert dollars["sqs"] == pytest.approx((2 + 2 * 2) * PRICE["sqs_requests_per_million"] / 1e3)
        # ... DynamoDB a read per fan-out (its Query of the subscriptions), Lambda each invocation
        assert dollars["dynamodb"] == pytest.approx(2 * PRICE["dynamodb_read_request_unit_per_million"] / 1e3)
        seconds = sum(cost.billed_ms(r) for r in fan_outs) / 1000
        lambda_ = 2 * PRICE["lambda_requests_per_million"] / 1e3 + seconds * 0.5 * PRICE["lambda_arm_gb_second"] * 1e3
        assert dollars["lambda"] == pytest.approx(lambda_, abs=1e-5)
        # ... and together they are what the channel costs with webhooks beyond its default deployment
        enabled = cost.per_thousand(calls[channel])  # the old model: the fan-out counted, its SQS not
        default = cost.deployed_by_default(calls[channel])
        assert enabled["total"] - default["total"] + dollars["sqs"] == pytest.approx(dollars["total"], abs=5e-5)


def test_a_delivery_to_one_endpoint_is_billed_its_counted_invocation_its_waits_and_its_queue(
    calls: dict[str, Any],
) -> None:
    # Given the bench's two events delivered to one endpoint: two fan-outs (each queues one delivery)
    # and two deliveries (each reads the subscription and records its attempt)
    records = calls["webhook_deliveries"]["invocation_records"]
    attempts = sorted((r for r in records if "PutItem" in r["calls"]), key=lambda r: r["cpu_us"])
    assert len(attempts) == 2 and calls["webhook_deliveries"]["operations"]["SendMessage"] == 2
    added = cost.webhooks(calls)
    assert added is not None
    delivery, dollars = added["delivery_invocation"], added["per_1000_deliveries"]
    # Then one delivery is the median attempt's CPU and calls, plus the send that queued it and the
    # endpoint's answer, which it waits on
    assert delivery["cpu_us"] == attempts[1]["cpu_us"]
    assert delivery["calls"] == {"GetItem": 1, "PutItem": 1, "SendMessage": 1, "webhook:POST": 1}
    assert delivery["billed_ms"] == cost.billed_ms(delivery) > cost.CALL_LATENCY_MS["webhook:POST"]
    # ... its queue bills a send, a receive and a delete; DynamoDB the read and the attempt's write
    assert dollars["sqs"] == pytest.approx(3 * PRICE["sqs_requests_per_million"] / 1e3)
    assert dollars["dynamodb"] == pytest.approx(
        (2 * PRICE["dynamodb_write_request_unit_per_million"] + PRICE["dynamodb_read_request_unit_per_million"]) / 1e3,
        abs=1e-5,
    )


def test_without_counted_deliveries_no_per_delivery_figure_is_made_up(calls: dict[str, Any]) -> None:
    added = cost.webhooks({channel: counts for channel, counts in calls.items() if channel != "webhook_deliveries"})
    assert added is not None and "per_1000_deliveries" not in added
    assert "per_1000_verifications_no_subscription" in added


def test_the_target_is_met_as_deployed_by_default_and_not_with_webhooks_always_on(calls: dict[str, Any]) -> None:
    # Given the bench run's counts (its table said $0.01562, the fan-out counted and its SQS not)
    results: dict[str, Any] = {
        "calls": calls,
        "cost_per_1000": {channel: cost.deployed_by_default(calls[channel]) for channel in cost.CHANNELS},
        "cost_webhooks": cost.webhooks(calls),
        "cost_model": cost.model(calls),
    }
    default = results["cost_per_1000"]["h5_lite"]["total"]
    enabled = default + results["cost_webhooks"]["per_1000_verifications_no_subscription"]["h5_lite"]["total"]
    # Then the default deployment meets $0.015, always-on webhooks would not, and the table says both
    assert default <= TARGET < enabled
    table = cost.lines(results, TARGET)
    assert table[-1] == f"  H5 Lite ${default} per 1,000 as deployed by default against the target ${TARGET}: met"
    assert f"with Webhooks=Enabled and no subscription: ${round(enabled, 5)}" in table[-2]


def test_a_bench_without_webhooks_reports_them_as_not_measured() -> None:
    # Given counts from a stack without webhooks (tests/fixtures/bench_results.json)
    plain = json.loads((ROOT / "tests" / "fixtures" / "bench_results.json").read_text())["calls"]
    # Then nothing of theirs is made up
    assert cost.webhooks(plain) is None
