"""`make chaos`'s webhook accounting: an endpoint subscribed to every event for the run, verifying
each delivery with the `standardwebhooks` library (infra/local/webhook_receiver.py), and answering
500 to its first deliveries (an endpoint fault on top of the run's others, so retries happen).

Once the bus has a verification's events, each of their event_ids must reach the endpoint verified
and answered 204: nothing missing, no delivery under an id the bus never carried, every webhook-id
its event's event_id. A redelivery under the same webhook-id is allowed, and counted.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from faceid_bridge_client import FaceIdBridgeClient

from infra.local.webhook_receiver import Delivery, Receiver

ENDPOINT = "chaos"  # the receiver's path for this run


@dataclass
class WebhookTally:
    deliveries: int = 0  # every request the endpoint received, whatever it answered
    distinct: int = 0  # distinct webhook-ids answered 204
    redelivered: int = 0  # more requests under a webhook-id already answered 204
    refused_by_fault: int = 0  # answered 500 by the injected endpoint fault, then retried
    dead_lettered: int = 0  # WebhookDLQ's growth during the run
    problems: list[str] = field(default_factory=list)

    def rows(self) -> list[tuple[str, int]]:
        return [
            ("webhook deliveries (verified by standardwebhooks)", self.deliveries),
            ("  distinct events answered 204, by webhook-id", self.distinct),
            ("  redeliveries (same webhook-id, after a 204)", self.redelivered),
            ("  answered 500 by the endpoint fault, retried", self.refused_by_fault),
            ("  dead-lettered during the run", self.dead_lettered),
            ("  webhook problems", len(self.problems)),
        ]


def per_verification(deliveries: list[Delivery]) -> dict[str, list[Delivery]]:
    grouped: dict[str, list[Delivery]] = defaultdict(list)
    for delivery in deliveries:
        if delivery.name == ENDPOINT:
            grouped[delivery.payload["data"]["verification_id"]].append(delivery)
    return grouped


def delivered_ids(deliveries: list[Delivery]) -> set[str]:
    return {d.webhook_id for d in deliveries if d.verified and d.status == 204}


class WebhookAccount:
    def __init__(self, api: FaceIdBridgeClient, receiver: Receiver, *, failures: int, dlq_depth: int) -> None:
        """Subscribe `receiver`'s chaos path to every event; its first `failures` deliveries get a 500."""
        created = api.create_webhook_subscription({"url": receiver.url(ENDPOINT)})
        receiver.secrets[ENDPOINT] = [created.secret]
        receiver.failures[ENDPOINT] = failures
        self.receiver, self.dlq_at_start = receiver, dlq_depth

    def settle(
        self,
        events: dict[str, list[dict[str, Any]]],
        *,
        quiet_seconds: float,
        backlog: Callable[[], str],
        grace_seconds: float = 3,
    ) -> None:
        """Wait until each verification's events on the bus reached the endpoint, for as long as
        deliveries keep arriving: a queue that drains slowly (moto is one process on a shared
        machine) is waited for, a delivery lost is not, since nothing arrives for `quiet_seconds`.
        Then a grace period to catch anything extra."""
        expected = {vid: {e["detail"]["event_id"] for e in found} for vid, found in events.items()}
        wanted = sum(len(ids) for ids in expected.values())
        arrived, last_progress, last_report = -1, time.monotonic(), 0.0
        while time.monotonic() - last_progress < quiet_seconds:
            received = per_verification(list(self.receiver.deliveries))
            reached = sum(len(ids & delivered_ids(received.get(vid, []))) for vid, ids in expected.items())
            if reached == wanted:
                break
            if reached > arrived:
                arrived, last_progress = reached, time.monotonic()
            if time.monotonic() - last_report >= 30:
                print(f"  webhooks: {reached} of {wanted} events delivered; {backlog()}", flush=True)
                last_report = time.monotonic()
            time.sleep(0.5)
        time.sleep(grace_seconds)

    def tally(self, events: dict[str, list[dict[str, Any]]], dlq_depth: int) -> WebhookTally:
        """The endpoint's deliveries of the verifications in `events` (the bus's, per verification)."""
        received = per_verification(list(self.receiver.deliveries))
        tally = WebhookTally(dead_lettered=dlq_depth - self.dlq_at_start)
        for vid, found in events.items():
            on_bus = {e["detail"]["event_id"] for e in found}
            deliveries = received.get(vid, [])
            answered = Counter(d.webhook_id for d in deliveries if d.verified and d.status == 204)
            tally.deliveries += len(deliveries)
            tally.distinct += len(answered)
            tally.redelivered += sum(answered.values()) - len(answered)
            tally.refused_by_fault += sum(1 for d in deliveries if d.verified and d.status == 500)
            if missing := on_bus - set(answered):
                tally.problems.append(f"{vid}: {len(missing)} event(s) never reached the webhook endpoint")
            if new := {d.webhook_id for d in deliveries} - on_bus:
                tally.problems.append(f"{vid}: delivered under webhook-id(s) the bus never carried: {sorted(new)}")
            if unverified := [d.webhook_id for d in deliveries if not d.verified]:
                tally.problems.append(f"{vid}: deliveries standardwebhooks did not verify: {unverified}")
            if renamed := [d.webhook_id for d in deliveries if d.webhook_id != d.payload["data"]["event_id"]]:
                tally.problems.append(f"{vid}: webhook-id is not the event_id: {renamed}")
        if tally.dead_lettered:
            tally.problems.append(f"WebhookDLQ grew by {tally.dead_lettered} message(s)")
        return tally
