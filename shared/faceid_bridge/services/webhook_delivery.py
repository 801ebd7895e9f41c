"""Webhook delivery: each event on the bus fanned out to one message per matching endpoint, and each
message tried, signed (Standard Webhooks), until the endpoint answers 2xx or the retry schedule
(domain.webhooks.ATTEMPT_DELAYS, over 3 days) runs out; then it is dead-lettered for that endpoint.

A retry is a new message on the deliveries queue, delayed; SQS delays at most 15 minutes, so a
message not yet due goes back, delayed again, without an attempt. An endpoint's failures only ever
delay its own messages: each is a message of its own, tried in an invocation of its own.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from faceid_bridge.domain import webhook_signature
from faceid_bridge.domain.verification import utcnow
from faceid_bridge.domain.webhooks import (
    DeliveryAttempt,
    Endpoint,
    RefusedEndpoint,
    Subscription,
    delay_before,
    endpoint_of,
    refusal_of,
)
from faceid_bridge.metric_names import Metric
from faceid_bridge.observability import logger, metrics


class DeliveryStore(Protocol):
    def subscription(self, subscription_id: str) -> Subscription | None: ...
    def subscriptions(self) -> list[Subscription]: ...
    def record_attempt(self, attempt: DeliveryAttempt) -> None: ...
    def dead_letter(self, subscription_id: str, event_id: str, message: dict[str, Any], at: datetime) -> None: ...


class Queue(Protocol):
    def send(self, message: dict[str, Any], delay_seconds: int = 0) -> None: ...


class DeadLetters(Protocol):
    def send(self, message: dict[str, Any]) -> None: ...


class Http(Protocol):
    def resolve(self, host: str) -> list[str]: ...
    def post(
        self, endpoint: Endpoint, address: str, body: str, headers: dict[str, str]
    ) -> tuple[int | None, int, str | None]: ...


def fan_out(events: list[dict[str, Any]], *, store: DeliveryStore, queue: Queue, now: datetime) -> int:
    """One delivery message per event and subscription that wants it. Returns how many were sent."""
    subscriptions = store.subscriptions()  # one Query for the events given
    sent = 0
    for event in events:
        detail_type, channel = event["detail-type"], event["detail"]["channel"]
        for subscription in subscriptions:
            if subscription.wants(detail_type, channel):
                message = {"subscription_id": subscription.subscription_id, "event": event, "attempt": 1}
                queue.send(message | {"due_at": now.timestamp()})
                sent += 1
    return sent


def webhook_body(event: dict[str, Any]) -> str:
    """What an endpoint receives: the spec's recommended envelope around the event's detail."""
    envelope = {"type": event["detail-type"], "timestamp": event["time"], "data": event["detail"]}
    return json.dumps(envelope, separators=(",", ":"))


def _attempt(
    subscription: Subscription, event: dict[str, Any], *, http: Http, allowed_targets: frozenset[str], now: datetime
) -> tuple[int | None, int, str | None]:
    """One signed POST, if the endpoint still resolves to addresses we may call."""
    try:
        endpoint = endpoint_of(subscription.url, allowed_targets)
    except RefusedEndpoint:
        return None, 0, "refused_url"
    addresses = http.resolve(endpoint.host)
    reason = refusal_of(endpoint, addresses, allowed_targets)
    if reason is not None:
        return None, 0, f"refused_address:{reason}"
    body = webhook_body(event)
    event_id = event["detail"]["event_id"]
    headers = webhook_signature.headers(subscription.live_secrets(now), event_id, int(now.timestamp()), body)
    return http.post(endpoint, addresses[0], body, headers)


def deliver(
    message: dict[str, Any],
    *,
    store: DeliveryStore,
    queue: Queue,
    dead_letters: DeadLetters,
    http: Http,
    allowed_targets: frozenset[str],
    clock: Callable[[], datetime] = utcnow,
) -> None:
    """Try one delivery message once it is due; schedule its retry, or dead-letter it."""
    now = clock()
    wait = math.ceil(message["due_at"] - now.timestamp())
    if wait > 0:
        queue.send(message, wait)  # not due yet: another hop of at most 15 minutes
        return
    subscription = store.subscription(message["subscription_id"])
    event, number = message["event"], int(message["attempt"])
    trace = {"subscription_id": message["subscription_id"], "event_id": event["detail"]["event_id"], "attempt": number}
    if subscription is None or not subscription.enabled:
        logger.info("webhook dropped: subscription gone or disabled", extra=trace)
        return
    status, latency_ms, error = _attempt(subscription, event, http=http, allowed_targets=allowed_targets, now=now)
    attempt = DeliveryAttempt(
        event_id=trace["event_id"],
        subscription_id=subscription.subscription_id,
        attempt=number,
        status_code=status,
        latency_ms=latency_ms,
        error=error,
        at=now,
    )
    store.record_attempt(attempt)
    if attempt.delivered:
        metrics.add_metric(name=Metric.WEBHOOKS_DELIVERED, unit="Count", value=1)
        return
    metrics.add_metric(name=Metric.WEBHOOK_ATTEMPTS_FAILED, unit="Count", value=1)
    logger.warning("webhook attempt failed", extra=trace | {"status": status, "error": error})
    delay = delay_before(number + 1)
    if delay is None:
        metrics.add_metric(name=Metric.WEBHOOKS_DEAD_LETTERED, unit="Count", value=1)
        store.dead_letter(subscription.subscription_id, trace["event_id"], message, now)
        dead_letters.send(message)
        return
    queue.send(message | {"attempt": number + 1, "due_at": now.timestamp() + delay}, delay)
