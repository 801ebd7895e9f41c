"""A local stand-in for Lambda's DynamoDB stream event source mapping, configured from the
template's event properties: batch size, partial batch responses, bisect on error, retry limits,
and the on-failure destination (which receives the batch's metadata, as Lambda sends it)."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import boto3

from infra.local.functions import FunctionHost
from infra.local.provision import LocalStack
from infra.local.stopping import report_unless_stopping
from infra.stream_records import lambda_record


def matches(pattern: Any, value: Any) -> bool:
    """Lambda's event filtering, for the pattern forms the template uses: nested objects, lists of
    allowed values, and {"anything-but": [...]}."""
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(matches(inner, value.get(key)) for key, inner in pattern.items())
    return any(
        value is not None and value not in allowed["anything-but"] if isinstance(allowed, dict) else value == allowed
        for allowed in pattern
    )


class StreamPoller(threading.Thread):
    def __init__(self, host: FunctionHost, stack: LocalStack, *, interval: float = 0.2) -> None:
        super().__init__(daemon=True, name=f"poller-{host.spec.logical_id}")
        assert host.spec.stream is not None
        self.host, self.stack, self.interval = host, stack, interval
        props = host.spec.stream
        self.stream_arn = stack.resolve(props["Stream"])
        self.batch_size = int(stack.resolve(props.get("BatchSize", 100)))  # a template parameter
        self.max_retries = int(props.get("MaximumRetryAttempts", -1))
        self.bisect = bool(props.get("BisectBatchOnFunctionError", False))
        self.partial = "ReportBatchItemFailures" in props.get("FunctionResponseTypes", [])
        on_failure = props.get("DestinationConfig", {}).get("OnFailure", {})
        self.on_failure_arn = stack.resolve(on_failure["Destination"]) if on_failure else None
        self.filters = [json.loads(f["Pattern"]) for f in props.get("FilterCriteria", {}).get("Filters", [])]
        self.streams = boto3.client("dynamodbstreams", region_name=stack.region)
        self.stopped = threading.Event()

    def run(self) -> None:
        iterators: dict[str, str] = {}
        while not self.stopped.is_set():
            try:
                self.poll(iterators)
            except Exception:  # noqa: BLE001 - moto went away: the stack is stopping, or will retry
                report_unless_stopping(self.stopped)
                continue
            self.stopped.wait(self.interval)

    def poll(self, iterators: dict[str, str]) -> None:
        """One pass over the stream's shards, from where the last pass left each."""
        for shard in self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]:
            shard_id = shard["ShardId"]
            if shard_id not in iterators:
                iterators[shard_id] = self.streams.get_shard_iterator(
                    StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
            response = self.streams.get_records(ShardIterator=iterators[shard_id], Limit=1000)
            iterators[shard_id] = response["NextShardIterator"]
            records = [lambda_record(r, self.stream_arn, self.stack.region) for r in response["Records"]]
            # Records no filter matches never reach the function, as in Lambda.
            records = [r for r in records if not self.filters or any(matches(f, r) for f in self.filters)]
            for start in range(0, len(records), self.batch_size):
                self.deliver(records[start : start + self.batch_size], shard_id)

    def deliver(self, batch: list[dict[str, Any]], shard_id: str) -> None:
        """Invoke until the batch is through, as Lambda does: resume from the first reported
        failure, bisect a failing batch, and give up after MaximumRetryAttempts."""
        retries = 0
        while batch and not self.stopped.is_set():
            try:
                result = self.host.invoke({"Records": batch}) or {}
                failures = (
                    [item["itemIdentifier"] for item in result.get("batchItemFailures", [])] if self.partial else []
                )
            except Exception:  # noqa: BLE001 - a function error, as Lambda sees it
                if self.bisect and len(batch) > 1:
                    middle = len(batch) // 2
                    self.deliver(batch[:middle], shard_id)
                    self.deliver(batch[middle:], shard_id)
                    return
                failures = [batch[0]["dynamodb"]["SequenceNumber"]]
            if not failures:
                return
            first = min(failures, key=int)
            batch = [r for r in batch if int(r["dynamodb"]["SequenceNumber"]) >= int(first)]
            retries += 1
            if 0 <= self.max_retries < retries:
                self.send_to_destination(batch, shard_id)
                return
            time.sleep(min(0.2 * 2**retries, 5.0))

    def send_to_destination(self, batch: list[dict[str, Any]], shard_id: str) -> None:
        if not self.on_failure_arn:
            return
        sqs = boto3.client("sqs", region_name=self.stack.region)
        queue_name = self.on_failure_arn.rsplit(":", 1)[1]
        message = {
            "requestContext": {"condition": "RetryAttemptsExhausted", "functionArn": self.host.spec.logical_id},
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "streamArn": self.stream_arn,
                "startSequenceNumber": batch[0]["dynamodb"]["SequenceNumber"],
                "endSequenceNumber": batch[-1]["dynamodb"]["SequenceNumber"],
                "batchSize": len(batch),
            },
        }
        sqs.send_message(QueueUrl=sqs.get_queue_url(QueueName=queue_name)["QueueUrl"], MessageBody=json.dumps(message))
