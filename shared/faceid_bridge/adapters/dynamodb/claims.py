"""biz_no claims: one verification per customer biz_no, and a request's retries recognised by its
fingerprint (services/creation.py says how they are used)."""

from __future__ import annotations

import secrets
from contextlib import suppress
from datetime import datetime, timedelta

from faceid_bridge.adapters.dynamodb.codec import Table, biz_no_key, epoch, from_attributes, number
from faceid_bridge.domain.biz_no import BizNoClaim
from faceid_bridge.errors import RequestInProgress

CLAIM_LEASE = timedelta(seconds=60)  # longer than the create function's timeout


class BizNoClaims:
    def __init__(self, table: Table) -> None:
        self.table = table

    def claim_biz_no(self, biz_no: str, request_hash: str, now: datetime) -> BizNoClaim:
        """Take biz_no for this request, or report who has it. Only the same request (the same
        fingerprint) may take a held claim over: when its holder crashed (PENDING past the lease) or
        when its last FaceID call may have reached FaceID (AMBIGUOUS). Either way FaceID may have
        seen the biz_no, so the attempt goes up."""
        dynamodb = self.table.dynamodb
        claim_id = secrets.token_hex(8)
        try:
            response = dynamodb.update_item(
                TableName=self.table.name,
                Key=biz_no_key(biz_no),
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
                    ":now": number(epoch(now)),
                    ":ttl": number(epoch(now + self.table.retention)),
                    ":stale": number(epoch(now - CLAIM_LEASE)),
                    ":before": number(-1),
                    ":one": number(1),
                },
                ReturnValues="ALL_NEW",
            )
            attempt = int(response["Attributes"]["attempt"]["N"])
            return BizNoClaim(claim_id=claim_id, state="PENDING", request_hash=request_hash, attempt=attempt)
        except dynamodb.exceptions.ConditionalCheckFailedException:
            pass
        held = dynamodb.get_item(TableName=self.table.name, Key=biz_no_key(biz_no), ConsistentRead=True)
        values = from_attributes(held.get("Item", {}))
        if not values:  # released between our write and our read: let the client retry
            raise RequestInProgress("REQUEST_IN_PROGRESS:biz_no", retry_after=1)
        return BizNoClaim(
            claim_id=None,
            state=values["state"],
            request_hash=values.get("request_hash", ""),  # none once redacted: no request matches
            verification_id=values.get("verification_id"),
            attempt=int(values.get("attempt", 0)),
        )

    def mark_ambiguous(self, biz_no: str, claim_id: str) -> None:
        """Record that FaceID may have seen a biz_no of this claim (its last call's outcome is
        unknown, or an earlier one's was): a retry of the same request takes the claim over with the
        next attempt instead of waiting for the lease, and the attempt count is kept."""
        dynamodb = self.table.dynamodb
        with suppress(dynamodb.exceptions.ConditionalCheckFailedException):
            dynamodb.update_item(
                TableName=self.table.name,
                Key=biz_no_key(biz_no),
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
        dynamodb = self.table.dynamodb
        # If the lease was taken over, the condition fails and the new holder keeps it.
        with suppress(dynamodb.exceptions.ConditionalCheckFailedException):
            dynamodb.delete_item(
                TableName=self.table.name,
                Key=biz_no_key(biz_no),
                ConditionExpression="claim_id = :claim AND #state = :pending",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={":claim": {"S": claim_id}, ":pending": {"S": "PENDING"}},
            )
