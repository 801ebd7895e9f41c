"""Logs an on-call engineer can follow (issue 14, item 6): a request's log lines name its
verification once it is known, and nothing of the request before; the publisher and the reconciler
name the verifications and events they handle; an event traces back to the request that caused it."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from faceid_bridge.adapters.dynamodb import VerificationStore
from faceid_bridge.adapters.dynamodb.codec import verification_key
from faceid_bridge.observability import logger
from faceid_bridge.services.reconciler import reconcile_due
from tests.integration.conftest import FakeFaceId
from tests.integration.services.test_publisher import FlakyEvents, publish
from tests.integration.services.test_reconciler import DUE, new
from tests.integration.services.test_reconciler_concurrency import AtOnceFaceId
from tests.local_stack import LocalStack, Template, call, create, finished, sample, signed_form


@pytest.fixture
def logged() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """What the functions' Logger writes, as Lambda would ship it: each call returns the JSON lines
    written since the last."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    underlying = logging.getLogger(logger.name)
    underlying.addHandler(handler)

    def lines() -> list[dict[str, Any]]:
        written = stream.getvalue()
        stream.seek(0)
        stream.truncate()
        return [json.loads(line) for line in written.splitlines()]

    yield lines
    underlying.removeHandler(handler)


def notify(biz_id: str, request_id: str, **form: Any) -> int:
    event = sample("notify", signed_form(finished(biz_id), **form))
    event["requestContext"]["requestId"] = request_id
    return call("h5_lite_callbacks", event)[0]


def test_a_callbacks_lines_name_its_verification_and_the_next_request_starts_clean(
    faceid: FakeFaceId, store: VerificationStore, logged: Callable[[], list[dict[str, Any]]]
) -> None:
    created = create()[2]
    logged()
    # When FaceID's notify arrives, and then a forged one
    assert notify(created["biz_id"], "req-notify") == 200
    settled = logged()
    assert notify(created["biz_id"], "req-forged", sign="0" * 40) == 401
    forged = logged()
    # Then every line of the first names the verification and the request
    assert settled and {line.get("verification_id") for line in settled} == {created["verification_id"]}
    assert {line["correlation_id"] for line in settled} == {"req-notify"}
    # And the forged one's lines carry nothing left over from the first (it never got that far)
    assert forged and all("verification_id" not in line for line in forged)


def test_an_event_traces_back_to_the_request_that_caused_it(
    faceid: FakeFaceId, store: VerificationStore, stack: LocalStack, logged: Callable[[], list[dict[str, Any]]]
) -> None:
    # Given a verification a notify settled
    created = create()[2]
    assert notify(created["biz_id"], "req-that-settled-it") == 200
    stored = store.get(created["verification_id"])
    assert stored is not None and stored.correlation_id == "req-that-settled-it"
    # When the publisher relays its stream record
    item = store.dynamodb.get_item(TableName=store.table_name, Key=verification_key(created["verification_id"]))["Item"]
    before = item | {"version": {"N": str(stored.version - 1)}}
    record = {"eventName": "MODIFY", "dynamodb": {"SequenceNumber": "1", "NewImage": item, "OldImage": before}}
    logged()
    assert publish([record], FlakyEvents(), stack) == {"batchItemFailures": []}
    # Then its log line names the event, the verification and the request that caused the event
    (published,) = [line for line in logged() if line["message"] == "events published"]
    (event,) = published["events"]
    assert event["verification_id"] == created["verification_id"] and event["caused_by"] == "req-that-settled-it"
    assert event["detail_type"] == "Verification Approved" and event["event_id"]


