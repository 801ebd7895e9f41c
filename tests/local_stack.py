"""What the product's tests take from the local stack and the sandbox, in one place: the handlers
run as Lambda runs them (FunctionHost, with the template's functions), the sample API events, FaceID
results as the sandbox builds them, and the local stack's clients and settings. No product test
imports infra/ itself (tests/unit/structure/test_test_layout.py): this module and the conftest.py
fixtures are the bridge, so that the local stack can change behind them.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from faceid_bridge.channels.h5_lite.contract import lite_sign
from infra.fakes import FakeBus, FakeDeadLetters
from infra.local.chaos import ChaosRun
from infra.local.client import FACES, LocalClient, Subscriber, face_image
from infra.local.endpoints import Endpoints
from infra.local.functions import FunctionHost, LambdaContext
from infra.local.provision import LocalStack
from infra.local.stack import SANDBOX_CREDENTIALS
from infra.local.template import ROOT, Template, template_environment
from infra.local.webhook_receiver import Receiver
from infra.openapi import OPENAPI
from infra.redrive import redrive
from infra.replay import Stack as ReplayStack
from infra.replay import run as replay
from infra.sandbox.contract import GetTokenRequest, check_app_sign
from infra.sandbox.http import API_KEY, API_SECRET, EXTENSION, KEY_PAIRS
from infra.sandbox.outcomes import Outcome, lite_result
from tests.support import EVENTS, load_json, valid_biz_token_body, valid_create_body

__all__ = [
    "API_KEY",
    "API_SECRET",
    "EXTENSION",
    "FACES",
    "KEY_PAIRS",
    "OPENAPI",
    "ROOT",
    "SANDBOX_CREDENTIALS",
    "ChaosRun",
    "Endpoints",
    "FakeBus",
    "FakeDeadLetters",
    "GetTokenRequest",
    "LocalClient",
    "LocalStack",
    "Receiver",
    "ReplayStack",
    "Subscriber",
    "Template",
    "check_app_sign",
    "face_image",
    "redrive",
    "replay",
    "template_environment",
]


def lambda_context() -> Any:
    return LambdaContext(function_name="test", aws_request_id="req-1")


FUNCTIONS = {spec.code_dir.name: spec for spec in Template().functions()}


def handler(name: str) -> Callable[[dict[str, Any], Any], Any]:
    host = FunctionHost(FUNCTIONS[name])
    return lambda event, context: host.invoke(event)


def sample(name: str, body: str | bytes | None = None, **query: str) -> dict[str, Any]:
    event: dict[str, Any] = copy.deepcopy(load_json(EVENTS / "api" / f"{name}.json"))
    if body is not None:
        raw = body.encode() if isinstance(body, str) else body
        event["body"], event["isBase64Encoded"] = base64.b64encode(raw).decode(), True
    if query:
        event["queryStringParameters"], event["rawQueryString"] = query, urlencode(query)
    return event


def call(name: str, event: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    response = handler(name)(event, lambda_context())
    body = response.get("body") or ""
    if response.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    is_json = response.get("headers", {}).get("Content-Type", "").startswith("application/json")
    return response["statusCode"], response.get("headers", {}), json.loads(body) if is_json and body else body


def create(body: dict[str, Any] | None = None) -> tuple[int, dict[str, str], Any]:
    return call("h5_lite_create", sample("h5_lite_create", json.dumps(body or valid_create_body())))


def signed_form(data: dict[str, Any] | str, secret: str = "sandbox-secret", sign: str | None = None) -> str:
    text = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    return urlencode({"data": text, "sign": sign if sign is not None else lite_sign(secret, text)})


def finished(biz_id: str, outcome: str = "pass", biz_no: str = "order-1") -> dict[str, Any]:
    session = {"biz_id": biz_id, "options": {"biz_no": biz_no, "comparison_type": "0"}, "references": ["ref1"]}
    return lite_result(session, Outcome(outcome=outcome))


def post(
    function: str,
    path: str,
    body: Any,
    path_parameters: dict[str, str] | None = None,
    content_type: str = "application/json",
) -> tuple[int, dict[str, str], Any]:
    event = sample("h5_lite_create", body if isinstance(body, (str, bytes)) else json.dumps(body))
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["routeKey"] = event["requestContext"]["routeKey"] = f"POST {path}"
    event["headers"]["content-type"] = content_type
    event["pathParameters"] = path_parameters
    return call(function, event)


def create_app_sdk(**body: Any) -> tuple[int, dict[str, str], Any]:
    return post("app_sdk", "/v1/app-verifications", valid_biz_token_body(biz_no="app-1") | body)


def meglive(url: str, biz_token: str, outcome: str = "pass") -> str:
    import requests

    return str(
        requests.post(
            f"{url}/sandbox/v1/meglive_data", json={"biz_token": biz_token, "outcome": outcome}, timeout=10
        ).json()["meglive_data"]
    )


def verify_app(verification_id: str, package: str) -> tuple[int, dict[str, str], Any]:
    path = f"/v1/app-verifications/{verification_id}/verify"
    return post("app_sdk", path, {"meglive_data": package}, {"verification_id": verification_id})


def raw_token(url: str, outcome: str = "pass") -> str:
    import requests

    return str(
        requests.post(f"{url}/sgp/sandbox/v1/raw_token", json={"outcome": outcome}, timeout=10).json()["token_still"]
    )
