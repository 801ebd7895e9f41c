"""infra/local/moto_fast.py: moto without the costs that grow with what it holds gives the same
answers. A Query on the table's key reads its partition, in order, page by page; a Query on an index
and a Scan see every item in moto's order; a send to a FIFO queue still deduplicates by content,
the queue's attributes still count its messages, a receive gets them, and a rule delivers each event
whole."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.models.table import Table

from infra.local import moto_fast
from tests.integration.conftest import REGION, in_process_aws

PARTITIONS, PER_PARTITION = 7, 9


def _item(p: int, s: int) -> dict[str, Any]:
    # The index's key runs against the table's: its order must come from the index's sort
    return {"pk": {"S": f"p{p}"}, "sk": {"S": f"s{s:02d}"}, "g": {"S": "all"}, "n": {"N": str(1000 - p * 10 - s)}}


@pytest.fixture(autouse=True)
def in_process_moto(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto in this process, with moto_fast installed."""
    in_process_aws(monkeypatch)
    moto_fast.install()
    with mock_aws():
        yield


@pytest.fixture
def dynamodb() -> Iterator[Any]:
    client = boto3.client("dynamodb", region_name=REGION)
    client.create_table(
        TableName="t",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "g", "AttributeType": "S"},
            {"AttributeName": "n", "AttributeType": "N"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "ByNumber",
                "KeySchema": [
                    {"AttributeName": "g", "KeyType": "HASH"},
                    {"AttributeName": "n", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    # written out of order, so that no answer is in order by accident
    for s in reversed(range(PER_PARTITION)):
        for p in (3, 0, 6, 1, 5, 2, 4):
            client.put_item(TableName="t", Item=_item(p, s))
    yield client


def _pages(call: Any, **kwargs: Any) -> list[dict[str, Any]]:
    items, start = [], None
    while True:
        page = call(**kwargs, **({"ExclusiveStartKey": start} if start else {}))
        items += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return items


def test_a_query_on_the_tables_key_reads_its_partition_in_order_page_by_page(dynamodb: Any) -> None:
    # When partition p4 is read 4 items a page, forwards and backwards, and from s03 on
    query = {"TableName": "t", "KeyConditionExpression": "pk = :p", "Limit": 4}
    forwards = _pages(dynamodb.query, **query, ExpressionAttributeValues={":p": {"S": "p4"}})
    backwards = _pages(dynamodb.query, **query, ExpressionAttributeValues={":p": {"S": "p4"}}, ScanIndexForward=False)
    later = dynamodb.query(
        TableName="t",
        KeyConditionExpression="pk = :p AND sk >= :s",
        ExpressionAttributeValues={":p": {"S": "p4"}, ":s": {"S": "s03"}},
    )["Items"]
    # Then each is that partition's items alone, in its sort key's order
    expected = [_item(4, s) for s in range(PER_PARTITION)]
    assert forwards == expected
    assert backwards == expected[::-1]
    assert later == expected[3:]
    # And it was the patched Query that read them
    assert Table.query.__patched__  # type: ignore[attr-defined]
    # And a partition that does not exist is empty, and stays out of the table
    missing = dynamodb.query(
        TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "nope"}}
    )
    assert missing["Items"] == []
    assert dynamodb.scan(TableName="t", Select="COUNT")["Count"] == PARTITIONS * PER_PARTITION


def test_an_index_query_and_a_scan_see_every_item_in_order(dynamodb: Any) -> None:
    # When the index is read 10 a page, and the table scanned 10 a page
    by_number = _pages(
        dynamodb.query,
        TableName="t",
        IndexName="ByNumber",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "all"}},
        Limit=10,
    )
    scanned = _pages(dynamodb.scan, TableName="t", Limit=10)
    # Then the index gives every item once by its number, and the scan by partition then sort key
    every = [_item(p, s) for p in range(PARTITIONS) for s in range(PER_PARTITION)]
    assert by_number == sorted(every, key=lambda item: int(item["n"]["N"]))
    assert scanned == every


def test_a_send_reads_the_queues_deduplication_and_the_counts_stay_true() -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    fifo = sqs.create_queue(QueueName="q.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})[
        "QueueUrl"
    ]
    standard = sqs.create_queue(QueueName="q")["QueueUrl"]
    # When the same body goes twice to the FIFO queue, and three bodies to the standard one
    for _ in range(2):
        sqs.send_message(QueueUrl=fifo, MessageBody="same", MessageGroupId="g")
    for body in ("a", "b", "c"):
        sqs.send_message(QueueUrl=standard, MessageBody=body)

    # Then the FIFO queue kept one (deduplicated by content), and the counts are what was kept
    def count(url: str) -> str:
        return str(
            sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]["ApproximateNumberOfMessages"]
        )

    assert (count(fifo), count(standard)) == ("1", "3")
    attributes = sqs.get_queue_attributes(QueueUrl=fifo, AttributeNames=["ContentBasedDeduplication"])
    assert attributes["Attributes"] == {"ContentBasedDeduplication": "true"}
    # And a receive still gets what was kept
    received = sqs.receive_message(QueueUrl=standard, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in received) == ["a", "b", "c"]


def test_a_rule_delivers_each_event_whole_with_its_paths_parsed_once() -> None:
    sqs, events = boto3.client("sqs", region_name=REGION), boto3.client("events", region_name=REGION)
    url = sqs.create_queue(QueueName="subscriber")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="all", EventPattern=json.dumps({"source": ["test"]}))
    events.put_targets(Rule="all", Targets=[{"Id": "queue", "Arn": arn}])
    # When two events go on the bus
    for n in (1, 2):
        events.put_events(Entries=[{"Source": "test", "DetailType": "t", "Detail": json.dumps({"n": n})}])
    # Then the queue has each, whole
    bodies = [json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]]
    assert sorted(body["detail"]["n"] for body in bodies) == [1, 2]
    assert all(body["source"] == "test" and body["detail-type"] == "t" for body in bodies)
