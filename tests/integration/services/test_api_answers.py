"""What the handlers really answer, checked against what api/openapi.json documents for that route
and status: the document describes the answers, errors included, not just the models: their media
type, body and headers. For FaceID's callbacks, which the handlers read raw, what arrives is checked
against the document too."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from jsonschema import Draft202012Validator

from faceid_bridge.adapters.dynamodb import VerificationStore
from tests.integration.conftest import FakeFaceId
from tests.local_stack import (
    OPENAPI,
    call,
    create,
    create_app_sdk,
    finished,
    meglive,
    post,
    sample,
    signed_form,
    verify_app,
)
from tests.support import load_json, valid_create_body, valid_raw_body

DOCUMENT = load_json(OPENAPI)


def media_type(headers: Mapping[str, str]) -> str:
    value = next((value for name, value in headers.items() if name.lower() == "content-type"), "")
    return value.split(";", 1)[0].strip().lower()


def validate(schema: dict[str, Any], value: Any) -> None:
    Draft202012Validator(schema | {"components": DOCUMENT["components"]}).validate(value)


def assert_documented(path: str, method: str, answer: tuple[int, dict[str, str], Any]) -> None:
    status, headers, body = answer
    documented = DOCUMENT["paths"][path][method]["responses"]
    assert str(status) in documented, f"{method} {path} answered an undocumented {status}"
    response = documented[str(status)]
    content, kind = response.get("content", {}), media_type(headers)
    assert kind in content, f"{method} {path} {status} answered {kind or 'no'} media type, documented: {list(content)}"
    if "schema" in content[kind]:
        validate(content[kind]["schema"], body)
    for name, header in response.get("headers", {}).items():
        assert not header.get("required") or name.lower() in {sent.lower() for sent in headers}, f"no {name} header"


def assert_request_documented(path: str, method: str, event: dict[str, Any]) -> None:
    """What arrives (API Gateway's event): its query parameters, and its body's media type and fields."""
    operation = DOCUMENT["paths"][path][method]
    documented = {parameter["name"]: parameter for parameter in operation.get("parameters", [])}
    query = event.get("queryStringParameters") or {}
    assert set(query) <= set(documented), f"{method} {path}: undocumented query {set(query) - set(documented)}"
    assert {name for name, parameter in documented.items() if parameter["required"]} <= set(query)
    if not event.get("body"):
        return
    raw = base64.b64decode(event["body"]) if event.get("isBase64Encoded") else event["body"].encode()
    content, kind = operation["requestBody"]["content"], media_type(event["headers"])
    assert kind in content, f"{method} {path}: {kind} body, documented: {list(content)}"
    fields = dict(parse_qsl(raw.decode())) if kind == "application/x-www-form-urlencoded" else json.loads(raw)
    validate(content[kind]["schema"], fields)


def test_h5_lite_answers_are_documented(faceid: FakeFaceId, store: VerificationStore) -> None:
    # Given a created H5 Lite verification, and the usual refusals
    created = create()
    assert_documented("/v1/verifications", "post", created)
    assert_documented("/v1/verifications", "post", create(valid_create_body(language="9")))
    assert_documented("/v1/verifications", "post", create(valid_create_body(uuid="other")))  # same biz_no: 409
    # When it is read, found or not
    read = sample("verification_read")
    read["pathParameters"] = {"verification_id": created[2]["verification_id"]}
    assert_documented("/v1/verifications/{verification_id}", "get", call("verification_read", read))
    assert_documented(
        "/v1/verifications/{verification_id}", "get", call("verification_read", sample("verification_read"))
    )
    # Then FaceID's routes answer as documented too
    assert_documented(
        "/v1/faceid/notify", "post", call("h5_lite_callbacks", sample("notify", signed_form("{}", sign="x")))
    )
    assert_documented("/v1/faceid/return", "get", call("h5_lite_callbacks", sample("return_get")))
    assert_documented("/v1/faceid/result", "get", call("h5_lite_callbacks", sample("result_page")))


def test_faceid_callbacks_are_documented_as_they_arrive_and_leave(faceid: FakeFaceId) -> None:
    # Given a verification, and what FaceID and the user's browser send for it
    created = create(valid_create_body(biz_no="order-callbacks"))[2]
    result = signed_form(finished(created["biz_id"], biz_no="order-callbacks"))
    notify = sample("notify", result, verification_id=created["verification_id"])
    return_get = sample("return_get", biz_id=created["biz_id"])
    return_post = sample("return_post", result)
    result_page = sample("result_page", verification_id=created["verification_id"], status="OK")
    # Then each request is what the document describes: FaceID's signed form, biz_id on GET return
    requests = [
        ("/v1/faceid/notify", "post", notify),
        ("/v1/faceid/return", "get", return_get),
        ("/v1/faceid/return", "post", return_post),
        ("/v1/faceid/result", "get", result_page),
    ]
    for path, method, event in requests:
        assert_request_documented(path, method, event)
    # And each answer too: notify's, the returns' 303 with a Location and no body, the result page
    answers = {(path, method): call("h5_lite_callbacks", event) for path, method, event in requests}
    assert [status for status, _, _ in answers.values()] == [200, 303, 303, 200]
    for (path, method), answer in answers.items():
        assert_documented(path, method, answer)
    assert answers["/v1/faceid/return", "get"][2] == "" and answers["/v1/faceid/return", "get"][1]["Location"]


def test_the_documented_callbacks_refuse_what_does_not_arrive() -> None:
    # Given the documented POST return; Then a form without its sign fails it (the check can fail)
    schema = DOCUMENT["paths"]["/v1/faceid/return"]["post"]["requestBody"]["content"]
    assert not Draft202012Validator(schema["application/x-www-form-urlencoded"]["schema"]).is_valid({"data": "{}"})
    text = DOCUMENT["paths"]["/v1/faceid/return"]["get"]["responses"]["303"]["content"]["text/plain"]["schema"]
    assert not Draft202012Validator(text).is_valid("a body")


def test_app_and_raw_answers_are_documented(faceid_http: str) -> None:
    created = create_app_sdk()
    assert_documented("/v1/app-verifications", "post", created)
    verification_id, biz_token = created[2]["verification_id"], created[2]["biz_token"]
    verify = "/v1/app-verifications/{verification_id}/verify"
    assert_documented(verify, "post", verify_app(verification_id, "not base64!"))
    assert_documented(verify, "post", verify_app(verification_id, meglive(faceid_http, biz_token)))
    assert_documented(verify, "post", verify_app("vrf_unknown", "AAAA"))
    assert_documented("/v1/raw-verifications", "post", post("h5_raw", "/v1/raw-verifications", {}))
    bad_token = valid_raw_body(token="no-such-token")
    assert_documented("/v1/raw-verifications", "post", post("h5_raw", "/v1/raw-verifications", bad_token))


def test_the_documented_schemas_refuse_what_is_not_an_answer() -> None:
    # Given the documented create answer; Then a body missing its id fails it (the check can fail)
    schema = DOCUMENT["paths"]["/v1/verifications"]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    validator = Draft202012Validator(schema | {"components": DOCUMENT["components"]})
    assert not validator.is_valid({"biz_no": "x"})
