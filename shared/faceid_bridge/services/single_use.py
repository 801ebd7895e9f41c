"""Single-use tokens: an App biz_token (003: "valid for one hour and used once") and an H5 Raw
token_still (002) go to FaceID once, never again.

Sending one twice is worse than useless. A double submit's second call would meet `4200
BIZ_TOKEN_DENIED` (or `INVALID_TOKEN`) first, and that answer would be taken as the verdict while
FaceID's real one, arriving later, was thrown away; and the user's biometric package would be sent,
and billed, twice. So the token is marked as sent before it is sent (a conditional write: one
caller wins), and a call whose answer is lost settles the verification as ERRORED with reason
FACEID_OUTCOME_UNKNOWN: the true verdict cannot be known, and the user is not blamed for it. Every
later caller reads that, as an error whose message starts FACEID_OUTCOME_UNKNOWN, so the customer's
app knows to start a new verification.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from faceid_bridge.domain.decision import Decision, Outcome
from faceid_bridge.domain.lifecycle import Status
from faceid_bridge.domain.verification import Verification
from faceid_bridge.errors import Conflict, FaceIdBadResponse, FaceIdOutcomeUnknown, RequestInProgress
from faceid_bridge.metric_names import Metric
from faceid_bridge.observability import logger, metrics
from faceid_bridge.ports import ScheduledStore, Verifications
from faceid_bridge.services.transitions import advance_with_audit

OUTCOME_UNKNOWN = "FACEID_OUTCOME_UNKNOWN"
UNKNOWN = Outcome(status=Status.FAILED, decision=Decision.ERRORED, reasons=[OUTCOME_UNKNOWN])
# A mark older than this was left by a call that died: longer than the verify function's timeout.
SEND_LEASE = timedelta(seconds=60)
# FaceID took the request but we cannot know what it decided: a lost answer, or a 200 we cannot read.
UNKNOWN_ANSWERS = (FaceIdOutcomeUnknown, FaceIdBadResponse)


def settled_by_unknown(verification: Verification) -> bool:
    return verification.decision is Decision.ERRORED and verification.reasons[:1] == [OUTCOME_UNKNOWN]


def spent(token_name: str) -> Conflict:
    """What every caller after the lost answer gets: start a new verification."""
    return Conflict(f"{OUTCOME_UNKNOWN}:{token_name}")


def as_answered(verification: Verification, token_name: str) -> Verification:
    """A decided verification as every later caller reads it: its verdict, or, when FaceID's
    answer was lost, the error that says so."""
    if settled_by_unknown(verification):
        raise spent(token_name)
    return verification


def settle_unknown(verification: Verification, *, source: str, store: Verifications, now: datetime) -> Verification:
    metrics.add_metric(name=Metric.FACEID_OUTCOMES_UNKNOWN, unit="Count", value=1)
    logger.warning(
        "FaceID's answer for a single-use token is unknown; the verification ends ERRORED",
        extra={"verification_id": verification.verification_id},
    )
    payload = {"error": OUTCOME_UNKNOWN}
    return advance_with_audit(verification, UNKNOWN, source=source, payload=payload, store=store, now=now)


def mark_sent(
    verification: Verification, *, token_name: str, store: Verifications, now: datetime
) -> Verification | None:
    """Mark the token as sent, before it is: None for the one caller that may send it. Any other
    caller gets the verification as it stands once decided, or an error: 409 REQUEST_IN_PROGRESS
    while the call is in flight, FACEID_OUTCOME_UNKNOWN once a call that sent it died."""
    if store.mark_token_sent(verification, now):
        return None
    current = store.get(verification.verification_id)
    assert current is not None  # verifications are never deleted
    if current.status.terminal:
        return as_answered(current, token_name)
    if current.token_sent_at is not None and current.token_sent_at + SEND_LEASE <= now:
        return as_answered(settle_unknown(current, source="token_lease", store=store, now=now), token_name)
    # In flight (or a refused call just gave the token back): the first call's verdict is the one.
    raise RequestInProgress("REQUEST_IN_PROGRESS:verification_id", retry_after=1)


def settle_due(verification: Verification, *, store: ScheduledStore, now: datetime) -> str:
    """The reconciler's verdict on a due verification whose single-use token went to FaceID (an App
    verify, or the Raw verify whose process died before storing FaceID's answer): its outcome
    cannot be known, once the call that sent it cannot still be in flight."""
    sent_at = verification.token_sent_at
    if sent_at is not None and now < sent_at + SEND_LEASE:
        store.reschedule(verification, int((sent_at + SEND_LEASE).timestamp()))
        return "waiting"  # the verify call may still be in flight
    settle_unknown(verification, source="reconciler", store=store, now=now)
    return "unknown"
