"""The sandbox's App (003, notes §3-4) and H5 Raw (002, notes §5) APIs against the documents."""

from __future__ import annotations

import base64
import io
import time
from typing import Any

import pytest
from flask.testing import FlaskClient

from faceid_bridge.channels.app_sdk.contract import app_sign
from tests.sandbox.test_h5_lite import FACES
from tests.support import apply_rule, json_of, rules, valid_biz_token_body, valid_raw_body


def wide_png() -> bytes:
    """A photo wider than the 4096 px FaceID accepts (and well under 2 MB)."""
    import cv2
    import numpy as np

    return cv2.imencode(".png", np.zeros((8, 4097, 3), np.uint8))[1].tobytes()


def sign(secret: str = "sandbox-secret", *, expire_time: int | None = None, key: str = "sandbox-key") -> str:
    now = int(time.time())
    return app_sign(
        key, secret, expire_time=now + 60 if expire_time is None else expire_time, current_time=now, random="0123456789"
    )


def multipart(fields: dict[str, Any]) -> dict[str, Any]:
    """Form fields as FaceID takes them: base64 images become file parts."""
    data: dict[str, Any] = {}
    for key, value in fields.items():
        if key.startswith("image") or key == "meglive_data":
            try:
                content = base64.b64decode(value, validate=True)
            except ValueError:
                content = str(value).encode()
            data[key] = (io.BytesIO(content), f"{key}.jpg")
        else:
            data[key] = str(value)
    return data


def get_biz_token(client: FlaskClient, body: dict[str, Any] | None = None, /, **auth: str) -> Any:
    fields = {
        "sign": sign(),
        "sign_version": "hmac_sha1",
        **(body if body is not None else valid_biz_token_body()),
        **auth,
    }
    return client.post("/faceid/v3/sdk/get_biz_token", data=multipart(fields), content_type="multipart/form-data")


def as_003(message: str) -> str:
    for code in ("MISSING_ARGUMENTS:", "BAD_ARGUMENTS:"):
        if message.startswith(code):
            return f"{code} {message.removeprefix(code)}"  # 003's own form, with a space
    return message


BIZ_TOKEN_RULES = rules("get_biz_token_rules")


@pytest.mark.parametrize("rule", BIZ_TOKEN_RULES, ids=[rule["rule"] for rule in BIZ_TOKEN_RULES])
def test_get_biz_token_rule(sandbox_client: FlaskClient, rule: dict[str, Any]) -> None:
    response = get_biz_token(sandbox_client, apply_rule(rule, valid_biz_token_body()))
    expected = rule.get("sandbox", rule["error"])  # what FaceID says of the photo, once the parameters pass
    if expected is None:
        assert response.status_code == 200, response.json
        assert set(response.json) == {"biz_token", "time_used", "request_id"}
    else:
        assert (response.status_code, response.json["error"]) == (400, as_003(expected))


@pytest.mark.parametrize(
    ("auth", "status", "error"),
    [
        ({"sign": ""}, 400, "MISSING_ARGUMENTS: sign"),
        ({"sign_version": ""}, 400, "MISSING_ARGUMENTS: sign_version"),
        ({"sign_version": "hmac_sha256"}, 400, "BAD_ARGUMENTS: sign_version"),
        ({"sign": "forged"}, 403, "AUTHORIZATION_ERROR:INVALID_SIGN"),
        ({"sign": sign("wrong-secret")}, 403, "AUTHORIZATION_ERROR:INVALID_SIGN"),
        ({"sign": sign(key="someone-else")}, 403, "AUTHORIZATION_ERROR:INVALID_SIGN"),
        ({"sign": sign(expire_time=int(time.time()) - 1)}, 403, "AUTHORIZATION_ERROR:EXPIRED_SIGN"),
    ],
)
def test_get_biz_token_refuses_bad_signs(
    sandbox_client: FlaskClient, auth: dict[str, str], status: int, error: str
) -> None:
    response = get_biz_token(sandbox_client, **auth)
    assert (response.status_code, response.json["error"]) == (status, error)


def test_a_one_time_sign_works_once(sandbox_client: FlaskClient) -> None:
    one_time = sign(expire_time=0)
    assert get_biz_token(sandbox_client, sign=one_time).status_code == 200
    assert get_biz_token(sandbox_client, sign=one_time).json["error"] == "AUTHORIZATION_ERROR:INVALID_SIGN"


def test_kyc_needs_the_data_source_permission(sandbox_client: FlaskClient) -> None:
    kyc = {"liveness_type": "still", "comparison_type": "1", "idcard_name": "x", "idcard_number": "11010519491231002X"}
    sandbox_client.put("/sandbox/v1/permissions", json={"data_source": False})
    response = get_biz_token(sandbox_client, kyc)
    assert (response.status_code, response.json["error"]) == (403, "AUTHORIZATION_ERROR:NO_DATA_SOURCE_PERMISSION")
    sandbox_client.put("/sandbox/v1/permissions", json={"data_source": True})
    assert get_biz_token(sandbox_client, kyc).status_code == 200


