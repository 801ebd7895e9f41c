"""The H5 Raw channel through our handler, with the real FaceID client talking HTTP to the sandbox,
on moto: parameters, outcomes, idempotency, and what FaceID's refusals become."""

from __future__ import annotations

from typing import Any

import pytest

from tests.local_stack import face_image, post, raw_token
from tests.support import apply_rule, rules, valid_raw_body

# --- H5 Raw ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "decision", "reasons"),
    [
        ("pass", "APPROVED", []),
        ("mismatch", "REJECTED", ["FACE_MISMATCH_REF1"]),
        ("mask", "REJECTED", ["SPOOF_MASK"]),
        ("facegen", "REJECTED", ["SPOOF_FACEGEN"]),
        ("video_sr_error", "REJECTED", ["PROCEDURE_VIDEO_SR_ERROR"]),
        ("selfie_metadata_inconsistent", "REJECTED", ["PROCEDURE_SELFIE_METADATA_INCONSISTENT"]),
    ],
)
def test_raw_verification_outcomes(faceid_http: str, outcome: str, decision: str, reasons: list[str]) -> None:
    status, _, body = post(
        "h5_raw",
        "/v1/raw-verifications",
        valid_raw_body(token=raw_token(faceid_http, outcome), biz_no="raw-1"),
    )
    assert status == 201
    assert (body["channel"], body["status"], body["decision"], body["reasons"]) == ("h5_raw", "OK", decision, reasons)


def test_raw_verification_is_idempotent_and_refusals_keep_nothing(faceid_http: str) -> None:
    refused = post("h5_raw", "/v1/raw-verifications", valid_raw_body(token="spent", biz_no="raw-2"))
    assert (refused[0], refused[2]["error_message"]) == (400, "INVALID_TOKEN")
    body = valid_raw_body(token=raw_token(faceid_http), biz_no="raw-2")
    first, again = (
        post("h5_raw", "/v1/raw-verifications", body),
        post("h5_raw", "/v1/raw-verifications", body),
    )
    assert (first[0], again[0]) == (201, 201) and first[2] == again[2]  # FaceID's token was used once
    no_face = valid_raw_body(token=raw_token(faceid_http), biz_no="raw-3", image_ref1=face_image("no_face.jpg"))
    assert post("h5_raw", "/v1/raw-verifications", no_face)[2]["error_message"] == "NO_FACE_FOUND:image_ref1"


RAW_RULES = rules("raw_verify_rules")


@pytest.mark.parametrize("rule", RAW_RULES, ids=[rule["rule"] for rule in RAW_RULES])
def test_every_raw_verify_rule_through_our_api(faceid_http: str, rule: dict[str, Any]) -> None:
    base = valid_raw_body(token=raw_token(faceid_http), biz_no=f"raw-rule-{RAW_RULES.index(rule)}")
    status, _, body = post("h5_raw", "/v1/raw-verifications", apply_rule(rule, base))
    if rule["error"] is None:
        assert status == 201, body
    else:
        assert (status, body["error_message"]) == (400, rule["error"])


def test_the_sample_events_reach_their_routes(faceid_http: str) -> None:
    # events/api samples, for `sam local invoke`: the routes resolve and validate them
    from tests.local_stack import call as invoke
    from tests.support import EVENTS, load_json

    assert invoke("app_sdk", load_json(EVENTS / "api" / "app_create.json"))[0] == 201
    assert invoke("app_sdk", load_json(EVENTS / "api" / "app_verify.json"))[0] == 404  # no such verification here
    raw = invoke("h5_raw", load_json(EVENTS / "api" / "raw_create.json"))
    assert (raw[0], raw[2]["error_message"]) == (400, "INVALID_TOKEN")  # a placeholder token


def test_faceid_overload_and_errors_on_the_new_apis_map_like_the_core(faceid_http: str) -> None:
    import requests

    requests.put(
        f"{faceid_http}/sandbox/v1/faults",
        json={"raw_verify": {"concurrency_limits": 1, "internal_errors": 1}},
        timeout=10,
    )
    body = valid_raw_body(token=raw_token(faceid_http), biz_no="raw-busy")
    errored, limited = post("h5_raw", "/v1/raw-verifications", body), None
    assert (errored[0], errored[2]["error_message"]) == (503, "FACEID_UNAVAILABLE")  # this client does not retry
    limited = post("h5_raw", "/v1/raw-verifications", body)
    assert (limited[0], limited[2]["error_message"], limited[1]["Retry-After"]) == (
        429,
        "CONCURRENCY_LIMIT_EXCEEDED",
        "1",
    )
    assert post("h5_raw", "/v1/raw-verifications", body)[0] == 201  # nothing was kept meanwhile
    requests.delete(f"{faceid_http}/sandbox/v1/faults", timeout=10)
