"""The bench's cost model (issue 9): dollars per 1,000 verifications from counted calls, by hand."""

from __future__ import annotations

import pytest

from infra.bench.cost import ASSUMPTIONS, PRICES, per_thousand


def test_a_verification_of_known_calls_costs_what_the_price_table_says() -> None:
    # Given one verification: 2 API invocations and 1 publisher invocation, 1 transaction and
    # 1 update (3 writes as billed), 2 reads, 1 secret read
    counts = {
        "operations": {"TransactWriteItems": 1, "UpdateItem": 1, "GetItem": 2, "GetSecretValue": 1},
        "reads": 3,
        "writes": 2,
        "invocations": {"CreateVerificationFunction": 1, "FaceIdCallbacksFunction": 1, "PublisherFunction": 1},
    }
    dollars = per_thousand(counts)
    lambda_each = (
        PRICES["lambda_requests_per_million"] / 1e6
        + ASSUMPTIONS["lambda_memory_gb"]
        * ASSUMPTIONS["lambda_billed_seconds_per_invocation"]
        * PRICES["lambda_arm_gb_second"]
    )
    expected = {
        "api_gateway": 2 * PRICES["api_gateway_http_per_million"] / 1e6,
        "lambda": 3 * lambda_each,
        "dynamodb": (
            3 * 2 * PRICES["dynamodb_write_request_unit_per_million"]
            + 2 * PRICES["dynamodb_read_request_unit_per_million"]
        )
        / 1e6,
        "eventbridge": 2 * PRICES["eventbridge_custom_events_per_million"] / 1e6,
        "secrets_manager": PRICES["secrets_manager_per_10k_calls"] / 1e4,
        "sqs": 0.0,
    }
    for service, value in expected.items():
        assert dollars[service] == pytest.approx(value * 1000, abs=1e-5)
    assert dollars["total"] == pytest.approx(sum(expected.values()) * 1000, abs=1e-4)
