"""The App SDK channel through our handlers, with the real FaceID client talking HTTP to the
sandbox, on moto: parameters, outcomes, idempotency, and what FaceID's refusals become."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from faceid_bridge import wiring
from faceid_bridge.adapters.dynamodb import VerificationStore
from faceid_bridge.services.reconciler import reconcile_due
from tests.local_stack import LocalStack, create_app_sdk, face_image, meglive, post, verify_app
from tests.support import apply_rule, rules, valid_biz_token_body, valid_raw_body

# --- App ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "status", "decision", "first_reason"),
    [
        ("pass", "OK", "APPROVED", "FACEID_1000:SUCCESS"),
        ("mismatch", "OK", "REJECTED", "FACEID_2000:PASS_LIVING_NOT_THE_SAME"),
        ("attack", "OK", "REJECTED", "FACEID_4100:FAIL_LIVING_FACE_ATTACK"),
        ("cancel", "CANCELLED", "ABANDONED", "FACEID_4200:USER_CANCELLATION"),
        ("data_source_error", "FAILED", "ERRORED", "FACEID_3000:DATA_SOURCE_ERROR"),
    ],
)
def test_app_verification_outcomes(
    faceid_http: str, store: VerificationStore, outcome: str, status: str, decision: str, first_reason: str
) -> None:
    # Given an App verification, and the package the SDK produced on the phone
    created = create_app_sdk()
    assert created[0] == 201 and set(created[2]) == {"verification_id", "biz_token", "biz_no", "expires_at"}
    vid, biz_token = created[2]["verification_id"], created[2]["biz_token"]
    # When our server verifies it
    verified = verify_app(vid, meglive(faceid_http, biz_token, outcome))
    # Then FaceID's result code decides it, on the same lifecycle, and it says so in its reasons
    assert verified[0] == 200
    assert (verified[2]["status"], verified[2]["decision"], verified[2]["reasons"][0], verified[2]["channel"]) == (
        status,
        decision,
        first_reason,
        "app",
    )


def test_app_verify_is_idempotent_and_takes_multipart(faceid_http: str) -> None:
    created = create_app_sdk()[2]
    package = base64.b64decode(meglive(faceid_http, created["biz_token"]))
    boundary = "b0undary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="meglive_data"; filename="m"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + package
        + f"\r\n--{boundary}--\r\n".encode()
    )
    path = f"/v1/app-verifications/{created['verification_id']}/verify"
    first = post(
        "app_sdk",
        path,
        body,
        {"verification_id": created["verification_id"]},
        f"multipart/form-data; boundary={boundary}",
    )
    assert (first[0], first[2]["decision"]) == (200, "APPROVED")
    # Repeating it does not ask FaceID again (a second verify of the biz_token would be BIZ_TOKEN_DENIED)
    again = verify_app(created["verification_id"], meglive(faceid_http, created["biz_token"], "attack"))
    assert again[2] == first[2]


def test_app_verify_refusals_change_nothing(faceid_http: str, store: VerificationStore) -> None:
    created = create_app_sdk()[2]
    other = create_app_sdk(biz_no="app-2")[2]
    foreign = verify_app(created["verification_id"], meglive(faceid_http, other["biz_token"]))
    assert (foreign[0], foreign[2]["error_message"]) == (400, "MEGLIVE_DATA_BIZ_TOKEN_NOT_MATCH")
    assert verify_app(created["verification_id"], "not base64!")[2]["error_message"] == "BAD_ARGUMENTS:meglive_data"
    missing = post(
        "app_sdk",
        f"/v1/app-verifications/{created['verification_id']}/verify",
        {},
        {"verification_id": created["verification_id"]},
    )
    assert missing[2]["error_message"] == "MISSING_ARGUMENTS:meglive_data"
    assert verify_app("vrf_unknown", "AAAA")[0] == 404
    stored = store.get(created["verification_id"])
    assert stored is not None and stored.status == "CREATED"


def test_a_raw_image_verification_verifies_without_meglive_data(faceid_http: str, store: VerificationStore) -> None:
    # Given an App verification of liveness_type raw_image: FaceID judges the image sent at get_biz_token
    created = create_app_sdk(liveness_type="raw_image", image=face_image())[2]
    # When our server verifies it with no SDK package (notes §4: optional for raw_image)
    path = f"/v1/app-verifications/{created['verification_id']}/verify"
    status, _, body = post("app_sdk", path, {}, {"verification_id": created["verification_id"]})
    # Then it is decided
    assert (status, body["status"], body["decision"]) == (200, "OK", "APPROVED")


def test_the_biz_token_is_never_the_biz_id_and_is_dropped_once_spent(
    faceid_http: str, store: VerificationStore
) -> None:
    # Given an App verification: the SDK's biz_token goes to the caller, once
    created = create_app_sdk()[2]
    stored = store.get(created["verification_id"])
    assert stored is not None and stored.biz_id == created["verification_id"] != created["biz_token"]
    # When it is verified
    verified = verify_app(created["verification_id"], meglive(faceid_http, created["biz_token"]))[2]
    # Then nothing we answer or keep holds the biz_token any more
    assert created["biz_token"] not in json.dumps(verified)
    item = store.dynamodb.get_item(
        TableName=store.table_name,
        Key={"pk": {"S": f"VERIFICATION#{created['verification_id']}"}, "sk": {"S": "VERIFICATION"}},
    )["Item"]
    assert created["biz_token"] not in json.dumps(item)


APP_RULES = rules("get_biz_token_rules")


@pytest.mark.parametrize("rule", APP_RULES, ids=[rule["rule"] for rule in APP_RULES])
def test_every_get_biz_token_rule_through_our_api(faceid_http: str, rule: dict[str, Any]) -> None:
    status, _, body = post(
        "app_sdk",
        "/v1/app-verifications",
        apply_rule(rule, valid_biz_token_body(biz_no=f"rule-{APP_RULES.index(rule)}")),
    )
    expected = rule.get("sandbox", rule["error"])  # what FaceID says of the photo, once the parameters pass
    if expected is None:
        assert status == 201, body
    else:
        assert (status, body["error_message"]) == (400, expected)


def test_our_api_requires_biz_no_for_idempotency(faceid_http: str) -> None:
    body = valid_biz_token_body()
    assert post("app_sdk", "/v1/app-verifications", body)[2]["error_message"] == "MISSING_ARGUMENTS:biz_no"
    assert post("h5_raw", "/v1/raw-verifications", valid_raw_body())[2]["error_message"] == "MISSING_ARGUMENTS:biz_no"


def test_kyc_without_the_data_source_permission_is_403(faceid_http: str) -> None:
    import requests

    requests.put(f"{faceid_http}/sandbox/v1/permissions", json={"data_source": False}, timeout=10)
    kyc = {
        "liveness_type": "still",
        "comparison_type": "1",
        "idcard_name": "x",
        "idcard_number": "11010519491231002X",
        "biz_no": "kyc-1",
    }
    status, _, body = post("app_sdk", "/v1/app-verifications", kyc)
    assert (status, body["error_message"]) == (403, "AUTHORIZATION_ERROR:NO_DATA_SOURCE_PERMISSION")


def test_a_sign_faceid_refuses_is_reported_as_our_misconfiguration(faceid_http: str, stack: LocalStack) -> None:
    # Given our secret holds the wrong api_secret, so every App sign we make is forged to FaceID
    boto3.client("secretsmanager", region_name=stack.region).put_secret_value(
        SecretId=stack.refs["FaceIdSecret"],
        SecretString=json.dumps({"idn": {"api_key": "sandbox-key", "api_secret": "wrong"}}),
    )
    status, _, body = create_app_sdk()
    # Then the client learns it is on our side (502), with FaceID's reason, and nothing was kept
    assert (status, body["error_message"]) == (502, "FACEID_AUTHORIZATION_ERROR:INVALID_SIGN")


def test_an_app_verification_never_verified_expires(faceid_http: str, store: VerificationStore) -> None:
    created = create_app_sdk()[2]
    later = datetime.now(UTC) + timedelta(hours=1, minutes=10)
    reconcile_due(store=store, faceid=wiring.faceid(), now=later)
    expired = store.get(created["verification_id"])
    assert expired is not None and (expired.status, expired.decision) == ("EXPIRED", "ABANDONED")
