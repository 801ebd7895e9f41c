"""The outbox relay: stream records to EventBridge, with partial failures, retries and poison."""

from __future__ import annotations

import copy
import json
from typing import Any

import boto3

from faceid_bridge.adapters.bus import DeadLetterQueue, EventBus
from faceid_bridge.adapters.dynamodb.codec import verification_from_image
from faceid_bridge.services.publisher import publish_records
from tests.local_stack import LocalStack
from tests.support import EVENTS, load_json


def stream_records(count: int = 1) -> list[dict[str, Any]]:
    template = load_json(EVENTS / "api" / "publisher_stream.json")["Records"][0]
    records = []
    for i in range(count):
        record = copy.deepcopy(template)
        record["dynamodb"]["SequenceNumber"] = str(100 + i)
        record["dynamodb"]["NewImage"]["verification_id"] = {"S": f"vrf_{i}"}
        records.append(record)
    return records


class FlakyEvents:
    """An EventBridge client whose PutEvents refuses the entries at the given call/positions."""

    def __init__(self, refuse: dict[int, set[int]] | None = None, outage_calls: int = 0) -> None:
        self.refuse, self.outage_calls = refuse or {}, outage_calls
        self.calls: list[list[dict[str, Any]]] = []

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        call = len(self.calls)
        self.calls.append(Entries)
        if call < self.outage_calls:
            from botocore.exceptions import EndpointConnectionError

            raise EndpointConnectionError(endpoint_url="https://events")
        refused = self.refuse.get(call, set())
        results = [
            {"ErrorCode": "ThrottlingException"} if i in refused else {"EventId": f"e{call}-{i}"}
            for i in range(len(Entries))
        ]
        return {"FailedEntryCount": len(refused), "Entries": results}


def publish(records: list[dict[str, Any]], events: FlakyEvents, stack: LocalStack, attempts: int = 4) -> dict[str, Any]:
    return publish_records(
        records,
        bus=EventBus(events),
        dead_letters=DeadLetterQueue(stack.refs["PublisherDLQ"]),
        source="faceid.bridge",
        bus_name="faceid-bridge",
        decode=verification_from_image,
        attempts=attempts,
        sleep=lambda _: None,
    )


def published_ids(events: FlakyEvents) -> list[str]:
    accepted = []
    for call, entries in enumerate(events.calls):
        if call < events.outage_calls:
            continue
        accepted += [
            json.loads(e["Detail"])["verification_id"]
            for i, e in enumerate(entries)
            if i not in events.refuse.get(call, set())
        ]
    return accepted


def test_a_batch_goes_out_in_put_events_chunks_of_ten(stack: LocalStack) -> None:
    events = FlakyEvents()
    assert publish(stream_records(23), events, stack) == {"batchItemFailures": []}
    assert [len(call) for call in events.calls] == [10, 10, 3]
    entry = events.calls[0][0]
    assert (entry["Source"], entry["DetailType"], entry["EventBusName"]) == (
        "faceid.bridge",
        "Verification Created",
        "faceid-bridge",
    )


def test_partially_refused_entries_are_retried_until_accepted(stack: LocalStack) -> None:
    # Given PutEvents refuses entries 1 and 3 the first time (FailedEntryCount 2)
    events = FlakyEvents(refuse={0: {1, 3}})
    # When a batch of 5 is published
    response = publish(stream_records(5), events, stack)
    # Then only the refused ones are sent again, and every event is out exactly once
    assert response == {"batchItemFailures": []}
    assert len(events.calls[1]) == 2
    assert sorted(published_ids(events)) == [f"vrf_{i}" for i in range(5)]


def test_entries_still_refused_are_reported_as_batch_item_failures(stack: LocalStack) -> None:
    # Given an EventBridge outage longer than the in-invocation retries
    events = FlakyEvents(outage_calls=99)
    response = publish(stream_records(3), events, stack, attempts=3)
    # Then every record is reported, so Lambda retries them (nothing is lost)
    assert response == {"batchItemFailures": [{"itemIdentifier": s} for s in ("100", "101", "102")]}


def test_poison_records_go_to_the_dlq_and_do_not_block_the_batch(stack: LocalStack) -> None:
    records = stream_records(3)
    records[1]["dynamodb"]["NewImage"]["status"] = {"S": "EXPLODED"}  # can never become an event
    events = FlakyEvents()
    assert publish(records, events, stack) == {"batchItemFailures": []}
    assert published_ids(events) == ["vrf_0", "vrf_2"]
    sqs = boto3.client("sqs", region_name=stack.region)
    messages = sqs.receive_message(QueueUrl=stack.refs["PublisherDLQ"], MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 1
    assert json.loads(messages[0]["Body"])["record"]["dynamodb"]["SequenceNumber"] == "101"


def test_records_that_announce_nothing_are_skipped(stack: LocalStack) -> None:
    audit, rewrite, removal = stream_records(3)
    audit["dynamodb"]["NewImage"] = {"entity": {"S": "audit"}, "pk": {"S": "VERIFICATION#vrf_0"}}
    rewrite["eventName"] = "MODIFY"
    rewrite["dynamodb"]["OldImage"] = rewrite["dynamodb"]["NewImage"]
    removal["eventName"] = "REMOVE"
    processing = stream_records(1)[0]
    processing["eventName"] = "MODIFY"
    processing["dynamodb"]["OldImage"] = copy.deepcopy(processing["dynamodb"]["NewImage"])
    processing["dynamodb"]["NewImage"].update({"status": {"S": "PROCESSING"}, "version": {"N": "2"}})
    events = FlakyEvents()
    assert publish([audit, rewrite, removal, processing], events, stack) == {"batchItemFailures": []}
    assert events.calls == []


def test_publisher_handler_on_the_sample_stream_event(stack: LocalStack) -> None:
    # The sample event for `sam local invoke`, through the real handler onto moto's EventBridge
    from tests.local_stack import handler, lambda_context

    assert handler("publisher")(load_json(EVENTS / "api" / "publisher_stream.json"), lambda_context()) == {
        "batchItemFailures": []
    }
