"""A modelled AWS cost per 1,000 verifications, from the calls `calls.py` counted. Every price and
assumption is in PRICES, ASSUMPTIONS and CALL_LATENCY_MS below (us-east-1, on-demand, list prices,
free tiers ignored); the model is a comparison between versions of faceid-bridge, not a quote.

Lambda bills each invocation's duration, rounded up to the millisecond, at its function's MemorySize.
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

Webhooks are a deploy-time option, off by default (template.yaml's Webhooks, docs/decisions.md
§21). The bench's local stack runs them, so the counts hold the webhook path's invocations too: the
cost per channel is the default deployment's, without them (`deployed_by_default`), and beside it
what webhooks add (`webhooks`): per verification with no subscription (the delivery function's
fan-out of each event, counted, and the SQS requests of its queue), and per event delivered to one
endpoint (the bench's counted deliveries to the local receiver, the endpoint's answer stated).
"""

from __future__ import annotations

import math
from typing import Any

from infra.bench.calls import READS, WRITES
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
    "webhook:POST": 200,  # the customer's endpoint answers (the delivery waits up to 10 s): stated
}
CHANNELS = ("h5_lite", "app", "h5_raw")  # the bench's completed verifications, one per channel
_FUNCTIONS = Template().functions()
# Each function's MemorySize in template.yaml: what it is billed at, and its share of a vCPU.
MEMORY_MB = {spec.logical_id: spec.memory_mb for spec in _FUNCTIONS}
# The functions API Gateway invokes (each request is billed there too): those with a route.
API_FUNCTIONS = frozenset(spec.logical_id for spec in _FUNCTIONS if spec.routes)
# The webhook path: the functions only a stack with Webhooks=Enabled has.
WEBHOOK_FUNCTIONS = frozenset(spec.logical_id for spec in _FUNCTIONS if spec.condition == "WebhooksEnabled")
# SQS requests per message on a queue that feeds Lambda: its SendMessage (EventBridge's rule, or the
# fan-out), and the event source mapping's ReceiveMessage and DeleteMessageBatch of the batch it
# came in. Counted per invocation, as the bench saw them: at a verification's pace each event is a
# batch of its own (BatchSize 10 is a ceiling, not what a quiet queue fills), so 3 requests a
# message; under load, full batches bring the receive and delete down to 2 per 10 messages.
SQS_REQUESTS_PER_BATCH = 2
# What a delivery waits on besides its own calls: the fan-out's SendMessage that queued it (billed
# in the fan-out's invocation), and the endpoint's answer, stated (the local receiver's is not one).
DELIVERY_WAITS = {"SendMessage": 1, "webhook:POST": 1}


def billed_ms(record: dict[str, Any]) -> int:
    """One invocation's billed duration: its handler CPU at its function's memory's CPU share, and
    the latency of each call it made, rounded up to the millisecond as Lambda rounds it."""
    cpu_ms = float(record["cpu_us"]) / 1000 * FULL_VCPU_MB / MEMORY_MB[record["function"]]
    waiting_ms = sum(CALL_LATENCY_MS[call] * int(count) for call, count in record["calls"].items())
    return math.ceil(cpu_ms + waiting_ms)


def lambda_dollars(records: list[dict[str, Any]]) -> float:
    """What Lambda charges for these invocations: each request, and its billed duration at its
    function's memory."""
    gb_seconds = sum(billed_ms(record) / 1000 * MEMORY_MB[record["function"]] / 1024 for record in records)
    return len(records) * PRICES["lambda_requests_per_million"] / 1e6 + gb_seconds * PRICES["lambda_arm_gb_second"]


