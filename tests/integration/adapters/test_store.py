"""The DynamoDB adapter on moto: biz_no claims, lookups, and conditional transitions."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from faceid_bridge.adapters.dynamodb import VerificationStore
from faceid_bridge.domain.audit import AuditEntry
from faceid_bridge.domain.decision import Decision, Outcome
from faceid_bridge.domain.lifecycle import Status
from faceid_bridge.domain.verification import Verification
from faceid_bridge.errors import RequestInProgress
from tests.support import make_verification

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def verification(vid: str = "vrf_1", biz_no: str = "order-1", biz_id: str = "biz-1") -> Verification:
    return make_verification(vid, created_at=NOW, biz_no=biz_no, biz_id=biz_id, token="t", verification_url="u")


def test_a_claimed_biz_no_is_reported_to_the_next_request(store: VerificationStore) -> None:
    # Given a biz_no claimed and settled by a created verification
    claim = store.claim_biz_no("order-1", "h", NOW)
    assert claim.claim_id
    store.create(verification(), claim.claim_id, index_biz_id=True)
    # When another request claims it
    again = store.claim_biz_no("order-1", "other-hash", NOW)
    # Then it learns who holds it, and with which request
    assert (again.claim_id, again.state, again.request_hash, again.verification_id) == (None, "CREATED", "h", "vrf_1")


def test_a_released_biz_no_can_be_claimed_again(store: VerificationStore) -> None:
    claim = store.claim_biz_no("order-2", "h", NOW)
    assert claim.claim_id
    store.release_biz_no("order-2", claim.claim_id)
    assert store.claim_biz_no("order-2", "h", NOW).claim_id


def test_a_stale_pending_claim_is_taken_over_but_a_fresh_one_is_not(store: VerificationStore) -> None:
    store.claim_biz_no("order-3", "h", NOW)
    assert store.claim_biz_no("order-3", "h", NOW + timedelta(seconds=5)).claim_id is None
    assert store.claim_biz_no("order-3", "h", NOW + timedelta(minutes=5)).claim_id


def test_create_fails_when_the_claim_was_lost(store: VerificationStore) -> None:
    store.claim_biz_no("order-4", "h", NOW)
    taken_over = store.claim_biz_no("order-4", "h", NOW + timedelta(minutes=5))
    assert taken_over.claim_id
    with pytest.raises(RequestInProgress):
        store.create(verification("vrf_4", biz_no="order-4"), "not-our-claim", index_biz_id=True)
    # The transaction is all or nothing: its Put did not stay behind
    assert store.get("vrf_4") is None


def test_lookups_by_id_and_biz_id(store: VerificationStore) -> None:
    claim = store.claim_biz_no("order-5", "h", NOW)
    assert claim.claim_id
    store.create(verification("vrf_5", "order-5", "biz-5"), claim.claim_id, index_biz_id=True)
    assert store.get("vrf_5") == verification("vrf_5", "order-5", "biz-5")
    found = store.find_by_biz_id("biz-5")
    assert found is not None and found.verification_id == "vrf_5"
    assert store.get("vrf_missing") is None and store.find_by_biz_id("biz-missing") is None


def test_concurrent_transitions_from_one_version_make_exactly_one_write(store: VerificationStore) -> None:
    # Given a created verification
    claim = store.claim_biz_no("order-6", "h", NOW)
    assert claim.claim_id
    created = verification("vrf_6", "order-6", "biz-6")
    store.create(created, claim.claim_id, index_biz_id=True)
    outcome = Outcome(status=Status.OK, decision=Decision.APPROVED)
    # When 16 writers race to advance the same version
    barrier, results = threading.Barrier(16), []

    def write() -> None:
        barrier.wait()
        results.append(store.save_transition(created, created.advanced(outcome, NOW)))

    threads = [threading.Thread(target=write) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then exactly one wins, and the record moved one version
    assert results.count(True) == 1
    stored = store.get("vrf_6")
    assert stored is not None and (stored.version, stored.status) == (2, Status.OK)


def audited(store: VerificationStore, vid: str, *payloads: Mapping[str, object]) -> list[dict[str, Any]]:
    """A verification advanced once per payload (PROCESSING, then terminal), each with FaceID's
    payload as its audit; the audit items it then has."""
    claim = store.claim_biz_no(f"order-{vid}", "h", NOW)
    assert claim.claim_id
    current = verification(vid, f"order-{vid}", f"biz-{vid}")
    store.create(current, claim.claim_id, index_biz_id=True)
    steps = [Outcome(status=Status.PROCESSING), Outcome(status=Status.OK, decision=Decision.APPROVED)]
    for outcome, payload in zip(steps[-len(payloads) :], payloads, strict=True):
        advanced = current.advanced(outcome, NOW)
        assert store.save_transition(current, advanced, AuditEntry("notify", dict(payload), NOW))
        current = advanced
    items = store.dynamodb.query(
        TableName=store.table_name,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :audit)",
        ExpressionAttributeValues={":pk": {"S": f"VERIFICATION#{vid}"}, ":audit": {"S": "AUDIT#"}},
    )["Items"]
    return list(items)


def test_audit_keeps_payloads_without_images(store: VerificationStore, stack: object) -> None:
    items = audited(
        store,
        "vrf_7",
        {"status": "PROCESSING", "images": {"image_best": "AAAA"}, "image_ref1": "x"},
        {"status": "PROCESSING", "images": {"image_best": "BBBB"}},  # the same once images go
    )
    assert len(items) == 1
    assert items[0]["payload"]["S"] == '{"status":"PROCESSING"}'
    assert int(items[0]["expires_at_epoch"]["N"]) == int((NOW + timedelta(days=30)).timestamp())


def test_a_transition_and_its_audit_are_one_write(store: VerificationStore, stack: object) -> None:
    # Given a verification, and a writer that moved it on since we read it
    claim = store.claim_biz_no("order-8", "h", NOW)
    assert claim.claim_id
    created = verification("vrf_8", "order-8", "biz-8")
    store.create(created, claim.claim_id, index_biz_id=True)
    ok = Outcome(status=Status.OK, decision=Decision.APPROVED)
    assert store.save_transition(created, created.advanced(ok, NOW))
    # When a stale writer tries its transition with FaceID's answer
    stale = store.save_transition(created, created.advanced(ok, NOW), AuditEntry("notify", {"status": "OK"}, NOW))
    # Then neither its transition nor its audit is written
    assert stale is False
    assert audited_items(store, "vrf_8") == []


def audited_items(store: VerificationStore, vid: str) -> list[dict[str, Any]]:
    return [
        item
        for item in store.dynamodb.query(
            TableName=store.table_name,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"VERIFICATION#{vid}"}},
        )["Items"]
        if item["sk"]["S"].startswith("AUDIT#")
    ]
