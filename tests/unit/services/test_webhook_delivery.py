"""The delivery service with fakes for its store, queue and HTTP: each attempt is recorded, a failure
is retried on the schedule (hops of at most 15 minutes), the last one is dead-lettered for its
endpoint, and the endpoint's address is checked again at each attempt (DNS rebinding)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr

from faceid_bridge.domain.webhooks import ATTEMPT_DELAYS, DeliveryAttempt, Endpoint, SigningSecret, Subscription
from faceid_bridge.services.webhook_delivery import deliver, fan_out, webhook_body
from tests.support import EVENTS, load_json

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
EVENT = load_json(EVENTS / "samples" / "h5_lite" / "verification-approved.json")


@dataclass
class FakeStore:
    stored: dict[str, Subscription] = field(default_factory=dict)
    attempts: list[DeliveryAttempt] = field(default_factory=list)
    dead: list[tuple[str, str]] = field(default_factory=list)

    def subscription(self, subscription_id: str) -> Subscription | None:
        return self.stored.get(subscription_id)

    def subscriptions(self) -> list[Subscription]:
        return list(self.stored.values())

    def record_attempt(self, attempt: DeliveryAttempt) -> None:
        self.attempts.append(attempt)

    def dead_letter(self, subscription_id: str, event_id: str, message: dict[str, Any], at: datetime) -> None:
        self.dead.append((subscription_id, event_id))


@dataclass
class FakeQueue:
    sent: list[tuple[dict[str, Any], int]] = field(default_factory=list)

    def send(self, message: dict[str, Any], delay_seconds: int = 0) -> None:
        self.sent.append((message, delay_seconds))


@dataclass
class FakeDeadLetters:
    sent: list[dict[str, Any]] = field(default_factory=list)

    def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)


@dataclass
class FakeHttp:
    status: int | None = 204
    addresses: list[str] = field(default_factory=lambda: ["93.184.216.34"])
    posts: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def resolve(self, host: str) -> list[str]:
        return self.addresses

    def post(
        self, endpoint: Endpoint, address: str, body: str, headers: dict[str, str]
    ) -> tuple[int | None, int, str | None]:
        self.posts.append((address, body, headers))
        return self.status, 42, None if self.status else "ReadTimeoutError"


def subscription(subscription_id: str = "whs_1", **fields: Any) -> Subscription:
    values: dict[str, Any] = {
        "subscription_id": subscription_id,
        "url": "https://hooks.example.com/in",
        "channels": [],
        "detail_types": [],
        "created_at": NOW,
        "secrets": [SigningSecret(value=SecretStr("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))],
    }
    return Subscription.model_validate(values | fields)


def message(attempt: int = 1, due_at: datetime = NOW) -> dict[str, Any]:
    return {"subscription_id": "whs_1", "event": EVENT, "attempt": attempt, "due_at": due_at.timestamp()}


def run(
    message: dict[str, Any], http: FakeHttp, store: FakeStore | None = None
) -> tuple[FakeStore, FakeQueue, FakeDeadLetters]:
    store = store or FakeStore({"whs_1": subscription()})
    queue, dead_letters = FakeQueue(), FakeDeadLetters()
    deliver(
        message,
        store=store,
        queue=queue,
        dead_letters=dead_letters,
        http=http,
        allowed_targets=frozenset(),
        clock=lambda: NOW,
    )
    return store, queue, dead_letters


def test_an_event_is_fanned_out_to_each_subscription_that_wants_it() -> None:
    # Given three subscriptions: all events, another channel's, and a disabled one
    store = FakeStore(
        {
            "whs_all": subscription("whs_all"),
            "whs_raw": subscription("whs_raw", channels=["h5_raw"]),
            "whs_off": subscription("whs_off", enabled=False),
        }
    )
    queue = FakeQueue()
    # When an H5 Lite event arrives
    sent = fan_out([EVENT], store=store, queue=queue, now=NOW)
    # Then one message goes out, for the subscription that wants it, due at once
    assert sent == 1
    assert queue.sent == [({"subscription_id": "whs_all", "event": EVENT, "attempt": 1, "due_at": NOW.timestamp()}, 0)]


def test_a_delivery_that_succeeds_is_recorded_and_signed_with_the_event_id() -> None:
    http = FakeHttp(status=204)
    # When a due message is delivered
    store, queue, _ = run(message(), http)
    # Then the endpoint got the event's envelope, under the event's id, at the checked address
    ((address, body, headers),) = http.posts
    assert address == "93.184.216.34" and json.loads(body)["data"] == EVENT["detail"]
    assert body == webhook_body(EVENT) and headers["webhook-id"] == EVENT["detail"]["event_id"]
    assert headers["webhook-timestamp"] == str(int(NOW.timestamp()))
    # And the attempt is recorded, with nothing left to retry
    assert [(a.attempt, a.status_code, a.latency_ms) for a in store.attempts] == [(1, 204, 42)]
    assert queue.sent == []


@pytest.mark.parametrize("status", [500, 301, None])
def test_a_failed_attempt_is_retried_after_the_schedules_next_wait(status: int | None) -> None:
    # When the endpoint answers 5xx, redirects (never followed), or does not answer
    store, queue, dead_letters = run(message(attempt=2), FakeHttp(status=status))
    # Then the attempt is recorded, and the message is sent again for attempt 3, due after its wait
    assert [(a.attempt, a.status_code) for a in store.attempts] == [(2, status)]
    ((retry, delay),) = queue.sent
    assert (retry["attempt"], delay) == (3, ATTEMPT_DELAYS[2])
    assert retry["due_at"] == (NOW + timedelta(seconds=ATTEMPT_DELAYS[2])).timestamp()
    assert dead_letters.sent == []


def test_a_message_not_yet_due_goes_back_without_an_attempt() -> None:
    http = FakeHttp()
    # When a message due in a day arrives after one 15-minute hop
    store, queue, _ = run(message(attempt=9, due_at=NOW + timedelta(days=1)), http)
    # Then it is sent back unchanged, with the time left (the queue caps each hop at 15 minutes)
    assert http.posts == [] and store.attempts == []
    assert queue.sent == [(message(attempt=9, due_at=NOW + timedelta(days=1)), 86400)]


def test_the_last_failed_attempt_is_dead_lettered_for_its_endpoint() -> None:
    last = len(ATTEMPT_DELAYS)
    # When the schedule's last attempt fails
    store, queue, dead_letters = run(message(attempt=last), FakeHttp(status=503))
    # Then there is no retry: the delivery is dead-lettered, in the table and on the DLQ
    assert queue.sent == []
    assert store.dead == [("whs_1", EVENT["detail"]["event_id"])]
    assert dead_letters.sent == [message(attempt=last)]


def test_an_endpoint_that_now_resolves_to_a_private_address_is_not_called() -> None:
    # Given an endpoint whose host now resolves to the metadata address (DNS rebinding)
    http = FakeHttp(addresses=["93.184.216.34", "169.254.169.254"])
    # When its delivery is due
    store, queue, _ = run(message(), http)
    # Then nothing is sent; the attempt records why, and is retried like any failure
    assert http.posts == []
    assert [(a.status_code, a.error) for a in store.attempts] == [(None, "refused_address:link_local")]
    assert [m["attempt"] for m, _ in queue.sent] == [2]


def test_a_disabled_subscription_gets_no_more_attempts() -> None:
    http = FakeHttp()
    store, queue, _ = run(message(attempt=4), http, FakeStore({"whs_1": subscription(enabled=False)}))
    assert http.posts == [] and store.attempts == [] and queue.sent == []
