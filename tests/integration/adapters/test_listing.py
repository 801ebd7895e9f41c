"""Listing and finding verifications on moto, through the ByChannelDay index: verifications paged
through, each page checked for order and completeness (no gap, no duplicate), across a day boundary,
with ties on the creation instant; status changes kept right; biz_no found.

The paging tests run twice: on moto with 300 verifications (LISTING_COUNT), and with 10,000 on
`IndexDouble`, which answers the adapter's one index Query the way DynamoDB does (a key condition on
one partition, Limit counted before the filter, LastEvaluatedKey when the limit is reached). moto
answers each index Query by sorting the whole table (about 1 s a query at 10,000 items on a loaded
2-core machine, and a listing makes about 18 queries a page: the better part of an hour); the
300 on moto check the double's reading of the Query against moto's own
(`LISTING_COUNT=10000` runs moto at the full count). The assertions are the same at any count.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import batched
from typing import Any

import pytest

from faceid_bridge.adapters.dynamodb import VerificationStore
from faceid_bridge.adapters.dynamodb.codec import LIST_SHARDS, list_partition, verification_item
from faceid_bridge.domain.decision import Decision, Outcome
from faceid_bridge.domain.lifecycle import Status
from faceid_bridge.domain.listing import ListQuery
from faceid_bridge.domain.verification import Channel, Verification, new_verification_id
from faceid_bridge.services.listing import list_verifications, query_of
from tests.support import make_verification

# Two hours across midnight, so a listing crosses from one day's partitions to the next.
START = datetime(2026, 11, 21, 23, 0, tzinfo=UTC)
END = START + timedelta(hours=2)
MOTO_COUNT = int(os.environ.get("LISTING_COUNT", "300"))
FULL_COUNT = 10_000


class IndexDouble:
    """The two calls of the DynamoDB API a listing of a batch-written table makes (batch_write_item,
    query on ByChannelDay), answered as DynamoDB answers them, in memory."""

    def __init__(self) -> None:
        self.partitions: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def batch_write_item(self, RequestItems: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
        for requests in RequestItems.values():
            for request in requests:
                item = request["PutRequest"]["Item"]
                self.partitions[item["list_pk"]["S"]].append(item)
        return {"UnprocessedItems": {}}

    def query(self, **request: Any) -> dict[str, Any]:
        assert request["IndexName"] == "ByChannelDay"
        assert request["KeyConditionExpression"] == "list_pk = :pk AND list_sk BETWEEN :low AND :high"
        values = request["ExpressionAttributeValues"]
        low, high = values[":low"]["S"], values[":high"]["S"]
        ordered = sorted(self.partitions[values[":pk"]["S"]], key=lambda item: item["list_sk"]["S"])
        matching = [item for item in ordered if low <= item["list_sk"]["S"] <= high]
        if "ExclusiveStartKey" in request:
            after = request["ExclusiveStartKey"]["list_sk"]["S"]
            matching = [item for item in matching if item["list_sk"]["S"] > after]
        evaluated = matching[: request["Limit"]]
        answer: dict[str, Any] = {"Items": evaluated}
        if "FilterExpression" in request:  # the filter applies after the Limit, as in DynamoDB
            assert request["FilterExpression"] == "#status = :status"
            answer["Items"] = [item for item in evaluated if item["status"] == values[":status"]]
        if len(evaluated) == request["Limit"]:
            last = evaluated[-1]
            answer["LastEvaluatedKey"] = {key: last[key] for key in ("pk", "sk", "list_pk", "list_sk")}
        return answer


@dataclass(frozen=True)
class Listed:
    store: VerificationStore
    population: list[Verification]

    @property
    def pages(self) -> int:
        return -(-len(self.population) // 100)


def verification(
    created_at: datetime, *, channel: Channel = Channel.H5_LITE, biz_no: str | None = None
) -> Verification:
    vid = new_verification_id()
    return make_verification(vid, created_at=created_at, channel=channel, biz_no=biz_no or f"order-{vid}", biz_id=vid)


def put_all(store: VerificationStore, verifications: list[Verification]) -> None:
    """The items the store writes (codec.verification_item), batch-written: creating 10,000 through
    the API would take minutes on moto."""
    for batch in batched(verifications, 25):
        requests: list[dict[str, Any]] = [
            {"PutRequest": {"Item": verification_item(item, 2_000_000_000)}} for item in batch
        ]
        store.dynamodb.batch_write_item(RequestItems={store.table_name: requests})


def order(verifications: list[Verification]) -> list[str]:
    return [item.verification_id for item in sorted(verifications, key=lambda v: (v.created_at, v.verification_id))]


@pytest.fixture(params=["moto", "index double"])
def populated(request: pytest.FixtureRequest) -> Listed:
    # Three at each instant (ties broken by id), every few seconds over the two hours; a third
    # settled OK; and other channels' verifications in the same range, which no listing of h5_lite returns.
    if request.param == "moto":
        store, count = request.getfixturevalue("store"), MOTO_COUNT
    else:
        store, count = VerificationStore("verifications", dynamodb=IndexDouble()), FULL_COUNT
    step = (END - START) / (count // 3 + 1)
    listed = [verification(START + step * (index // 3)) for index in range(count)]
    listed = [
        item.advanced(Outcome(status=Status.OK, decision=Decision.APPROVED), item.created_at)
        if index % 3 == 0
        else item
        for index, item in enumerate(listed)
    ]
    others = [verification(START + step * index, channel=Channel.APP_SDK) for index in range(50)]
    put_all(store, listed + others)
    return Listed(store, listed)


def pages(store: VerificationStore, *, limit: int, **filters: Any) -> list[list[Verification]]:
    query = query_of(channel=Channel.H5_LITE, created_after=START, created_before=END, cursor=None, now=END, **filters)
    found: list[list[Verification]] = []
    while True:
        page, cursor = list_verifications(query, limit=limit, store=store)
        found.append(page)
        if cursor is None:
            return found
        query = query_of(channel=None, status=None, created_after=None, created_before=None, cursor=cursor, now=END)


def test_verifications_page_in_order_with_no_gap_and_no_duplicate(populated: Listed) -> None:
    # Given 300 (moto) or 10,000 H5 Lite verifications over two hours across midnight (and other
    # channels' too)
    count, full = len(populated.population), populated.pages - 1
    # When they are listed 100 at a time, each page from the last one's cursor
    listed = pages(populated.store, limit=100, status=None)
    # Then every page but the last is full and in creation order, and the pages together are every
    # verification once, in order
    assert [len(page) for page in listed] == [100] * full + [count - 100 * full]
    ids = [item.verification_id for page in listed for item in page]
    for page in listed:
        assert [item.verification_id for item in page] == order(page)
    assert ids == order(populated.population)


def test_a_status_filter_pages_the_matching_ones_only(populated: Listed) -> None:
    # When only the settled ones are listed, 97 at a time (pages that do not align with the shards)
    listed = pages(populated.store, limit=97, status=Status.OK)
    # Then they come once each, in order, and nothing else
    settled = [item for item in populated.population if item.status is Status.OK]
    assert [item.verification_id for page in listed for item in page] == order(settled)
    assert all(len(page) == 97 for page in listed[:-1])


def test_a_transition_moves_a_verification_between_status_listings(store: VerificationStore) -> None:
    # Given a verification created through the store, listed as CREATED
    created = verification(START + timedelta(minutes=5), biz_no="order-moves")
    claim = store.claim_biz_no("order-moves", "h", START)
    assert claim.claim_id
    store.create(created, claim.claim_id, index_biz_id=True)
    query = ListQuery(Channel.H5_LITE, START, END, Status.CREATED)
    assert [item.verification_id for item in store.listed(query, expect=10)] == [created.verification_id]
    # When it is approved
    approved = created.advanced(Outcome(status=Status.OK, decision=Decision.APPROVED), START + timedelta(minutes=6))
    assert store.save_transition(created, approved)
    # Then the index has it as OK, with its decision, and no longer as CREATED
    [listed] = store.listed(ListQuery(Channel.H5_LITE, START, END, Status.OK), expect=10)
    assert (listed.verification_id, listed.decision) == (created.verification_id, Decision.APPROVED)
    assert list(store.listed(query, expect=10)) == []


def test_a_biz_no_finds_its_verification_and_an_unknown_one_nothing(store: VerificationStore) -> None:
    created = verification(START, biz_no="order-found")
    claim = store.claim_biz_no("order-found", "h", START)
    assert claim.claim_id
    store.create(created, claim.claim_id, index_biz_id=True)
    found = store.find_by_biz_no("order-found")
    assert found is not None and found.verification_id == created.verification_id
    assert store.find_by_biz_no("order-unknown") is None
    # A claim whose creation has not finished names no verification yet
    store.claim_biz_no("order-pending", "h", START)
    assert store.find_by_biz_no("order-pending") is None


def test_only_verification_items_are_in_the_index(store: VerificationStore) -> None:
    # Given a verification with its biz_no guard and biz_id key items
    created = verification(START, biz_no="order-sparse")
    claim = store.claim_biz_no("order-sparse", "h", START)
    assert claim.claim_id
    store.create(created, claim.claim_id, index_biz_id=True)
    # Then the listing index holds one item: the verification (a Query per shard, never a Scan)
    held = [
        item
        for shard in range(LIST_SHARDS)
        for item in store.dynamodb.query(
            TableName=store.table_name,
            IndexName="ByChannelDay",
            KeyConditionExpression="list_pk = :pk",
            ExpressionAttributeValues={":pk": {"S": list_partition("h5_lite", "2026-11-21", shard)}},
        )["Items"]
    ]
    assert [item["entity"]["S"] for item in held] == ["verification"]
