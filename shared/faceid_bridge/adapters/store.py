"""DynamoDB adapter: one table, five kinds of item.

| item         | pk                     | sk                 | why                                         |
| ------------ | ---------------------- | ------------------ | ------------------------------------------- |
| verification | VERIFICATION#<id>      | VERIFICATION       | the record and its state machine            |
| biz_no guard | BIZNO#<biz_no>         | BIZNO              | biz_no is unique; idempotent create          |
| biz_id key   | BIZID#<biz_id>         | BIZID              | FaceID's biz_id -> verification_id (H5 Lite) |
| audit        | VERIFICATION#<id>      | AUDIT#<sha256>     | FaceID's answers, redacted and bounded,     |
|              |                        |                    | written with the transition they caused     |
| lease        | LEASE#<name>           | LEASE              | one reconciler run at a time                |

Every item carries `expires_at_epoch`, the table's TTL: a verification and its biz_no guard are
kept `verification_retention_days` after they were last written (a verification's terminal
transition sets it anew), audit items `audit_retention_days` (never longer than the verification).

Lookups never Scan: by id with GetItem, by biz_no through its guard, by biz_id through its key item
(written in the verification's own creation transaction, so a callback's lookup is a strongly
consistent GetItem, never an index that may lag), and due verifications through the sparse ByDueAt
index, which holds only the
non-terminal ones (both keys-only; the item is then read consistently). Every state change is a
conditional update on `version`, so concurrent duplicate callbacks make exactly one transition;
it sets only the lifecycle's fields, so the reconciler's bookkeeping is never overwritten.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from faceid_bridge.adapters import aws
from faceid_bridge.domain.audit import AuditEntry
from faceid_bridge.domain.verification import Channel, Verification
from faceid_bridge.errors import Conflict
from faceid_bridge.faceid.common import redacted

DUE_INDEX = "ByDueAt"
DUE_BUCKETS = 8  # spreads due verifications over 8 index partitions; the reconciler reads them all
LIFECYCLE_FIELDS = (
    "status",
    "version",
    "updated_at",
    "correlation_id",
    "decision",
    "reasons",
    "liveness",
    "comparison",
)
CLAIM_LEASE = timedelta(seconds=60)  # longer than the create function's timeout
AUDIT_MAX_BYTES = 32 * 1024  # well under DynamoDB's 400 KB item limit, whatever FaceID sends


def _attribute(value: Any) -> dict[str, Any]:
    """A JSON-like value in DynamoDB's typed form. Written here rather than with boto3's
    TypeSerializer: it is the hot path of every callback, and it keeps boto3 out of this module's
    import (cold start). DynamoDB has no float: floats go as their shortest decimal."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | Decimal):
        return {"N": str(value)}
    if isinstance(value, float):
        return {"N": str(Decimal(repr(value)))}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, list | tuple):
        return {"L": [_attribute(item) for item in value]}
    if isinstance(value, dict):
        return {"M": {str(key): _attribute(item) for key, item in value.items()}}
    return {"S": str(value)}


def _value(attribute: dict[str, Any]) -> Any:
    (kind, raw), *_ = attribute.items()
    if kind == "S":
        return raw
    if kind == "N":
        return int(raw) if raw.lstrip("-").isdigit() else float(raw)
    if kind == "BOOL":
        return raw
    if kind == "NULL":
        return None
    if kind == "L":
        return [_value(item) for item in raw]
    if kind == "M":
        return {key: _value(item) for key, item in raw.items()}
    raise ValueError(f"unexpected DynamoDB type {kind}")  # we write no sets or binaries


def to_attributes(values: dict[str, Any]) -> dict[str, Any]:
    return {key: _attribute(value) for key, value in values.items()}


def from_attributes(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _value(value) for key, value in item.items()}


def _json(model: BaseModel) -> dict[str, Any]:
    # Absent, not NULL: an index key attribute (due_at) must be missing or a number.
    return dict(model.model_dump(mode="json", exclude_none=True))


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _verification_item(verification: Verification, expires_at_epoch: int) -> dict[str, Any]:
    values = {"entity": "verification", **_json(verification), "expires_at_epoch": expires_at_epoch}
    if verification.due_at is not None:
        values["due_bucket"] = _due_bucket(verification.verification_id)
    return {**verification_key(verification.verification_id), **to_attributes(values)}


def _due_bucket(verification_id: str) -> str:
    return f"DUE#{int(hashlib.sha256(verification_id.encode()).hexdigest(), 16) % DUE_BUCKETS}"


def verification_key(verification_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"VERIFICATION#{verification_id}"}, "sk": {"S": "VERIFICATION"}}


def _biz_no_key(biz_no: str) -> dict[str, Any]:
    return {"pk": {"S": f"BIZNO#{biz_no}"}, "sk": {"S": "BIZNO"}}