def image(name: str) -> str:
    return base64.b64encode((FACES / name).read_bytes()).decode()


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"image_ref1": image("no_face.jpg")}, "NO_FACE_FOUND:image_ref1"),
        ({"image_ref2": image("no_face.jpg")}, "NO_FACE_FOUND:image_ref2"),
        ({"image_ref1": image("one_face_rotated.jpg")}, None),  # 003: multi_oriented_detection defaults to 1
        ({"image_ref1": image("one_face_rotated.jpg"), "multi_oriented_detection": "0"}, "NO_FACE_FOUND:image_ref1"),
        ({"image_ref1": image("two_faces.jpg")}, None),  # 003: the largest face is used
        ({"image_ref1": base64.b64encode(b"not an image").decode()}, "IMAGE_ERROR_UNSUPPORTED_FORMAT:image_ref1"),
        ({"liveness_type": "raw_image", "image": image("two_faces.jpg")}, "MULTIPLE_FACES"),
        ({"liveness_type": "raw_image", "image": image("two_faces.jpg"), "fail_when_multiple_faces": "0"}, None),
        ({"liveness_type": "raw_image", "image": image("no_face.jpg")}, "NO_FACE_FOUND:image"),
        ({"image_ref1": base64.b64encode(wide_png()).decode()}, "INVALID_IMAGE_SIZE:image_ref1"),
    ],
)
def test_get_biz_token_images(sandbox_client: FlaskClient, change: dict[str, str], error: str | None) -> None:
    response = get_biz_token(sandbox_client, valid_biz_token_body() | change)
    assert (response.status_code, response.json.get("error")) == ((200, None) if error is None else (400, error))


# --- v3 verify ---------------------------------------------------------------------------------


def verify(client: FlaskClient, biz_token: str, package: str | None, **extra: str) -> Any:
    fields: dict[str, Any] = {"sign": sign(), "sign_version": "hmac_sha1", "biz_token": biz_token, **extra}
    if package is not None:
        fields["meglive_data"] = package
    return client.post("/faceid/v3/sdk/verify", data=multipart(fields), content_type="multipart/form-data")


def package(client: FlaskClient, biz_token: str, outcome: str = "pass") -> str:
    return str(
        json_of(client.post("/sandbox/v1/meglive_data", json={"biz_token": biz_token, "outcome": outcome}))[
            "meglive_data"
        ]
    )


@pytest.mark.parametrize(
    ("outcome", "code", "message", "has_verification", "has_attack"),
    [
        ("pass", 1000, "SUCCESS", True, True),
        ("mismatch", 2000, "PASS_LIVING_NOT_THE_SAME", True, True),
        ("attack", 4100, "FAIL_LIVING_FACE_ATTACK", False, True),
        ("cancel", 4200, "USER_CANCELLATION", False, False),
        ("timeout", 4200, "USER_TIMEOUT", False, False),
        ("data_source_error", 3000, "DATA_SOURCE_ERROR", False, True),
    ],
)
def test_verify_outcomes(
    sandbox_client: FlaskClient, outcome: str, code: int, message: str, has_verification: bool, has_attack: bool
) -> None:
    biz_token = get_biz_token(sandbox_client, valid_biz_token_body(biz_no="app-1")).json["biz_token"]
    result = verify(sandbox_client, biz_token, package(sandbox_client, biz_token, outcome)).json
    assert (result["result_code"], result["result_message"], result["biz_no"]) == (code, message, "app-1")
    assert ("verification" in result, "attack_result" in result) == (has_verification, has_attack)
    if has_verification:
        assert set(result["verification"]) == {"ref1"}


def test_verify_refuses_tampered_and_foreign_packages(sandbox_client: FlaskClient) -> None:
    first = get_biz_token(sandbox_client).json["biz_token"]
    second = get_biz_token(sandbox_client).json["biz_token"]
    genuine = base64.b64decode(package(sandbox_client, first))
    tampered = base64.b64encode(genuine[:-2] + b"1}").decode()
    assert verify(sandbox_client, first, tampered).json["error"] == "MEGLIVE_DATA_ERROR"
    assert (
        verify(sandbox_client, second, package(sandbox_client, first)).json["error"]
        == "MEGLIVE_DATA_BIZ_TOKEN_NOT_MATCH"
    )


def test_a_biz_token_works_once(sandbox_client: FlaskClient) -> None:
    biz_token = get_biz_token(sandbox_client).json["biz_token"]
    assert verify(sandbox_client, biz_token, package(sandbox_client, biz_token)).json["result_code"] == 1000
    again = verify(sandbox_client, biz_token, package(sandbox_client, biz_token)).json
    assert (again["result_code"], again["result_message"]) == (4200, "BIZ_TOKEN_DENIED")


