"""Leases: one holder of a name at a time (one reconciler run), without reserving Lambda concurrency."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime, timedelta

from faceid_bridge.adapters.dynamodb.codec import Table, epoch, lease_key, number


class Leases:
    def __init__(self, table: Table) -> None:
        self.table = table

    def take_lease(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """Hold `name` until `until` (or until ended), unless another holder's lease is still running."""
        dynamodb = self.table.dynamodb
        try:
            dynamodb.update_item(
                TableName=self.table.name,
                Key=lease_key(name),
                UpdateExpression=(
                    "SET entity = :entity, holder = :holder, lease_until = :until, expires_at_epoch = :ttl"
                ),
                ConditionExpression="attribute_not_exists(pk) OR lease_until <= :now OR holder = :holder",
                ExpressionAttributeValues={
                    ":entity": {"S": "lease"},
                    ":holder": {"S": holder},
                    ":until": number(epoch(until)),
                    ":now": number(epoch(now)),
                    ":ttl": number(epoch(until + timedelta(days=1))),
                },
            )
            return True
        except dynamodb.exceptions.ConditionalCheckFailedException:
            return False

    def end_lease(self, name: str, holder: str) -> None:
        dynamodb = self.table.dynamodb
        with suppress(dynamodb.exceptions.ConditionalCheckFailedException):
            dynamodb.update_item(
                TableName=self.table.name,
                Key=lease_key(name),
                UpdateExpression="SET lease_until = :ended",
                ConditionExpression="holder = :holder",
                ExpressionAttributeValues={":ended": number(0), ":holder": {"S": holder}},
            )
