"""Move publisher DLQ messages back through the publisher, once the cause is fixed.

    make redrive STACK=name                        # a deployed stack (AWS credentials): its outputs
    make redrive                                   # the local stack
    python -m infra.redrive --queue-url URL --event-bus-name BUS   # any DLQ, named by hand

Two kinds of message land in the DLQ:
- a poison record the publisher could not turn into an event ({"reason", "record"}): the record is
  published again;
- Lambda's on-failure record for a batch that ran out of retries ({"DDBStreamBatchInfo"}): its
  records are read again from the table's stream (kept 24 hours) and published.

Events keep their stable event_id, so consumers deduplicate what they already had. A message is
deleted only once all its events are accepted; a record that is still poison stays in the DLQ.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from typing import Any

import boto3

from faceid_bridge.adapters.bus import DeadLetterQueue, EventBus
from faceid_bridge.adapters.dynamodb.codec import verification_from_image
from faceid_bridge.services.publisher import publish_records
from infra.stream_records import lambda_record


class _StillPoison(DeadLetterQueue):
    """Stands in for the DLQ during a redrive: a record that is poison again stays where it is."""

    def __init__(self) -> None:
        super().__init__(queue_url="")
        self.records: list[dict[str, Any]] = []

    def send(self, message: dict[str, Any]) -> None:
        self.records.append(message)


@dataclass(frozen=True)
class StackTargets:
    """What a redrive of a deployed stack works on, from its outputs and parameters."""

    queue_url: str
    table_name: str
    bus_name: str
    source: str


def stack_description(stack: str, region: str) -> tuple[dict[str, str], dict[str, str]]:
    """A deployed stack's outputs and parameters (make redrive's and make replay's)."""
    (described,) = boto3.client("cloudformation", region_name=region).describe_stacks(StackName=stack)["Stacks"]
    outputs = {output["OutputKey"]: output["OutputValue"] for output in described.get("Outputs", [])}
    parameters = {
        parameter["ParameterKey"]: parameter["ParameterValue"] for parameter in described.get("Parameters", [])
    }
    return outputs, parameters


def stack_targets(stack: str, region: str) -> StackTargets:
    outputs, parameters = stack_description(stack, region)
    return StackTargets(
        queue_url=outputs["PublisherDLQUrl"],
        table_name=outputs["VerificationsTableName"],
        bus_name=outputs["EventBusName"],
        source=parameters.get("EventSource") or "faceid.bridge",
    )


@dataclass
class RedriveReport:
    redriven: int = 0
    kept: list[str] = field(default_factory=list)  # why each message that stayed is still there


def stream_records(info: dict[str, Any], region: str) -> list[dict[str, Any]]:
    """The records of a failed batch, read again from the stream."""
    streams = boto3.client("dynamodbstreams", region_name=region)
    iterator = streams.get_shard_iterator(
        StreamArn=info["streamArn"],
        ShardId=info["shardId"],
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        SequenceNumber=info["startSequenceNumber"],
    )["ShardIterator"]
    end, records = int(info["endSequenceNumber"]), []
    while iterator:
        response = streams.get_records(ShardIterator=iterator, Limit=100)
        batch = [r for r in response["Records"] if int(r["dynamodb"]["SequenceNumber"]) <= end]
        records += [lambda_record(r, info["streamArn"], region) for r in batch]
        if len(batch) < len(response["Records"]) or not response["Records"]:
            break
        iterator = response.get("NextShardIterator")
    return records


def redrive(queue_url: str, *, bus_name: str, source: str, region: str, table_name: str | None = None) -> RedriveReport:
    """Publish the DLQ's messages again. With `table_name`, a failed batch of another table's stream
    (a DLQ shared by mistake, a table replaced) stays in the queue."""
    sqs, report = boto3.client("sqs", region_name=region), RedriveReport()
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=300).get(
            "Messages", []
        )
        if not messages:
            return report
        for message in messages:
            body = json.loads(message["Body"])
            stream = body.get("DDBStreamBatchInfo", {}).get("streamArn", "")
            if table_name and stream and f":table/{table_name}/stream/" not in stream:
                report.kept.append(f"{message['MessageId']}: a batch of another table's stream")
                continue
            records = [body["record"]] if "record" in body else stream_records(body["DDBStreamBatchInfo"], region)
            still_poison = _StillPoison()
            result = publish_records(
                records,
                bus=EventBus(),
                dead_letters=still_poison,
                source=source,
                bus_name=bus_name,
                decode=verification_from_image,
            )
            if still_poison.records:
                report.kept.append(f"{message['MessageId']}: still poison ({still_poison.records[0]['reason']})")
            elif result["batchItemFailures"]:
                report.kept.append(f"{message['MessageId']}: EventBridge did not accept every event")
            else:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
                report.redriven += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    queue = parser.add_mutually_exclusive_group()
    queue.add_argument("--stack", help="a deployed stack: its DLQ, table, bus and event source")
    queue.add_argument("--queue-url", help="the stack's PublisherDLQUrl output")
    queue.add_argument("--queue-name", default="faceid-bridge-PublisherDLQ", help="the DLQ by name (the local stack's)")
    parser.add_argument("--event-bus-name", default="faceid-bridge")
    parser.add_argument("--source", default="faceid.bridge")
    parser.add_argument("--region")
    args = parser.parse_args()
    # boto3 takes the account, region and endpoint from its usual environment (make redrive points
    # it at the local stack's moto server).
    region = args.region or boto3.Session().region_name
    if args.stack:
        targets = stack_targets(args.stack, region)
        report = redrive(
            targets.queue_url,
            bus_name=targets.bus_name,
            source=targets.source,
            region=region,
            table_name=targets.table_name,
        )
    else:
        queue_url = (
            args.queue_url
            or boto3.client("sqs", region_name=region).get_queue_url(QueueName=args.queue_name)["QueueUrl"]
        )
        report = redrive(queue_url, bus_name=args.event_bus_name, source=args.source, region=region)
    print(f"redriven: {report.redriven} message(s); still in the DLQ: {len(report.kept)}")
    for reason in report.kept:
        print(f"  {reason}")
    raise SystemExit(1 if report.kept else 0)


if __name__ == "__main__":
    main()
