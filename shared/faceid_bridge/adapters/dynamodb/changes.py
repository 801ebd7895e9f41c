"""Redaction's writes (services/changes.py orders them): the record's personal data, the biz_no
claim's fingerprint, and the audit items. Each is idempotent, so a redaction that stopped half-way
is finished by calling it again.

The record's write is the one that counts: conditional on the version it read, it writes the next
version, which the publisher announces as Verification Redacted. The stream's REMOVE records of the
audit items and the claim's MODIFY announce nothing (publisher.entry_for).
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from faceid_bridge.adapters.dynamodb.codec import Table, biz_no_key, to_attributes, verification_key
from faceid_bridge.domain.changes import REDACTED
from faceid_bridge.domain.verification import Verification

# What the redaction's write sets besides the emptied fields.
_STAMP = ("version", "updated_at", "correlation_id", "redacted_at")


class VerificationChanges:
    table: Table

    def save_redaction(self, before: Verification, after: Verification) -> bool:
        """Store `after` (domain/changes.redacted of `before`) if the record is still at `before`'s
        version: the emptied fields removed (or set to []), the redaction stamped. False when another
        writer moved it on."""
        values = after.model_dump(mode="json", include={*REDACTED, *_STAMP})
        kept = {name: value for name, value in values.items() if value is not None}
        removed = [name for name, value in values.items() if value is None]
        names = {f"#{name}": name for name in values}
        update = "SET " + ", ".join(f"#{name} = :{name}" for name in kept)
        if removed:
            update += " REMOVE " + ", ".join(f"#{name}" for name in removed)
        dynamodb = self.table.dynamodb
        try:
            dynamodb.update_item(
                TableName=self.table.name,
                Key=verification_key(after.verification_id),
                UpdateExpression=update,
                ConditionExpression="#version = :expected AND attribute_not_exists(#redacted_at)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={
                    **{f":{name}": value for name, value in to_attributes(kept).items()},
                    ":expected": {"N": str(before.version)},
                },
            )
            return True
        except dynamodb.exceptions.ConditionalCheckFailedException:
            return False

    def forget_fingerprint(self, biz_no: str, verification_id: str) -> None:
        """Remove the request's fingerprint from the biz_no claim of this verification (a claim
        that expired, or that is another verification's, is left alone). Without it no request
        matches the claim again: a create with this biz_no answers 409 CONFLICT:biz_no."""
        dynamodb = self.table.dynamodb
        with suppress(dynamodb.exceptions.ConditionalCheckFailedException):
            dynamodb.update_item(
                TableName=self.table.name,
                Key=biz_no_key(biz_no),
                UpdateExpression="REMOVE request_hash",
                ConditionExpression="verification_id = :id",
                ExpressionAttributeValues={":id": {"S": verification_id}},
            )

    def delete_audit(self, verification_id: str) -> int:
        """Delete every audit item of the verification (a Query on its key, never a Scan): how many."""
        dynamodb = self.table.dynamodb
        query: dict[str, Any] = {
            "TableName": self.table.name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :audit)",
            "ExpressionAttributeValues": {":pk": {"S": f"VERIFICATION#{verification_id}"}, ":audit": {"S": "AUDIT#"}},
            "ProjectionExpression": "pk, sk",
            "ConsistentRead": True,
        }
        deleted = 0
        while True:
            response = dynamodb.query(**query)
            for key in response.get("Items", []):
                dynamodb.delete_item(TableName=self.table.name, Key=key)
                deleted += 1
            if "LastEvaluatedKey" not in response:
                return deleted
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]
