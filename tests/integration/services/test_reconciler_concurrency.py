"""The reconciler settles due verifications several at once (ReconcilerConcurrency), on moto, and
keeps what it guarantees one at a time: each verification settled once, a failure kept to its
item, no item started once the run is out of time or has met a configuration error (those in
flight finish), and the run's first item settled alone."""

from __future__ import annotations

import os
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from faceid_bridge import wiring
from faceid_bridge.adapters.dynamodb import VerificationStore
from faceid_bridge.channels.h5_lite.contract import LiteResult
from faceid_bridge.config import load
from faceid_bridge.domain.lifecycle import Status
from faceid_bridge.errors import ConfigurationError
from faceid_bridge.observability import metrics
from faceid_bridge.services.reconciler import reconcile_due
from tests.integration.conftest import FakeFaceId
from tests.integration.services.test_reconciler import DUE, PASSED, current, new
from tests.local_stack import LocalStack, handler, sample

WAIT_SECONDS = 10  # how long a read waits for the others it expects at once before it fails


class AtOnceFaceId(FakeFaceId):
    """get_result answered by biz_id, for reads made by several threads at once. It counts the
    reads in flight (`most_at_once`), and holds every read after the run's first (which the
    reconciler makes alone) until `together` reads are in flight at once, and until `released`:
    a read kept waiting longer than WAIT_SECONDS fails, and so does the test."""

    def __init__(self, *, together: int = 1) -> None:
        super().__init__()
        self.answers: dict[str, dict[str, Any] | Exception] = {}
        self.barrier = threading.Barrier(together, timeout=WAIT_SECONDS)
        self.released = threading.Event()
        self.released.set()
        self.changed = threading.Condition()
        self.in_flight = self.most_at_once = 0

    def get_result(self, biz_id: str, *, region: str | None = None) -> tuple[LiteResult, dict[str, Any]]:
        with self.changed:
            self.reads.append(biz_id)
            first = len(self.reads) == 1
            self.in_flight += 1
            self.most_at_once = max(self.most_at_once, self.in_flight)
            self.changed.notify_all()
        try:
            if not first:
                self.barrier.wait()
                assert self.released.wait(WAIT_SECONDS), "never released"
            answer = self.answers[biz_id]
            if isinstance(answer, Exception):
                raise answer
            payload = {"request_id": "r", **answer, "biz_info": {"biz_id": biz_id}}
            return LiteResult.model_validate(payload), payload
        finally:
            with self.changed:
                self.in_flight -= 1

    def until_in_flight(self, reads: int) -> bool:
        """Wait until `reads` reads are in flight at once (False if they never are)."""
        with self.changed:
            return self.changed.wait_for(lambda: self.in_flight >= reads, WAIT_SECONDS)


def test_due_verifications_are_read_k_at_once_and_each_settled_once(store: VerificationStore) -> None:
    # Given 1 + 2K due verifications (the run's first is settled alone), and FaceID holding each
    # read until K are in flight at once
    k = 8
    faceid = AtOnceFaceId(together=k)
    due = [new(faceid, store, n) for n in range(1 + 2 * k)]
    faceid.answers = {verification.biz_id: PASSED for verification in due}
    # When a run settles them K at a time
    report = reconcile_due(store=store, faceid=faceid, now=DUE, concurrency=k)
    # Then every one is settled by exactly one read, K reads were in flight at once and never more
    assert report.outcomes == {verification.verification_id: "settled" for verification in due}
    assert Counter(faceid.reads) == {verification.biz_id: 1 for verification in due}
    assert faceid.most_at_once == k
    for verification in due:
        stored = current(store, verification)
        assert (stored.status, stored.get_result_reads, stored.due_at) == (Status.OK, 1, None)
    # And the next run finds nothing left to do
    assert reconcile_due(store=store, faceid=faceid, now=DUE, concurrency=k).outcomes == {}


def test_a_failing_item_is_kept_to_itself_while_the_others_settle_beside_it(store: VerificationStore) -> None:
    # Given 1 + K due verifications, read K at once, one of them failing with an unforeseen error
    k = 4
    faceid = AtOnceFaceId(together=k)
    due = [new(faceid, store, n) for n in range(1 + k)]
    failing = due[2]
    faceid.answers = {verification.biz_id: PASSED for verification in due} | {failing.biz_id: RuntimeError("a bug")}
    # When a run settles them
    report = reconcile_due(store=store, faceid=faceid, now=DUE, concurrency=k)
    # Then the failing one is reported failed and stays due (two minutes on), the others are settled
    assert report.outcomes == {v.verification_id: "failed" if v is failing else "settled" for v in due}
    stored = current(store, failing)
    assert (stored.status, stored.get_result_reads) == (Status.CREATED, 0)
    assert stored.due_at == int((DUE + timedelta(minutes=2)).timestamp())
    assert faceid.most_at_once == k


