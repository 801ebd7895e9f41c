"""The one way a verification moves: the state machine applied with a conditional write.
Notify, return and the reconciler all go through here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from faceid_bridge.domain.audit import AuditEntry
from faceid_bridge.domain.changes import cancelled_by_customer
from faceid_bridge.domain.decision import Decision, Outcome
from faceid_bridge.domain.lifecycle import Status, can_transition
from faceid_bridge.domain.verification import Verification
from faceid_bridge.metric_names import Metric
from faceid_bridge.observability import correlation_id, count_by, metrics, note
from faceid_bridge.ports import Verifications

# Never finished within its time, whatever the channel: the reconciler's verdict.
EXPIRED = Outcome(status=Status.EXPIRED, decision=Decision.ABANDONED, reasons=[Status.EXPIRED.value])


def unchanged(
    verification: Verification, *, answer: AuditEntry | None = None, store: Verifications | None = None
) -> Verification:
    """A duplicate or stale result: counted, and nothing else. FaceID's `answer` after the customer
    cancelled is a late callback: counted as one, and kept for audit (unless the verification was
    redacted since, or moves on first: `save_late_answer` is conditional on its version)."""
    metrics.add_metric(name=Metric.IGNORED_TRANSITIONS, unit="Count", value=1)
    if answer is not None and cancelled_by_customer(verification):
        metrics.add_metric(name=Metric.LATE_CALLBACKS, unit="Count", value=1)
        note("late callback after a cancel", verification_id=verification.verification_id)
        if store is not None and verification.redacted_at is None:
            store.save_late_answer(verification, answer)
    return verification


def advance(
    verification: Verification,
    outcome: Outcome,
    *,
    store: Verifications,
    now: datetime,
    audit: AuditEntry | None = None,
) -> Verification:
    """Move `verification` to `outcome` if the state machine allows it; returns it as it now stands.
    `audit`, FaceID's answer that caused it, is written with the transition, or not at all.

    Idempotent: duplicates and stale states change nothing, and the conditional write on `version`
    makes concurrent attempts produce exactly one transition. Each lost race means another writer
    moved the version forward, and there are at most two forward moves (CREATED -> PROCESSING ->
    terminal), so the loop ends.
    """
    while can_transition(verification.status, outcome.status):
        advanced = verification.advanced(outcome, now, correlation_id())
        if store.save_transition(verification, advanced, audit):
            metrics.add_metric(name=Metric.TRANSITIONS, unit="Count", value=1)
            if advanced.decision is not None:  # terminal: approval, rejection, abandonment rates per channel
                count_by(Metric.TRANSITIONS, channel=advanced.channel, decision=advanced.decision)
            note("verification advanced", verification_id=advanced.verification_id, status=advanced.status)
            return advanced
        current = store.get(verification.verification_id)
        assert current is not None  # verifications are never deleted
        verification = current
    return unchanged(verification, answer=audit, store=store)


def advance_with_audit(
    verification: Verification,
    outcome: Outcome,
    *,
    source: str,
    payload: dict[str, Any],
    store: Verifications,
    now: datetime,
) -> Verification:
    """`advance`, keeping FaceID's answer for audit in the same write. A duplicate or stale answer
    writes nothing at all."""
    return advance(verification, outcome, store=store, now=now, audit=AuditEntry(source, payload, now))


def expire(verification: Verification, *, store: Verifications, now: datetime) -> Verification:
    return advance(verification, EXPIRED, store=store, now=now)
