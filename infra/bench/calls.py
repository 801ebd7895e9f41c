"""AWS calls per completed verification, per channel, counted in the local stack's process with
botocore hooks (infra/local/aws_calls.py): every call a function makes, by operation, and every
invocation. The reconciler is left out: it runs on a schedule, and its cost is per minute, not per
verification (it reads nothing for a verification that settled normally)."""

from __future__ import annotations

import statistics
import time
from collections import Counter
from typing import Any

from infra.local.client import LocalClient, Subscriber

READS = frozenset({"GetItem", "Query", "BatchGetItem", "Scan", "GetSecretValue"})
WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"})
SCHEDULED = frozenset({"ReconcilerFunction"})
CPU_SAMPLES = 7  # H5 Lite verifications whose handler CPU is taken, as a median, for the cost model


def _counts(client: LocalClient, *, reset: bool = False) -> dict[str, Any]:
    response = client.http.post(f"{client.endpoints.gateway}/_local/aws-calls", json={"reset": reset}, timeout=10)
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


def _settled(client: LocalClient, subscriber: Subscriber, verification_id: str, events: int) -> dict[str, Any]:
    subscriber.wait_for({verification_id: events}, seconds=30)
    time.sleep(1.5)  # the stream poller's last batches
    return _counts(client, reset=True)


def _summary(raw: dict[str, Any]) -> dict[str, Any]:
    operations: Counter[str] = Counter()
    by_function: dict[str, Counter[str]] = {}
    for call in raw["calls"]:
        if call["function"] in SCHEDULED:
            continue
        operations[call["operation"]] += call["count"]
        by_function.setdefault(call["function"], Counter())[call["operation"]] += call["count"]
    invocations = {name: count for name, count in raw["invocations"].items() if name not in SCHEDULED}
    return {
        "operations": dict(operations),
        "reads": sum(count for op, count in operations.items() if op in READS),
        "writes": sum(count for op, count in operations.items() if op in WRITES),
        "by_function": {name: dict(counter) for name, counter in by_function.items()},
        "invocations": invocations,
        # Each invocation's handler CPU and calls: what the cost model bills (infra/bench/cost.py).
        "invocation_records": [r for r in raw["invocation_records"] if r["function"] not in SCHEDULED],
    }


def _lite(client: LocalClient, subscriber: Subscriber) -> tuple[str, dict[str, Any]]:
    created = client.create().json()
    _published(subscriber, created["verification_id"])
    finished = client.complete(created["token"], "pass")
    client.follow_return(finished)  # the browser comes back too, as it does in every real flow
    return created["verification_id"], finished


def _published(subscriber: Subscriber, verification_id: str) -> None:
    """Waits for the verification's Created event before its person finishes: at a person's pace
    (minutes) the publisher takes each of a verification's stream records in an invocation of its
    own, and so is it counted and billed here, every run alike (a notify sent at once would share a
    batch with the creation's record in some runs and not in others)."""
    subscriber.wait_for({verification_id: 1}, seconds=30)


def _merged(*snapshots: dict[str, Any]) -> dict[str, Any]:
    calls: Counter[tuple[str, str, str]] = Counter()
    invocations: Counter[str] = Counter()
    for snapshot in snapshots:
        calls.update({(c["function"], c["service"], c["operation"]): c["count"] for c in snapshot["calls"]})
        invocations.update(snapshot["invocations"])
    return {
        "calls": [{"function": f, "service": s, "operation": o, "count": n} for (f, s, o), n in calls.items()],
        "invocations": dict(invocations),
        "invocation_records": [record for snapshot in snapshots for record in snapshot["invocation_records"]],
    }


def _only(snapshot: dict[str, Any], function: str) -> dict[str, Any]:
    """The snapshot's calls, invocations and records of one function."""
    return {
        "calls": [call for call in snapshot["calls"] if call["function"] == function],
        "invocations": {name: n for name, n in snapshot["invocations"].items() if name == function},
        "invocation_records": [r for r in snapshot["invocation_records"] if r["function"] == function],
    }