def test_out_of_time_starts_nothing_more_and_what_is_in_flight_finishes(store: VerificationStore) -> None:
    # Given six due verifications, read four at once, and reads that finish only once time is up
    faceid = AtOnceFaceId()
    due = [new(faceid, store, n) for n in range(6)]
    faceid.answers = {verification.biz_id: {"status": "NOT_STARTED"} for verification in due}
    faceid.released.clear()
    asked: list[bool] = []

    def out_of_time() -> bool:
        asked.append(len(asked) >= 3)  # time for three: the first alone, then two at once
        if asked[-1]:  # time is up with two reads in flight; they may finish now
            assert faceid.until_in_flight(2)
            faceid.released.set()
        return asked[-1]

    # When a run settles them
    first = reconcile_due(store=store, faceid=faceid, now=DUE, out_of_time=out_of_time, concurrency=4)
    # Then it asked before each start, started three, none after time was up, and the two still
    # reading then finished and are reported
    assert asked == [False, False, False, True]
    assert len(faceid.reads) == 3 and faceid.most_at_once == 2
    assert list(first.outcomes.values()) == ["expired"] * 3
    # And the next run settles the other three
    second = reconcile_due(store=store, faceid=faceid, now=DUE, concurrency=4)
    assert first.outcomes.keys() | second.outcomes.keys() == {v.verification_id for v in due}
    assert len(second.outcomes) == 3


def test_nothing_waits_in_a_queue_to_start_after_time_is_up(store: VerificationStore) -> None:
    # Given six due verifications, read two at once, and time for three reads (time passes as
    # FaceID is read)
    faceid = AtOnceFaceId(together=2)
    due = [new(faceid, store, n) for n in range(6)]
    faceid.answers = {verification.biz_id: {"status": "NOT_STARTED"} for verification in due}
    # When a run settles them
    report = reconcile_due(
        store=store, faceid=faceid, now=DUE, out_of_time=lambda: len(faceid.reads) >= 3, concurrency=2
    )
    # Then the next one was taken only when a worker was free, by then out of time: no read was
    # queued behind the busy workers to start after time was up
    assert len(faceid.reads) == 3 and len(report.outcomes) == 3


def test_a_configuration_error_stops_the_run_and_what_was_not_started_stays_due(
    store: VerificationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given 1 + K + 2 due verifications in the order the run takes them, read K at once after the
    # first, and the third of them unreadable for want of configuration (a region's key pair)
    k = 4
    faceid = AtOnceFaceId(together=k)
    made = {v.verification_id: v for v in (new(faceid, store, n) for n in range(1 + k + 2))}
    order = [made[verification_id] for verification_id in store.due(DUE)]
    assert len(order) == len(made)
    faceid.answers = {v.biz_id: PASSED for v in order} | {order[2].biz_id: ConfigurationError("CONFIGURATION_ERROR")}
    counted: list[str] = []
    monkeypatch.setattr(metrics, "add_metric", lambda name, **_: counted.append(name))
    # When a run settles them
    report = reconcile_due(store=store, faceid=faceid, now=DUE, concurrency=k)
    # Then it is skipped and counted once; the reads in flight with the error finished and settled
    assert report.skipped and counted.count("ReconcilerSkipped") == 1
    in_flight = order[1 : 1 + k]
    assert report.outcomes == {v.verification_id: "settled" for v in [order[0], *in_flight] if v is not order[2]}
    # And nothing was started after it: the unreadable one and the last two stay due, no read spent
    assert len(faceid.reads) == 1 + k
    for verification in (order[2], *order[1 + k :]):
        stored = current(store, verification)
        assert (stored.status, stored.get_result_reads, stored.due_at) == (Status.CREATED, 0, verification.due_at)


def test_the_handler_settles_at_its_configured_concurrency(
    stack: LocalStack, store: VerificationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the template's ReconcilerConcurrency in the function's environment, set here to 3
    assert os.environ["RECONCILE_CONCURRENCY"] == "64"  # the template's default, as the stack gives it
    monkeypatch.setenv("RECONCILE_CONCURRENCY", "3")
    load.cache_clear()
    # And 1 + 2x3 verifications due now, FaceID holding each read until three are in flight
    faceid = AtOnceFaceId(together=3)
    monkeypatch.setattr(wiring, "faceid", lambda: faceid)
    expired = int(datetime.now(UTC).timestamp()) - 3600
    due = [new(faceid, store, n, expired_time=expired) for n in range(7)]
    faceid.answers = {verification.biz_id: PASSED for verification in due}
    # When the scheduled run is invoked
    counts = handler("reconciler")(sample("reconciler_schedule"), None)
    # Then it settled them all, three at a time
    assert counts == {"settled": 7} and faceid.most_at_once == 3
