"""What a customer may do to a verification after creating it: cancel it, and redact it. Pure: the
caller gives the clock and the request id (services/changes.py writes the result).

Cancel takes a non-terminal verification to CANCELLED with the decision CANCELLED, so that it is
told apart from the person's own cancel in FaceID's flow (ABANDONED). Redaction keeps what
identifies the verification and what it decided (its ids, channel, timestamps, status, decision)
and drops the personal data the record holds: FaceID's result details, the reasons, the
redirect_url, biz_extra_data, the request's fingerprint and the reconciler's copy of FaceID's answer.
"""

from __future__ import annotations

from datetime import datetime

from faceid_bridge.domain.decision import Decision, Outcome
from faceid_bridge.domain.lifecycle import Status, can_transition
from faceid_bridge.domain.verification import Verification

CANCELLED_BY_CUSTOMER = "CANCELLED_BY_CUSTOMER"
CANCEL = Outcome(status=Status.CANCELLED, decision=Decision.CANCELLED, reasons=[CANCELLED_BY_CUSTOMER])

# What redaction removes from the record, each with the empty value it is left with. The store
# writes exactly these (adapters/dynamodb/changes.py, where None removes the attribute); the audit
# items and the biz_no claim's copy of the fingerprint, kept apart from the record, go too.
REDACTED: dict[str, object] = {
    "reasons": [],
    "liveness": None,
    "comparison": [],
    "redirect_url": None,
    "biz_extra_data": None,
    "request_hash": "",
    "first_result": None,
}


def can_cancel(status: Status) -> bool:
    """Only a verification still in flight can be cancelled."""
    return can_transition(status, CANCEL.status)


def cancelled_by_customer(verification: Verification) -> bool:
    return verification.decision is Decision.CANCELLED


def can_redact(verification: Verification) -> bool:
    """Once: a terminal verification not yet redacted (one in flight is cancelled first)."""
    return verification.status.terminal and verification.redacted_at is None


def redacted(verification: Verification, now: datetime, correlation_id: str | None = None) -> Verification:
    """`verification` with its personal data removed, one version later: the version names the
    Verification Redacted event (domain/events.py), so a redelivery carries the same event_id."""
    if not can_redact(verification):
        raise ValueError(f"not redactable: {verification.status}, redacted_at={verification.redacted_at}")
    return verification.model_copy(
        update={
            **REDACTED,
            "version": verification.version + 1,
            "updated_at": now,
            "correlation_id": correlation_id,
            "redacted_at": now,
        }
    )
