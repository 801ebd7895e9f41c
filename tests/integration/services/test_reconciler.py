"""The reconciler on moto: what it reads, how it spends get_result's three reads, and that it
never Scans."""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from faceid_bridge.adapters.dynamodb import VerificationStore
from faceid_bridge.adapters.dynamodb.codec import DUE_BUCKETS
from faceid_bridge.channels.h5_lite.api import CreateVerificationRequest
from faceid_bridge.channels.h5_lite.callbacks import apply_result
from faceid_bridge.channels.h5_lite.contract import LiteResult
from faceid_bridge.channels.h5_lite.creation import create_verification
from faceid_bridge.config import CreationConfig, load
from faceid_bridge.domain.lifecycle import Status
from faceid_bridge.domain.verification import Verification
from faceid_bridge.errors import FaceIdBadResponse, FaceIdOutcomeUnknown, FaceIdRejected, UpstreamUnavailable
from faceid_bridge.services.reconciler import reconcile_due
from tests.integration.conftest import FakeFaceId
from tests.local_stack import Template
from tests.support import valid_create_body

EXPIRED_TIME = 1795341600  # what FakeFaceId's get_token answers
DUE = datetime.fromtimestamp(EXPIRED_TIME + 301, UTC)  # past the default 300 s grace
PASSED = {"status": "OK", "liveness_result": {"result": "PASS", "procedure_type": "flash"}}


def new(faceid: FakeFaceId, store: VerificationStore, n: int = 0, *, expired_time: int = EXPIRED_TIME) -> Verification:
    body = valid_create_body(biz_no=f"order-{n}", comparison_type="-1")
    del body["image_ref1"]
    faceid.expired_time = expired_time
    return create_verification(
        CreateVerificationRequest.model_validate(body),
        base_url="https://api.test",
        settings=load(CreationConfig),
        redirect_origins=[],
        store=store,
        faceid=faceid,
        hash_key=b"test-key",
        now=datetime.fromtimestamp(expired_time - 3600, UTC),
    )


AT_ONCE = 4  # the reconciler's concurrency in these tests, unless one says otherwise


def reconcile(faceid: FakeFaceId, store: VerificationStore, now: datetime = DUE) -> dict[str, str]:
    return reconcile_due(store=store, faceid=faceid, now=now, concurrency=AT_ONCE).outcomes


def current(store: VerificationStore, verification: Verification) -> Verification:
    found = store.get(verification.verification_id)
    assert found is not None
    return found


def test_nothing_is_due_before_expiry_plus_grace(faceid: FakeFaceId, store: VerificationStore) -> None:
    new(faceid, store)
    assert reconcile(faceid, store, now=DUE - timedelta(seconds=2)) == {}
    assert faceid.reads == []


def test_one_read_settles_a_verification_whose_notify_was_lost(faceid: FakeFaceId, store: VerificationStore) -> None:
    # Given a verification whose token expired without a terminal callback
    verification = new(faceid, store)
    faceid.results = [PASSED]
    # When the reconciler runs
    assert reconcile(faceid, store) == {verification.verification_id: "settled"}
    # Then one get_result read applied the result through the state machine, and was recorded
    settled = current(store, verification)
    assert (settled.status, settled.decision, settled.get_result_reads, settled.due_at) == (
        Status.OK,
        "APPROVED",
        1,
        None,
    )
    assert json.loads(settled.first_result or "{}")["status"] == "OK"
    # And it is never due again
    assert reconcile(faceid, store, now=DUE + timedelta(days=2)) == {}


def test_not_started_expires(faceid: FakeFaceId, store: VerificationStore) -> None:
    verification = new(faceid, store)
    faceid.results = [{"status": "NOT_STARTED"}]
    assert reconcile(faceid, store) == {verification.verification_id: "expired"}
    expired = current(store, verification)
    assert (expired.status, expired.decision, expired.reasons) == (Status.EXPIRED, "ABANDONED", ["EXPIRED"])


def test_reads_are_spread_and_never_more_than_three(faceid: FakeFaceId, store: VerificationStore) -> None:
    verification = new(faceid, store)
    faceid.results = [{"status": "PROCESSING"}] * 3
    # First read at expiry + grace, second an hour later, last one 23 h after creation
    assert reconcile(faceid, store) == {verification.verification_id: "waiting"}
    assert current(store, verification).due_at == int((DUE + timedelta(hours=1)).timestamp())
    assert reconcile(faceid, store, now=DUE + timedelta(minutes=59)) == {}
    assert reconcile(faceid, store, now=DUE + timedelta(hours=1)) == {verification.verification_id: "waiting"}
    last = verification.created_at + timedelta(hours=23)
    assert current(store, verification).due_at == int(last.timestamp())
    assert reconcile(faceid, store, now=last) == {verification.verification_id: "expired"}
    assert len(faceid.reads) == 3 and current(store, verification).get_result_reads == 3
    assert current(store, verification).status == Status.EXPIRED


