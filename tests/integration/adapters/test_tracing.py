"""X-Ray tracing (issue 14, item 7): with the tracer on, as Lambda runs it (Active tracing), the
handlers' subsegments name every DynamoDB, Secrets Manager, PutEvents and FaceID call, and no
segment holds a secret, a token, a request body or an answer. The handlers run on moto, against the
sandbox over HTTP; the X-Ray SDK's emitter is swapped for one that keeps what would go to the daemon."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from faceid_bridge import deadline, tracing, wiring
from faceid_bridge.adapters.dynamodb import VerificationStore
from faceid_bridge.adapters.dynamodb.codec import verification_key
from tests.local_stack import (
    EXTENSION,
    ROOT,
    SANDBOX_CREDENTIALS,
    LocalStack,
    Template,
    call,
    create_app_sdk,
    handler,
    lambda_context,
    meglive,
    sample,
    template_environment,
    verify_app,
)
from tests.support import EVENTS, load_json, valid_create_body

# As Lambda sets it for a sampled invocation.
TRACE_HEADER = "Root=1-6748a4b0-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1"


class KeptEmitter:
    """The X-Ray SDK's emitter, keeping each segment document instead of sending it to the daemon."""

    def __init__(self) -> None:
        self.documents: list[str] = []

    def send_entity(self, entity: Any) -> None:
        self.documents.append(entity.serialize())

    def set_daemon_address(self, address: str | None) -> None:
        pass


def subsegments(documents: list[str]) -> list[dict[str, Any]]:
    """Every subsegment sent, nested ones included."""
    found: list[dict[str, Any]] = []
    pending = [json.loads(document) for document in documents]
    while pending:
        entity = pending.pop(0)
        found.append(entity)
        pending += entity.get("subsegments", [])
    return sorted(found, key=lambda entity: entity["start_time"])


@pytest.fixture
def traces(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> Iterator[KeptEmitter]:
    """Tracing on, as in a Lambda with Tracing: Active; what the handlers trace is kept."""
    from aws_lambda_powertools import Tracer
    from aws_xray_sdk import global_sdk_config
    from aws_xray_sdk.core import xray_recorder
    from aws_xray_sdk.core.lambda_launcher import LambdaContext

    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "false")  # what the template sets when Active
    monkeypatch.setenv("LAMBDA_TASK_ROOT", "/var/task")
    monkeypatch.setenv("_X_AMZN_TRACE_ID", TRACE_HEADER)
    emitter = KeptEmitter()
    global_sdk_config.set_sdk_enabled(True)
    xray_recorder.configure(context=LambdaContext(), emitter=emitter)
    tracing.tracer.cache_clear()
    Tracer._reset_config()  # type: ignore[no-untyped-call]
    yield emitter
    # Off again, as a disabled Tracer leaves it: botocore stays patched, its calls then trace nothing.
    tracing.tracer.cache_clear()
    Tracer._reset_config()  # type: ignore[no-untyped-call]
    global_sdk_config.set_sdk_enabled(False)
    deadline.clear()  # the handlers' last deadline would otherwise cut short a later test's FaceID calls


def never_holds(documents: list[str], *values: str) -> None:
    for value in values:
        assert value and not any(value in document for document in documents), value


def aws_operations(documents: list[str]) -> set[tuple[str, str]]:
    return {(s["name"], s["aws"]["operation"]) for s in subsegments(documents) if s.get("namespace") == "aws"}


def faceid_calls(documents: list[str]) -> list[tuple[str, dict[str, Any]]]:
    return [(s["name"], s.get("annotations", {})) for s in subsegments(documents) if s["name"].startswith("FaceID ")]


