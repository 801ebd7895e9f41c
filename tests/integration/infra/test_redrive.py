"""DLQ redrive on moto: poison records go back through the publisher, keeping their event_id;
what is still poison stays in the DLQ. (Batches re-read from the stream: tests/e2e/test_redrive.py,
as moto's in-process DynamoDB Streams does not answer this botocore; its server does.)"""

from __future__ import annotations

import copy
import json
from typing import Any

import boto3
import pytest

from faceid_bridge.domain.events import event_id
from infra.local.provision import LocalStack
from infra.redrive import redrive
from tests.support import EVENTS, load_json


@pytest.fixture
def bus_queue(stack: LocalStack) -> str:
    """A queue behind a rule on the bus: what a downstream service receives."""
    sqs, events = boto3.client("sqs", region_name=stack.region), boto3.client("events", region_name=stack.region)
    url = sqs.create_queue(QueueName="downstream")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="all", EventBusName="faceid-bridge", EventPattern=json.dumps({"source": ["faceid.bridge"]}))
    events.put_targets(Rule="all", EventBusName="faceid-bridge", Targets=[{"Id": "q", "Arn": arn}])
    return str(url)


def received(stack: LocalStack, url: str) -> list[dict[str, Any]]:
    messages = boto3.client("sqs", region_name=stack.region).receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in messages.get("Messages", [])]


def dlq_depth(stack: LocalStack) -> int:
    attributes = boto3.client("sqs", region_name=stack.region).get_queue_attributes(
        QueueUrl=stack.refs["PublisherDLQ"],
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return sum(int(value) for value in attributes.values())


def to_dlq(stack: LocalStack, message: dict[str, Any]) -> None:
    boto3.client("sqs", region_name=stack.region).send_message(
        QueueUrl=stack.refs["PublisherDLQ"], MessageBody=json.dumps(message)
    )


def run(stack: LocalStack) -> Any:
    return redrive(stack.refs["PublisherDLQ"], bus_name="faceid-bridge", source="faceid.bridge", region=stack.region)


def test_a_fixed_poison_record_is_published_with_its_stable_event_id(stack: LocalStack, bus_queue: str) -> None:
    # Given a record that was poison when it failed (its cause now fixed)
    record = load_json(EVENTS / "api" / "publisher_stream.json")["Records"][0]
    to_dlq(stack, {"reason": "ValidationError", "record": record})
    # When the DLQ is redriven
    report = run(stack)
    # Then the event is out, with the id it always had, and the DLQ is empty
    assert (report.redriven, report.kept) == (1, [])
    [event] = received(stack, bus_queue)
    assert (event["detail-type"], event["detail"]["event_id"]) == (
        "Verification Created",
        event_id("vrf_Sample0000000000000000", 1),
    )
    assert dlq_depth(stack) == 0


def test_a_record_that_is_still_poison_stays_in_the_dlq(stack: LocalStack, bus_queue: str) -> None:
    record = copy.deepcopy(load_json(EVENTS / "api" / "publisher_stream.json")["Records"][0])
    record["dynamodb"]["NewImage"]["status"] = {"S": "EXPLODED"}
    to_dlq(stack, {"reason": "ValidationError", "record": record})
    report = run(stack)
    assert report.redriven == 0 and "still poison" in report.kept[0]
    assert dlq_depth(stack) == 1 and received(stack, bus_queue) == []
