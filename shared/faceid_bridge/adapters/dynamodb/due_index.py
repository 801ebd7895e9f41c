"""The reconciler's schedule: the sparse ByDueAt index of the verifications still waiting for a
terminal result (only they carry due_at), and the bookkeeping of its get_result reads."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from datetime import datetime
from typing import Any

from faceid_bridge.adapters.dynamodb.audit_log import bounded_body
from faceid_bridge.adapters.dynamodb.codec import DUE_BUCKETS, Table, epoch, number, verification_key
from faceid_bridge.domain.verification import Verification

DUE_INDEX = "ByDueAt"


class DueIndex:
    def __init__(self, table: Table) -> None:
        self.table = table

    def due(self, now: datetime, page_size: int = 100) -> Iterator[str]:
        """Ids of the non-terminal verifications due by `now`, bucket by bucket, oldest first in
        each, every page of each. The index is sparse, so this costs what is due, not the table."""
        for bucket in range(DUE_BUCKETS):
            query: dict[str, Any] = {
                "TableName": self.table.name,
                "IndexName": DUE_INDEX,
                "KeyConditionExpression": "due_bucket = :bucket AND due_at <= :now",
                "ExpressionAttributeValues": {":bucket": {"S": f"DUE#{bucket}"}, ":now": number(epoch(now))},
                "Limit": page_size,
            }
            while True:
                response = self.table.dynamodb.query(**query)
                for item in response.get("Items", []):
                    yield item["pk"]["S"].removeprefix("VERIFICATION#")
                if "LastEvaluatedKey" not in response:
                    break
                query["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def record_read(self, verification: Verification, *, result: dict[str, Any] | None, next_due: int | None) -> None:
        """Count one get_result read on the item, keep the first good response (redacted; only its
        digest when it is too large to keep), and set when to look next (only while the verification
        is still non-terminal)."""
        values: dict[str, Any] = {":one": number(1), ":zero": number(0)}
        update = "SET get_result_reads = if_not_exists(get_result_reads, :zero) + :one"
        if result is not None:
            update += ", first_result = if_not_exists(first_result, :result)"
            values[":result"] = {"S": bounded_body(result, self.table)}
        if next_due is not None:
            update += ", due_at = :due"
            values[":due"] = number(next_due)
            values[":live"] = number(verification.version)
        dynamodb = self.table.dynamodb
        with suppress(dynamodb.exceptions.ConditionalCheckFailedException):
            dynamodb.update_item(
                TableName=self.table.name,
                Key=verification_key(verification.verification_id),
                UpdateExpression=update,
                # A new due time only for a record no transition has moved on since we read it.
                # Never FaceID's answer onto a redacted record.
                ConditionExpression="attribute_exists(pk) AND attribute_not_exists(redacted_at)"
                + (" AND version = :live" if next_due is not None else ""),
                ExpressionAttributeValues=values,
            )

    def reschedule(self, verification: Verification, next_due: int) -> None:
        """Look again later (FaceID was unavailable), if the verification has not moved on."""
        dynamodb = self.table.dynamodb
        with suppress(dynamodb.exceptions.ConditionalCheckFailedException):
            dynamodb.update_item(
                TableName=self.table.name,
                Key=verification_key(verification.verification_id),
                UpdateExpression="SET due_at = :due",
                ConditionExpression="version = :live",
                ExpressionAttributeValues={":due": number(next_due), ":live": number(verification.version)},
            )
