"""The bench's cost model (issues 9 and 17 item 6): dollars per 1,000 verifications from counted
calls, Lambda's duration from each invocation's measured handler CPU and its counted calls, checked
by hand; what the local stack's counter records per invocation; and the $0.015 target decided on a
fixture of bench results."""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.client import BaseClient

from faceid_bridge.adapters.faceid_client import FaceIdClient
from infra.bench import cost
from infra.bench.__main__ import TARGETS, checks
from infra.local.aws_calls import AwsCallCounter
from infra.local.functions import FunctionHost
from infra.local.template import ROOT, FunctionSpec, Template

FIXTURES = ROOT / "tests" / "fixtures"
TARGET = TARGETS["h5_lite_dollars_per_1000_max"]


def test_an_invocation_is_billed_its_cpu_at_its_memorys_share_and_its_calls_rounded_up() -> None:
    # Given an invocation of the callbacks (512 MB) whose handler took 1 ms of CPU and made a read and a transaction
    record = {"function": "FaceIdCallbacksFunction", "cpu_us": 1000.0, "calls": {"GetItem": 1, "TransactWriteItems": 1}}
    # Then at 512 MB (0.29 of a vCPU) its CPU takes 1769/512 ms, plus both latencies, rounded up
    waiting = cost.CALL_LATENCY_MS["GetItem"] + cost.CALL_LATENCY_MS["TransactWriteItems"]
    assert cost.MEMORY_MB["FaceIdCallbacksFunction"] == 512
    assert cost.billed_ms(record) == math.ceil(1769 / 512 + waiting) == waiting + 4
    # ... the same work in the publisher (256 MB) takes twice the CPU time
    assert cost.MEMORY_MB["PublisherFunction"] == 256
    assert cost.billed_ms(record | {"function": "PublisherFunction"}) == math.ceil(1769 / 256 + waiting) == waiting + 7
    # ... and an invocation that did nothing is still billed its first millisecond
    assert cost.billed_ms({"function": "PublisherFunction", "cpu_us": 1.0, "calls": {}}) == 1


def test_the_model_bills_each_function_the_memory_the_template_gives_it() -> None:
    template = Template()
    for name, resource in template.of_type("AWS::Serverless::Function").items():
        configured = resource["Properties"].get("MemorySize", template.document["Globals"]["Function"]["MemorySize"])
        assert cost.MEMORY_MB[name] == configured, name


def test_lambda_bills_each_invocation_at_its_functions_memory() -> None:
    # Given one invocation at 512 MB and one at 256 MB, each billed 100 ms
    records = [
        {"function": "FaceIdCallbacksFunction", "cpu_us": 0.0, "calls": {"GetItem": 20}},
        {"function": "PublisherFunction", "cpu_us": 0.0, "calls": {"PutEvents": 4}},
    ]
    # Then Lambda charges two requests and 0.05 + 0.025 GB-seconds
    gb_seconds = 0.1 * 0.5 + 0.1 * 0.25
    expected = 2 * cost.PRICES["lambda_requests_per_million"] / 1e6 + gb_seconds * cost.PRICES["lambda_arm_gb_second"]
    assert cost.lambda_dollars(records) == pytest.approx(expected)


def test_a_call_whose_latency_is_not_stated_cannot_be_billed() -> None:
    with pytest.raises(KeyError):
        cost.billed_ms({"function": "PublisherFunction", "cpu_us": 1000.0, "calls": {"Scan": 1}})


