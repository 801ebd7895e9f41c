"""A reconciler run ends inside its Lambda time: its workers read FaceID under the run's deadline
(faceid_bridge.deadline, which sizes each FaceID try and starts none past it), as the API's
requests do. Without it a worker's get_result retries ran on their own timeouts, however little
of the invocation was left."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from faceid_bridge import deadline, wiring
from faceid_bridge.adapters.dynamodb import VerificationStore
from faceid_bridge.channels.h5_lite.contract import LiteResult
from faceid_bridge.services.reconciler import reconcile_due
from tests.integration.conftest import FakeFaceId
from tests.integration.services.test_reconciler import DUE, PASSED, new
from tests.local_stack import handler, sample


class DeadlineWitness(FakeFaceId):
    """get_result answering PASSED, noting the time left by faceid_bridge.deadline on the thread
    that reads it (a reconciler worker's)."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds_left: list[float | None] = []

    def get_result(self, biz_id: str, *, region: str | None = None) -> tuple[LiteResult, dict[str, Any]]:
        self.seconds_left.append(deadline.seconds_left())
        payload = {"request_id": "r", **PASSED, "biz_info": {"biz_id": biz_id}}
        return LiteResult.model_validate(payload), payload


@pytest.fixture
def run_deadline() -> Any:
    """A deadline started on this thread, cleared after the test."""
    yield deadline.start
    deadline.clear()


def test_the_workers_read_faceid_under_the_runs_deadline(store: VerificationStore, run_deadline: Any) -> None:
    # Given three due verifications, and a run whose invocation has 20 s left
    faceid = DeadlineWitness()
    for n in range(3):
        new(faceid, store, n)
    run_deadline(20_000)
    # When the run settles them, two at once
    report = reconcile_due(store=store, faceid=faceid, now=DUE, concurrency=2)
    # Then each worker read FaceID with the run's time left (less the reserve for the final writes)
    assert list(report.outcomes.values()) == ["settled"] * 3
    assert len(faceid.seconds_left) == 3
    assert all(left is not None and 0 < left <= 20 - deadline.RESERVE_SECONDS for left in faceid.seconds_left)


def test_a_scheduled_run_starts_its_deadline_from_the_lambda_time_left(
    store: VerificationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a due verification (due now), and the reconciler function with its template timeout
    faceid = DeadlineWitness()
    monkeypatch.setattr(wiring, "faceid", lambda: faceid)
    new(faceid, store, expired_time=int(datetime.now(UTC).timestamp()) - 3600)
    # When the scheduled run is invoked
    counts = handler("reconciler")(sample("reconciler_schedule"), None)
    # Then its get_result read saw the invocation's time left, never an unbounded one
    assert counts == {"settled": 1}
    (left,) = faceid.seconds_left
    assert left is not None and 0 < left <= 300 - deadline.RESERVE_SECONDS
    # And the deadline ended with the invocation: nothing after it is sized by it
    assert deadline.current() is None
