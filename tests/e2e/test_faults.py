"""The sandbox's fault switches against the whole local stack: whatever FaceID does, each
verification reaches exactly one terminal event (or, with a dropped notify and no return, none)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.local_stack import LocalClient, Subscriber

pytestmark = pytest.mark.e2e


def names(events: list[dict[str, Any]]) -> list[str]:
    return [event["detail-type"] for event in events]


@pytest.mark.parametrize(
    "notify_faults",
    [
        {"duplicates": 5},
        {"out_of_order": True},
        {"duplicates": 2, "out_of_order": True},
        {"retries": 3, "retry_delay_ms": 50},
    ],
    ids=["duplicated", "out of order", "both", "retried"],
)
def test_notify_faults_still_give_exactly_one_terminal_event(
    client: LocalClient, subscriber: Subscriber, notify_faults: dict[str, Any]
) -> None:
    created = client.create().json()
    finished = client.complete(created["token"], "pass", faults=notify_faults)
    assert finished["notify_statuses"] and set(finished["notify_statuses"]) == {200}
    vid = created["verification_id"]
    assert names(subscriber.wait_for({vid: 2})[vid]) == ["Verification Created", "Verification Approved"]
    assert client.get(vid).json()["status"] == "OK"


def test_a_dropped_notify_is_recovered_by_the_signed_post_return(client: LocalClient, subscriber: Subscriber) -> None:
    created = client.create().json()
    finished = client.complete(created["token"], "spoof_mask", faults={"drop": True})
    vid = created["verification_id"]
    assert finished["notify_statuses"] == []
    assert client.get(vid).json()["status"] == "CREATED"  # nothing arrived yet
    # When the user's browser comes back with FaceID's signed POST return
    assert client.follow_return(finished).status_code == 303
    assert names(subscriber.wait_for({vid: 2})[vid]) == ["Verification Created", "Verification Rejected"]


def test_faceid_internal_errors_are_retried_by_our_side(
    client: LocalClient, subscriber: Subscriber, faults: Any
) -> None:
    faults(get_token={"internal_errors": 2})  # our client retries twice
    response = client.create()
    assert response.status_code == 201
    vid = response.json()["verification_id"]
    assert names(subscriber.wait_for({vid: 1})[vid]) == ["Verification Created"]


def test_persistent_internal_errors_are_503_and_store_nothing(client: LocalClient, faults: Any) -> None:
    biz_no = f"e2e-unavailable-{uuid.uuid4()}"
    faults(get_token={"internal_errors": 3})  # more than our two retries
    response = client.create(biz_no=biz_no)
    assert (response.status_code, response.json()["error_message"]) == (503, "FACEID_UNAVAILABLE")
    assert response.headers["retry-after"] == "1"
    # Nothing was stored: the same biz_no goes through once FaceID recovers
    assert client.create(biz_no=biz_no).status_code == 201


def test_concurrency_limit_is_429_with_retry_after(client: LocalClient, faults: Any) -> None:
    biz_no = f"e2e-concurrency-{uuid.uuid4()}"
    faults(get_token={"concurrency_limits": 1})
    refused = client.create(biz_no=biz_no)
    assert (refused.status_code, refused.json()["error_message"], refused.headers["retry-after"]) == (
        429,
        "CONCURRENCY_LIMIT_EXCEEDED",
        "1",
    )
    assert client.create(biz_no=biz_no).status_code == 201


def test_latency_does_not_change_the_outcome(client: LocalClient, faults: Any) -> None:
    faults(get_token={"latency_ms": 300})
    response = client.create()
    assert response.status_code == 201


def test_a_create_retried_after_a_lost_get_token_answer_gives_one_verification(
    client: LocalClient, subscriber: Subscriber, faults: Any
) -> None:
    # Given FaceID acts on the next get_token but answers after the stack's per-try timeout (4 s)
    faults(get_token={"slow_answers": 1, "slow_answer_ms": 6000})
    biz_no = f"slow-{uuid.uuid4()}"
    # When the client creates, gets the unknown outcome, and retries the same request
    first = client.create(biz_no=biz_no)
    assert (first.status_code, first.json()["error_message"]) == (503, "FACEID_OUTCOME_UNKNOWN")
    assert first.headers["Retry-After"] == "1"
    second = client.create(biz_no=biz_no)
    # Then the retry gets the verification, whose flow works to the end
    assert second.status_code == 201, second.text
    created = second.json()
    assert created["biz_no"] == biz_no
    client.complete(created["token"], "pass")
    vid = created["verification_id"]
    subscriber.wait_for({vid: 2})
    # And the bus saw exactly one verification for that biz_no, with one Created event
    for_biz_no = [e for events in subscriber.events.values() for e in events if e["detail"]["biz_no"] == biz_no]
    assert {e["detail"]["verification_id"] for e in for_biz_no} == {vid}
    assert names(for_biz_no) == ["Verification Created", "Verification Approved"]