def measure(client: LocalClient) -> dict[str, Any]:
    """Per channel, the calls one completed verification costs, with the secret cache warm (one
    verification of each channel first, not counted); and what a duplicate notify costs."""
    subscriber = Subscriber(client.endpoints)
    for verification_id in (_lite(client, subscriber)[0], _app(client), _raw(client)):
        subscriber.wait_for({verification_id: 2}, seconds=30)
    _counts(client, reset=True)
    results: dict[str, Any] = {}
    created = client.create().json()
    _published(subscriber, created["verification_id"])
    after_create = _counts(client, reset=True)
    finished = client.complete(created["token"], "pass")  # the sandbox posts the notify before answering
    after_notify = _counts(client, reset=True)
    client.follow_return(finished)  # the browser comes back too, as it does in every real flow
    vid = created["verification_id"]
    rest = _settled(client, subscriber, vid, 2)
    results["h5_lite"] = _summary(_merged(after_create, after_notify, rest))
    results["first_notify"] = _summary(_only(after_notify, "FaceIdCallbacksFunction"))
    # FaceID sends the same notify again, to the same notify_url (which names the verification)
    client.http.post(
        f"{client.endpoints.gateway}/v1/faceid/notify",
        params={"verification_id": vid},
        data={"data": finished["data"], "sign": finished["sign"]},
        timeout=10,
    ).raise_for_status()
    results["duplicate_notify"] = _summary(_settled(client, subscriber, vid, 2))
    results["app"] = _summary(_settled(client, subscriber, _app(client), 2))
    results["h5_raw"] = _summary(_settled(client, subscriber, _raw(client), 2))
    _median_cpu(results["h5_lite"], client, subscriber)
    delivered = _webhook_deliveries(client, subscriber)
    if delivered is not None:
        results["webhook_deliveries"] = delivered
    return results


def _webhook_deliveries(client: LocalClient, subscriber: Subscriber) -> dict[str, Any] | None:
    """The delivery function's calls for one H5 Lite verification whose two events are delivered to
    one endpoint (the local receiver), after one such verification not counted (a delivery opens
    its secret once per process); what the cost model bills a delivery from. None when the stack
    runs without webhooks (Webhooks=Disabled: the route is not there)."""
    from infra.local.webhook_receiver import Receiver

    hooks = f"{client.endpoints.gateway}/v1/webhook-subscriptions"
    receiver = Receiver().start()
    try:
        answer = client.http.post(hooks, json={"url": receiver.url("bench"), "channels": ["h5_lite"]}, timeout=10)
        if answer.status_code == 404:
            return None
        answer.raise_for_status()
        created = answer.json()
        receiver.secrets["bench"] = [created["secret"]]
        for _ in range(2):  # the first warms the delivery's secret cache; the second's counts are kept
            verification_id, _finished = _lite(client, subscriber)
            delivered = receiver.wait_for("bench", verification_id, 2)
            if [delivery.status for delivery in delivered] != [204, 204]:
                raise SystemExit(f"bench: webhook deliveries of {verification_id} failed: {delivered}")
            snapshot = _settled(client, subscriber, verification_id, 2)
        client.http.post(f"{hooks}/{created['subscription_id']}/disable", timeout=10).raise_for_status()
    finally:
        receiver.stop()
    return _summary(_only(snapshot, "WebhookDeliveryFunction")) | {"deliveries": len(delivered)}


def _median_cpu(lite: dict[str, Any], client: LocalClient, subscriber: Subscriber) -> None:
    """Each H5 Lite invocation's handler CPU as the median over CPU_SAMPLES verifications (one
    sample is at the mercy of this shared machine): the counted one and more of the same."""
    samples: dict[tuple[str, str], list[float]] = {}
    records = list(lite["invocation_records"])
    for _ in range(CPU_SAMPLES - 1):
        verification_id, _finished = _lite(client, subscriber)
        records += _summary(_settled(client, subscriber, verification_id, 2))["invocation_records"]
    for record in records:
        samples.setdefault((record["function"], record["route"]), []).append(record["cpu_us"])
    for record in lite["invocation_records"]:
        found = samples[(record["function"], record["route"])]
        record |= {"cpu_us": round(statistics.median(found), 1), "cpu_samples": len(found)}


def _app(client: LocalClient) -> str:
    created = client.create_app_sdk().json()
    client.verify_app(created["verification_id"], client.sdk_package(created["biz_token"], "pass"))
    return str(created["verification_id"])


def _raw(client: LocalClient) -> str:
    return str(client.create_raw("pass").json()["verification_id"])
