"""A local stand-in for Lambda's SQS event source mapping, configured from the template's event
properties: batch size, partial batch responses and a maximum concurrency, five batches at once as
Lambda starts. What the function reports failed (or a batch whose invocation raised) is left on the
queue, visible again after its visibility timeout, and goes to the queue's DLQ past its redrive
policy's receive count (moto applies the policy)."""

from __future__ import annotations

import threading
from typing import Any

import boto3

from infra.local.functions import FunctionHost
from infra.local.provision import LocalStack
from infra.local.stopping import report_unless_stopping


def sqs_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """An SQS message as Lambda passes it to the function."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": {},
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


# Lambda starts an SQS event source mapping reading five batches at once, invoking the function
# concurrently for each (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html);
# it scales past that under a backlog, which a local stack of one moto process would not feel.
CONCURRENT_BATCHES = 5


class QueuePoller(threading.Thread):
    def __init__(
        self,
        host: FunctionHost,
        properties: dict[str, Any],
        stack: LocalStack,
        *,
        concurrency: int = CONCURRENT_BATCHES,
    ) -> None:
        queue_arn = stack.resolve(properties["Queue"])
        super().__init__(daemon=True, name=f"queue-{host.spec.logical_id}-{queue_arn.rsplit(':', 1)[1]}")
        self.host, self.stack, self.queue_arn = host, stack, queue_arn
        maximum = properties.get("ScalingConfig", {}).get("MaximumConcurrency")  # the template's cap, if any
        self.concurrency = min(concurrency, int(stack.resolve(maximum))) if maximum else concurrency
        self.batch_size = min(int(stack.resolve(properties.get("BatchSize", 10))), 10)
        self.partial = "ReportBatchItemFailures" in properties.get("FunctionResponseTypes", [])
        self.sqs = boto3.client("sqs", region_name=stack.region)
        self.queue_url = self.sqs.get_queue_url(QueueName=queue_arn.rsplit(":", 1)[1])["QueueUrl"]
        self.stopped = threading.Event()

    def run(self) -> None:
        """`concurrency` loops, each receiving a batch and invoking the function with it, until stopped."""
        others = [
            threading.Thread(target=self.poll, daemon=True, name=f"{self.name}-{n}") for n in range(1, self.concurrency)
        ]
        for loop in others:
            loop.start()
        self.poll()
        for loop in others:
            loop.join()

    def poll(self) -> None:
        while not self.stopped.is_set():
            try:
                messages = self.sqs.receive_message(
                    QueueUrl=self.queue_url, MaxNumberOfMessages=self.batch_size, WaitTimeSeconds=1
                ).get("Messages", [])
                if messages:
                    self.deliver(messages)
            except Exception:  # noqa: BLE001 - moto went away: the stack is stopping, or will retry
                # What was not deleted comes back after its visibility timeout: nothing is lost.
                report_unless_stopping(self.stopped)

    def deliver(self, messages: list[dict[str, Any]]) -> None:
        """Invoke with the batch; delete what succeeded, as Lambda does."""
        records = [sqs_record(message, self.queue_arn, self.stack.region) for message in messages]
        try:
            result = self.host.invoke({"Records": records}) or {}
            failed = {item["itemIdentifier"] for item in result.get("batchItemFailures", [])} if self.partial else set()
        except Exception:  # noqa: BLE001 - a function error (moto gone, at a stop): the whole batch comes back
            report_unless_stopping(self.stopped)
            return
        done = [record for record in records if record["messageId"] not in failed]
        for start in range(0, len(done), 10):
            entries = [
                {"Id": str(i), "ReceiptHandle": r["receiptHandle"]} for i, r in enumerate(done[start : start + 10])
            ]
            self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)
