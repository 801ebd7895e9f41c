"""The customer's changes to a verification: cancel and redact (domain/changes.py says what each
does to the record).

Cancel goes through the state machine like any FaceID result (services/transitions.advance), so a
cancel racing FaceID's last callback makes exactly one of them the verification's end. FaceID's
results after a cancel are late callbacks (`transitions.unchanged`).

Redact cancels a verification still in flight first (docs/decisions.md §15), then writes the
redacted record, the one write that emits Verification Redacted. The claim's fingerprint is removed
before it and the audit items after it (once the record is redacted no late answer can be added):
a call on a redacted verification deletes what audit items a failed call left, and writes nothing
else.
"""

from __future__ import annotations

from datetime import datetime

from faceid_bridge.domain.changes import CANCEL, can_cancel, can_redact, cancelled_by_customer, redacted
from faceid_bridge.domain.verification import Verification
from faceid_bridge.errors import Conflict
from faceid_bridge.observability import correlation_id, logger
from faceid_bridge.ports import ChangesStore, Verifications
from faceid_bridge.services.query import get_verification
from faceid_bridge.services.transitions import advance


def cancel(verification_id: str, *, store: Verifications, now: datetime) -> Verification:
    """Cancel a verification in flight. One the customer cancelled already answers as it stands
    (a retried cancel changes nothing); any other ended one is 409 CONFLICT:status."""
    verification = get_verification(verification_id, store=store)
    if can_cancel(verification.status):
        verification = advance(verification, CANCEL, store=store, now=now)
    if not cancelled_by_customer(verification):
        raise Conflict("CONFLICT:status")  # it ended first: FaceID's result stands
    return verification


def redact(verification_id: str, *, store: ChangesStore, now: datetime) -> Verification:
    """Remove the verification's personal data, once; cancel it first if it is in flight."""
    verification = get_verification(verification_id, store=store)
    if can_cancel(verification.status):  # ends it, unless FaceID's result ended it first
        verification = advance(verification, CANCEL, store=store, now=now)
    if can_redact(verification):
        store.forget_fingerprint(verification.biz_no, verification.verification_id)
        if store.save_redaction(verification, after := redacted(verification, now, correlation_id())):
            logger.info("verification redacted", extra={"verification_id": verification_id})
            verification = after
        else:  # only another redaction moves an ended verification on: it won
            verification = get_verification(verification_id, store=store)
    store.delete_audit(verification_id)
    return verification