@pytest.mark.parametrize("refusal", [FaceIdRejected("BAD_ARGUMENTS:biz_id"), FaceIdRejected("INVALID_TOKEN")])
def test_a_result_faceid_no_longer_has_expires(
    faceid: FakeFaceId, store: VerificationStore, refusal: Exception
) -> None:
    verification = new(faceid, store)
    faceid.results = [refusal]
    assert reconcile(faceid, store) == {verification.verification_id: "expired"}


def test_faceid_unavailable_is_retried_later_without_spending_a_read(
    faceid: FakeFaceId, store: VerificationStore
) -> None:
    verification = new(faceid, store)
    faceid.results = [UpstreamUnavailable("FACEID_UNAVAILABLE"), PASSED]
    assert reconcile(faceid, store) == {verification.verification_id: "error"}
    assert current(store, verification).get_result_reads == 0
    assert reconcile(faceid, store) == {}  # rescheduled two minutes on
    assert reconcile(faceid, store, now=DUE + timedelta(minutes=2)) == {verification.verification_id: "settled"}


def test_a_callback_that_wins_the_race_is_not_undone(faceid: FakeFaceId, store: VerificationStore) -> None:
    # Given the reconciler read PROCESSING, and then the real notify arrived
    verification = new(faceid, store)
    faceid.results = [{"status": "PROCESSING"}]
    reconcile(faceid, store)
    result = {"status": "CANCELLED", "biz_info": {"biz_id": verification.biz_id}}
    apply_result(LiteResult.model_validate(result), result, source="notify", store=store, now=DUE)
    # Then it is no longer due, and a terminal state is never expired
    assert reconcile(faceid, store, now=DUE + timedelta(days=1)) == {}
    assert current(store, verification).status == Status.CANCELLED


@pytest.mark.parametrize(
    "bad",
    [FaceIdBadResponse("FACEID_UNEXPECTED_RESPONSE:get_result"), FaceIdOutcomeUnknown("FACEID_OUTCOME_UNKNOWN")],
    ids=["not the documented body", "answer lost"],
)
def test_an_unusable_answer_counts_its_read_and_the_run_goes_on(
    faceid: FakeFaceId, store: VerificationStore, bad: Exception
) -> None:
    # Given three due verifications, and FaceID's first answer unusable
    due = [new(faceid, store, n) for n in range(3)]
    faceid.results = [bad, PASSED, PASSED]
    # When the reconciler runs
    outcomes = reconcile(faceid, store)
    # Then the other two are settled, and the unusable read is counted: FaceID may have spent it
    assert sorted(outcomes.values()) == ["settled", "settled", "unreadable"]
    (unreadable,) = [v for v in due if outcomes[v.verification_id] == "unreadable"]
    stored = current(store, unreadable)
    assert (stored.status, stored.get_result_reads) == (Status.CREATED, 1)
    assert stored.due_at == int((DUE + timedelta(hours=1)).timestamp())


def test_a_failure_in_one_item_is_kept_to_that_item(faceid: FakeFaceId, store: VerificationStore) -> None:
    # Given three due verifications, and an unforeseen error on the first read
    [new(faceid, store, n) for n in range(3)]
    faceid.results = [RuntimeError("a bug"), PASSED, PASSED]
    # Then the run settles the others and reports the one that failed, which stays due for later
    outcomes = reconcile(faceid, store)
    assert sorted(outcomes.values()) == ["failed", "settled", "settled"]
    faceid.results = [PASSED]
    later = reconcile(faceid, store, now=DUE + timedelta(minutes=2))
    assert list(later.values()) == ["settled"]


def test_every_page_of_the_due_index_is_read(faceid: FakeFaceId, store: VerificationStore) -> None:
    due = {new(faceid, store, n).verification_id for n in range(30)}
    assert set(store.due(DUE, page_size=2)) == due


class CountingDynamoDB:
    """Wraps the DynamoDB client and counts calls by operation."""

    def __init__(self, client: Any) -> None:
        self.client, self.calls = client, []  # type: Any, list[str]

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.client, name)
        if callable(attribute) and not name.startswith("_") and name != "exceptions":

            def counted(*args: Any, **kwargs: Any) -> Any:
                self.calls.append(name)
                return attribute(*args, **kwargs)

            return counted
        return attribute


