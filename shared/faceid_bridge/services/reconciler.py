"""The reconciler: settles verifications that never got a terminal callback.

Run on a schedule. It reads only what is due (the sparse ByDueAt index) and asks each due
verification's channel to settle it (`settle_due` of its spec, channels/spec.py): H5 Lite reads
get_result (channels/h5_lite/settle.py); the App and H5 Raw channels have no such read, and settle
from what the store knows of their single-use tokens (services/single_use.py).

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

from faceid_bridge.channels import spec as channel_spec
from faceid_bridge.domain.verification import Verification
from faceid_bridge.errors import ConfigurationError
from faceid_bridge.metric_names import Metric
from faceid_bridge.observability import about_verification, logger, metrics
from faceid_bridge.ports import FaceId, ReconcilerStore, ScheduledStore

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


def reconcile_one(
    verification: Verification, *, store: ScheduledStore, faceid: FaceId, now: datetime, retry_after: timedelta
) -> str:
    """Settle or reschedule one due verification. Returns what happened, for the report."""
    if verification.status.terminal:
        return "settled"  # a callback won the race since the index was read
    if verification.due_at is None or verification.due_at > now.timestamp():
        return "not_due"  # the index (eventually consistent) was behind the item
    settle_due = channel_spec(verification.channel).settle_due
    return settle_due(verification, store=store, faceid=faceid, now=now, retry_after=retry_after)


def reconcile_due(
    *,
    store: ReconcilerStore,
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
        metrics.add_metric(name=Metric.RECONCILER_RUNS_OVERLAPPED, unit="Count", value=1)
        logger.info("another reconciler run holds the lease; skipping this one")
        return ReconcileReport(skipped=True)
    try:
        return _reconcile_all(store=store, faceid=faceid, now=now, retry_after=retry_after, out_of_time=out_of_time)
    finally:
        store.end_lease(LEASE, holder)


def _reconcile_all(
    *, store: ReconcilerStore, faceid: FaceId, now: datetime, retry_after: timedelta, out_of_time: Callable[[], bool]
) -> ReconcileReport:
    report = ReconcileReport()
    for verification_id in store.due(now):
        if verification_id in report.outcomes:
            continue  # seen on an earlier page of this run (the index moved under the paging)
        if out_of_time():
            metrics.add_metric(name=Metric.RECONCILER_OUT_OF_TIME, unit="Count", value=1)
            break
        about_verification(verification_id)
        try:
            report.outcomes[verification_id] = _reconcile_isolated(
                verification_id, report, store=store, faceid=faceid, now=now, retry_after=retry_after
            )
            logger.info("verification reconciled", extra={"outcome": report.outcomes[verification_id]})
        except ConfigurationError:  # logged where found; the next run tries again
            metrics.add_metric(name=Metric.RECONCILER_SKIPPED, unit="Count", value=1)
            report.skipped = True
            break
        finally:
            logger.remove_keys(["verification_id"])
    metrics.add_metric(name=Metric.RECONCILER_DUE, unit="Count", value=len(report.outcomes))
    # Emitted on every run, 0 when nothing is due: the backlog alarm also fires when it goes missing.
    backlog_age = report.backlog_age_seconds(now)
    metrics.add_metric(name=Metric.RECONCILER_BACKLOG_AGE_SECONDS, unit="Seconds", value=backlog_age)
    return report


def _reconcile_isolated(
    verification_id: str,
    report: ReconcileReport,
    *,
    store: ReconcilerStore,
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
        metrics.add_metric(name=Metric.RECONCILE_FAILURES, unit="Count", value=1)
        logger.exception("reconciling one verification failed", extra={"verification_id": verification_id})
        if verification is not None:
            try:
                store.reschedule(verification, int((now + retry_after).timestamp()))
            except Exception:  # noqa: BLE001 - the store is failing too; the item stays due
                logger.exception("rescheduling failed", extra={"verification_id": verification_id})
        return "failed"
