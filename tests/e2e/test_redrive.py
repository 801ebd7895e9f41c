"""Redrive of a batch that ran out of retries, through the local stack: its records are read again
from the table's stream and published again, with the event_id they had the first time."""

from __future__ import annotations

import json

import boto3
import pytest

from tests.local_stack import Endpoints, LocalClient, Subscriber, redrive

pytestmark = pytest.mark.e2e


def test_a_failed_batch_is_read_again_from_the_stream(
    endpoints: Endpoints, client: LocalClient, subscriber: Subscriber
) -> None:
    # Given a verification whose Created event went out
    created = client.create().json()
    vid = created["verification_id"]
    [first] = subscriber.wait_for({vid: 1})[vid]
    # And Lambda's on-failure record for the batch holding its record
    region = endpoints.region
    dynamodb, streams = (
        boto3.client("dynamodb", region_name=region),
        boto3.client("dynamodbstreams", region_name=region),
    )
    stream_arn = dynamodb.describe_table(TableName="faceid-bridge-VerificationsTable")["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    records = []
    while iterator:
        response = streams.get_records(ShardIterator=iterator, Limit=1000)
        records += response["Records"]
        iterator = response.get("NextShardIterator") if response["Records"] else None
    ours = [
        r
        for r in records
        if r["dynamodb"].get("NewImage", {}).get("verification_id", {}).get("S") == vid
        and r["dynamodb"]["NewImage"]["entity"]["S"] == "verification"
    ]
    sequence = ours[0]["dynamodb"]["SequenceNumber"]
    sqs = boto3.client("sqs", region_name=region)
    dlq = sqs.get_queue_url(QueueName="faceid-bridge-PublisherDLQ")["QueueUrl"]
    info = {
        "shardId": shard,
        "streamArn": stream_arn,
        "startSequenceNumber": sequence,
        "endSequenceNumber": sequence,
        "batchSize": 1,
    }
    sqs.send_message(QueueUrl=dlq, MessageBody=json.dumps({"DDBStreamBatchInfo": info}))
    # When the DLQ is redriven
    report = redrive(dlq, bus_name="faceid-bridge", source="faceid.bridge", region=region)
    # Then the event arrives again, with the same event_id, so consumers can drop the repeat
    assert (report.redriven, report.kept) == (1, [])
    events = subscriber.wait_for({vid: 2})[vid]
    # (the short-lived local token may also expire meanwhile: its Abandoned event is another one)
    created_events = [e for e in events if e["detail-type"] == "Verification Created"]
    assert [e["detail"]["event_id"] for e in created_events] == [first["detail"]["event_id"]] * 2
