"""A modelled AWS cost per 1,000 verifications, from the calls `calls.py` counted. Every price and
assumption is in PRICES and ASSUMPTIONS below (us-east-1, on-demand, list prices, free tiers
ignored); the model is a comparison between versions of faceid-bridge, not a quote."""

from __future__ import annotations

from typing import Any

PRICES = {
    "api_gateway_http_per_million": 1.00,
    "lambda_requests_per_million": 0.20,
    "lambda_arm_gb_second": 0.0000133334,
    "dynamodb_write_request_unit_per_million": 0.625,
    "dynamodb_read_request_unit_per_million": 0.125,
    "eventbridge_custom_events_per_million": 1.00,
    "secrets_manager_per_10k_calls": 0.05,
    "sqs_requests_per_million": 0.40,
}
ASSUMPTIONS = {
    "lambda_memory_gb": 0.5,  # template.yaml's MemorySize
    "lambda_billed_seconds_per_invocation": 0.05,  # a warm API or publisher invocation
    "write_units_per_write": 2,  # a verification item is 1-2 KB; a transaction's writes cost double
    "read_units_per_read": 1,  # strongly consistent, under 4 KB
    "events_per_verification": 2,  # Created + one terminal
}
API_FUNCTIONS = frozenset(
    {
        "CreateVerificationFunction",
        "GetVerificationFunction",
        "FaceIdCallbacksFunction",
        "AppVerificationsFunction",
        "RawVerificationsFunction",
    }
)


def per_thousand(counts: dict[str, Any]) -> dict[str, float]:
    """Dollars per 1,000 verifications, by service, for one channel's counts."""
    operations: dict[str, int] = counts["operations"]
    invocations: dict[str, int] = counts["invocations"]
    transactional = operations.get("TransactWriteItems", 0)
    writes = counts["writes"] + transactional  # a transaction writes at least two items
    dynamodb_reads = counts["reads"] - operations.get("GetSecretValue", 0)
    lambda_calls = sum(invocations.values())
    dollars = {
        "api_gateway": sum(n for f, n in invocations.items() if f in API_FUNCTIONS)
        * PRICES["api_gateway_http_per_million"]
        / 1e6,
        "lambda": lambda_calls * PRICES["lambda_requests_per_million"] / 1e6
        + lambda_calls
        * ASSUMPTIONS["lambda_memory_gb"]
        * ASSUMPTIONS["lambda_billed_seconds_per_invocation"]
        * PRICES["lambda_arm_gb_second"],
        "dynamodb": writes
        * ASSUMPTIONS["write_units_per_write"]
        * PRICES["dynamodb_write_request_unit_per_million"]
        / 1e6
        + dynamodb_reads * ASSUMPTIONS["read_units_per_read"] * PRICES["dynamodb_read_request_unit_per_million"] / 1e6,
        "eventbridge": ASSUMPTIONS["events_per_verification"] * PRICES["eventbridge_custom_events_per_million"] / 1e6,
        "secrets_manager": operations.get("GetSecretValue", 0) * PRICES["secrets_manager_per_10k_calls"] / 1e4,
        "sqs": operations.get("SendMessage", 0) * PRICES["sqs_requests_per_million"] / 1e6,
    }
    return {service: round(value * 1000, 5) for service, value in dollars.items()} | {
        "total": round(sum(dollars.values()) * 1000, 5)
    }