def _biz_id_key(biz_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"BIZID#{biz_id}"}, "sk": {"S": "BIZID"}}


def _lease_key(name: str) -> dict[str, Any]:
    return {"pk": {"S": f"LEASE#{name}"}, "sk": {"S": "LEASE"}}


def verification_from_image(image: dict[str, Any]) -> Verification:
    """A verification from a stored item or a stream image (both in DynamoDB's typed form)."""
    return Verification.model_validate(from_attributes(image))


@dataclass(frozen=True)
class BizNoClaim:
    """Who holds a biz_no: `claim_id` is ours when we won it; otherwise what the holder stored.
    `attempt` counts the FaceID calls made for it whose outcome we could not know (0: none)."""

    claim_id: str | None
    state: str
    request_hash: str
    verification_id: str | None = None
    attempt: int = 0


class VerificationStore:
    def __init__(
        self,
        table_name: str,
        *,
        verification_retention_days: int = 365,
        audit_retention_days: int = 30,
        keep_idcard_info: bool = False,
        dynamodb: Any = None,
    ) -> None:
        self.table_name = table_name
        self.retention = timedelta(days=verification_retention_days)
        self.audit_retention = min(timedelta(days=audit_retention_days), self.retention)
        self.keep_idcard_info = keep_idcard_info
        self._dynamodb = dynamodb

    @property
    def dynamodb(self) -> Any:
        return self._dynamodb or aws.client("dynamodb")

    # --- creation --------------------------------------------------------------------------------

    def claim_biz_no(self, biz_no: str, request_hash: str, now: datetime) -> BizNoClaim:
        """Take biz_no for this request, or report who has it. Only the same request (the same
        fingerprint) may take a held claim over: when its holder crashed (PENDING past the lease) or
        when its last FaceID call may have reached FaceID (AMBIGUOUS). Either way FaceID may have
        seen the biz_no, so the attempt goes up."""
        claim_id = secrets.token_hex(8)
        try:
            response = self.dynamodb.update_item(
                TableName=self.table_name,
                Key=_biz_no_key(biz_no),
                UpdateExpression=(
                    "SET entity = :entity, #state = :pending, claim_id = :claim, request_hash = :hash,"
                    " claimed_at = :now, expires_at_epoch = :ttl, attempt = if_not_exists(attempt, :before) + :one"
                ),
                ConditionExpression=(
                    "attribute_not_exists(pk) OR (request_hash = :hash"
                    " AND (#state = :ambiguous OR (#state = :pending AND claimed_at < :stale)))"
                ),
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    ":entity": {"S": "biz_no"},
                    ":pending": {"S": "PENDING"},
                    ":ambiguous": {"S": "AMBIGUOUS"},
                    ":claim": {"S": claim_id},
                    ":hash": {"S": request_hash},
                    ":now": {"N": str(_epoch(now))},
                    ":ttl": {"N": str(_epoch(now + self.retention))},
                    ":stale": {"N": str(_epoch(now - CLAIM_LEASE))},
                    ":before": {"N": "-1"},
                    ":one": {"N": "1"},
                },
                ReturnValues="ALL_NEW",
            )
            attempt = int(response["Attributes"]["attempt"]["N"])
            return BizNoClaim(claim_id=claim_id, state="PENDING", request_hash=request_hash, attempt=attempt)
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
            attempt=int(values.get("attempt", 0)),
        )

    def mark_ambiguous(self, biz_no: str, claim_id: str) -> None:
        """Record that FaceID may have seen a biz_no of this claim (its last call's outcome is
        unknown, or an earlier one's was): a retry of the same request takes the claim over with the
        next attempt instead of waiting for the lease, and the attempt count is kept."""
        with suppress(self.dynamodb.exceptions.ConditionalCheckFailedException):
            self.dynamodb.update_item(
                TableName=self.table_name,
                Key=_biz_no_key(biz_no),
                UpdateExpression="SET #state = :ambiguous",
                ConditionExpression="claim_id = :claim AND #state = :pending",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    ":ambiguous": {"S": "AMBIGUOUS"},
                    ":claim": {"S": claim_id},
                    ":pending": {"S": "PENDING"},
                },
            )

    def release_biz_no(self, biz_no: str, claim_id: str) -> None:
        """Give biz_no back after FaceID refused the request and no call for it can have reached
        FaceID before: nothing is kept for a refused verification."""
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
        ttl = {"N": str(_epoch(verification.created_at + self.retention))}
        item = _verification_item(verification, int(ttl["N"]))
        # Callbacks find an H5 Lite verification by FaceID's biz_id; the other channels' callers
        # know the verification_id.
        biz_id_item = [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": {
                        **_biz_id_key(verification.biz_id),
                        "entity": {"S": "biz_id"},
                        "verification_id": {"S": verification.verification_id},
                        "expires_at_epoch": ttl,
                    },
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        ]
        try:
            self.dynamodb.transact_write_items(
                TransactItems=[
                    *(biz_id_item if verification.channel is Channel.H5_LITE else []),
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
                            "UpdateExpression": "SET #state = :created, verification_id = :id, expires_at_epoch = :ttl",
                            "ConditionExpression": "claim_id = :claim",
                            "ExpressionAttributeNames": {"#state": "state"},
                            "ExpressionAttributeValues": {
                                ":created": {"S": "CREATED"},
                                ":id": {"S": verification.verification_id},
                                ":claim": {"S": claim_id},
                                ":ttl": ttl,
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

    def find_by_biz_id(self, biz_id: str, *, verification_id: str | None = None) -> Verification | None:
        """The H5 Lite verification of FaceID's biz_id. `verification_id`, when the caller has one
        it cannot vouch for (a query parameter), is tried first and kept only if its biz_id is the
        one asked for: one read instead of two."""
        if verification_id:
            candidate = self.get(verification_id)
            if candidate is not None and candidate.biz_id == biz_id:
                return candidate
        response = self.dynamodb.get_item(TableName=self.table_name, Key=_biz_id_key(biz_id), ConsistentRead=True)
        item = response.get("Item")
        return self.get(item["verification_id"]["S"]) if item else None

    # --- transitions -----------------------------------------------------------------------------

    def save_transition(self, before: Verification, after: Verification, audit: AuditEntry | None = None) -> bool:
        """Move the stored record from `before` to `after` only if it is still at `before`'s
        version, with FaceID's answer that caused it (when given) in the same write: one call, and
        never a transition without its audit or the reverse. False when another writer won. A
        terminal record drops the credentials the user's device needed (they are spent) and is kept
        for the retention period from now."""
        update = self._transition(before, after)
        try:
            if audit is None:
                self.dynamodb.update_item(TableName=self.table_name, **update)
            else:
                self.dynamodb.transact_write_items(
                    TransactItems=[
                        {"Update": {"TableName": self.table_name, **update}},
                        {"Put": {"TableName": self.table_name, "Item": self._audit_item(after.verification_id, audit)}},
                    ]
                )
            return True
        except self.dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        except self.dynamodb.exceptions.TransactionCanceledException:
            return False  # the version moved on, or a concurrent writer conflicted: the caller reads again

    def _transition(self, before: Verification, after: Verification) -> dict[str, Any]:
        fields = LIFECYCLE_FIELDS + (("expires_at_epoch",) if after.status.terminal else ())
        current = after.model_dump(mode="json", include=set(LIFECYCLE_FIELDS))
        current["expires_at_epoch"] = _epoch(after.updated_at + self.retention)
        values = to_attributes({name: current.get(name) for name in fields})
        names = {f"#{name}": name for name in fields}
        update = "SET " + ", ".join(f"#{name} = :{name}" for name in fields)
        removed = (["due_at", "due_bucket"] if after.due_at is None else []) + (
            ["#token", "verification_url"] if after.status.terminal else []
        )
        if after.status.terminal:
            names["#token"] = "token"
        if removed:
            update += " REMOVE " + ", ".join(removed)
        return {
            "Key": verification_key(after.verification_id),
            "UpdateExpression": update,
            "ConditionExpression": "#version = :expected",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": {
                **{f":{name}": value for name, value in values.items()},
                ":expected": {"N": str(before.version)},
            },
        }

    # --- single-use tokens ---------------------------------------------------------------------------

    def mark_token_sent(self, verification: Verification, now: datetime) -> bool:
        """Record, before the verification's single-use token goes to FaceID, that it is being sent.
        True for the one caller that may send it; False when it was sent before, or the verification
        moved on since it was read."""
        try:
            self.dynamodb.update_item(
                TableName=self.table_name,
                Key=verification_key(verification.verification_id),
                UpdateExpression="SET token_sent_at = :now",
                ConditionExpression="version = :live AND attribute_not_exists(token_sent_at)",
                ExpressionAttributeValues={
                    ":now": {"S": now.isoformat()},
                    ":live": {"N": str(verification.version)},
                },
            )
            return True
        except self.dynamodb.exceptions.ConditionalCheckFailedException:
            return False

    def unmark_token_sent(self, verification: Verification, sent_at: datetime) -> None:
        """FaceID refused the call outright (the token is not spent): it may be sent again."""
        with suppress(self.dynamodb.exceptions.ConditionalCheckFailedException):
            self.dynamodb.update_item(
                TableName=self.table_name,
                Key=verification_key(verification.verification_id),
                UpdateExpression="REMOVE token_sent_at SET token_refusals = if_not_exists(token_refusals, :no) + :one",
                ConditionExpression="token_sent_at = :sent",
                ExpressionAttributeValues={":sent": {"S": sent_at.isoformat()}, ":no": {"N": "0"}, ":one": {"N": "1"}},
            )

    # --- leases ------------------------------------------------------------------------------------

    def take_lease(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """Hold `name` until `until` (or until ended), unless another holder's lease is still
        running: one reconciler at a time without reserving Lambda concurrency."""
        try:
            self.dynamodb.update_item(
                TableName=self.table_name,
                Key=_lease_key(name),
                UpdateExpression=(
                    "SET entity = :entity, holder = :holder, lease_until = :until, expires_at_epoch = :ttl"
                ),
                ConditionExpression="attribute_not_exists(pk) OR lease_until <= :now OR holder = :holder",
                ExpressionAttributeValues={
                    ":entity": {"S": "lease"},
                    ":holder": {"S": holder},
                    ":until": {"N": str(_epoch(until))},
                    ":now": {"N": str(_epoch(now))},
                    ":ttl": {"N": str(_epoch(until + timedelta(days=1)))},
                },
            )
            return True
        except self.dynamodb.exceptions.ConditionalCheckFailedException:
            return False

    def end_lease(self, name: str, holder: str) -> None:
        with suppress(self.dynamodb.exceptions.ConditionalCheckFailedException):
            self.dynamodb.update_item(
                TableName=self.table_name,
                Key=_lease_key(name),
                UpdateExpression="SET lease_until = :ended",
                ConditionExpression="holder = :holder",
                ExpressionAttributeValues={":ended": {"N": "0"}, ":holder": {"S": holder}},
            )

    # --- reconciliation ----------------------------------------------------------------------------

    def due(self, now: datetime, page_size: int = 100) -> Iterator[str]:
        """Ids of the non-terminal verifications due by `now`, bucket by bucket, oldest first in
        each, every page of each. The index is sparse, so this costs what is due, not the table."""
        for bucket in range(DUE_BUCKETS):
            query: dict[str, Any] = {
                "TableName": self.table_name,
                "IndexName": DUE_INDEX,
                "KeyConditionExpression": "due_bucket = :bucket AND due_at <= :now",
                "ExpressionAttributeValues": {":bucket": {"S": f"DUE#{bucket}"}, ":now": {"N": str(_epoch(now))}},
                "Limit": page_size,
            }
            while True:
                response = self.dynamodb.query(**query)
                for item in response.get("Items", []):
                    yield item["pk"]["S"].removeprefix("VERIFICATION#")
                if "LastEvaluatedKey" not in response:
                    break
                query["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def record_read(self, verification: Verification, *, result: dict[str, Any] | None, next_due: int | None) -> None:
        """Count one get_result read on the item, keep the first good response (redacted; only its
        digest when it is too large to keep), and set when to look next (only while the verification
        is still non-terminal)."""
        values: dict[str, Any] = {":one": {"N": "1"}, ":zero": {"N": "0"}}
        update = "SET get_result_reads = if_not_exists(get_result_reads, :zero) + :one"
        if result is not None:
            body = self.audit_body(result)
            if len(body.encode()) > AUDIT_MAX_BYTES:
                digest = hashlib.sha256(body.encode()).hexdigest()
                body = json.dumps({"truncated": True, "payload_bytes": len(body.encode()), "payload_sha256": digest})
            update += ", first_result = if_not_exists(first_result, :result)"
            values[":result"] = {"S": body}
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

    def audit_body(self, payload: dict[str, Any]) -> str:
        """What we keep of a FaceID answer: redacted, as canonical JSON."""
        return json.dumps(
            redacted(payload, keep_idcard_info=self.keep_idcard_info), sort_keys=True, separators=(",", ":")
        )

    def _audit_item(self, verification_id: str, audit: AuditEntry) -> dict[str, Any]:
        """FaceID's answer as an audit item. Identical payloads collapse onto one item; one larger
        than AUDIT_MAX_BYTES keeps its first bytes, its size and its digest."""
        body = self.audit_body(audit.payload)
        digest = hashlib.sha256(body.encode()).hexdigest()
        values: dict[str, Any] = {
            "entity": "audit",
            "source": audit.source,
            "received_at": audit.received_at.isoformat(),
            "payload": body,
            "expires_at_epoch": _epoch(audit.received_at + self.audit_retention),
        }
        encoded = body.encode()
        if len(encoded) > AUDIT_MAX_BYTES:
            prefix = encoded[:AUDIT_MAX_BYTES].decode("utf-8", "ignore")
            values |= {"payload": prefix, "truncated": True, "payload_bytes": len(encoded), "payload_sha256": digest}
        key = {"pk": {"S": f"VERIFICATION#{verification_id}"}, "sk": {"S": f"AUDIT#{digest[:16]}"}}
        return {**key, **to_attributes(values)}