def test_a_verification_of_known_calls_costs_what_the_price_table_says() -> None:
    # Given one verification: 2 API invocations and 1 publisher invocation, 1 transaction and
    # 1 update (3 writes as billed), 2 reads, 1 secret read
    records = [
        {"function": "CreateVerificationFunction", "cpu_us": 4000.0, "calls": {"TransactWriteItems": 1}},
        {"function": "FaceIdCallbacksFunction", "cpu_us": 2000.0, "calls": {"GetItem": 2, "UpdateItem": 1}},
        {"function": "PublisherFunction", "cpu_us": 1000.0, "calls": {"GetSecretValue": 1}},
    ]
    counts = {
        "operations": {"TransactWriteItems": 1, "UpdateItem": 1, "GetItem": 2, "GetSecretValue": 1},
        "reads": 3,
        "writes": 2,
        "invocations": {"CreateVerificationFunction": 1, "FaceIdCallbacksFunction": 1, "PublisherFunction": 1},
        "invocation_records": records,
    }
    dollars = cost.per_thousand(counts)
    # the two API functions at 512 MB, the publisher at 256 MB
    gb_seconds = sum(cost.billed_ms(record) / 1000 * gb for record, gb in zip(records, (0.5, 0.5, 0.25), strict=True))
    expected = {
        "api_gateway": 2 * cost.PRICES["api_gateway_http_per_million"] / 1e6,
        "lambda": 3 * cost.PRICES["lambda_requests_per_million"] / 1e6
        + gb_seconds * cost.PRICES["lambda_arm_gb_second"],
        "dynamodb": (
            3 * 2 * cost.PRICES["dynamodb_write_request_unit_per_million"]
            + 2 * cost.PRICES["dynamodb_read_request_unit_per_million"]
        )
        / 1e6,
        "eventbridge": 2 * cost.PRICES["eventbridge_custom_events_per_million"] / 1e6,
        "secrets_manager": cost.PRICES["secrets_manager_per_10k_calls"] / 1e4,
        "sqs": 0.0,
    }
    for service, value in expected.items():
        assert dollars[service] == pytest.approx(value * 1000, abs=1e-5)
    assert dollars["total"] == pytest.approx(sum(expected.values()) * 1000, abs=1e-4)


@pytest.fixture
def counter(monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsCallCounter]:
    """The local stack's counter, installed for one test (its wrappers undone after it)."""
    for owner, name in ((BaseClient, "_make_api_call"), (FaceIdClient, "_request"), (FunctionHost, "_call")):
        monkeypatch.setattr(owner, name, getattr(owner, name))
    installed = AwsCallCounter()
    installed.install()
    yield installed


def test_the_counter_records_each_invocations_route_cpu_and_calls(counter: AwsCallCounter) -> None:
    # Given a hosted function that reads DynamoDB once and asks FaceID for a token once
    spec = FunctionSpec("CountedFunction", FIXTURES / "counted_function", "app.lambda_handler", {})
    host = FunctionHost(spec)
    # When API Gateway invokes it twice
    for _ in range(2):
        host.invoke({"routeKey": "POST /v1/verifications"})
    # Then each invocation is recorded with its route, its own calls and some CPU
    answer: dict[str, Any] = json.loads(counter.handle(b'{"reset": true}'))
    records = answer["invocation_records"]
    assert [(r["function"], r["route"], r["calls"]) for r in records] == 2 * [
        ("CountedFunction", "POST /v1/verifications", {"GetItem": 1, "faceid:get_token": 1})
    ]
    assert all(record["cpu_us"] > 0 for record in records)
    assert answer["invocations"] == {"CountedFunction": 2}
    assert json.loads(counter.handle(b"{}"))["invocation_records"] == []  # the reset took them


@pytest.fixture
def results() -> dict[str, Any]:
    """Bench results (tests/fixtures/bench_results.json), costed from their counted calls."""
    found: dict[str, Any] = json.loads((FIXTURES / "bench_results.json").read_text())
    return costed(found)


def costed(found: dict[str, Any]) -> dict[str, Any]:
    found["cost_per_1000"] = {"h5_lite": cost.deployed_by_default(found["calls"]["h5_lite"])}
    found["cost_webhooks"] = cost.webhooks(found["calls"])
    found["cost_model"] = cost.model(found["calls"])
    return found


def test_the_h5_lite_cost_is_met_within_the_target(results: dict[str, Any]) -> None:
    # Given the fixture's H5 Lite verification, When it is costed and checked
    total = results["cost_per_1000"]["h5_lite"]["total"]
    # Then it is within $0.015 per 1,000, and the table says so beside the target
    assert total <= TARGET
    assert checks(results)["h5_lite_cost"]
    assert cost.lines(results, TARGET)[-1] == (
        f"  H5 Lite ${total} per 1,000 as deployed by default against the target ${TARGET}: met"
    )


def test_a_slower_handler_makes_the_target_not_met(results: dict[str, Any]) -> None:
    # Given the same verification with handlers ten times as slow (a regression in our code)
    slower = copy.deepcopy(results)
    for record in slower["calls"]["h5_lite"]["invocation_records"]:
        record["cpu_us"] *= 10
    slower = costed(slower)
    # Then the cost rises past the target, and both the check and the table say not met
    assert slower["cost_per_1000"]["h5_lite"]["total"] > TARGET >= results["cost_per_1000"]["h5_lite"]["total"]
    assert not checks(slower)["h5_lite_cost"]
    assert cost.lines(slower, TARGET)[-1].endswith(": NOT MET")
