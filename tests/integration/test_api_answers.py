"""What the handlers really answer, checked against what api/openapi.json documents for that route
and status: the document describes the answers, errors included, not just the models."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from faceid_bridge.adapters.store import VerificationStore
from infra.openapi import OPENAPI
from tests.integration.conftest import FakeFaceId
from tests.integration.test_app_raw_channels import create_app, meglive, post, verify_app
from tests.integration.test_handlers import call, create, sample, signed_form
from tests.support import load_json, valid_create_body, valid_raw_body

DOCUMENT = load_json(OPENAPI)


def assert_documented(path: str, method: str, answer: tuple[int, dict[str, str], Any]) -> None:
    status, _, body = answer
    documented = DOCUMENT["paths"][path][method]["responses"]
    assert str(status) in documented, f"{method} {path} answered an undocumented {status}"
    content = documented[str(status)]["content"]
    if "application/json" in content:
        schema = content["application/json"]["schema"] | {"components": DOCUMENT["components"]}
        Draft202012Validator(schema).validate(body)


def test_h5_lite_answers_are_documented(faceid: FakeFaceId, store: VerificationStore) -> None:
    # Given a created H5 Lite verification, and the usual refusals
    created = create()
    assert_documented("/v1/verifications", "post", created)
    assert_documented("/v1/verifications", "post", create(valid_create_body(language="9")))
    assert_documented("/v1/verifications", "post", create(valid_create_body(uuid="other")))  # same biz_no: 409
    # When it is read, found or not
    read = sample("get_verification")
    read["pathParameters"] = {"verification_id": created[2]["verification_id"]}
    assert_documented("/v1/verifications/{verification_id}", "get", call("get_verification", read))
    assert_documented(
        "/v1/verifications/{verification_id}", "get", call("get_verification", sample("get_verification"))
    )
    # Then FaceID's routes answer as documented too
    assert_documented(
        "/v1/faceid/notify", "post", call("faceid_callbacks", sample("notify", signed_form("{}", sign="x")))
    )
    assert_documented("/v1/faceid/return", "get", call("faceid_callbacks", sample("return_get")))
    assert_documented("/v1/faceid/result", "get", call("faceid_callbacks", sample("result_page")))


def test_app_and_raw_answers_are_documented(faceid_http: str) -> None:
    created = create_app()
    assert_documented("/v1/app-verifications", "post", created)
    verification_id, biz_token = created[2]["verification_id"], created[2]["biz_token"]
    verify = "/v1/app-verifications/{verification_id}/verify"
    assert_documented(verify, "post", verify_app(verification_id, "not base64!"))
    assert_documented(verify, "post", verify_app(verification_id, meglive(faceid_http, biz_token)))
    assert_documented(verify, "post", verify_app("vrf_unknown", "AAAA"))
    assert_documented("/v1/raw-verifications", "post", post("raw_verifications", "/v1/raw-verifications", {}))
    bad_token = valid_raw_body(token="no-such-token")
    assert_documented("/v1/raw-verifications", "post", post("raw_verifications", "/v1/raw-verifications", bad_token))


def test_the_documented_schemas_refuse_what_is_not_an_answer() -> None:
    # Given the documented create answer; Then a body missing its id fails it (the check can fail)
    schema = DOCUMENT["paths"]["/v1/verifications"]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    validator = Draft202012Validator(schema | {"components": DOCUMENT["components"]})
    assert not validator.is_valid({"biz_no": "x"})
