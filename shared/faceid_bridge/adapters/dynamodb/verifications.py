"""The verification repository: each verification, its creation (with its biz_no claim settled and
its biz_id key, atomically), its transitions and its single-use token marks.

Every state change is a conditional update on `version`, so concurrent duplicate callbacks make
exactly one transition; it sets only the lifecycle's fields, so the reconciler's bookkeeping is
never overwritten.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from typing import Any

from faceid_bridge.adapters.dynamodb.audit_log import audit_item
from faceid_bridge.adapters.dynamodb.codec import (
    Table,
    biz_id_key,
    biz_no_key,
    epoch,
    to_attributes,
    verification_from_image,
    verification_item,
    verification_key,
)
from faceid_bridge.domain.audit import AuditEntry
from faceid_bridge.domain.verification import Verification
from faceid_bridge.errors import RequestInProgress

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


class VerificationRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    def create(self, verification: Verification, claim_id: str, *, index_biz_id: bool) -> None:
        """Store the verification and settle its biz_no claim, atomically; with `index_biz_id`, the key
        item its callbacks find it by, FaceID's biz_id (the channel says: channels/spec.py)."""
        dynamodb = self.table.dynamodb
        ttl = {"N": str(epoch(verification.created_at + self.table.retention))}
        item = verification_item(verification, int(ttl["N"]))
        biz_id_item = [
            {
                "Put": {
                    "TableName": self.table.name,
                    "Item": {
                        **biz_id_key(verification.biz_id),
                        "entity": {"S": "biz_id"},
                        "verification_id": {"S": verification.verification_id},
                        "expires_at_epoch": ttl,
                    },
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        ]
        try:
            dynamodb.transact_write_items(
                TransactItems=[
                    *(biz_id_item if index_biz_id else []),
                    {
                        "Put": {
                            "TableName": self.table.name,
                            "Item": item,
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Update": {
                            "TableName": self.table.name,
                            "Key": biz_no_key(verification.biz_no),
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
        except dynamodb.exceptions.TransactionCanceledException:
            raise RequestInProgress("REQUEST_IN_PROGRESS:biz_no", retry_after=1) from None

    # --- reads -----------------------------------------------------------------------------------

    def get(self, verification_id: str) -> Verification | None:
        response = self.table.dynamodb.get_item(
            TableName=self.table.name, Key=verification_key(verification_id), ConsistentRead=True
        )
        item = response.get("Item")
        return verification_from_image(item) if item else None

    def find_by_biz_id(self, biz_id: str, *, verification_id: str | None = None) -> Verification | None:
        """The verification of FaceID's biz_id (one created with `index_biz_id`). `verification_id`,
        when the caller has one it cannot vouch for (a query parameter), is tried first and kept
        only if its biz_id is the one asked for: one read instead of two."""
        if verification_id:
            candidate = self.get(verification_id)
            if candidate is not None and candidate.biz_id == biz_id:
                return candidate
        response = self.table.dynamodb.get_item(TableName=self.table.name, Key=biz_id_key(biz_id), ConsistentRead=True)
        item = response.get("Item")
        return self.get(item["verification_id"]["S"]) if item else None

    # --- transitions -----------------------------------------------------------------------------

    def save_transition(self, before: Verification, after: Verification, audit: AuditEntry | None = None) -> bool:
        """Move the stored record from `before` to `after` only if it is still at `before`'s
        version, with FaceID's answer that caused it (when given) in the same write: one call, and
        never a transition without its audit or the reverse. False when another writer won. A
        terminal record drops the credentials the user's device needed (they are spent) and is kept
        for the retention period from now."""
        dynamodb = self.table.dynamodb
        update = self._transition(before, after)
        try:
            if audit is None:
                dynamodb.update_item(TableName=self.table.name, **update)
            else:
                dynamodb.transact_write_items(
                    TransactItems=[
                        {"Update": {"TableName": self.table.name, **update}},
                        {
                            "Put": {
                                "TableName": self.table.name,
                                "Item": audit_item(after.verification_id, audit, self.table),
                            }
                        },
                    ]
                )
            return True
        except dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        except dynamodb.exceptions.TransactionCanceledException:
            return False  # the version moved on, or a concurrent writer conflicted: the caller reads again

    def save_late_answer(self, verification: Verification, audit: AuditEntry) -> bool:
        """Keep FaceID's answer that came after the verification ended (a late callback), only
        while the record is still the version it was read at: never onto a redacted one."""
        dynamodb = self.table.dynamodb
        try:
            dynamodb.transact_write_items(
                TransactItems=[
                    {
                        "ConditionCheck": {
                            "TableName": self.table.name,
                            "Key": verification_key(verification.verification_id),
                            "ConditionExpression": "version = :live AND attribute_not_exists(redacted_at)",
                            "ExpressionAttributeValues": {":live": {"N": str(verification.version)}},
                        }
                    },
                    {
                        "Put": {
                            "TableName": self.table.name,
                            "Item": audit_item(verification.verification_id, audit, self.table),
                        }
                    },
                ]
            )
            return True
        except dynamodb.exceptions.TransactionCanceledException:
            return False

    def _transition(self, before: Verification, after: Verification) -> dict[str, Any]:
        fields = LIFECYCLE_FIELDS + (("expires_at_epoch",) if after.status.terminal else ())
        current = after.model_dump(mode="json", include=set(LIFECYCLE_FIELDS))
        current["expires_at_epoch"] = epoch(after.updated_at + self.table.retention)
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
        dynamodb = self.table.dynamodb
        try:
            dynamodb.update_item(
                TableName=self.table.name,
                Key=verification_key(verification.verification_id),
                UpdateExpression="SET token_sent_at = :now",
                ConditionExpression="version = :live AND attribute_not_exists(token_sent_at)",
                ExpressionAttributeValues={
                    ":now": {"S": now.isoformat()},
                    ":live": {"N": str(verification.version)},
                },
            )
            return True
        except dynamodb.exceptions.ConditionalCheckFailedException:
            return False

    def unmark_token_sent(self, verification: Verification, sent_at: datetime) -> None:
        """FaceID refused the call outright (the token is not spent): it may be sent again."""
        dynamodb = self.table.dynamodb
        with suppress(dynamodb.exceptions.ConditionalCheckFailedException):
            dynamodb.update_item(
                TableName=self.table.name,
                Key=verification_key(verification.verification_id),
                UpdateExpression="REMOVE token_sent_at SET token_refusals = if_not_exists(token_refusals, :no) + :one",
                ConditionExpression="token_sent_at = :sent",
                ExpressionAttributeValues={":sent": {"S": sent_at.isoformat()}, ":no": {"N": "0"}, ":one": {"N": "1"}},
            )