def test_the_reconciler_names_each_verification_it_handles(
    store: VerificationStore, logged: Callable[[], list[dict[str, Any]]]
) -> None:
    # Given due verifications of different fates, read four at once (so their lines interleave)
    faceid = AtOnceFaceId(together=4)
    due = [new(faceid, store, n) for n in range(5)]
    faceid.answers = {v.biz_id: {"status": "NOT_STARTED" if n % 2 else "OK"} for n, v in enumerate(due)}
    logger.clear_state()  # as the handler starts each invocation
    logged()
    # When a run settles them
    reconcile_due(store=store, faceid=faceid, now=DUE + timedelta(seconds=1), concurrency=4)
    logger.info("after the run")
    lines = logged()
    # Then each one's line names it, beside its own outcome (no worker's key on another's line)
    reconciled = {
        line["verification_id"]: line["outcome"] for line in lines if line["message"] == "verification reconciled"
    }
    assert reconciled == {v.verification_id: "expired" if n % 2 else "settled" for n, v in enumerate(due)}
    assert faceid.most_at_once == 4
    # And what is logged after the run names none of them
    assert "verification_id" not in lines[-1] and lines[-1]["message"] == "after the run"


def emitted_sets(printed: str, logged: list[dict[str, Any]]) -> list[tuple[str, dict[str, str]]]:
    """(metric name, dimensions) of each metric, under each of its dimension sets, of every EMF
    document written: a metric set printed alone, or a log line that carries one (request_line.py)."""
    found = []
    for blob in [json.loads(line) for line in printed.splitlines() if line.startswith("{")] + logged:
        for directive in blob.get("_aws", {}).get("CloudWatchMetrics", []):
            for names in directive["Dimensions"]:
                dimensions = {name: blob[name] for name in names}
                found += [(metric["Name"], dimensions) for metric in directive["Metrics"]]
    return found


def test_created_and_decided_are_counted_per_channel_and_decision_for_the_dashboard(
    faceid: FakeFaceId,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    logged: Callable[[], list[dict[str, Any]]],
) -> None:
    # Given metrics switched on, as deployed
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    capsys.readouterr()
    logged()
    # When a verification is created and FaceID rejects it
    created = create()[2]
    assert call("h5_lite_callbacks", sample("notify", signed_form(finished(created["biz_id"], "mismatch"))))[0] == 200
    emitted = emitted_sets(capsys.readouterr().out, logged())
    # Then both counts exist per channel (and decision), beside the service-wide ones the alarms watch
    service = {"service": "faceid-bridge"}
    assert ("VerificationsCreated", service | {"channel": "h5_lite"}) in emitted
    assert ("Transitions", service | {"channel": "h5_lite", "decision": "REJECTED"}) in emitted
    assert ("Transitions", service) in emitted and ("VerificationsCreated", service) in emitted
    # And the dashboard searches exactly those dimensions
    body = Template().resources["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    assert """MetricName=\\"VerificationsCreated\\" channel'""" in body
    assert """MetricName=\\"Transitions\\" channel decision'""" in body


def test_a_notify_writes_one_line_with_its_facts_and_all_its_metrics(
    faceid: FakeFaceId,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    logged: Callable[[], list[dict[str, Any]]],
) -> None:
    # Given metrics switched on, as deployed, and a verification
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    created = create()[2]
    capsys.readouterr()
    logged()
    # When FaceID's notify arrives
    assert notify(created["biz_id"], "req-first") == 200
    printed, lines = capsys.readouterr().out, logged()
    # Then it writes one line, the Logger's: the transition's facts, the request, and every metric
    assert not printed.strip()
    (line,) = lines
    assert line["message"] == "verification advanced" and line["location"].startswith("advance:")
    assert (line["level"], line["correlation_id"], line["status"]) == ("INFO", "req-first", "OK")
    assert line["verification_id"] == created["verification_id"]
    service = {"service": "faceid-bridge"}
    assert emitted_sets("", lines) == [
        ("Transitions", service),
        ("Transitions", service | {"channel": "h5_lite", "decision": "APPROVED"}),
    ]
    assert line["Transitions"] == [1.0]
    # When the same notify arrives again
    assert notify(created["biz_id"], "req-again") == 200
    printed, lines = capsys.readouterr().out, logged()
    # Then it writes one line too: its metric set, the duplicate counted (no log line, as before)
    assert not lines
    assert emitted_sets(printed, []) == [("IgnoredTransitions", service)] and len(printed.splitlines()) == 1