def test_verify_needs_meglive_data_except_for_raw_image(sandbox_client: FlaskClient) -> None:
    biz_token = get_biz_token(sandbox_client).json["biz_token"]
    assert verify(sandbox_client, biz_token, None).json["error"] == "MISSING_ARGUMENTS: meglive_data"
    raw_image = get_biz_token(
        sandbox_client, valid_biz_token_body(liveness_type="raw_image", image=image("one_face.jpg"))
    ).json["biz_token"]
    assert verify(sandbox_client, raw_image, None).json["result_code"] == 1000


def test_verify_returns_the_kyc_comparison_and_honours_verbose(sandbox_client: FlaskClient) -> None:
    kyc = {"liveness_type": "still", "comparison_type": "1", "idcard_name": "x", "idcard_number": "11010519491231002X"}
    biz_token = get_biz_token(sandbox_client, kyc).json["biz_token"]
    assert set(verify(sandbox_client, biz_token, package(sandbox_client, biz_token)).json["verification"]) == {"idcard"}
    quiet = get_biz_token(sandbox_client, valid_biz_token_body(verbose="0")).json["biz_token"]
    assert "verification" not in verify(sandbox_client, quiet, package(sandbox_client, quiet)).json


def test_verify_refuses_a_forged_sign(sandbox_client: FlaskClient) -> None:
    biz_token = get_biz_token(sandbox_client).json["biz_token"]
    response = verify(sandbox_client, biz_token, package(sandbox_client, biz_token), sign=sign("guessed"))
    assert (response.status_code, response.json["error"]) == (403, "AUTHORIZATION_ERROR:INVALID_SIGN")


# --- H5 Raw ------------------------------------------------------------------------------------


def raw_token(client: FlaskClient, outcome: str = "pass") -> str:
    return str(json_of(client.post("/sandbox/v1/raw_token", json={"outcome": outcome}))["token_still"])


def raw_verify(client: FlaskClient, body: dict[str, Any], **auth: str) -> Any:
    fields = {"api_key": "sandbox-key", "api_secret": "sandbox-secret", **body, **auth}
    return client.post("/faceid/lite/raw/verify", data=multipart(fields), content_type="multipart/form-data")


RAW_RULES = rules("raw_verify_rules")
RAW_AS_FILES = {
    "image_ref1 must be base64": "IMAGE_ERROR_UNSUPPORTED_FORMAT:image_ref1",
    "image_ref1 at most 2 MB": "413",
}


@pytest.mark.parametrize("rule", RAW_RULES, ids=[rule["rule"] for rule in RAW_RULES])
def test_raw_verify_rule(sandbox_client: FlaskClient, rule: dict[str, Any]) -> None:
    body = apply_rule(rule, valid_raw_body(token=raw_token(sandbox_client)))
    response = raw_verify(sandbox_client, body)
    expected = RAW_AS_FILES.get(rule["rule"], rule["error"])
    if expected is None:
        assert response.status_code == 200, response.json
    elif expected == "413":
        assert response.status_code == 413
    else:
        assert (response.status_code, response.json["error_message"]) == (400, expected)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"image_ref1": image("no_face.jpg")}, "NO_FACE_FOUND:image_ref1"),
        ({"image_ref2": image("two_faces.jpg")}, "MULTIPLE_FACES:image_ref2"),
        ({"image_ref2": image("two_faces.jpg"), "fail_when_ref_multiple_faces": "0"}, None),
        ({"image_ref1": image("one_face_rotated.jpg")}, "NO_FACE_FOUND:image_ref1"),
        ({"image_ref1": image("one_face_rotated.jpg"), "multi_oriented_detection": "1"}, None),
        ({"token": "not-a-token"}, "INVALID_TOKEN"),
        (
            {"image_ref3": base64.b64encode(wide_png()).decode(), "image_ref2": image("one_face.jpg")},
            "INVALID_IMAGE_SIZE:image_ref3",
        ),
    ],
)
def test_raw_verify_images_and_tokens(sandbox_client: FlaskClient, change: dict[str, str], error: str | None) -> None:
    response = raw_verify(sandbox_client, valid_raw_body(token=raw_token(sandbox_client), biz_no="raw-1") | change)
    if error is None:
        assert response.status_code == 200, response.json
    else:
        assert (response.status_code, response.json["error_message"], response.json["biz_no"]) == (400, error, "raw-1")


