"""A modelled AWS cost per 1,000 verifications, from the calls `calls.py` counted. Every price and
assumption is in PRICES, ASSUMPTIONS and CALL_LATENCY_MS below (us-east-1, on-demand, list prices,
free tiers ignored); the model is a comparison between versions of faceid-bridge, not a quote.

Lambda bills each invocation's duration, rounded up to the millisecond, at the memory configured.
That duration is modelled per invocation the bench saw, not assumed per function:

    billed ms = ceil(handler CPU ms x FULL_VCPU_MB / memory MB + the sum of its calls' latencies)

- handler CPU: measured, the CPU time the warm handler took on its thread in the local stack, its
  botocore and urllib3 work included (median of calls.CPU_SAMPLES verifications). Lambda gives a
  function CPU in proportion to its memory, a whole vCPU at FULL_VCPU_MB, so at 512 MB the same work
  takes 1,769 / 512 = 3.46 times as long; the Graviton core is taken as fast as this machine's.
- calls: counted, each AWS call and each FaceID request the invocation made; the time it waits on
  each is stated in CALL_LATENCY_MS (typical in-region latencies, and FaceID's, which we cannot
  measure here: its documented `time_used` is a few ms, the rest is the network to its regional
  host). A call with no stated latency is an error: a new call must be priced before it ships.
"""

from __future__ import annotations

import math
from typing import Any

from infra.local.template import Template

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
    "lambda_memory_mb": 512,  # template.yaml's MemorySize
    "write_units_per_write": 2,  # a verification item is 1-2 KB; a transaction's writes cost double
    "read_units_per_read": 1,  # strongly consistent, under 4 KB
    "events_per_verification": 2,  # Created + one terminal
}
FULL_VCPU_MB = 1769  # Lambda's memory at which a function has one whole vCPU
# Milliseconds an invocation waits on each call: stated, not measured (see the module's doc). DynamoDB
# documents single-digit milliseconds; a write waits longer than a read, a transaction's two phases
# longer still.
CALL_LATENCY_MS = {
    "GetItem": 5,
    "Query": 8,
    "PutItem": 8,
    "UpdateItem": 8,
    "DeleteItem": 8,
    "TransactWriteItems": 15,
    "PutEvents": 25,
    "SendMessage": 15,
    "GetSecretValue": 20,
    "faceid:get_token": 150,
    "faceid:get_result": 150,
    "faceid:get_biz_token": 150,
    "faceid:verify": 400,  # App verify and raw/verify: FaceID compares the faces before it answers
}
# The functions API Gateway invokes (each request is billed there too): those with a route.
API_FUNCTIONS = frozenset(spec.logical_id for spec in Template().functions() if spec.routes)


def billed_ms(record: dict[str, Any]) -> int:
    """One invocation's billed duration: its handler CPU at the configured memory's CPU share, and
    the latency of each call it made, rounded up to the millisecond as Lambda rounds it."""
    cpu_ms = float(record["cpu_us"]) / 1000 * FULL_VCPU_MB / ASSUMPTIONS["lambda_memory_mb"]
    waiting_ms = sum(CALL_LATENCY_MS[call] * int(count) for call, count in record["calls"].items())
    return math.ceil(cpu_ms + waiting_ms)


def per_thousand(counts: dict[str, Any]) -> dict[str, float]:
    """Dollars per 1,000 verifications, by service, for one channel's counts."""
    operations: dict[str, int] = counts["operations"]
    invocations: dict[str, int] = counts["invocations"]
    transactional = operations.get("TransactWriteItems", 0)
    writes = counts["writes"] + transactional  # a transaction writes at least two items
    dynamodb_reads = counts["reads"] - operations.get("GetSecretValue", 0)
    lambda_calls = sum(invocations.values())
    billed_seconds = sum(billed_ms(record) for record in counts["invocation_records"]) / 1000
    dollars = {
        "api_gateway": sum(n for f, n in invocations.items() if f in API_FUNCTIONS)
        * PRICES["api_gateway_http_per_million"]
        / 1e6,
        "lambda": lambda_calls * PRICES["lambda_requests_per_million"] / 1e6
        + billed_seconds * ASSUMPTIONS["lambda_memory_mb"] / 1024 * PRICES["lambda_arm_gb_second"],
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


def model(calls: dict[str, Any]) -> dict[str, Any]:
    """What results.json says of the model: its tables, and each H5 Lite invocation as billed."""
    billed = [record | {"billed_ms": billed_ms(record)} for record in calls["h5_lite"]["invocation_records"]]
    return {
        "prices": PRICES,
        "assumptions": ASSUMPTIONS,
        "full_vcpu_mb": FULL_VCPU_MB,
        "call_latency_ms": CALL_LATENCY_MS,
        "h5_lite_invocations": billed,
    }


def lines(results: dict[str, Any], target: float) -> list[str]:
    """The bench table's cost section: each channel, each H5 Lite invocation's billed time, and the
    H5 Lite total against its target."""
    found = ["modelled AWS cost per 1,000 verifications (USD)"]
    for channel, dollars in results["cost_per_1000"].items():
        parts = ", ".join(f"{k} {v}" for k, v in dollars.items() if k != "total")
        found.append(f"  {channel:<9}{dollars['total']:>9}   ({parts})")
    memory = ASSUMPTIONS["lambda_memory_mb"]
    found.append(f"  H5 Lite billed per invocation (handler CPU at {memory} MB's share + stated call latencies):")
    for record in results["cost_model"]["h5_lite_invocations"]:
        calls = ", ".join(f"{call} {n}" for call, n in sorted(record["calls"].items())) or "no calls"
        found.append(
            f"    {record['function'].removesuffix('Function'):<19}{record['route']:<26}"
            f"CPU {record['cpu_us'] / 1000:>6.2f} ms  {calls:<45} billed {record['billed_ms']} ms"
        )
    total = results["cost_per_1000"]["h5_lite"]["total"]
    verdict = "met" if total <= target else "NOT MET"
    found.append(f"  H5 Lite ${total} per 1,000 against the target ${target}: {verdict}")
    return found
