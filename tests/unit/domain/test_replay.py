"""Which events a stored verification announced, rebuilt from the record alone: the same bodies
and event_ids the publisher put when each transition happened."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from faceid_bridge.domain.changes import redacted
from faceid_bridge.domain.decision import Decision, Outcome
from faceid_bridge.domain.events import event_for, event_id
from faceid_bridge.domain.lifecycle import Status
from faceid_bridge.domain.replay import announced_versions
from faceid_bridge.domain.verification import Verification
from tests.support import make_verification

CREATED_AT = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def created() -> Verification:
    return make_verification(
        "vrf_replayed", created_at=CREATED_AT, biz_no="order-1", biz_id="biz-1", token="t", biz_extra_data="cart=42"
    )


REJECTED = Outcome(status=Status.OK, decision=Decision.REJECTED, reasons=["FACE_MISMATCH_REF1"])


def test_a_created_verification_announced_its_creation_only() -> None:
    assert [event_for(version) for version in announced_versions(created())] == [event_for(created())]


def test_a_settled_verification_announced_its_creation_and_its_verdict_as_first_published() -> None:
    # Given a verification as the publisher saw it at each transition: created, PROCESSING, rejected
    original = created()
    processing = original.advanced(Outcome(status=Status.PROCESSING), CREATED_AT + timedelta(minutes=1))
    rejected = processing.advanced(REJECTED, CREATED_AT + timedelta(minutes=2))
    published = [event for event in map(event_for, (original, processing, rejected)) if event is not None]
    # When its announced events are rebuilt from the stored record alone (its latest version)
    rebuilt = [event_for(version) for version in announced_versions(rejected)]
    # Then they are the published ones, bodies and event_ids alike
    assert rebuilt == published
    assert [detail.event_id for _, detail in published] == [event_id("vrf_replayed", 1), event_id("vrf_replayed", 3)]


def test_a_verification_still_processing_announced_its_creation_only() -> None:
    processing = created().advanced(Outcome(status=Status.PROCESSING), CREATED_AT + timedelta(minutes=1))
    assert [event_for(version) for version in announced_versions(processing)] == [event_for(created())]


def test_a_redacted_verification_announced_its_creation_its_verdict_and_its_redaction() -> None:
    # Given a rejected verification, then redacted
    rejected = created().advanced(REJECTED, CREATED_AT + timedelta(minutes=2))
    erased = redacted(rejected, CREATED_AT + timedelta(days=3))
    # When its announced events are rebuilt from the redacted record alone
    rebuilt = [event for event in map(event_for, announced_versions(erased)) if event is not None]
    # Then the verdict keeps its event_id, carries nothing the redaction erased, and the redaction follows
    assert [detail_type for detail_type, _ in rebuilt] == [
        "Verification Created",
        "Verification Rejected",
        "Verification Redacted",
    ]
    assert [detail.event_id for _, detail in rebuilt] == [event_id("vrf_replayed", n) for n in (1, 2, 3)]
    assert all(detail.biz_extra_data is None and detail.reasons == [] for _, detail in rebuilt)