def test_raw_tokens_work_once_and_need_our_key(sandbox_client: FlaskClient) -> None:
    token = raw_token(sandbox_client)
    assert (
        raw_verify(sandbox_client, valid_raw_body(token=token), api_secret="wrong").json["error"]
        == "AUTHENTICATION_ERROR"
    )
    assert raw_verify(sandbox_client, valid_raw_body(token=token)).status_code == 200
    assert raw_verify(sandbox_client, valid_raw_body(token=token)).json["error_message"] == "INVALID_TOKEN"


@pytest.mark.parametrize(
    ("outcome", "procedure", "genuineness", "compared"),
    [
        ("pass", "PASSED", "PASSED", True),
        ("mismatch", "PASSED", "PASSED", True),
        *[
            (value.lower(), value, None, False)
            for value in (
                "VIDEO_SR_ERROR",
                "VIDEO_NOT_SYNCHRONIZED",
                "VIDEO_FACE_INCONSISTENT",
                "SELFIE_INCONSISTENT",
                "SELFIE_METADATA_INCONSISTENT",
            )
        ],
        *[(value.lower(), "PASSED", value, True) for value in ("MASK", "SCREEN_REPLAY", "FACEGEN")],
    ],
)
def test_raw_verify_outcomes(
    sandbox_client: FlaskClient, outcome: str, procedure: str, genuineness: str | None, compared: bool
) -> None:
    result = raw_verify(
        sandbox_client, valid_raw_body(token=raw_token(sandbox_client, outcome), image_ref2=image("one_face.jpg"))
    ).json
    assert result["liveness"].get("procedure_validation") == procedure
    assert result["liveness"].get("face_genuineness") == genuineness
    assert ({"result_ref1", "result_ref2"} <= set(result)) is compared


def test_validate_still_turns_a_video_into_a_token(sandbox_client: FlaskClient) -> None:
    form = {"api_key": "sandbox-key", "api_secret": "sandbox-secret"}
    assert (
        json_of(sandbox_client.post("/faceid/lite/raw/validate_still", data=form))["error_message"]
        == "MISSING_ARGUMENTS:video"
    )
    uploaded = json_of(
        sandbox_client.post(
            "/faceid/lite/raw/validate_still", data=form | {"video": (io.BytesIO(b"\x00" * 100), "selfie.mp4")}
        )
    )
    assert (
        json_of(raw_verify(sandbox_client, valid_raw_body(token=uploaded["token_still"])))["liveness"][
            "procedure_validation"
        ]
        == "PASSED"
    )


# --- face quality, permissions and faults --------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"image": image("one_face_blurred.jpg")}, "LOW_QUALITY"),  # default face_quality_threshold 30
        ({"image": image("one_face_blurred.jpg"), "face_quality_threshold": "0"}, None),
        ({"image": image("one_face.jpg"), "face_quality_threshold": "80"}, None),
        ({"image": image("one_face.jpg"), "face_quality_threshold": "100"}, "LOW_QUALITY"),
    ],
)
def test_raw_image_face_quality(sandbox_client: FlaskClient, change: dict[str, str], error: str | None) -> None:
    response = get_biz_token(sandbox_client, valid_biz_token_body(liveness_type="raw_image") | change)
    assert (response.status_code, response.json.get("error")) == ((200, None) if error is None else (400, error))


def test_accounts_without_the_permission_are_denied(sandbox_client: FlaskClient) -> None:
    sandbox_client.put("/sandbox/v1/permissions", json={"face_comparison": False, "passive_liveness": False})
    denied = raw_verify(sandbox_client, valid_raw_body(token=raw_token(sandbox_client)))
    assert (denied.status_code, denied.json["error"]) == (403, "AUTHORIZATION_ERROR:Denied")
    form = {"api_key": "sandbox-key", "api_secret": "sandbox-secret", "video": (io.BytesIO(b"\x00"), "v.mp4")}
    still = sandbox_client.post("/faceid/lite/raw/validate_still", data=form)
    assert (still.status_code, json_of(still)["error"]) == (403, "AUTHORIZATION_ERROR:Denied")


def test_fault_switches_reach_the_app_and_raw_apis(sandbox_client: FlaskClient) -> None:
    sandbox_client.put(
        "/sandbox/v1/faults",
        json={
            "get_biz_token": {"internal_errors": 1, "concurrency_limits": 1},
            "app_verify": {"concurrency_limits": 1},
            "raw_verify": {"internal_errors": 1},
        },
    )
    assert [get_biz_token(sandbox_client).status_code for _ in range(3)] == [500, 403, 200]
    biz_token = get_biz_token(sandbox_client).json["biz_token"]
    limited = verify(sandbox_client, biz_token, package(sandbox_client, biz_token))
    assert (limited.status_code, limited.json["error"]) == (429, "CONCURRENCY_LIMIT_EXCEEDED")  # notes §4: 429 here
    assert (
        raw_verify(sandbox_client, valid_raw_body(token=raw_token(sandbox_client))).json["error_message"]
        == "INTERNAL_ERROR"
    )