def test_the_reconciler_never_scans_and_costs_what_is_due(faceid: FakeFaceId, store: VerificationStore) -> None:
    # Given 3 due verifications among 40 others: not due yet, or settled
    due = [new(faceid, store, n) for n in range(3)]
    later = EXPIRED_TIME + 7200
    for n in range(3, 43):
        created = new(faceid, store, n, expired_time=later)
        if n % 2:
            result = {"status": "CANCELLED", "biz_info": {"biz_id": created.biz_id}}
            apply_result(LiteResult.model_validate(result), result, source="notify", store=store, now=DUE)
    counting = CountingDynamoDB(store.dynamodb)
    faceid.results = [{"status": "NOT_STARTED"}] * 3
    # When the reconciler runs at the first three's due time
    report = reconcile_due(
        store=VerificationStore(store.table_name, dynamodb=counting), faceid=faceid, now=DUE, concurrency=AT_ONCE
    )
    # Then it touched only those three: one query per index bucket, then per verification one read,
    # one bookkeeping update and one transition, and the run's lease taken and ended. No Scan,
    # nothing that grows with the other 40.
    assert set(report.outcomes) == {v.verification_id for v in due}
    assert Counter(counting.calls) == {"query": DUE_BUCKETS, "get_item": 3, "update_item": 3 * 2 + 2}


class BlockingFaceId(FakeFaceId):
    """get_result that waits, inside the run, until the test lets it answer."""

    def __init__(self) -> None:
        super().__init__()
        self.inside, self.answer = threading.Event(), threading.Event()

    def get_result(self, biz_id: str, *, region: str | None = None) -> tuple[LiteResult, dict[str, Any]]:
        self.inside.set()
        assert self.answer.wait(30)
        return super().get_result(biz_id, region=region)


def test_two_overlapping_runs_never_reconcile_at_once(store: VerificationStore, stack: object) -> None:
    # Given a due verification, and a reconciler run that is in the middle of its get_result read
    faceid = BlockingFaceId()
    verification = new(faceid, store)
    faceid.results = [PASSED]
    first: list[dict[str, str]] = []
    running = threading.Thread(target=lambda: first.append(reconcile(faceid, store)))
    running.start()
    assert faceid.inside.wait(30)
    # When a second run starts meanwhile (EventBridge's schedule does not wait for the first)
    second = reconcile_due(store=store, faceid=faceid, now=DUE)
    # Then it skips, reading nothing, and the first settles the verification with its one read
    assert (second.skipped, second.outcomes) == (True, {})
    faceid.answer.set()
    running.join(30)
    assert first == [{verification.verification_id: "settled"}] and len(faceid.reads) == 1
    # And once the first has ended, the next run holds the lease again
    assert reconcile_due(store=store, faceid=faceid, now=DUE).skipped is False


def test_a_lease_left_by_a_run_that_died_runs_out(store: VerificationStore, stack: object) -> None:
    assert store.take_lease("reconciler", "died", DUE, DUE + timedelta(minutes=5))
    assert reconcile_due(store=store, faceid=FakeFaceId(), now=DUE).skipped is True
    assert reconcile_due(store=store, faceid=FakeFaceId(), now=DUE + timedelta(minutes=5)).skipped is False


def test_the_backlog_age_grows_while_faceid_stays_unreachable(faceid: FakeFaceId, store: VerificationStore) -> None:
    # Given a verification due at DUE - 1 s, whose get_result keeps failing
    from faceid_bridge.observability import metrics

    new(faceid, store)
    faceid.results = [UpstreamUnavailable("FACEID_UNAVAILABLE")] * 2
    # When the reconciler runs right away, and again ten minutes later
    first = reconcile_due(store=store, faceid=faceid, now=DUE)
    later = DUE + timedelta(minutes=10)
    second = reconcile_due(store=store, faceid=faceid, now=later)
    # Then the age is counted from when it became due the last time, and emitted every run
    assert first.backlog_age_seconds(DUE) == 1
    assert second.backlog_age_seconds(later) == (later - DUE).total_seconds() - 120  # rescheduled to DUE + 2 min
    assert metrics.metric_set["ReconcilerBacklogAgeSeconds"]["Value"][-1] == second.backlog_age_seconds(later)
    # And with the dimensions its alarm names (else the alarm watches a stream nobody writes)
    emitted: dict[str, Any] = dict(metrics.serialize_metric_set())  # EMF: dimension values at the top level
    dimensions = {name: emitted[name] for name in emitted["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0]}
    metrics.clear_metrics()
    (alarm,) = [
        alarm["Properties"]
        for alarm in Template().of_type("AWS::CloudWatch::Alarm").values()
        if alarm["Properties"]["MetricName"] == "ReconcilerBacklogAgeSeconds"
    ]
    assert dimensions == {d["Name"]: d["Value"] for d in alarm["Dimensions"]}


def test_nothing_due_is_a_backlog_of_age_zero(faceid: FakeFaceId, store: VerificationStore) -> None:
    new(faceid, store)
    assert reconcile_due(store=store, faceid=faceid, now=DUE - timedelta(seconds=2)).backlog_age_seconds(DUE) == 0
