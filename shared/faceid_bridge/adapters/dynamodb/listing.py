"""Finding verifications without a Scan: by the customer's biz_no through its guard item (claims.py),
and by channel, creation time and status through the sparse ByChannelDay index (docs/decisions.md
§16).

ByChannelDay's partition key is LIST#<channel>#<UTC day>#<shard> (LIST_SHARDS shards, by a hash of
the id) and its sort key the creation instant#id (codec.py writes both on the verification item
only). A listing reads a day's shards in parallel streams merged in order (heapq.merge over lazy
Query pages), then the next day: each shard is read only as far as the page needs. The status is a
projected attribute, not a key: DynamoDB keeps it current on every transition, and a status filter
is a FilterExpression, whose skipped items are read and paid for.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from faceid_bridge.adapters.dynamodb.codec import (
    LIST_SHARDS,
    Table,
    biz_no_key,
    instant,
    list_partition,
    list_position,
    verification_from_image,
    verification_key,
)
from faceid_bridge.domain.listing import ListQuery
from faceid_bridge.domain.verification import Verification

INDEX = "ByChannelDay"


def days(start: datetime, end: datetime) -> list[str]:
    """The UTC days (YYYY-MM-DD) that [start, end) touches, in order."""
    first, last = instant(start)[:10], instant(end - timedelta(microseconds=1))[:10]
    day, found = datetime.fromisoformat(first), []
    while (label := day.date().isoformat()) <= last:
        found.append(label)
        day += timedelta(days=1)
    return found


class VerificationListing:
    def __init__(self, table: Table) -> None:
        self.table = table

    def find_by_biz_no(self, biz_no: str) -> Verification | None:
        """The verification created for the customer's biz_no: its guard item names it."""
        dynamodb = self.table.dynamodb
        guard = dynamodb.get_item(TableName=self.table.name, Key=biz_no_key(biz_no)).get("Item", {})
        if "verification_id" not in guard:
            return None  # no such biz_no, or its creation has not finished
        item = dynamodb.get_item(TableName=self.table.name, Key=verification_key(guard["verification_id"]["S"]))
        return verification_from_image(item["Item"]) if "Item" in item else None

    def listed(self, query: ListQuery, *, expect: int) -> Iterator[Verification]:
        """The verifications `query` asks for, in creation order, read lazily. `expect`: how many
        the caller means to take, which sizes each shard's first read."""
        low = list_position(query.after.created_at, query.after.verification_id) if query.after else None
        start = instant(query.created_after)
        end = instant(query.created_before)  # exclusive: "<instant>" sorts before "<instant>#<id>"
        chunk = -(-expect // LIST_SHARDS) + 4  # a shard's share of the page, and some slack
        for day in days(query.after.created_at if query.after else query.created_after, query.created_before):
            shards = [
                self._shard(list_partition(query.channel, day, shard), max(start, low or start), end, query, chunk)
                for shard in range(LIST_SHARDS)
            ]
            yield from (item for _, item in heapq.merge(*shards, key=lambda pair: pair[0]))

    def _shard(
        self, partition: str, low: str, high: str, query: ListQuery, chunk: int
    ) -> Iterator[tuple[str, Verification]]:
        request: dict[str, Any] = {
            "TableName": self.table.name,
            "IndexName": INDEX,
            "KeyConditionExpression": "list_pk = :pk AND list_sk BETWEEN :low AND :high",
            "ExpressionAttributeValues": {":pk": {"S": partition}, ":low": {"S": low}, ":high": {"S": high}},
            "Limit": chunk,
        }
        if query.status is not None:
            request["FilterExpression"] = "#status = :status"
            request["ExpressionAttributeNames"] = {"#status": "status"}
            request["ExpressionAttributeValues"][":status"] = {"S": query.status.value}
        while True:
            page = self.table.dynamodb.query(**request)
            for item in page["Items"]:
                position = item["list_sk"]["S"]
                if position != low:  # BETWEEN is inclusive; a cursor's own item was on the last page
                    yield position, verification_from_image(item)
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
            request["Limit"] = max(chunk, 25)  # a shard read again is one the page draws on
