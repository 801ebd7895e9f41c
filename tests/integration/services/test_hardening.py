"""Issue 8, on moto through our handlers: each defect found in review, as a test that fails without
its fix. Numbers in the test names are the issue's items."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from faceid_bridge.adapters.dynamodb import VerificationStore
from faceid_bridge.errors import FaceIdOutcomeUnknown
from faceid_bridge.services.publisher import MAX_ENTRY_BYTES, entry_size
from tests.integration.adapters.test_store import audited
from tests.integration.conftest import FakeFaceId
from tests.integration.services.test_publisher import FlakyEvents, publish, stream_records
from tests.local_stack import LocalStack, call, create, finished, sample, signed_form
from tests.support import valid_create_body


def items_of(store: VerificationStore, verification_id: str) -> list[dict[str, Any]]:
    return store.dynamodb.query(  # type: ignore[no-any-return]
        TableName=store.table_name,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"VERIFICATION#{verification_id}"}},
        ConsistentRead=True,
    )["Items"]


def biz_no_item(store: VerificationStore, biz_no: str) -> dict[str, Any]:
    return store.dynamodb.get_item(  # type: ignore[no-any-return]
        TableName=store.table_name, Key={"pk": {"S": f"BIZNO#{biz_no}"}, "sk": {"S": "BIZNO"}}, ConsistentRead=True
    )["Item"]


# --- 1. a create retried after an unknown outcome -------------------------------------------------


class SlowOnceFaceId(FakeFaceId):
    """get_token's first answer never arrives (FaceID acted on it: the biz_no is spent there)."""

    seen_biz_nos: list[str]

    def get_token(self, options: Any, *, return_url: str, notify_url: str) -> Any:
        self.seen_biz_nos = [*getattr(self, "seen_biz_nos", []), options.biz_no]
        if len(self.seen_biz_nos) == 1:
            self.calls.append(options)
            raise FaceIdOutcomeUnknown("FACEID_OUTCOME_UNKNOWN", retry_after=1)
        if options.biz_no in self.seen_biz_nos[:-1]:
            raise AssertionError("FaceID would refuse a biz_no it has seen: BAD_ARGUMENTS:biz_no")
        return super().get_token(options, return_url=return_url, notify_url=notify_url)


