"""`make replay` on moto: events rebuilt from the table arrive with their original event_ids, on a
target bus, or through a rule's copy on the replay bus so that only that rule's target gets them;
a time range is found through the listing index."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from faceid_bridge.adapters.dynamodb import VerificationStore
from faceid_bridge.domain.decision import Decision, Outcome
from faceid_bridge.domain.events import event_id
from faceid_bridge.domain.lifecycle import Status
from faceid_bridge.domain.listing import ListQuery
from faceid_bridge.domain.verification import Channel, Verification
from faceid_bridge.services.replay import in_range
from infra.local.provision import LocalStack
from infra.replay import Stack, copy_name, run
from tests.support import make_verification

CREATED_AT = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def stored(store: VerificationStore, vid: str, *, minutes: int = 0) -> Verification:
    """A verification created and approved through the store, as the services do it."""
    at = CREATED_AT + timedelta(minutes=minutes)
    created = make_verification(vid, created_at=at)
    claim = store.claim_biz_no(created.biz_no, "h", at)
    assert claim.claim_id
    store.create(created, claim.claim_id, index_biz_id=True)
    approved = created.advanced(Outcome(status=Status.OK, decision=Decision.APPROVED), at + timedelta(minutes=1))
    assert store.save_transition(created, approved)
    return approved


def subscriber(stack: LocalStack, name: str, bus: str = "faceid-bridge") -> str:
    """A queue behind a rule `name` on `bus` that takes every faceid.bridge event."""
    sqs, events = boto3.client("sqs", region_name=stack.region), boto3.client("events", region_name=stack.region)
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps({"source": ["faceid.bridge"]}))
    events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "queue", "Arn": arn}])
    return str(url)


def received(stack: LocalStack, url: str) -> list[tuple[str, str]]:
    messages = boto3.client("sqs", region_name=stack.region).receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    bodies = [json.loads(message["Body"]) for message in messages.get("Messages", [])]
    return sorted((body["detail-type"], body["detail"]["event_id"]) for body in bodies)


def original(vid: str) -> list[tuple[str, str]]:
    return sorted([("Verification Created", event_id(vid, 1)), ("Verification Approved", event_id(vid, 2))])


@pytest.fixture
def queues(stack: LocalStack) -> dict[str, str]:
    return {name: subscriber(stack, name) for name in ("repaired", "healthy")}


def test_a_rule_s_replay_reaches_only_that_rule_s_target_with_the_original_ids(
    stack: LocalStack, store: VerificationStore, queues: dict[str, str]
) -> None:
    # Given an approved verification, long settled (its stream records are gone), and two subscribers
    approved = stored(store, "vrf_replay_one")
    # When its events are replayed to the rule "repaired"
    report = run([approved], stack=Stack(), region=stack.region, rule="repaired")
    # Then the repaired subscriber gets its creation and approval with the ids they were first
    # published with; the healthy one gets nothing; and the rule's copy is gone from the replay bus
    assert received(stack, queues["repaired"]) == original("vrf_replay_one")
    assert received(stack, queues["healthy"]) == []
    assert (report.verifications, report.refused) == (1, [])
    events = boto3.client("events", region_name=stack.region)
    assert events.list_rules(EventBusName=Stack().replay_bus_name)["Rules"] == []
    assert copy_name("repaired") == "replay-repaired"


def test_a_time_range_is_replayed_to_a_subscriber_s_bus_through_the_listing_index(
    stack: LocalStack, store: VerificationStore, queues: dict[str, str]
) -> None:
    # Given a subscriber's own bus, and three verifications of which two were created in the range
    boto3.client("events", region_name=stack.region).create_event_bus(Name="their-bus")
    theirs = subscriber(stack, "theirs", bus="their-bus")
    for vid, minutes in (("vrf_range_a", 0), ("vrf_range_b", 10), ("vrf_range_late", 120)):
        stored(store, vid, minutes=minutes)
    query = ListQuery(Channel.H5_LITE, CREATED_AT, CREATED_AT + timedelta(hours=1))
    # When the range is replayed to their bus
    report = run(in_range(query, store=store), stack=Stack(), region=stack.region, target_bus="their-bus")
    # Then their bus's subscriber has both verifications' events, with the original ids, and ours nothing
    assert received(stack, theirs) == sorted(original("vrf_range_a") + original("vrf_range_b"))
    assert report.event_ids == [
        event_id("vrf_range_a", 1),
        event_id("vrf_range_a", 2),
        event_id("vrf_range_b", 1),
        event_id("vrf_range_b", 2),
    ]
    assert received(stack, queues["healthy"]) == []


def test_a_rule_copy_is_removed_even_when_the_replay_fails(stack: LocalStack, queues: dict[str, str]) -> None:
    def failing() -> Iterator[Verification]:
        """A range whose table read fails once the replay has begun (the copy is in place)."""
        yield from ()
        raise RuntimeError("table unreachable")

    with pytest.raises(RuntimeError):
        run(failing(), stack=Stack(), region=stack.region, rule="repaired")
    events = boto3.client("events", region_name=stack.region)
    assert events.list_rules(EventBusName=Stack().replay_bus_name)["Rules"] == []
