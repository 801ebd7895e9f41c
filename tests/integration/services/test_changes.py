"""Cancel and redact through their handler on moto: what the table really holds afterwards, the
late callbacks after a cancel, the stream a redaction writes and the events the publisher makes of
it, and the answers against api/openapi.json."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from faceid_bridge.adapters.dynamodb import VerificationStore
from faceid_bridge.adapters.dynamodb.codec import biz_no_key, from_attributes, verification_from_image
from faceid_bridge.domain.audit import AuditEntry
from faceid_bridge.domain.events import event_id
from faceid_bridge.metric_names import Metric
from faceid_bridge.services.publisher import publish_records
from tests.integration.conftest import FakeFaceId
from tests.integration.services.test_api_answers import assert_documented
from tests.local_stack import FakeBus, FakeDeadLetters, LocalStack, call, create, finished, sample, signed_form
from tests.support import valid_create_body

PERSONAL_BODY = valid_create_body(
    biz_no="order-redact",
    redirect_url="https://shop.example.com/kyc/done?customer=Zhang%20Wei",
    biz_extra_data="customer=Zhang Wei;phone=13800000000",
)


def change(action: str, verification_id: str) -> tuple[int, dict[str, str], Any]:
    event = sample(f"verification_{action}")
    event["rawPath"] = event["requestContext"]["http"]["path"] = f"/v1/verifications/{verification_id}/{action}"
    event["pathParameters"] = {"verification_id": verification_id}
    return call("verification_changes", event)


def notify(biz_id: str, outcome: str = "pass", biz_no: str = "order-1") -> int:
    return call("h5_lite_callbacks", sample("notify", signed_form(finished(biz_id, outcome, biz_no))))[0]


def items(store: VerificationStore, verification_id: str) -> list[dict[str, Any]]:
    """Every item under the verification's key: the record and its audit items."""
    response = store.dynamodb.query(
        TableName=store.table_name,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"VERIFICATION#{verification_id}"}},
        ConsistentRead=True,
    )
    return [from_attributes(item) for item in response["Items"]]


def audits(store: VerificationStore, verification_id: str) -> list[dict[str, Any]]:
    return [item for item in items(store, verification_id) if item["sk"].startswith("AUDIT#")]


def stream(store: VerificationStore) -> list[dict[str, Any]]:
    """Every record the table's stream holds, as the publisher receives them (unfiltered)."""
    arn = store.dynamodb.describe_table(TableName=store.table_name)["Table"]["LatestStreamArn"]
    # moto's in-process mock serves Streams on their AWS host only (the default endpoint is not found)
    streams = boto3.client("dynamodbstreams", endpoint_url="https://streams.dynamodb.us-east-1.amazonaws.com")
    records = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")
        records += streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    return records


