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

A run settles up to `concurrency` verifications at once (ReconcilerConcurrency; docs/capacity.md:
one at a time cannot keep up with 10% of 1,000 verifications/s), on a pool of worker threads fed
by the calling thread, which reads the index a page at a time as the workers take its ids, and
alone decides whether to start another: not once the run is out of time or has met a
configuration error (what is in flight finishes). The first verification is settled alone, so
that a run that cannot reach FaceID finds it out on one read, with one log line, not `concurrency`.
The workers work under the caller's deadline (faceid_bridge.deadline: the handler starts it from the
invocation's time left), so what is in flight cannot outlast the run: each FaceID try is sized to
it, and none starts past it.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from faceid_bridge import deadline
from faceid_bridge.channels import spec as channel_spec
from faceid_bridge.domain.verification import Verification
from faceid_bridge.errors import ConfigurationError
from faceid_bridge.metric_names import Metric
from faceid_bridge.observability import about_verification, logger, metrics
from faceid_bridge.ports import FaceId, ReconcilerStore, ScheduledStore

if TYPE_CHECKING:
    from concurrent.futures import Future

LEASE = "reconciler"
# One run at a time (its get_result reads are counted): a run holds the lease for its Lambda time.
DEFAULT_LEASE = timedelta(minutes=5)


class Reconciled(NamedTuple):
    outcome: str  # what happened, for the report
    due_at: int | None  # when it was due, if it still was when read (for the backlog's age)


@dataclass
class ReconcileReport:
    outcomes: dict[str, str] = field(default_factory=dict)  # verification_id -> what happened
    skipped: bool = False  # another run held the lease, or a configuration error stopped it
    oldest_due_at: int | None = None  # of the due verifications read this run

    def add(self, verification_id: str, reconciled: Reconciled) -> None:
        self.outcomes[verification_id] = reconciled.outcome
        if reconciled.due_at is not None:
            self.oldest_due_at = min(reconciled.due_at, self.oldest_due_at or reconciled.due_at)

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
    concurrency: int = 1,
) -> ReconcileReport:
    """Settle what is due, `concurrency` at a time, unless another run holds the lease (until
    `lease_until`: the end of the Lambda's time). Stops starting new ones when `out_of_time` says so
    (the Lambda's remaining time): what is left stays due and the next run takes it, so nothing is
    cut off in the middle of a read."""
    holder = secrets.token_hex(8)
    if not store.take_lease(LEASE, holder, now, lease_until or now + DEFAULT_LEASE):
        metrics.add_metric(name=Metric.RECONCILER_RUNS_OVERLAPPED, unit="Count", value=1)
        logger.info("another reconciler run holds the lease; skipping this one")
        return ReconcileReport(skipped=True)
    try:
        return _reconcile_all(
            store=store,
            faceid=faceid,
            now=now,
            retry_after=retry_after,
            out_of_time=out_of_time,
            concurrency=concurrency,
        )
    finally:
        store.end_lease(LEASE, holder)


def _reconcile_all(
    *,
    store: ReconcilerStore,
    faceid: FaceId,
    now: datetime,
    retry_after: timedelta,
    out_of_time: Callable[[], bool],
    concurrency: int,
) -> ReconcileReport:
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait  # the reconciler's alone

    report = ReconcileReport()
    started: set[str] = set()
    in_flight: dict[Future[Reconciled], str] = {}

    def settle_finished(block: bool) -> None:
        """Take what the workers have finished into the report (waiting for one first, if `block`);
        a configuration error marks the run skipped."""
        if block:
            wait(in_flight, return_when=FIRST_COMPLETED)
        for future in [future for future in in_flight if future.done()]:
            verification_id = in_flight.pop(future)
            try:
                report.add(verification_id, future.result())
            except ConfigurationError:  # logged where found; the next run tries again
                report.skipped = True

    due = iter(store.due(now))
    run_deadline = deadline.current()  # the workers' too: a new thread starts without one
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="reconcile") as pool:
        while True:
            # A free worker first, then the next due id: the index is read as the workers take its ids.
            # One at a time until one has gone through without a configuration error, then `concurrency`.
            while in_flight and len(in_flight) >= (concurrency if report.outcomes else 1):
                settle_finished(block=True)
            settle_finished(block=False)
            if report.skipped:
                break
            # An id seen on an earlier page of this run is passed over (the index moved under the paging).
            verification_id = next((found for found in due if found not in started), None)
            if verification_id is None:
                break
            if out_of_time():
                metrics.add_metric(name=Metric.RECONCILER_OUT_OF_TIME, unit="Count", value=1)
                break
            started.add(verification_id)
            future = pool.submit(_reconcile_logged, verification_id, store, faceid, now, retry_after, run_deadline)
            in_flight[future] = verification_id
        while in_flight:  # what was started finishes, even past out_of_time
            settle_finished(block=True)
    if report.skipped:
        metrics.add_metric(name=Metric.RECONCILER_SKIPPED, unit="Count", value=1)
    metrics.add_metric(name=Metric.RECONCILER_DUE, unit="Count", value=len(report.outcomes))
    # Emitted on every run, 0 when nothing is due: the backlog alarm also fires when it goes missing.
    backlog_age = report.backlog_age_seconds(now)
    metrics.add_metric(name=Metric.RECONCILER_BACKLOG_AGE_SECONDS, unit="Seconds", value=backlog_age)
    return report


def _reconcile_logged(
    verification_id: str,
    store: ReconcilerStore,
    faceid: FaceId,
    now: datetime,
    retry_after: timedelta,
    run_deadline: float | None,
) -> Reconciled:
    """On a worker thread: _reconcile_isolated under the run's deadline, with every log line of it
    naming the verification."""
    about_verification(verification_id)
    deadline.adopt(run_deadline)
    try:
        reconciled = _reconcile_isolated(verification_id, store=store, faceid=faceid, now=now, retry_after=retry_after)
        logger.info("verification reconciled", extra={"outcome": reconciled.outcome})
        return reconciled
    finally:
        logger.thread_safe_remove_keys(["verification_id"])  # the worker's next item is another's
        deadline.clear()


def _reconcile_isolated(
    verification_id: str,
    *,
    store: ReconcilerStore,
    faceid: FaceId,
    now: datetime,
    retry_after: timedelta,
) -> Reconciled:
    """reconcile_one, with whatever goes wrong kept to this verification (logged, counted, and moved
    back in the queue when possible), so the ones behind it are still settled."""
    verification, due_at = None, None
    try:
        verification = store.get(verification_id)
        if verification is None:
            return Reconciled("missing", None)
        due_at = None if verification.status.terminal else verification.due_at
        return Reconciled(
            reconcile_one(verification, store=store, faceid=faceid, now=now, retry_after=retry_after), due_at
        )
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
        return Reconciled("failed", due_at)