def test_h5_lite_create_reconcile_and_publish_are_traced_without_secrets_tokens_or_bodies(
    faceid_http: str, sandbox_server: Flask, store: VerificationStore, stack: LocalStack, traces: KeptEmitter
) -> None:
    # Given a verification whose token FaceID issued two hours ago (so the reconciler finds it due)
    sandbox_server.extensions[EXTENSION].clock_offset = -7200
    body = valid_create_body(biz_no="order-traced", redirect_url="https://shop.example.com/kyc/traced")
    status, _, created = call("h5_lite_create", sample("h5_lite_create", json.dumps(body)))
    assert status == 201
    # When the reconciler reads its result (get_result: a GET whose query string holds api_secret)
    report = handler("reconciler")(load_json(EVENTS / "api" / "reconciler_schedule.json"), lambda_context())
    assert report.get("expired") == 1, report
    # And the publisher relays the stream record of its expiry
    stored = store.get(created["verification_id"])
    assert stored is not None
    item = store.dynamodb.get_item(TableName=store.table_name, Key=verification_key(created["verification_id"]))["Item"]
    before = item | {"version": {"N": str(stored.version - 1)}}
    record = {"eventName": "MODIFY", "dynamodb": {"SequenceNumber": "1", "NewImage": item, "OldImage": before}}
    answer = handler("publisher")({"Records": [record]}, lambda_context())
    assert answer == {"batchItemFailures": []}
    documents = traces.documents

    # Then each invocation has its handler's subsegment, annotated, with nothing of its answer
    handlers = [s for s in subsegments(documents) if s["name"] == "## lambda_handler"]
    assert len(handlers) == 3
    assert all(s["annotations"]["Service"] == "faceid-bridge" and "metadata" not in s for s in handlers)
    # And every FaceID call is a subsegment named by its API, with the region as an annotation
    region = wiring.faceid().region_of("h5_lite")
    assert faceid_calls(documents) == [
        ("FaceID lite/get_token", {"faceid_api": "lite/get_token", "faceid_region": region}),
        ("FaceID lite/get_result", {"faceid_api": "lite/get_result", "faceid_region": region}),
    ]
    # And the AWS calls are subsegments of their own: the table, the secret, and PutEvents
    operations = aws_operations(documents)
    assert {("dynamodb", "TransactWriteItems"), ("dynamodb", "Query"), ("secretsmanager", "GetSecretValue")} <= (
        operations
    )
    assert ("events", "PutEvents") in operations
    # And no HTTP call was traced on its own (urllib3 and http.client are not patched: no URL)
    assert all("url" not in s.get("http", {}).get("request", {}) for s in subsegments(documents))
    # And nothing holds the FaceID key pair, the token, the ids FaceID knows, the request or the answer
    never_holds(documents, SANDBOX_CREDENTIALS[region]["api_secret"], SANDBOX_CREDENTIALS[region]["api_key"])
    never_holds(documents, created["token"], created["biz_id"], created["verification_url"], "order-traced")
    never_holds(documents, "shop.example.com", body["image_ref1"][:64])


def test_app_verify_is_traced_without_the_biz_token_or_the_package(
    faceid_http: str, store: VerificationStore, traces: KeptEmitter
) -> None:
    # Given an App verification and the package the SDK produced
    created = create_app_sdk()
    assert created[0] == 201
    verification_id, biz_token = created[2]["verification_id"], created[2]["biz_token"]
    package = meglive(faceid_http, biz_token)
    # When our server verifies it
    assert verify_app(verification_id, package)[0] == 200
    # Then both FaceID calls are traced by name, and neither the biz_token nor the package is in any segment
    called = [name for name, _ in faceid_calls(traces.documents)]
    assert called == ["FaceID v3/sdk/get_biz_token", "FaceID v3/sdk/verify"]
    never_holds(traces.documents, biz_token, package[:64], verification_id)


@pytest.mark.parametrize(("disabled", "loaded"), [("true", False), ("false", True)])
def test_the_x_ray_sdk_is_loaded_only_when_tracing_is_on_and_patches_only_botocore(disabled: str, loaded: bool) -> None:
    # Given a fresh process in Lambda (LAMBDA_TASK_ROOT), with the template's Tracing Disabled or Active
    template = Template()
    (create,) = [spec for spec in template.functions() if spec.code_dir.name == "h5_lite_create"]
    environment = template_environment(create, template) | {
        "PATH": os.environ["PATH"],
        "LAMBDA_TASK_ROOT": "/var/task",
        "POWERTOOLS_TRACE_DISABLED": disabled,
    }
    # When a handler module is imported (a cold start)
    probe = (
        f"import sys; sys.path[:0] = [{str(ROOT / 'functions' / 'h5_lite_create')!r}, {str(ROOT / 'shared')!r}]; "
        "import handler, botocore.client, http.client, json; print(json.dumps(["
        "'aws_xray_sdk' in sys.modules, hasattr(botocore.client, '_xray_enabled'), "
        "handler.lambda_handler.__code__.co_filename.endswith('tracing/tracer.py'), "
        "getattr(http.client, '__xray_patched', False)]))"
    )
    done = subprocess.run([sys.executable, "-c", probe], env=environment, capture_output=True, text=True, check=True)
    # Then the X-Ray SDK is loaded, botocore patched and the handler wrapped only when tracing is on,
    # and http.client (under which a FaceID URL could be recorded) never
    assert json.loads(done.stdout) == [loaded, loaded, loaded, False]
