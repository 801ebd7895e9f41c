"""The bench's warm floor (infra/bench/warm_floor.py) does a notify's least, and no less: a first
notify with a good sign reads the verification and writes its transition and audit record in one
transaction; a duplicate reads and writes nothing; a bad sign writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from unittest import mock

import pytest

from faceid_bridge.adapters.dynamodb.codec import verification_item
from infra.bench.warm import SECRET, InMemoryDynamoDB, _notify_event, _quiet, _verification
from infra.bench.warm_floor import floor_handler
from infra.local.functions import LambdaContext


@pytest.fixture
def given() -> tuple[InMemoryDynamoDB, dict[str, Any], Any]:
    """A verification as creation stores it, its signed first notify, and the floor's handler."""
    dynamodb = InMemoryDynamoDB()
    now = datetime.now(UTC)
    verification = _verification(1, now)
    dynamodb.put(verification_item(verification, int(now.timestamp()) + 86400))
    return (
        dynamodb,
        _notify_event(verification.verification_id, verification.biz_id),
        floor_handler(dynamodb, "bench", SECRET),
    )


def _call(handler: Any, event: dict[str, Any]) -> dict[str, Any]:
    with _quiet():
        return handler(event, LambdaContext(function_name="floor", aws_request_id="r"))  # type: ignore[no-any-return]


def test_a_first_notify_writes_its_transition_and_audit_once(given: tuple[InMemoryDynamoDB, Any, Any]) -> None:
    dynamodb, event, handler = given
    with mock.patch.object(dynamodb, "transact_write_items", wraps=dynamodb.transact_write_items) as writes:
        # When the notify arrives, and again
        first, duplicate = _call(handler, event), _call(handler, event)
    # Then both are answered, and one transaction wrote the passed status and an audit record
    assert (first["statusCode"], duplicate["statusCode"]) == (200, 200)
    assert writes.call_count == 1
    item = next(i for (pk, sk), i in dynamodb.items.items() if sk == "VERIFICATION")
    assert item["status"] == {"S": "OK"} and item["version"]["N"] == "2"
    assert any(sk.startswith("AUDIT#") for _, sk in dynamodb.items)


def test_a_bad_sign_writes_nothing(given: tuple[InMemoryDynamoDB, Any, Any]) -> None:
    dynamodb, event, handler = given
    forged = event | {"body": event["body"].replace("sign=", "sign=0")}
    with mock.patch.object(dynamodb, "transact_write_items") as writes:
        _call(handler, forged)
    assert writes.call_count == 0