@pytest.fixture
def slow_once(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> SlowOnceFaceId:
    from faceid_bridge import wiring

    fake = SlowOnceFaceId()
    monkeypatch.setattr(wiring, "faceid", lambda: fake)
    return fake


def test_1_a_retry_after_an_unknown_outcome_recovers_with_a_fresh_faceid_biz_no(
    slow_once: SlowOnceFaceId, store: VerificationStore
) -> None:
    # Given get_token's answer was lost: the client got 503, and the claim says so
    status, headers, body = create()
    assert (status, body["error_message"], headers.get("Retry-After")) == (503, "FACEID_OUTCOME_UNKNOWN", "1")
    assert biz_no_item(store, "order-1")["state"]["S"] == "AMBIGUOUS"
    # When the client retries the same request
    status, _, body = create()
    # Then it gets its verification, FaceID having been sent a biz_no derived from the customer's
    assert status == 201, body
    assert body["biz_no"] == "order-1"
    assert slow_once.seen_biz_nos == ["order-1", "order-1~r1"]
    stored = store.get(body["verification_id"])
    assert stored is not None and (stored.biz_no, stored.faceid_biz_no) == ("order-1", "order-1~r1")
    # And a third call is an idempotent replay, without FaceID
    assert create()[2] == body and len(slow_once.seen_biz_nos) == 2


def test_1_an_unknown_outcome_does_not_free_the_biz_no_for_another_request(slow_once: SlowOnceFaceId) -> None:
    assert create()[0] == 503
    status, _, body = create(valid_create_body(uuid="someone-else"))
    assert (status, body["error_message"]) == (409, "CONFLICT:biz_no")


# --- 5. no credential as biz_id, none kept once spent ---------------------------------------------


def test_5_a_terminal_verification_keeps_no_token(faceid: FakeFaceId, store: VerificationStore) -> None:
    created = create()[2]
    assert call("h5_lite_callbacks", sample("notify", signed_form(finished(created["biz_id"]))))[0] == 200
    item = next(i for i in items_of(store, created["verification_id"]) if i["sk"]["S"] == "VERIFICATION")
    assert "token" not in item and "verification_url" not in item
    assert created["token"] not in json.dumps(items_of(store, created["verification_id"]))


# --- 6. retention -------------------------------------------------------------------------------------


def test_6_every_item_of_a_verification_expires(faceid: FakeFaceId, store: VerificationStore) -> None:
    # Given a verification, created and then settled by a notify
    before = datetime.now(UTC)
    created = create()[2]
    created_item = next(i for i in items_of(store, created["verification_id"]) if i["sk"]["S"] == "VERIFICATION")
    assert call("h5_lite_callbacks", sample("notify", signed_form(finished(created["biz_id"]))))[0] == 200
    after = datetime.now(UTC)
    # Then the verification, its biz_no and its audit record all carry a TTL
    items = {item["sk"]["S"].split("#")[0]: item for item in items_of(store, created["verification_id"])}
    items["BIZNO"] = biz_no_item(store, "order-1")
    ttl = {kind: int(item["expires_at_epoch"]["N"]) for kind, item in items.items()}
    retention, audit = timedelta(days=365), timedelta(days=30)
    assert int((before + retention).timestamp()) <= int(created_item["expires_at_epoch"]["N"])
    assert int((before + retention).timestamp()) <= ttl["VERIFICATION"] <= int((after + retention).timestamp())
    assert int((before + retention).timestamp()) <= ttl["BIZNO"] <= int((after + retention).timestamp())
    assert ttl["AUDIT"] <= int((after + audit).timestamp())


def test_6_the_request_hash_is_keyed(faceid: FakeFaceId, store: VerificationStore) -> None:
    created = create()[2]
    stored = store.get(created["verification_id"])
    assert stored is not None
    assert len(stored.request_hash) == 64
    # A brute force over the request body without the key does not find it
    from faceid_bridge.channels.h5_lite.api import CreateVerificationRequest
    from faceid_bridge.services.creation import request_hash

    request = CreateVerificationRequest.model_validate({**valid_create_body(), "far_level": "1e-4"})
    assert hashlib.sha256(request.model_dump_json().encode()).hexdigest() != stored.request_hash
    assert request_hash(request, b"another key") != stored.request_hash


@pytest.mark.parametrize(("keep", "kept"), [(False, False), (True, True)])
def test_6_idcard_info_is_kept_only_when_the_operator_says_so(stack: LocalStack, keep: bool, kept: bool) -> None:
    store = VerificationStore(stack.refs["VerificationsTable"], keep_idcard_info=keep)
    payload = {"status": "OK", "idcard_info": {"idcard_number": "110101199003074514", "idcard_name": "Li"}}
    (item,) = audited(store, "vrf_id", payload)
    assert ("110101199003074514" in item["payload"]["S"]) is kept


def test_6_an_oversized_audit_payload_is_bounded(stack: LocalStack) -> None:
    store = VerificationStore(stack.refs["VerificationsTable"])
    (item,) = audited(store, "vrf_big", {"status": "OK", "extra": "x" * 500_000})
    assert item["truncated"]["BOOL"] and int(item["payload_bytes"]["N"]) > 500_000
    assert len(item["payload"]["S"]) <= 32 * 1024


# --- 8. no 5xx on any input, and a transition is never stored without its audit ----------------------------------


def with_extra(result: dict[str, Any], extra: str) -> str:
    """A genuine result's JSON with `extra` (JSON text, which may be too deep to build as objects)
    added as one more field."""
    return json.dumps(result)[:-1] + ',"extra":' + extra + "}"


@pytest.mark.parametrize(
    "extra",
    ["[" * 5000 + "]" * 5000, '{"a":' * 990 + "1" + "}" * 990, json.dumps("y" * 600_000)],
    ids=["arrays 5000 deep", "objects 990 deep", "a 600 KB field"],
)
def test_8_hostile_signed_callbacks_are_400(faceid: FakeFaceId, store: VerificationStore, extra: str) -> None:
    # Given FaceID's genuine result for a verification, signed, with one hostile field added
    created = create()[2]
    data = with_extra(finished(created["biz_id"]), extra)
    # When it arrives as notify or as the browser's signed return
    for name in ("notify", "return_post"):
        status, _, body = call("h5_lite_callbacks", sample(name, signed_form(data)))
        # Then it is refused in the documented form, and changes nothing
        assert (status, body["error_message"]) == (400, "BAD_ARGUMENTS:data")
    stored = store.get(created["verification_id"])
    assert stored is not None and stored.version == 1


@pytest.mark.parametrize("body", ["[" * 5000 + "]" * 5000, '{"a":' * 990 + "1" + "}" * 990])
def test_8_deeply_nested_create_bodies_are_400(faceid: FakeFaceId, body: str) -> None:
    for function, event in (
        ("h5_lite_create", "h5_lite_create"),
        ("app_sdk", "app_create"),
        ("h5_raw", "raw_create"),
    ):
        status, _, answer = call(function, sample(event, body))
        assert (status, answer["error_message"]) == (400, "BAD_ARGUMENTS:body")
    assert faceid.calls == []


def test_8_a_transition_is_never_stored_without_its_audit_nor_the_reverse(
    faceid: FakeFaceId, store: VerificationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a notify whose one write (the transition and FaceID's answer together) fails once
    created = create()[2]
    write = store.dynamodb.transact_write_items
    failures = [ClientError({"Error": {"Code": "InternalServerError", "Message": "x"}}, "TransactWriteItems")]

    def flaky(**request: Any) -> Any:
        if failures:
            raise failures.pop()
        return write(**request)

    monkeypatch.setattr(store.dynamodb, "transact_write_items", flaky)
    notify = sample("notify", signed_form(finished(created["biz_id"])))
    with pytest.raises(ClientError):  # Lambda's error: API Gateway answers 500, FaceID may send it again
        call("h5_lite_callbacks", notify)
    # Then nothing of it was kept: no transition, no audit
    assert [item["sk"]["S"] for item in items_of(store, created["verification_id"])] == ["VERIFICATION"]
    # And the notify sent again stores both
    assert call("h5_lite_callbacks", notify)[0] == 200
    stored = store.get(created["verification_id"])
    assert stored is not None and (stored.status, stored.decision) == ("OK", "APPROVED")
    assert sorted(item["sk"]["S"][:6] for item in items_of(store, created["verification_id"])) == [
        "AUDIT#",
        "VERIFI",
    ]


# --- 9. a rotation field that does not validate ---------------------------------------------------------


def set_secret(stack: LocalStack, secret: dict[str, Any]) -> None:
    boto3.client("secretsmanager").put_secret_value(
        SecretId=stack.refs["FaceIdSecret"], SecretString=json.dumps(secret)
    )


def test_9_a_window_end_without_timezone_falls_back_to_the_current_secret(
    stack: LocalStack, faceid: FakeFaceId, store: VerificationStore
) -> None:
    created = create()[2]
    set_secret(
        stack,
        {
            "idn": {
                "api_key": "sandbox-key",
                "api_secret": "new-secret",
                "previous_api_secret": "sandbox-secret",
                "previous_valid_until": "2999-01-01T00:00:00",
            }
        },
    )
    # The previous secret is not accepted (its window cannot be read) ...
    old = call("h5_lite_callbacks", sample("notify", signed_form(finished(created["biz_id"]), secret="sandbox-secret")))
    assert old[0] == 401
    # ... the current one is, and creation and the browser's return still work
    new = call("h5_lite_callbacks", sample("notify", signed_form(finished(created["biz_id"]), secret="new-secret")))
    assert new[0] == 200
    assert create(valid_create_body(biz_no="order-2"))[0] == 201
    assert call("h5_lite_callbacks", sample("return_get", biz_id=created["biz_id"]))[0] == 303


def test_9_a_secret_without_credentials_is_a_configuration_error(stack: LocalStack, faceid: FakeFaceId) -> None:
    set_secret(stack, {"idn": {"api_key": "sandbox-key"}})
    status, _, body = call("h5_lite_callbacks", sample("notify", signed_form(finished("b"))))
    assert (status, body["error_message"]) == (503, "CONFIGURATION_ERROR:faceid_secret")


# --- 10. an event over EventBridge's entry limit --------------------------------------------------------


def oversized(record: dict[str, Any], *, reasons: int, extra: bool) -> dict[str, Any]:
    image = record["dynamodb"]["NewImage"]
    image["reasons"] = {"L": [{"S": "R" * 1000} for _ in range(reasons)]}
    if extra:
        image["biz_extra_data"] = {"S": "e" * 4000}
    return record


def test_10_an_event_over_256_kb_without_biz_extra_data_fits_is_trimmed(stack: LocalStack) -> None:
    # Given a transition whose event is just over the limit because of biz_extra_data
    (record,) = stream_records(1)
    events = FlakyEvents()
    oversized(record, reasons=259, extra=True)
    # When published
    assert publish([record], events, stack) == {"batchItemFailures": []}
    # Then it goes out, without biz_extra_data, within the limit
    (entry,) = events.calls[0]
    assert json.loads(entry["Detail"])["biz_extra_data"] is None and entry_size(entry) <= MAX_ENTRY_BYTES


def test_10_an_event_too_large_anyway_goes_to_the_dlq_not_back_to_the_stream(stack: LocalStack) -> None:
    (record,) = stream_records(1)
    events = FlakyEvents()
    oversized(record, reasons=400, extra=False)
    assert publish([record], events, stack) == {"batchItemFailures": []}
    assert events.calls == []
    message = boto3.client("sqs").receive_message(QueueUrl=stack.refs["PublisherDLQ"])["Messages"][0]
    assert json.loads(message["Body"])["reason"] == "EventTooLarge"


# --- issue 9: what a callback reads and writes ----------------------------------------------------


def test_a_duplicate_notify_writes_nothing(faceid: FakeFaceId, store: VerificationStore) -> None:
    created = create()[2]
    form = signed_form(finished(created["biz_id"]))
    assert call("h5_lite_callbacks", sample("notify", form))[0] == 200
    before = items_of(store, created["verification_id"])
    assert call("h5_lite_callbacks", sample("notify", form))[0] == 200
    assert items_of(store, created["verification_id"]) == before  # no second audit record, no rewrite


def test_the_biz_id_lookup_trusts_no_hint(faceid: FakeFaceId, store: VerificationStore) -> None:
    first, second = create()[2], create(valid_create_body(biz_no="order-2"))[2]
    # A hint naming another verification, or none at all, still finds the biz_id's own
    for hint in (second["verification_id"], "vrf_unknown", None):
        found = store.find_by_biz_id(first["biz_id"], verification_id=hint)
        assert found is not None and found.verification_id == first["verification_id"]
    assert store.find_by_biz_id("unknown-biz-id") is None
