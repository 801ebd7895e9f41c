"""`make chaos`'s webhook accounting (infra/local/chaos_webhooks.py): what it counts, and that each
way a delivery can go wrong is a problem in the report."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace
from typing import Any

import pytest

from infra.local.chaos_webhooks import ENDPOINT, WebhookAccount
from infra.local.webhook_receiver import Delivery, Receiver

VID = "vrf_1"
CREATED, APPROVED = "evt-created", "evt-approved"


def bus_event(event_id: str) -> dict[str, Any]:
    return {"detail": {"event_id": event_id, "verification_id": VID}}


def delivery(webhook_id: str, status: int = 204, *, verified: bool = True, event_id: str | None = None) -> Delivery:
    payload = {"data": {"event_id": event_id or webhook_id, "verification_id": VID}}
    return Delivery(ENDPOINT, [0] if verified else [], webhook_id, status, payload)


def account(*deliveries: Delivery, dlq_at_start: int = 0) -> WebhookAccount:
    api = SimpleNamespace(create_webhook_subscription=lambda body: SimpleNamespace(secret="whsec_x"))
    receiver = Receiver(port=0)
    webhooks = WebhookAccount(api, receiver, failures=1, dlq_depth=dlq_at_start)  # type: ignore[arg-type]
    receiver.deliveries.extend(deliveries)
    return webhooks


EVENTS = {VID: [bus_event(CREATED), bus_event(APPROVED), bus_event(APPROVED)]}  # the bus redelivered one


def test_each_event_once_with_a_refusal_and_a_redelivery_is_counted_and_no_problem() -> None:
    # Given the endpoint refused the Created once, then had it, and had the Approved twice
    webhooks = account(delivery(CREATED, 500), delivery(CREATED), delivery(APPROVED), delivery(APPROVED))
    # When the run is tallied
    tally = webhooks.tally(EVENTS, dlq_depth=0)
    # Then each count is right and nothing is a problem
    assert (tally.deliveries, tally.distinct, tally.redelivered, tally.refused_by_fault) == (4, 2, 1, 1)
    assert tally.problems == []


@pytest.mark.parametrize(
    ("deliveries", "dlq_depth", "problem"),
    [
        ([delivery(CREATED)], 0, "never reached the webhook endpoint"),
        ([delivery(CREATED, 500), delivery(APPROVED)], 0, "never reached the webhook endpoint"),
        ([delivery(CREATED), delivery(APPROVED), delivery("evt-new")], 0, "the bus never carried"),
        ([delivery(CREATED), delivery(APPROVED), delivery(APPROVED, verified=False)], 0, "did not verify"),
        ([delivery(CREATED), delivery(APPROVED, event_id=CREATED)], 0, "webhook-id is not the event_id"),
        ([delivery(CREATED), delivery(APPROVED)], 1, "WebhookDLQ grew by 1"),
    ],
    ids=["missing", "only refused", "new id", "unverified", "renamed", "dead-lettered"],
)
def test_a_delivery_gone_wrong_is_a_problem(deliveries: list[Delivery], dlq_depth: int, problem: str) -> None:
    # Given the endpoint's deliveries of a verification's two events, and the WebhookDLQ's depth
    webhooks = account(*deliveries)
    # When the run is tallied
    tally = webhooks.tally(EVENTS, dlq_depth=dlq_depth)
    # Then it reports what went wrong
    assert any(problem in found for found in tally.problems), tally.problems


def test_the_subscription_gets_the_secret_and_the_endpoint_fault() -> None:
    # Given an account opened with 3 refusals
    api = SimpleNamespace(create_webhook_subscription=lambda body: SimpleNamespace(secret=f"secret-for {body['url']}"))
    receiver = Receiver(port=16999)
    WebhookAccount(api, receiver, failures=3, dlq_depth=0)  # type: ignore[arg-type]
    # Then the receiver verifies the chaos path with the subscription's secret, and refuses 3
    assert receiver.secrets[ENDPOINT] == ["secret-for http://127.0.0.1:16999/hooks/chaos"]
    assert receiver.failures[ENDPOINT] == 3


def test_settling_waits_for_as_long_as_deliveries_keep_arriving() -> None:
    # Given a backlog that drains slowly: one delivery every 0.4 s
    webhooks = account()

    def arrive_slowly() -> None:
        for one in (delivery(CREATED), delivery(APPROVED)):
            time.sleep(0.4)
            webhooks.receiver.deliveries.append(one)

    arriving = threading.Thread(target=arrive_slowly)
    asked: list[str] = []

    def backlog() -> str:
        asked.append("depths")
        return "depths"

    started = time.monotonic()
    arriving.start()
    # When the run settles with a quiet window shorter than the backlog takes
    webhooks.settle(EVENTS, quiet_seconds=0.6, backlog=backlog, grace_seconds=0)
    arriving.join()
    # Then it waited until both arrived, past the quiet window, and reported the backlog on the way
    assert time.monotonic() - started >= 0.8
    assert webhooks.tally(EVENTS, dlq_depth=0).problems == []
    assert asked


def test_settling_gives_up_once_nothing_has_arrived_for_the_quiet_window() -> None:
    # Given the Created reached the endpoint and the Approved never will
    webhooks = account(delivery(CREATED))
    started = time.monotonic()
    # When the run settles
    webhooks.settle(EVENTS, quiet_seconds=1, backlog=lambda: "depths", grace_seconds=0)
    # Then it stops after the quiet window, and the Approved is a problem
    assert 1 <= time.monotonic() - started < 3
    assert any("never reached" in problem for problem in webhooks.tally(EVENTS, dlq_depth=0).problems)
