"""Between `sam deploy` and `put-secret-value` (or with a secret that cannot serve a call), every
create, notify and reconciler run answers a documented 503 CONFIGURATION_ERROR with one clear log
line, never a raw 500; the reconciler skips its run and counts it."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from faceid_bridge import wiring
from faceid_bridge.adapters.dynamodb import VerificationStore
from faceid_bridge.observability import logger, metrics
from faceid_bridge.services.reconciler import reconcile_due
from tests.integration.conftest import _clear_caches
from tests.integration.services.test_regions import liveness_only
from tests.local_stack import LocalStack, call, create, finished, sample, signed_form
from tests.support import valid_create_body

SGP_ONLY = {"sgp": {"api_key": "sandbox-key-sgp", "api_secret": "sandbox-secret-sgp"}}
# The secret's states, and the error each answers: no value yet (as CloudFormation creates it),
# blank, not JSON, no pair for the region the call needs.
STATES = {
    "no value": ("CONFIGURATION_ERROR:faceid_secret", None),
    "blank": ("CONFIGURATION_ERROR:faceid_secret", " "),
    "not JSON": ("CONFIGURATION_ERROR:faceid_secret", "api_key=k&api_secret=s"),
    "empty object": ("CONFIGURATION_ERROR:faceid_secret.idn", "{}"),
    "missing region": ("CONFIGURATION_ERROR:faceid_secret.idn", json.dumps(SGP_ONLY)),
    "shape before regions": ("CONFIGURATION_ERROR:faceid_secret", json.dumps({"api_key": "k", "api_secret": "s"})),
}


def break_secret(stack: LocalStack, monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    secrets = boto3.client("secretsmanager", region_name=stack.region)
    if value is None:  # a secret of its own: the stack's already has a value
        monkeypatch.setenv("FACEID_SECRET_ID", secrets.create_secret(Name="faceid-without-value")["ARN"])
    else:
        secrets.put_secret_value(SecretId=stack.refs["FaceIdSecret"], SecretString=value)
    _clear_caches()


def problems(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The warning and error lines our logger wrote (not the sandbox's: it stands in for FaceID)."""
    return [record for record in caplog.records if record.name == logger.name and record.levelno >= logging.WARNING]


@pytest.mark.parametrize(("expected", "value"), STATES.values(), ids=STATES.keys())
@pytest.mark.parametrize(
    "request_",
    [
        lambda: create(valid_create_body(biz_no="order-cfg")),
        lambda: call("h5_lite_callbacks", sample("notify", signed_form(finished("b")))),
    ],
    ids=["create", "notify"],
)
def test_an_unusable_secret_answers_503_configuration_error_with_one_log_line(
    faceid_http: str,
    stack: LocalStack,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    request_: Callable[[], tuple[int, dict[str, str], Any]],
    expected: str,
    value: str | None,
) -> None:
    # Given the FaceID secret in that state
    break_secret(stack, monkeypatch, value)
    caplog.clear()
    # When a create or a FaceID callback arrives
    status, _, body = request_()
    # Then it answers FaceID's error form with a 503, and one log line says what to fix
    assert (status, body["error_message"]) == (503, expected)
    logged = problems(caplog)
    assert [record.levelname for record in logged] == ["ERROR"]
    assert "FaceID secret" in logged[0].getMessage()


@pytest.mark.parametrize(("expected", "value"), STATES.values(), ids=STATES.keys())
def test_the_reconciler_skips_its_run_and_counts_it(
    faceid_http: str,
    stack: LocalStack,
    store: VerificationStore,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    expected: str,
    value: str | None,
) -> None:
    # Given two due H5 Lite verifications, and then the FaceID secret in that state
    made = [create(liveness_only() | {"biz_no": f"order-{n}"})[2]["verification_id"] for n in range(2)]
    break_secret(stack, monkeypatch, value)
    counted: list[str] = []
    monkeypatch.setattr(metrics, "add_metric", lambda name, **_: counted.append(name))
    caplog.clear()
    # When the reconciler runs after their tokens expired, two at once
    later = datetime.now(UTC) + timedelta(hours=2)
    report = reconcile_due(store=store, faceid=wiring.faceid(), now=later, concurrency=2)
    # Then the run stops before any read, counted, with one log line (its first item is settled
    # alone); nothing was spent or expired
    assert report.skipped and report.outcomes == {} and counted.count("ReconcilerSkipped") == 1
    assert "ReconcileFailures" not in counted
    assert [record.levelname for record in problems(caplog)] == ["ERROR"]
    for verification_id in made:
        kept = store.get(verification_id)
        assert kept is not None and (kept.status, kept.get_result_reads) == ("CREATED", 0)
        assert kept.due_at is not None and kept.due_at < later.timestamp()  # still due for the next run
