"""The reconciler: settles verifications that never got a terminal callback.

Run on a schedule. It reads only what is due (the sparse ByDueAt index), asks FaceID's get_result
and applies the answer through the same state machine as notify. get_result is precious (kept one
day, read at most three times, once on some doc versions), so reads are scheduled for one read to
settle a verification normally, keeping the rest as a last chance before retention ends:

| read | when                                   | if FaceID still says PROCESSING |
| ---- | -------------------------------------- | ------------------------------- |
| 1    | token expiry + grace                   | look again an hour later        |
| 2    | + 1 hour                               | last chance before retention    |
| 3    | created + 23 hours                     | EXPIRED                         |

NOT_STARTED (the user never opened the page), an unreadable result (retention over, reads used
up, unknown biz_id) or three reads without a result all end the verification as EXPIRED.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from faceid_bridge.adapters.faceid_client import FaceIdClient
from faceid_bridge.adapters.store import VerificationStore
from faceid_bridge.domain.decision import Decision, Outcome
from faceid_bridge.domain.lifecycle import Status
from faceid_bridge.domain.verification import Channel, Verification
from faceid_bridge.errors import FaceIdRejected, RateLimited, UpstreamMisconfigured, UpstreamUnavailable
from faceid_bridge.faceid.contract import without_images
from faceid_bridge.observability import logger, metrics
from faceid_bridge.services.callbacks import apply_result
from faceid_bridge.services.transitions import advance

MAX_READS = 3
SECOND_READ_AFTER = timedelta(hours=1)
LAST_READ_AFTER_CREATION = timedelta(hours=23)  # FaceID keeps results for one day
EXPIRED = Outcome(status=Status.EXPIRED, decision=Decision.ABANDONED, reasons=[Status.EXPIRED.value])


@dataclass
class ReconcileReport:
    outcomes: dict[str, str] = field(default_factory=dict)  # verification_id -> what happened

    @property
    def counts(self) -> Counter[str]:
        return Counter(self.outcomes.values())


def _next_read(verification: Verification, reads_after_this: int, now: datetime) -> datetime | None:
    if reads_after_this >= MAX_READS:
        return None
    if reads_after_this == 1:
        return now + SECOND_READ_AFTER
    return max(verification.created_at + LAST_READ_AFTER_CREATION, now + SECOND_READ_AFTER)


def expire(verification: Verification, *, store: VerificationStore, now: datetime) -> Verification:
    return advance(verification, Status.EXPIRED, lambda _: EXPIRED, store=store, now=now)


def reconcile_one(
    verification: Verification, *, store: VerificationStore, faceid: FaceIdClient, now: datetime, retry_after: timedelta
) -> str:
    """Settle or reschedule one due verification. Returns what happened, for the report."""
    if verification.status.terminal:
        return "settled"  # a callback won the race since the index was read
    if verification.channel is not Channel.H5_LITE:
        # No get_result for these: an App biz_token unused for its hour, or a Raw verification whose
        # process died before storing FaceID's answer, is abandoned.
        expire(verification, store=store, now=now)
        return "expired"
    if verification.get_result_reads >= MAX_READS:
        expire(verification, store=store, now=now)
        return "expired"
    try:
        result, payload = faceid.get_result(verification.biz_id)
    except FaceIdRejected as exc:  # unknown, past retention or read out: nothing left to learn
        metrics.add_metric(name="GetResultRefused", unit="Count", value=1)
        logger.warning(
            "get_result refused; expiring",
            extra={"verification_id": verification.verification_id, "error": exc.message},
        )
        expire(verification, store=store, now=now)
        return "expired"
    except (UpstreamUnavailable, RateLimited, UpstreamMisconfigured) as exc:
        metrics.add_metric(name="GetResultErrors", unit="Count", value=1)
        logger.warning(
            "get_result failed; retrying later",
            extra={"verification_id": verification.verification_id, "error": exc.message},
        )
        store.reschedule(verification, int((now + retry_after).timestamp()))
        return "error"

    metrics.add_metric(name="GetResultReads", unit="Count", value=1)
    reads = verification.get_result_reads + 1
    settles = result.status not in ("NOT_STARTED", "PROCESSING")
    next_read = None if settles else _next_read(verification, reads, now)
    store.record_read(
        verification,
        result=json.dumps(without_images(payload), sort_keys=True) if settles else None,
        next_due=int(next_read.timestamp()) if next_read else None,
    )
    if settles:
        apply_result(result, payload, source="get_result", store=store, now=now)
        return "settled"
    if result.status == "NOT_STARTED" or next_read is None:
        expire(verification, store=store, now=now)
        return "expired"
    return "waiting"


def reconcile_due(
    *,
    store: VerificationStore,
    faceid: FaceIdClient,
    now: datetime,
    retry_after: timedelta = timedelta(minutes=2),
    limit: int = 100,
    out_of_time: Callable[[], bool] = lambda: False,
) -> ReconcileReport:
    """Settle what is due. Stops early when `out_of_time` says so (the Lambda's remaining time): what
    is left stays due and the next run takes it, so nothing is cut off in the middle of a read."""
    report = ReconcileReport()
    for verification_id in store.due(now, limit):
        if out_of_time():
            metrics.add_metric(name="ReconcilerOutOfTime", unit="Count", value=1)
            break
        verification = store.get(verification_id)
        if verification is not None:
            outcome = reconcile_one(verification, store=store, faceid=faceid, now=now, retry_after=retry_after)
            report.outcomes[verification_id] = outcome
    metrics.add_metric(name="ReconcilerDue", unit="Count", value=len(report.outcomes))
    return report
