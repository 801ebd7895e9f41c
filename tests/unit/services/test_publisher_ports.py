"""The publisher's logic against in-memory fakes of its ports (faceid_bridge.ports.Bus and
DeadLetters, from infra/fakes.py; mypy checks the fakes against them): what is retried, what goes
to the DLQ, what Lambda is told to redeliver. tests/integration/services/test_publisher.py covers the same
through the AWS adapters."""

from __future__ import annotations

import copy
from typing import Any

from faceid_bridge.adapters.dynamodb.codec import verification_from_image
from faceid_bridge.services.publisher import publish_records
from tests.local_stack import FakeBus, FakeDeadLetters
from tests.support import EVENTS, load_json


def records(*sequences: str, poison: str | None = None) -> list[dict[str, Any]]:
    template = load_json(EVENTS / "api" / "publisher_stream.json")["Records"][0]
    batch = []
    for sequence in sequences:
        record = copy.deepcopy(template)
        record["dynamodb"]["SequenceNumber"] = sequence
        record["dynamodb"]["NewImage"]["verification_id"] = {"S": f"vrf_{sequence}"}
        if sequence == poison:
            del record["dynamodb"]["NewImage"]["channel"]
        batch.append(record)
    return batch


def publish(batch: list[dict[str, Any]], bus: FakeBus, dead_letters: FakeDeadLetters) -> dict[str, Any]:
    return publish_records(
        batch,
        bus=bus,
        dead_letters=dead_letters,
        source="faceid.bridge",
        bus_name="b",
        decode=verification_from_image,
        sleep=lambda _: None,
    )


def test_refused_entries_are_retried_alone_and_poison_goes_to_the_dlq() -> None:
    # Given three records, the middle one poison, and a bus that refuses the second entry once
    bus, dead_letters = FakeBus(refuse={0: {1}}), FakeDeadLetters()
    # When the batch is published
    answer = publish(records("1", "2", "3", poison="2"), bus, dead_letters)
    # Then the refused entry alone is sent again, the poison record is in the DLQ, nothing is redelivered
    assert [len(call) for call in bus.calls] == [2, 1]
    assert bus.calls[1][0] == bus.calls[0][1]
    assert [message["record"]["dynamodb"]["SequenceNumber"] for message in dead_letters.messages] == ["2"]
    assert answer == {"batchItemFailures": []}


def test_entries_refused_every_time_and_poison_the_dlq_cannot_take_are_redelivered() -> None:
    bus = FakeBus(refuse={call: {0} for call in range(4)})
    answer = publish(records("1", "2", poison="2"), bus, FakeDeadLetters(down=True))
    assert len(bus.calls) == 4
    assert answer == {"batchItemFailures": [{"itemIdentifier": "2"}, {"itemIdentifier": "1"}]}
