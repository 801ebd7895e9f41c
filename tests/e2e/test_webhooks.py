"""Signed webhooks through the local stack: the bus's rule -> SQS -> the delivery function -> an
endpoint that verifies every delivery with the `standardwebhooks` library (tests.local_stack.Receiver)."""

from __future__ import annotations

import time

import pytest
from faceid_bridge_client import ApiError

from tests.local_stack import LocalClient, Receiver

pytestmark = pytest.mark.e2e


def create_raw(client: LocalClient) -> str:
    """An H5 Raw verification, approved as it is created (its two events follow at once). H5 Raw,
    because an H5 Lite creation needs the gateway on a port FaceID calls back, which these tests
    leave free to choose."""
    return client.api.create_raw_verification(client.raw_body("pass")).verification_id


def subscribe(client: LocalClient, receiver: Receiver, name: str, **filters: list[str]) -> str:
    """A subscription for the receiver's path `name`; the receiver is given its secret."""
    created = client.api.create_webhook_subscription({"url": receiver.url(name), **filters})
    receiver.secrets[name] = [created.secret]
    return created.subscription_id


def test_each_event_reaches_the_endpoint_signed_with_its_event_id(client: LocalClient, receiver: Receiver) -> None:
    # Given an endpoint subscribed to H5 Raw's events
    subscription_id = subscribe(client, receiver, "raw", channels=["h5_raw"])
    # When a verification is created and approved
    verification_id = create_raw(client)
    deliveries = receiver.wait_for("raw", verification_id, 2)
    # Then both events arrived, each verified by standardwebhooks, its webhook-id its event_id
    assert [d.payload["type"] for d in deliveries] == ["Verification Created", "Verification Approved"]
    assert all(d.verified and d.status == 204 for d in deliveries)
    assert all(d.webhook_id == d.payload["data"]["event_id"] for d in deliveries)
    # And each attempt reads back with its status code and latency
    attempts = client.api.get_webhook_attempts(deliveries[1].webhook_id).attempts
    mine = [a for a in attempts if a.subscription_id == subscription_id]
    assert [(a.attempt, a.status_code, a.error) for a in mine] == [(1, 204, None)]
    assert mine[0].latency_ms >= 0
    client.api.disable_webhook_subscription(subscription_id)


def test_a_failing_endpoint_is_retried_and_a_dead_one_delays_no_other(client: LocalClient, receiver: Receiver) -> None:
    # Given three endpoints for creations: one healthy, one that fails once, one that always fails
    created_only = {"detail_types": ["Verification Created"]}
    ids = {name: subscribe(client, receiver, name, **created_only) for name in ("healthy", "flaky", "dead")}
    receiver.failures |= {"flaky": 1, "dead": -1}
    # When a verification is created
    verification_id = create_raw(client)
    # Then the healthy endpoint has it at once, whatever the dead one does
    started = time.monotonic()
    assert [d.status for d in receiver.wait_for("healthy", verification_id, 1)] == [204]
    assert time.monotonic() - started < 10
    # And the flaky one has it on the second attempt, 5 seconds later (the schedule's first retry)
    assert [d.status for d in receiver.wait_for("flaky", verification_id, 2, seconds=40)] == [500, 204]
    # And the dead one has been tried twice, and is still waiting for its third attempt
    assert [d.status for d in receiver.wait_for("dead", verification_id, 2, seconds=40)] == [500, 500]
    event_id = receiver.received("healthy", verification_id)[0].webhook_id
    attempts = client.api.get_webhook_attempts(event_id).attempts
    flaky = [(a.attempt, a.status_code) for a in attempts if a.subscription_id == ids["flaky"]]
    assert flaky == [(1, 500), (2, 204)]
    for subscription_id in ids.values():
        client.api.disable_webhook_subscription(subscription_id)


def test_after_a_rotation_the_old_and_the_new_secret_each_verify(client: LocalClient, receiver: Receiver) -> None:
    # Given a subscription whose secret was rotated; the receiver knows the old and the new one
    subscription_id = subscribe(client, receiver, "rotated", channels=["h5_raw"])
    old = receiver.secrets["rotated"][0]
    rotated = client.api.rotate_webhook_secret(subscription_id)
    assert rotated.secret != old and rotated.previous_secret_expires_at is not None
    receiver.secrets["rotated"] = [old, rotated.secret]
    # When a verification's events are delivered
    deliveries = receiver.wait_for("rotated", create_raw(client), 2)
    # Then each delivery verifies with the old secret alone, and with the new one alone
    assert [d.verified_by for d in deliveries] == [[0, 1], [0, 1]]
    client.api.disable_webhook_subscription(subscription_id)


def test_a_disabled_subscription_receives_nothing_more(client: LocalClient, receiver: Receiver) -> None:
    # Given a subscription disabled right after it was made
    subscription_id = subscribe(client, receiver, "disabled")
    assert client.api.disable_webhook_subscription(subscription_id).enabled is False
    listed = {s.subscription_id: s.enabled for s in client.api.list_webhook_subscriptions().subscriptions}
    assert listed[subscription_id] is False
    # And one that is not, as a witness that events were delivered
    witness = subscribe(client, receiver, "witness")
    # When a verification is created
    verification_id = create_raw(client)
    # Then the witness has its two events (Created, and the decision H5 Raw's create reaches), and
    # the disabled one nothing
    assert len(receiver.wait_for("witness", verification_id, 2)) == 2
    time.sleep(1)
    assert receiver.received("disabled", verification_id) == []
    client.api.disable_webhook_subscription(witness)


@pytest.mark.parametrize(
    "url",
    ["http://example.com/hook", "https://127.0.0.1/hook", "https://localhost/hook", "https://169.254.169.254/latest"],
)
def test_an_endpoint_that_is_not_public_https_is_refused(client: LocalClient, url: str) -> None:
    # When a subscription names a plain HTTP, loopback or link-local (metadata) endpoint
    with pytest.raises(ApiError) as refused:
        client.api.create_webhook_subscription({"url": url})
    # Then it is refused, as a bad argument
    assert refused.value.status == 400 and refused.value.error_message.startswith("BAD_ARGUMENTS:url")
