"""DynamoDB adapter: one table, three kinds of item.

| item         | pk                     | sk                 | why                                         |
| ------------ | ---------------------- | ------------------ | ------------------------------------------- |
| verification | VERIFICATION#<id>      | VERIFICATION       | the record and its state machine            |
| biz_no guard | BIZNO#<biz_no>         | BIZNO              | biz_no is unique, forever; idempotent create |
| audit        | VERIFICATION#<id>      | AUDIT#<sha256>     | callback payloads (no images), with a TTL   |

Lookups never Scan: by id with GetItem, by biz_no through its guard, by biz_id through the sparse
ByBizId index, and due verifications through the sparse ByDueAt index, which holds only the
non-terminal ones (both keys-only; the item is then read consistently). Every state change is a
conditional update on `version`, so concurrent duplicate callbacks make exactly one transition;
it sets only the lifecycle's fields, so the reconciler's bookkeeping is never overwritten.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from pydantic import BaseModel

from faceid_bridge.adapters import aws
from faceid_bridge.domain.verification import Verification
from faceid_bridge.errors import Conflict
from faceid_bridge.faceid.contract import without_images

BIZ_ID_INDEX = "ByBizId"
DUE_INDEX = "ByDueAt"
DUE_BUCKETS = 8  # spreads due verifications over 8 index partitions; the reconciler reads them all
LIFECYCLE_FIELDS = ("status", "version", "updated_at", "decision", "reasons", "liveness", "comparison")
CLAIM_LEASE = timedelta(seconds=60)  # longer than the create function's timeout
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def to_attributes(values: dict[str, Any]) -> dict[str, Any]:
    # DynamoDB has no float: a JSON round trip turns every float into a Decimal.
    plain = json.loads(json.dumps(values, default=str), parse_float=Decimal)
    return {key: _serializer.serialize(value) for key, value in plain.items()}


def from_attributes(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _deserializer.deserialize(value) for key, value in item.items()}


def _json(model: BaseModel) -> dict[str, Any]:
    # Absent, not NULL: an index key attribute (due_at) must be missing or a number.
    return dict(model.model_dump(mode="json", exclude_none=True))


def _verification_item(verification: Verification) -> dict[str, Any]:
    values = {"entity": "verification", **_json(verification)}
    if verification.due_at is not None:
        values["due_bucket"] = _due_bucket(verification.verification_id)
    return {**verification_key(verification.verification_id), **to_attributes(values)}


def _due_bucket(verification_id: str) -> str:
    return f"DUE#{int(hashlib.sha256(verification_id.encode()).hexdigest(), 16) % DUE_BUCKETS}"


def verification_key(verification_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"VERIFICATION#{verification_id}"}, "sk": {"S": "VERIFICATION"}}


def _biz_no_key(biz_no: str) -> dict[str, Any]:
    return {"pk": {"S": f"BIZNO#{biz_no}"}, "sk": {"S": "BIZNO"}}


def verification_from_image(image: dict[str, Any]) -> Verification:
    """A verification from a stored item or a stream image (both in DynamoDB's typed form)."""
    return Verification.model_validate(from_attributes(image))


@dataclass(frozen=True)
class BizNoClaim:
    """Who holds a biz_no: `claim_id` is ours when we won it; otherwise what the holder stored."""

    claim_id: str | None
    state: str
    request_hash: str
    verification_id: str | None = None


class VerificationStore:
    def __init__(self, table_name: str, *, audit_retention_days: int = 30, dynamodb: Any = None) -> None:
        self.table_name = table_name
        self.audit_retention = timedelta(days=audit_retention_days)
        self._dynamodb = dynamodb

    @property
    def dynamodb(self) -> Any:
        return self._dynamodb or aws.client("dynamodb")

    # --- creation --------------------------------------------------------------------------------

    def claim_biz_no(self, biz_no: str, request_hash: str, now: datetime) -> BizNoClaim:
        """Take biz_no for this request, or report who has it. A PENDING claim older than the lease
        belongs to a crashed request and may be taken over."""
        claim_id = secrets.token_hex(8)
        item = {
            **_biz_no_key(biz_no),
            **to_attributes(
                {
                    "entity": "biz_no",
                    "state": "PENDING",
                    "claim_id": claim_id,
                    "request_hash": request_hash,
                    "claimed_at": int(now.timestamp()),
                }
            ),
        }
        try:
            self.dynamodb.put_item(
                TableName=self.table_name,
                Item=item,
                ConditionExpression="attribute_not_exists(pk) OR (#state = :pending AND claimed_at < :stale)",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    ":pending": {"S": "PENDING"},
                    ":stale": {"N": str(int((now - CLAIM_LEASE).timestamp()))},
                },
            )
            return BizNoClaim(claim_id=claim_id, state="PENDING", request_hash=request_hash)
        except self.dynamodb.exceptions.ConditionalCheckFailedException:
            pass
        held = self.dynamodb.get_item(TableName=self.table_name, Key=_biz_no_key(biz_no), ConsistentRead=True)
        values = from_attributes(held.get("Item", {}))
        if not values:  # released between our write and our read: let the client retry
            raise Conflict("REQUEST_IN_PROGRESS:biz_no", retry_after=1)
        return BizNoClaim(
            claim_id=None,
            state=values["state"],
            request_hash=values["request_hash"],
            verification_id=values.get("verification_id"),
        )

    def release_biz_no(self, biz_no: str, claim_id: str) -> None:
        """Give biz_no back after FaceID refused the request: nothing is kept for a refused verification."""
        # If the lease was taken over, the condition fails and the new holder keeps it.
        with suppress(self.dynamodb.exceptions.ConditionalCheckFailedException):
            self.dynamodb.delete_item(
                TableName=self.table_name,
                Key=_biz_no_key(biz_no),
                ConditionExpression="claim_id = :claim AND #state = :pending",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={":claim": {"S": claim_id}, ":pending": {"S": "PENDING"}},
            )

    def create(self, verification: Verification, claim_id: str) -> None:
        """Store the verification and settle its biz_no claim, atomically."""
        item = _verification_item(verification)
        try:
            self.dynamodb.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self.table_name,
                            "Item": item,
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Update": {
                            "TableName": self.table_name,
                            "Key": _biz_no_key(verification.biz_no),
                            "UpdateExpression": "SET #state = :created, verification_id = :id",
                            "ConditionExpression": "claim_id = :claim",
                            "ExpressionAttributeNames": {"#state": "state"},
                            "ExpressionAttributeValues": {
                                ":created": {"S": "CREATED"},
                                ":id": {"S": verification.verification_id},
                                ":claim": {"S": claim_id},
                            },
                        }
                    },
                ]
            )
        except self.dynamodb.exceptions.TransactionCanceledException:
            raise Conflict("REQUEST_IN_PROGRESS:biz_no", retry_after=1) from None

    # --- reads -----------------------------------------------------------------------------------

    def get(self, verification_id: str) -> Verification | None:
        response = self.dynamodb.get_item(
            TableName=self.table_name, Key=verification_key(verification_id), ConsistentRead=True
        )
        item = response.get("Item")
        return verification_from_image(item) if item else None

    def find_by_biz_id(self, biz_id: str) -> Verification | None:
        response = self.dynamodb.query(
            TableName=self.table_name,
            IndexName=BIZ_ID_INDEX,
            KeyConditionExpression="biz_id = :biz_id",
            ExpressionAttributeValues={":biz_id": {"S": biz_id}},
            Limit=1,
        )
        items = response.get("Items", [])
        return self.get(items[0]["pk"]["S"].removeprefix("VERIFICATION#")) if items else None

    # --- transitions -----------------------------------------------------------------------------

    def save_transition(self, before: Verification, after: Verification) -> bool:
        """Move the stored record from `before` to `after` only if it is still at `before`'s
        version. False when another writer won."""
        values = to_attributes({name: _json(after).get(name) for name in LIFECYCLE_FIELDS})
        names = {f"#{name}": name for name in LIFECYCLE_FIELDS}
        update = "SET " + ", ".join(f"#{name} = :{name}" for name in LIFECYCLE_FIELDS)
        if after.due_at is None:
            update += " REMOVE due_at, due_bucket"
        try:
            self.dynamodb.update_item(
                TableName=self.table_name,
                Key=verification_key(after.verification_id),
                UpdateExpression=update,
                ConditionExpression="#version = :expected",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={
                    **{f":{name}": value for name, value in values.items()},
                    ":expected": {"N": str(before.version)},
                },
            )
            return True
        except self.dynamodb.exceptions.ConditionalCheckFailedException:
            return False

    # --- reconciliation ----------------------------------------------------------------------------

    def due(self, now: datetime, limit: int = 100) -> list[str]:
        """Ids of the non-terminal verifications due by `now`, oldest first in each bucket. The
        index is sparse, so this costs what is due, not what the table holds."""
        due: list[str] = []
        for bucket in range(DUE_BUCKETS):
            response = self.dynamodb.query(
                TableName=self.table_name,
                IndexName=DUE_INDEX,
                KeyConditionExpression="due_bucket = :bucket AND due_at <= :now",
                ExpressionAttributeValues={":bucket": {"S": f"DUE#{bucket}"}, ":now": {"N": str(int(now.timestamp()))}},
                Limit=limit,
            )
            due += [item["pk"]["S"].removeprefix("VERIFICATION#") for item in response.get("Items", [])]
        return due

    def record_read(self, verification: Verification, *, result: str | None, next_due: int | None) -> None:
        """Count one get_result read on the item, keep the first good response, and set when to
        look next (only while the verification is still non-terminal)."""
        values: dict[str, Any] = {":one": {"N": "1"}, ":zero": {"N": "0"}}
        update = "SET get_result_reads = if_not_exists(get_result_reads, :zero) + :one"
        if result is not None:
            update += ", first_result = if_not_exists(first_result, :result)"
            values[":result"] = {"S": result}
        if next_due is not None:
            update += ", due_at = :due"
            values[":due"] = {"N": str(next_due)}
            values[":live"] = {"N": str(verification.version)}
        with suppress(self.dynamodb.exceptions.ConditionalCheckFailedException):
            self.dynamodb.update_item(
                TableName=self.table_name,
                Key=verification_key(verification.verification_id),
                UpdateExpression=update,
                # A new due time only for a record no transition has moved on since we read it.
                ConditionExpression="attribute_exists(pk)" + (" AND version = :live" if next_due is not None else ""),
                ExpressionAttributeValues=values,
            )

    def reschedule(self, verification: Verification, next_due: int) -> None:
        """Look again later (FaceID was unavailable), if the verification has not moved on."""
        with suppress(self.dynamodb.exceptions.ConditionalCheckFailedException):
            self.dynamodb.update_item(
                TableName=self.table_name,
                Key=verification_key(verification.verification_id),
                UpdateExpression="SET due_at = :due",
                ConditionExpression="version = :live",
                ExpressionAttributeValues={":due": {"N": str(next_due)}, ":live": {"N": str(verification.version)}},
            )

    def put_audit(self, verification_id: str, source: str, payload: dict[str, Any], now: datetime) -> None:
        """Keep what FaceID said, for audit. Identical payloads collapse onto one item."""
        body = json.dumps(without_images(payload), sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256(body.encode()).hexdigest()[:16]
        self.dynamodb.put_item(
            TableName=self.table_name,
            Item={
                "pk": {"S": f"VERIFICATION#{verification_id}"},
                "sk": {"S": f"AUDIT#{digest}"},
                **to_attributes(
                    {
                        "entity": "audit",
                        "source": source,
                        "received_at": now.isoformat(),
                        "payload": body,
                        "expires_at_epoch": int((now + self.audit_retention).timestamp()),
                    }
                ),
            },
        )
