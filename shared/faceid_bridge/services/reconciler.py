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

NOT_STARTED (the user never opened the page), a refused read (retention over, reads used up,
unknown biz_id) or three reads without a result all end the verification as EXPIRED. A read whose
answer is unusable (not JSON, not the documented model, another biz_id, or lost to a timeout) still
counts as one of the three: FaceID may have spent it.

Each due verification is settled on its own: one that fails is logged, counted and looked at again
later, and the run goes on with the rest, through every page of the index. Except when the
deployment cannot call FaceID at all (the FaceID secret has no value yet, or no pair for a
verification's region): the run stops there, before that read, and is counted (ReconcilerSkipped);
everything left stays due for a later run, no read spent.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from faceid_bridge.domain.decision import Decision, Outcome
from faceid_bridge.domain.lifecycle import Status
from faceid_bridge.domain.verification import Channel, Verification
from faceid_bridge.errors import (
    ConfigurationError,
    FaceIdBadResponse,
    FaceIdOutcomeUnknown,
    FaceIdRejected,
    RateLimited,
    UpstreamMisconfigured,
    UpstreamUnavailable,
)
from faceid_bridge.observability import about_verification, logger, metrics
from faceid_bridge.ports import FaceId, Store
from faceid_bridge.services import single_use
from faceid_bridge.services.h5_lite import apply_result
from faceid_bridge.services.transitions import advance

MAX_READS = 3
SECOND_READ_AFTER = timedelta(hours=1)
LAST_READ_AFTER_CREATION = timedelta(hours=23)  # FaceID keeps results for one day
EXPIRED = Outcome(status=Status.EXPIRED, decision=Decision.ABANDONED, reasons=[Status.EXPIRED.value])


LEASE = "reconciler"
# One run at a time (its get_result reads are counted): a run holds the lease for its Lambda time.
DEFAULT_LEASE = timedelta(minutes=5)


@dataclass
class ReconcileReport:
    outcomes: dict[str, str] = field(default_factory=dict)  # verification_id -> what happened
    skipped: bool = False  # another run held the lease, or a configuration error stopped it
    oldest_due_at: int | None = None  # of the due verifications read this run

    def backlog_age_seconds(self, now: datetime) -> float:
        """How long the oldest verification read this run has been due: about a minute while the
        reconciler keeps up; it grows when runs fail, run out of time or stop reaching FaceID."""
        return 0.0 if self.oldest_due_at is None else max(0.0, now.timestamp() - self.oldest_due_at)

    @property
    def counts(self) -> Counter[str]:
        return Counter(self.outcomes.values()) + Counter({"run_skipped": 1} if self.skipped else {})


def _next_read(verification: Verification, reads_after_this: int, now: datetime) -> datetime | None:
    if reads_after_this >= MAX_READS:
        return None
    if reads_after_this == 1:
        return now + SECOND_READ_AFTER
    return max(verification.created_at + LAST_READ_AFTER_CREATION, now + SECOND_READ_AFTER)


def expire(verification: Verification, *, store: Store, now: datetime) -> Verification:
    return advance(verification, EXPIRED, store=store, now=now)


def _unreadable(verification: Verification, *, store: Store, now: datetime, error: str) -> str:
    """A read FaceID may have spent without giving us a usable answer: count it, look again later."""
    metrics.add_metric(name="GetResultUnreadable", unit="Count", value=1)
    logger.warning(
        "get_result answer unusable; the read is counted",
        extra={"verification_id": verification.verification_id, "error": error},
    )
    next_read = _next_read(verification, verification.get_result_reads + 1, now)
    store.record_read(verification, result=None, next_due=int(next_read.timestamp()) if next_read else None)
    if next_read is None:
        expire(verification, store=store, now=now)
        return "expired"
    return "unreadable"


def _settle_without_get_result(verification: Verification, *, store: Store, now: datetime) -> str:
    """The App and Raw channels have no get_result. A biz_token never sent within its hour is
    abandoned; a single-use token that went to FaceID (an App verify, or the Raw verify whose
    process died before storing FaceID's answer) has an outcome we cannot know."""
    sent_at = verification.token_sent_at
    if verification.channel is Channel.APP and sent_at is None:
        expire(verification, store=store, now=now)
        return "expired"
    if sent_at is not None and now < sent_at + single_use.SEND_LEASE:
        store.reschedule(verification, int((sent_at + single_use.SEND_LEASE).timestamp()))
        return "waiting"  # the verify call may still be in flight
    single_use.settle_unknown(verification, source="reconciler", store=store, now=now)
    return "unknown"


def reconcile_one(
    verification: Verification, *, store: Store, faceid: FaceId, now: datetime, retry_after: timedelta
) -> str:
    """Settle or reschedule one due verification. Returns what happened, for the report."""
    if verification.status.terminal:
        return "settled"  # a callback won the race since the index was read
    if verification.due_at is None or verification.due_at > now.timestamp():
        return "not_due"  # the index (eventually consistent) was behind the item
    if verification.channel is not Channel.H5_LITE:
        return _settle_without_get_result(verification, store=store, now=now)
    if verification.get_result_reads >= MAX_READS:
        expire(verification, store=store, now=now)
        return "expired"
    try:
        result, payload = faceid.get_result(verification.biz_id, region=verification.faceid_region)
    except FaceIdRejected as exc:  # unknown, past retention or read out: nothing left to learn
        metrics.add_metric(name="GetResultRefused", unit="Count", value=1)
        logger.warning(
            "get_result refused; expiring",
            extra={"verification_id": verification.verification_id, "error": exc.message},
        )
        expire(verification, store=store, now=now)
        return "expired"
    except (FaceIdBadResponse, FaceIdOutcomeUnknown) as exc:
        return _unreadable(verification, store=store, now=now, error=exc.message)
    except (UpstreamUnavailable, RateLimited, UpstreamMisconfigured) as exc:
        metrics.add_metric(name="GetResultErrors", unit="Count", value=1)
        logger.warning(
            "get_result failed; retrying later",
            extra={"verification_id": verification.verification_id, "error": exc.message},
        )
        store.reschedule(verification, int((now + retry_after).timestamp()))
        return "error"
    if result.biz_info.biz_id != verification.biz_id:
        return _unreadable(verification, store=store, now=now, error="FACEID_UNEXPECTED_RESPONSE:biz_id")

    metrics.add_metric(name="GetResultReads", unit="Count", value=1)
    reads = verification.get_result_reads + 1
    settles = result.status not in ("NOT_STARTED", "PROCESSING")
    next_read = None if settles else _next_read(verification, reads, now)
    store.record_read(
        verification,
        result=payload if settles else None,
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
    store: Store,
    faceid: FaceId,
    now: datetime,
    retry_after: timedelta = timedelta(minutes=2),
    out_of_time: Callable[[], bool] = lambda: False,
    lease_until: datetime | None = None,
) -> ReconcileReport:
    """Settle what is due, unless another run holds the lease (until `lease_until`: the end of the
    Lambda's time). Stops early when `out_of_time` says so (the Lambda's remaining time): what is
    left stays due and the next run takes it, so nothing is cut off in the middle of a read."""
    holder = secrets.token_hex(8)
    if not store.take_lease(LEASE, holder, now, lease_until or now + DEFAULT_LEASE):
        metrics.add_metric(name="ReconcilerRunsOverlapped", unit="Count", value=1)
        logger.info("another reconciler run holds the lease; skipping this one")
        return ReconcileReport(skipped=True)
    try:
        return _reconcile_all(store=store, faceid=faceid, now=now, retry_after=retry_after, out_of_time=out_of_time)
    finally:
        store.end_lease(LEASE, holder)


def _reconcile_all(
    *, store: Store, faceid: FaceId, now: datetime, retry_after: timedelta, out_of_time: Callable[[], bool]
) -> ReconcileReport:
    report = ReconcileReport()
    for verification_id in store.due(now):
        if verification_id in report.outcomes:
            continue  # seen on an earlier page of this run (the index moved under the paging)
        if out_of_time():
            metrics.add_metric(name="ReconcilerOutOfTime", unit="Count", value=1)
            break
        about_verification(verification_id)
        try:
            report.outcomes[verification_id] = _reconcile_isolated(
                verification_id, report, store=store, faceid=faceid, now=now, retry_after=retry_after
            )
            logger.info("verification reconciled", extra={"outcome": report.outcomes[verification_id]})
        except ConfigurationError:  # logged where found; the next run tries again
            metrics.add_metric(name="ReconcilerSkipped", unit="Count", value=1)
            report.skipped = True
            break
        finally:
            logger.remove_keys(["verification_id"])
    metrics.add_metric(name="ReconcilerDue", unit="Count", value=len(report.outcomes))
    # Emitted on every run, 0 when nothing is due: the backlog alarm also fires when it goes missing.
    metrics.add_metric(name="ReconcilerBacklogAgeSeconds", unit="Seconds", value=report.backlog_age_seconds(now))
    return report


def _reconcile_isolated(
    verification_id: str,
    report: ReconcileReport,
    *,
    store: Store,
    faceid: FaceId,
    now: datetime,
    retry_after: timedelta,
) -> str:
    """reconcile_one, with whatever goes wrong kept to this verification (logged, counted, and moved
    back in the queue when possible), so the ones behind it are still settled."""
    verification = None
    try:
        verification = store.get(verification_id)
        if verification is None:
            return "missing"
        if verification.due_at is not None and not verification.status.terminal:
            report.oldest_due_at = min(verification.due_at, report.oldest_due_at or verification.due_at)
        return reconcile_one(verification, store=store, faceid=faceid, now=now, retry_after=retry_after)
    except ConfigurationError:
        raise  # not this item's: no item can be read, so reconcile_due stops the run
    except Exception:  # noqa: BLE001 - per-item isolation: one bad item must not stop the run
        metrics.add_metric(name="ReconcileFailures", unit="Count", value=1)
        logger.exception("reconciling one verification failed", extra={"verification_id": verification_id})
        if verification is not None:
            try:
                store.reschedule(verification, int((now + retry_after).timestamp()))
            except Exception:  # noqa: BLE001 - the store is failing too; the item stays due
                logger.exception("rescheduling failed", extra={"verification_id": verification_id})
        return "failed"
