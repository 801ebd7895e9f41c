"""The sandbox's App SDK APIs.

| route                               | what                                                        |
| ----------------------------------- | ----------------------------------------------------------- |
| POST /faceid/v3/sdk/get_biz_token   | 003: App-Authentication sign, every parameter rule, images  |
| POST /faceid/v3/sdk/verify          | notes §4: meglive_data in, result_code out                  |
| POST /sandbox/v1/meglive_data       | automation: the package the SDK on the phone would produce  |
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from typing import Any

from flask import Blueprint, Response, jsonify, request
from pydantic import BaseModel, ConfigDict

from faceid_bridge.channels.app_sdk.contract import APP_SIGN_VERSION, GetBizTokenOptions
from faceid_bridge.faceid.common import MAX_IMAGE_BYTES, ContractError, parse
from infra.sandbox.contract import check_app_sign
from infra.sandbox.faces import check_references, face_quality
from infra.sandbox.http import (
    error,
    injected,
    key_pair,
    region,
    request_id,
    state,
    too_large,
    uploads,
)
from infra.sandbox.outcomes import comparison

BIZ_TOKEN_TTL_SECONDS = 3600  # 003: valid for one hour, usable once
MAX_REQUEST_BYTES = 20 * 1024 * 1024  # notes §4 and §5: whole request / video over 20 MB is a 413
APP_OUTCOMES = {
    "pass": (1000, "SUCCESS"),
    "mismatch": (2000, "PASS_LIVING_NOT_THE_SAME"),
    "kyc_mismatch": (3000, "ID_NUMBER_NAME_NOT_MATCH"),
    "data_source_error": (3000, "DATA_SOURCE_ERROR"),
    "attack": (4100, "FAIL_LIVING_FACE_ATTACK"),
    "eyes_closed": (4100, "FAIL_EYES_CLOSE_DETECTION"),
    "cancel": (4200, "USER_CANCELLATION"),
    "timeout": (4200, "USER_TIMEOUT"),
}
app_sdk = Blueprint("app_sdk", __name__)


def _signed_error(status: int, message: str) -> Response:
    # The App APIs answer {"error": ...}, and 003 writes "BAD_ARGUMENTS: <key>" with a space.
    for code in ("MISSING_ARGUMENTS:", "BAD_ARGUMENTS:"):
        if message.startswith(code):
            message = f"{code} {message.removeprefix(code)}"
    return error(status, message, key="error")


def _check_sign(form: dict[str, str]) -> Response | None:
    for key in ("sign", "sign_version"):
        if not form.get(key):
            return _signed_error(400, f"MISSING_ARGUMENTS:{key}")
    if form["sign_version"] != APP_SIGN_VERSION:
        return _signed_error(400, "BAD_ARGUMENTS:sign_version")
    checked = check_app_sign(form["sign"], dict([key_pair()]).get, int(state().now()))
    if isinstance(checked, str):
        return _signed_error(403, f"AUTHORIZATION_ERROR:{checked}")
    _, raw, expire_time = checked
    if expire_time == 0:  # a one-time sign serves one request
        with state().lock:
            if raw in state().used_one_time_signs:
                return _signed_error(403, "AUTHORIZATION_ERROR:INVALID_SIGN")
            state().used_one_time_signs.add(raw)
    return None


@app_sdk.post("/faceid/v3/sdk/get_biz_token")
def get_biz_token() -> Response:
    files = uploads()
    form = request.form.to_dict()
    refused = (
        too_large(files, per_file=MAX_IMAGE_BYTES, total=MAX_REQUEST_BYTES)
        or _check_sign(form)
        or injected("get_biz_token", key="error")
    )
    if refused:
        return refused
    try:
        options = parse(
            GetBizTokenOptions, {k: v for k, v in form.items() if k not in ("sign", "sign_version")} | files
        )
    except ContractError as exc:
        return _signed_error(400, exc.message)
    if options.comparison_type == "1" and not state().permissions["data_source"]:
        return _signed_error(403, "AUTHORIZATION_ERROR:NO_DATA_SOURCE_PERMISSION")
    multi_oriented = options.multi_oriented_detection != "0"  # 003: default "1"
    image_error = check_references(
        options.files(), multi_oriented=multi_oriented, fail_when_multiple=False, face_errors_name_the_image=True
    )
    if image_error is None and options.image is not None:
        image_error = check_references(
            {"image": options.image},
            multi_oriented=multi_oriented,
            fail_when_multiple=options.fail_when_multiple_faces != "0",
            names=("image",),
            face_errors_name_the_image=True,
        )
        image_error = "MULTIPLE_FACES" if image_error == "MULTIPLE_FACES:image" else image_error
        threshold = 30 if options.face_quality_threshold is None else options.face_quality_threshold  # 003: default 30
        if image_error is None and face_quality(options.image) < threshold:
            image_error = "LOW_QUALITY"
    if image_error:
        return _signed_error(400, image_error)
    biz_token = f"{int(state().now())},{uuid.uuid4()}"
    with state().lock:
        state().biz_tokens[biz_token] = {
            "options": options.model_dump(
                mode="json", exclude_none=True, exclude={"image_ref1", "image_ref2", "image"}
            ),
            "references": [ref for ref in ("ref1", "ref2") if getattr(options, f"image_{ref}") is not None],
            "expires": state().now() + BIZ_TOKEN_TTL_SECONDS,
            "used": False,
            "region": region(),
        }
    return jsonify({"biz_token": biz_token, "time_used": 18, "request_id": request_id()})


class _PackageRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    biz_token: str
    outcome: str = "pass"


def seal(payload: dict[str, Any]) -> bytes:
    body = json.dumps(payload, sort_keys=True).encode()
    return hmac.new(state().package_key, body, hashlib.sha256).digest() + body


@app_sdk.post("/sandbox/v1/meglive_data")
def meglive_data() -> Response:
    """What the MegLiveStill SDK hands the app at the end of a liveness flow (base64 here)."""
    try:
        wanted = _PackageRequest.model_validate(request.get_json(silent=True) or {})
    except ValueError:
        return error(400, "BAD_ARGUMENTS:body")
    if wanted.outcome not in APP_OUTCOMES:
        return error(400, "BAD_ARGUMENTS:outcome")
    return jsonify({"meglive_data": base64.b64encode(seal(wanted.model_dump())).decode()})


def _opened(package: bytes) -> dict[str, Any] | None:
    digest, body = package[:32], package[32:]
    if not hmac.compare_digest(digest, hmac.new(state().package_key, body, hashlib.sha256).digest()):
        return None
    opened: dict[str, Any] = json.loads(body)
    return opened


@app_sdk.post("/faceid/v3/sdk/verify")
def app_verify() -> Response:
    files = uploads()
    form = request.form.to_dict()
    oversized = too_large(files, total=MAX_REQUEST_BYTES)
    if oversized:
        return oversized
    # notes §4: this API answers CONCURRENCY_LIMIT_EXCEEDED with 429, where the others use 403
    refused = _check_sign(form) or injected("app_verify", key="error", concurrency_status=429)
    if refused:
        return refused
    biz_token = form.get("biz_token")
    if not biz_token:
        return _signed_error(400, "MISSING_ARGUMENTS:biz_token")
    with state().lock:
        state().token_uses[biz_token] += 1
        session = state().biz_tokens.get(biz_token)
        denied = (
            session is None
            or session["used"]
            or session["expires"] < state().now()
            or session["region"] != region()  # another region's key made it
        )
        if session is not None:
            session["used"] = True
    response: dict[str, Any] = {"request_id": request_id(), "time_used": 120}
    if denied:
        return jsonify(response | {"result_code": 4200, "result_message": "BIZ_TOKEN_DENIED"})
    assert session is not None
    options = session["options"]
    response["biz_no"] = options.get("biz_no")
    package = files.get("meglive_data")
    if package is None:
        if options["liveness_type"] != "raw_image":
            return _signed_error(400, "MISSING_ARGUMENTS:meglive_data")
        opened: dict[str, Any] | None = {"biz_token": biz_token, "outcome": "pass"}
    else:
        opened = _opened(package)
    if opened is None:
        return _signed_error(400, "MEGLIVE_DATA_ERROR")
    if opened["biz_token"] != biz_token:
        return _signed_error(400, "MEGLIVE_DATA_BIZ_TOKEN_NOT_MATCH")
    code, message = APP_OUTCOMES[opened["outcome"]]
    response |= {"result_code": code, "result_message": message}
    if options.get("verbose", "1") == "1" and code in (1000, 2000):
        confidence = 30.0 if code == 2000 else 88.5
        verification = {ref: comparison(confidence) for ref in session["references"]}
        if options["comparison_type"] == "1":
            verification["idcard"] = comparison(confidence)
        response["verification"] = verification
    if code // 100 != 42:
        attack = code == 4100 and message == "FAIL_LIVING_FACE_ATTACK"
        response["attack_result"] = {"score": 0.93 if attack else 0.05, "threshold": 0.5, "result": attack}
    return jsonify(response)
