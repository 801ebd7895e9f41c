"""DynamoDB Streams records as Lambda gets them: what the local stream poller hands the publisher,
and what the DLQ redrive re-reads from the stream (a module of its own, so that the redrive, which
runs against real AWS too, does not depend on the local emulator)."""

from __future__ import annotations

from typing import Any


def lambda_record(record: dict[str, Any], stream_arn: str, region: str) -> dict[str, Any]:
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if created is not None and not isinstance(created, (int, float)):
        dynamodb["ApproximateCreationDateTime"] = created.timestamp()
    return {
        **record,
        "dynamodb": dynamodb,
        "eventSource": "aws:dynamodb",
        "eventSourceARN": stream_arn,
        "awsRegion": region,
    }
