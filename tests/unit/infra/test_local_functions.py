"""The local stack hosts handlers as Lambda does: an execution environment serves one invocation
at a time, and concurrent invocations get environments of their own (found by `make chaos`: the
Powertools resolver keeps the current request on its module-level app); the local gateway builds
API Gateway's event as HTTP APIs do."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from werkzeug.test import Client

from infra.local.functions import FunctionHost
from infra.local.gateway import Gateway
from infra.local.template import FunctionSpec, Route

HANDLER = """
import time

STATE = {"current": None}


def lambda_handler(event, context):
    STATE["current"] = event["n"]
    time.sleep(0.2)  # another invocation would overwrite STATE meanwhile if it shared this module
    return {"n": event["n"], "seen": STATE["current"], "environment": id(STATE)}
"""


def test_concurrent_invocations_never_share_an_environment_and_idle_ones_are_reused(tmp_path: Path) -> None:
    # Given a handler that keeps per-invocation state in its module, as Powertools' resolver does
    (tmp_path / "app.py").write_text(HANDLER)
    host = FunctionHost(FunctionSpec("Fn", tmp_path, "app.lambda_handler", {}, timeout_seconds=5))
    results: list[dict[str, int]] = []
    # When four invocations run at once, and then one more after them
    threads = [threading.Thread(target=lambda n=n: results.append(host.invoke({"n": n}))) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    later = host.invoke({"n": 9})
    # Then each saw only its own state, in an environment of its own, and the later one reused one
    assert sorted((result["n"], result["seen"]) for result in results) == [(0, 0), (1, 1), (2, 2), (3, 3)]
    environments = {result["environment"] for result in results}
    assert len(environments) == 4 and later["environment"] in environments


ECHO_EVENT = """
import json


def lambda_handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event)}
"""


def test_the_local_gateway_passes_the_path_percent_decoded_as_http_apis_do(tmp_path: Path) -> None:
    # Given the local gateway in front of a function that echoes its event
    (tmp_path / "app.py").write_text(ECHO_EVENT)
    route = Route("GET", "/v1/verifications/{verification_id}", public=False)
    spec = FunctionSpec("Fn", tmp_path, "app.lambda_handler", {}, routes=[route], timeout_seconds=5)
    gateway = Gateway([FunctionHost(spec)], domain_name="local.test")
    # When a client asks for an id with percent-encoded characters
    answer = Client(gateway).get("/v1/verifications/a%22b%60c%01d?x=%22")
    event = json.loads(answer.get_data())
    # Then rawPath, http.path and pathParameters hold them decoded, the query string stays raw
    assert event["rawPath"] == event["requestContext"]["http"]["path"] == '/v1/verifications/a"b`c\x01d'
    assert event["pathParameters"] == {"verification_id": 'a"b`c\x01d'}
    assert event["routeKey"] == "GET /v1/verifications/{verification_id}"
    assert (event["rawQueryString"], event["queryStringParameters"]) == ("x=%22", {"x": '"'})