def per_thousand(counts: dict[str, Any]) -> dict[str, float]:
    """Dollars per 1,000 verifications, by service, for one channel's counts."""
    operations: dict[str, int] = counts["operations"]
    invocations: dict[str, int] = counts["invocations"]
    transactional = operations.get("TransactWriteItems", 0)
    writes = counts["writes"] + transactional  # a transaction writes at least two items
    dynamodb_reads = counts["reads"] - operations.get("GetSecretValue", 0)
    dollars = {
        "api_gateway": sum(n for f, n in invocations.items() if f in API_FUNCTIONS)
        * PRICES["api_gateway_http_per_million"]
        / 1e6,
        "lambda": lambda_dollars(counts["invocation_records"]),
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


def without_webhooks(counts: dict[str, Any]) -> dict[str, Any]:
    """A channel's counts as a stack with Webhooks=Disabled (the default) makes them: the webhook
    functions' invocations and calls taken out (the others make the same calls either way)."""
    by_function: dict[str, dict[str, int]] = counts.get("by_function", {})
    operations = dict(counts["operations"])
    for function in WEBHOOK_FUNCTIONS & set(by_function):
        for operation, n in by_function[function].items():
            operations[operation] -= n
    operations = {operation: n for operation, n in operations.items() if n}
    return counts | {
        "operations": operations,
        "reads": sum(n for operation, n in operations.items() if operation in READS),
        "writes": sum(n for operation, n in operations.items() if operation in WRITES),
        "invocations": {f: n for f, n in counts["invocations"].items() if f not in WEBHOOK_FUNCTIONS},
        "invocation_records": [r for r in counts["invocation_records"] if r["function"] not in WEBHOOK_FUNCTIONS],
    }


def deployed_by_default(counts: dict[str, Any]) -> dict[str, float]:
    """Dollars per 1,000 verifications of one channel as the template deploys it by default."""
    return per_thousand(without_webhooks(counts))


def _webhook_dollars(records: list[dict[str, Any]], sqs_requests: int) -> dict[str, float]:
    """Dollars per 1,000 of what these delivery function invocations and SQS requests cost."""
    reads = sum(n for r in records for call, n in r["calls"].items() if call in READS)
    writes = sum(n for r in records for call, n in r["calls"].items() if call in WRITES)
    dollars = {
        "lambda": lambda_dollars(records),
        "dynamodb": writes
        * ASSUMPTIONS["write_units_per_write"]
        * PRICES["dynamodb_write_request_unit_per_million"]
        / 1e6
        + reads * ASSUMPTIONS["read_units_per_read"] * PRICES["dynamodb_read_request_unit_per_million"] / 1e6,
        "sqs": sqs_requests * PRICES["sqs_requests_per_million"] / 1e6,
    }
    return {service: round(value * 1000, 5) for service, value in dollars.items()} | {
        "total": round(sum(dollars.values()) * 1000, 5)
    }


def webhooks(calls: dict[str, Any]) -> dict[str, Any] | None:
    """What Webhooks=Enabled adds: per 1,000 verifications of each channel with no subscription (each
    event queued and fanned out to nobody: the counted invocations, and the SQS requests of its
    queue), and per 1,000 events delivered to one endpoint (the bench's counted deliveries: the
    median one's CPU and calls, what it waits on in DELIVERY_WAITS, and its queue's SQS requests).
    None when the bench's stack ran without webhooks: nothing of theirs was counted."""
    fan_outs = {
        channel: [r for r in calls[channel]["invocation_records"] if r["function"] in WEBHOOK_FUNCTIONS]
        for channel in CHANNELS
        if channel in calls
    }
    if not any(fan_outs.values()):
        return None
    events = ASSUMPTIONS["events_per_verification"]
    added: dict[str, Any] = {
        "per_1000_verifications_no_subscription": {
            channel: _webhook_dollars(records, events + SQS_REQUESTS_PER_BATCH * len(records))
            for channel, records in fan_outs.items()
        }
    }
    if "webhook_deliveries" in calls:
        attempts = [r for r in calls["webhook_deliveries"]["invocation_records"] if "PutItem" in r["calls"]]
        median = sorted(attempts, key=lambda r: r["cpu_us"])[len(attempts) // 2]
        delivery = {
            "function": median["function"],
            "cpu_us": median["cpu_us"],
            "calls": median["calls"] | DELIVERY_WAITS,
        }
        added["per_1000_deliveries"] = _webhook_dollars([delivery], 1 + SQS_REQUESTS_PER_BATCH)
        added["delivery_invocation"] = delivery | {"billed_ms": billed_ms(delivery)}
    return added


def model(calls: dict[str, Any]) -> dict[str, Any]:
    """What results.json says of the model: its tables, and each H5 Lite invocation as billed."""
    billed = [record | {"billed_ms": billed_ms(record)} for record in calls["h5_lite"]["invocation_records"]]
    return {
        "prices": PRICES,
        "assumptions": ASSUMPTIONS,
        "lambda_memory_mb": MEMORY_MB,
        "full_vcpu_mb": FULL_VCPU_MB,
        "call_latency_ms": CALL_LATENCY_MS,
        "sqs_requests_per_batch": SQS_REQUESTS_PER_BATCH,
        "webhook_functions": sorted(WEBHOOK_FUNCTIONS),
        "h5_lite_invocations": billed,
    }


def _parts(dollars: dict[str, float]) -> str:
    return ", ".join(f"{k} {v}" for k, v in dollars.items() if k != "total")


def lines(results: dict[str, Any], target: float) -> list[str]:
    """The bench table's cost section: each channel as deployed by default, what webhooks add, each
    H5 Lite invocation's billed time, and the H5 Lite total against its target."""
    found = ["modelled AWS cost per 1,000 verifications (USD), as deployed by default (Webhooks=Disabled)"]
    for channel, dollars in results["cost_per_1000"].items():
        found.append(f"  {channel:<9}{dollars['total']:>9}   ({_parts(dollars)})")
    added = results.get("cost_webhooks")
    if added is None:
        found.append("  webhooks: not measured (the bench's stack ran without them)")
    else:
        found.append("  Webhooks=Enabled adds, per 1,000 verifications with no subscription (fan-out to nobody):")
        for channel, dollars in added["per_1000_verifications_no_subscription"].items():
            found.append(f"  {channel:<9}{dollars['total']:>9}   ({_parts(dollars)})")
        if "per_1000_deliveries" in added:
            per_delivery, delivery = added["per_1000_deliveries"], added["delivery_invocation"]
            found.append(
                f"  and per 1,000 events delivered to one endpoint {per_delivery['total']} ({_parts(per_delivery)};"
                f" CPU {delivery['cpu_us'] / 1000:.2f} ms, billed {delivery['billed_ms']} ms with the"
                f" endpoint's answer stated {CALL_LATENCY_MS['webhook:POST']} ms)"
            )
    found.append("  H5 Lite billed per invocation (handler CPU at its memory's share + stated call latencies):")
    for record in results["cost_model"]["h5_lite_invocations"]:
        calls = ", ".join(f"{call} {n}" for call, n in sorted(record["calls"].items())) or "no calls"
        found.append(
            f"    {record['function'].removesuffix('Function'):<19}{record['route']:<26}"
            f"{MEMORY_MB[record['function']]:>4} MB  "
            f"CPU {record['cpu_us'] / 1000:>6.2f} ms  {calls:<45} billed {record['billed_ms']} ms"
            + ("  (Webhooks=Enabled only)" if record["function"] in WEBHOOK_FUNCTIONS else "")
        )
    total = results["cost_per_1000"]["h5_lite"]["total"]
    verdict = "met" if total <= target else "NOT MET"
    if added is not None:
        enabled = round(total + added["per_1000_verifications_no_subscription"]["h5_lite"]["total"], 5)
        found.append(f"  H5 Lite with Webhooks=Enabled and no subscription: ${enabled} per 1,000")
    found.append(f"  H5 Lite ${total} per 1,000 as deployed by default against the target ${target}: {verdict}")
    return found