def published(records: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    bus = FakeBus()
    answer = publish_records(
        records,
        bus=bus,
        dead_letters=FakeDeadLetters(),
        source="faceid.bridge",
        bus_name="b",
        decode=verification_from_image,
    )
    assert answer == {"batchItemFailures": []}
    return [(entry["DetailType"], json.loads(entry["Detail"])) for put in bus.calls for entry in put]


# --- cancel ------------------------------------------------------------------------------------------


def test_cancel_ends_a_verification_in_flight_and_a_late_notify_changes_nothing_but_is_audited_and_counted(
    faceid: FakeFaceId, store: VerificationStore, counted: list[str]
) -> None:
    # Given a created H5 Lite verification
    created = create()[2]
    # When the customer cancels it
    status, _, body = change("cancel", created["verification_id"])
    # Then it is CANCELLED by the customer, one version later
    assert status == 200
    assert (body["status"], body["decision"], body["reasons"]) == ("CANCELLED", "CANCELLED", ["CANCELLED_BY_CUSTOMER"])
    # When FaceID's approving notify arrives afterwards
    assert notify(created["biz_id"]) == 200
    # Then the verification is unchanged, FaceID's answer is kept for audit, and it counts as late
    stored = store.get(created["verification_id"])
    assert stored is not None and (stored.status, stored.decision, stored.version) == ("CANCELLED", "CANCELLED", 2)
    assert [item["source"] for item in audits(store, created["verification_id"])] == ["notify"]
    assert counted.count(Metric.LATE_CALLBACKS) == 1


def test_a_late_get_result_after_a_cancel_is_audited_too(
    faceid: FakeFaceId, store: VerificationStore, counted: list[str]
) -> None:
    # Given a verification the reconciler read as due, then the customer cancelled
    from faceid_bridge.channels.h5_lite.settle import settle_due

    created = create()[2]
    due = store.get(created["verification_id"])
    assert due is not None
    assert change("cancel", created["verification_id"])[0] == 200
    # When the reconciler's get_result answers OK afterwards
    faceid.results.append(finished(due.biz_id) | {"status": "OK"})
    settle_due(due, store=store, faceid=faceid, now=datetime.now(UTC), retry_after=timedelta(seconds=60))
    # Then nothing changed but the audit and the count
    stored = store.get(created["verification_id"])
    assert stored is not None and (stored.decision, stored.version) == ("CANCELLED", 2)
    assert [item["source"] for item in audits(store, created["verification_id"])] == ["get_result"]
    assert Metric.LATE_CALLBACKS in counted


def test_cancelling_an_ended_verification_is_409_and_changes_nothing(
    faceid: FakeFaceId, store: VerificationStore
) -> None:
    # Given a verification FaceID approved
    created = create()[2]
    assert notify(created["biz_id"]) == 200
    # When the customer cancels it
    status, _, body = change("cancel", created["verification_id"])
    # Then it is refused in FaceID's error form, and the approval stands
    assert (status, body["error_message"]) == (409, "CONFLICT:status")
    stored = store.get(created["verification_id"])
    assert stored is not None and (stored.decision, stored.version) == ("APPROVED", 2)


def test_a_retried_cancel_answers_the_cancelled_verification_and_writes_nothing(
    faceid: FakeFaceId, store: VerificationStore
) -> None:
    created = create()[2]
    first = change("cancel", created["verification_id"])
    again = change("cancel", created["verification_id"])
    assert first[0] == again[0] == 200 and first[2] == again[2]
    stored = store.get(created["verification_id"])
    assert stored is not None and stored.version == 2


def test_cancel_and_redact_of_an_unknown_verification_are_404(stack: LocalStack) -> None:
    for action in ("cancel", "redact"):
        status, _, body = change(action, "vrf_nobody")
        assert (status, body["error_message"]) == (404, "NOT_FOUND:verification_id")


# --- redact ------------------------------------------------------------------------------------------


def with_personal_data(store: VerificationStore, outcome: str) -> str:
    """Given: a verification created with a redirect_url and biz_extra_data (PERSONAL_BODY), and
    FaceID's notify with `outcome` for it audited. Its id."""
    created = create(PERSONAL_BODY)[2]
    assert notify(created["biz_id"], outcome, "order-redact") == 200
    assert len(audits(store, created["verification_id"])) == 1
    return str(created["verification_id"])


def test_redaction_removes_the_personal_data_from_the_table_and_a_second_call_changes_nothing(
    faceid: FakeFaceId, store: VerificationStore
) -> None:
    # Given a rejected verification with a redirect_url, biz_extra_data and FaceID's answer audited
    vid = with_personal_data(store, "mismatch")
    assert store.dynamodb.get_item(TableName=store.table_name, Key=biz_no_key("order-redact"))["Item"]["request_hash"]
    # When it is redacted
    status, _, body = change("redact", vid)
    # Then the answer shows it redacted, its status and decision kept
    assert status == 200 and body["redacted_at"]
    assert (body["status"], body["decision"], body["reasons"], body["liveness"], body["comparison"]) == (
        "OK",
        "REJECTED",
        [],
        None,
        [],
    )
    # And the table holds no personal data: the record's fields, the audit items, the claim's fingerprint
    (record,) = items(store, vid)
    assert not {"redirect_url", "biz_extra_data", "liveness", "first_result"} & set(record)
    assert (record["reasons"], record["comparison"], record["request_hash"], record["version"]) == ([], [], "", 3)
    claim = from_attributes(store.dynamodb.get_item(TableName=store.table_name, Key=biz_no_key("order-redact"))["Item"])
    assert "request_hash" not in claim and claim["verification_id"] == vid
    assert "Zhang Wei" not in json.dumps(record) and "13800000000" not in json.dumps(record)
    # And GET shows the same
    read = sample("verification_read")
    read["rawPath"] = read["requestContext"]["http"]["path"] = f"/v1/verifications/{vid}"
    read["pathParameters"] = {"verification_id": vid}
    assert call("verification_read", read)[2] == body
    # When it is redacted again
    before = len(stream(store))
    status, _, again = change("redact", vid)
    # Then it answers the same, and nothing was written: the stream holds no new record
    assert (status, again) == (200, body)
    assert len(stream(store)) == before
    # And the same create request no longer finds its verification (its fingerprint is gone)
    status, _, refused = create(PERSONAL_BODY)
    assert (status, refused["error_message"]) == (409, "CONFLICT:biz_no")


def test_redacting_one_in_flight_cancels_it_first_and_the_publisher_announces_each_once(
    faceid: FakeFaceId, store: VerificationStore
) -> None:
    # Given a verification in flight (PROCESSING), FaceID's notify that said so audited
    vid = with_personal_data(store, "processing")
    # When it is redacted
    status, _, body = change("redact", vid)
    # Then it was cancelled, then redacted: two versions more
    assert status == 200 and (body["status"], body["decision"]) == ("CANCELLED", "CANCELLED")
    stored = store.get(vid)
    assert stored is not None and stored.version == 4
    assert audits(store, vid) == []
    # And the stream the redaction wrote (audit REMOVEs, the claim's MODIFY included) gives the publisher
    # exactly Created, Cancelled and Redacted, each with its version's event id; the Redacted one empty
    events = published(stream(store))
    assert [kind for kind, _ in events] == ["Verification Created", "Verification Cancelled", "Verification Redacted"]
    assert [detail["event_id"] for _, detail in events] == [event_id(vid, 1), event_id(vid, 3), event_id(vid, 4)]
    redacted = events[-1][1]
    assert (redacted["biz_extra_data"], redacted["reasons"], redacted["liveness"]) == (None, [], None)
    assert "Zhang Wei" not in json.dumps(redacted)


def test_nothing_of_faceid_is_written_onto_a_redacted_verification(
    faceid: FakeFaceId, store: VerificationStore
) -> None:
    # Given a cancelled and redacted verification
    created = create()[2]
    vid = created["verification_id"]
    assert change("redact", vid)[0] == 200
    redacted = store.get(vid)
    assert redacted is not None
    # When FaceID's late answers arrive: a notify, a get_result read, a late audit
    assert notify(created["biz_id"]) == 200
    store.record_read(redacted, result={"status": "OK", "idcard_name": "Zhang Wei"}, next_due=None)
    assert store.save_late_answer(redacted, AuditEntry("notify", {"status": "OK"}, datetime.now(UTC))) is False
    # Then no audit item and no copy of FaceID's answer is kept
    assert audits(store, vid) == []
    (record,) = items(store, vid)
    assert "first_result" not in record and record["version"] == redacted.version


# --- the answers, as documented ----------------------------------------------------------------------


def test_cancel_and_redact_answers_are_documented(faceid: FakeFaceId, store: VerificationStore) -> None:
    cancel, redact = "/v1/verifications/{verification_id}/cancel", "/v1/verifications/{verification_id}/redact"
    created = create()[2]["verification_id"]
    assert_documented(cancel, "post", change("cancel", created))  # 200
    assert_documented(cancel, "post", change("cancel", "vrf_nobody"))  # 404
    approved = create(valid_create_body(biz_no="order-approved"))[2]
    assert notify(approved["biz_id"], biz_no="order-approved") == 200
    assert_documented(cancel, "post", change("cancel", approved["verification_id"]))  # 409
    assert_documented(redact, "post", change("redact", created))  # 200
    assert_documented(redact, "post", change("redact", "vrf_nobody"))  # 404
