"""The sandbox's App (SDK) and H5 Raw APIs.

| route                               | what                                                        |
| ----------------------------------- | ----------------------------------------------------------- |
| POST /faceid/v3/sdk/get_biz_token   | 003: App-Authentication sign, every parameter rule, images  |
| POST /faceid/v3/sdk/verify          | notes §4: meglive_data in, result_code out                  |
| POST /sandbox/v1/meglive_data       | automation: the package the SDK on the phone would produce  |
| POST /faceid/lite/raw/validate_still| notes §5: the selfie video in, token_still out              |
| POST /sandbox/v1/raw_token          | automation: a token_still for a chosen outcome              |
| POST /faceid/lite/raw/verify        | 002: every parameter rule, liveness and comparison results  |
| PUT  /sandbox/v1/permissions        | the account's KYC (data source) permission                  |
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from typing import Any

from flask import Response, jsonify, request
from pydantic import BaseModel, ConfigDict

from faceid_bridge.errors import ArgumentError
from faceid_bridge.faceid.contract import (
    APP_SIGN_VERSION,
    MAX_IMAGE_BYTES,
    GetBizTokenOptions,
    RawVerifyOptions,
    check_app_sign,
    parse,
)
from infra.sandbox.app import (
    API_KEY,
    API_SECRET,
    _authenticate,
    _error,
    _injected,
    _lock,
    _request_id,
    _too_large,
    _uploads,
    app,
    now,
)
from infra.sandbox.faces import check_references, face_quality
from infra.sandbox.outcomes import THRESHOLDS

BIZ_TOKEN_TTL_SECONDS = 3600  # 003: valid for one hour, usable once
MAX_REQUEST_BYTES = 20 * 1024 * 1024  # notes §4 and §5: whole request / video over 20 MB is a 413
_PACKAGE_KEY = secrets.token_bytes(32)  # seals the sandbox's meglive_data: any change breaks it
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
RAW_PROCEDURE_FAILURES = (
    "VIDEO_SR_ERROR",
    "VIDEO_NOT_SYNCHRONIZED",
    "VIDEO_FACE_INCONSISTENT",
    "SELFIE_INCONSISTENT",
    "SELFIE_METADATA_INCONSISTENT",
)
RAW_SPOOFS = ("MASK", "SCREEN_REPLAY", "FACEGEN")
RAW_OUTCOMES = ("pass", "mismatch", *(o.lower() for o in RAW_PROCEDURE_FAILURES), *(o.lower() for o in RAW_SPOOFS))

_biz_tokens: dict[str, dict[str, Any]] = {}
_raw_tokens: dict[str, dict[str, Any]] = {}
_used_one_time_signs: set[str] = set()
# What the account may do: KYC against the data source (003), face comparison and passive liveness (002, notes §5)
_PERMISSIONS = {"data_source": True, "face_comparison": True, "passive_liveness": True}
_permissions = dict(_PERMISSIONS)


def reset() -> None:
    with _lock:
        _biz_tokens.clear()
        _raw_tokens.clear()
        _used_one_time_signs.clear()
        _permissions.update(_PERMISSIONS)


def _signed_error(status: int, message: str) -> Response:
    # The App APIs answer {"error": ...}, and 003 writes "BAD_ARGUMENTS: <key>" with a space.
    for code in ("MISSING_ARGUMENTS:", "BAD_ARGUMENTS:"):
        if message.startswith(code):
            message = f"{code} {message.removeprefix(code)}"
    return _error(status, message, key="error")


def _check_sign(form: dict[str, str]) -> Response | None:
    for key in ("sign", "sign_version"):
        if not form.get(key):
            return _signed_error(400, f"MISSING_ARGUMENTS:{key}")
    if form["sign_version"] != APP_SIGN_VERSION:
        return _signed_error(400, "BAD_ARGUMENTS:sign_version")
    checked = check_app_sign(form["sign"], {API_KEY: API_SECRET}.get, int(now()))
    if isinstance(checked, str):
        return _signed_error(403, f"AUTHORIZATION_ERROR:{checked}")
    _, raw, expire_time = checked
    if expire_time == 0:  # a one-time sign serves one request
        with _lock:
            if raw in _used_one_time_signs:
                return _signed_error(403, "AUTHORIZATION_ERROR:INVALID_SIGN")
            _used_one_time_signs.add(raw)
    return None


@app.put("/sandbox/v1/permissions")
def permissions() -> Response:
    wanted = request.get_json(silent=True) or {}
    _permissions.update({name: bool(wanted[name]) for name in _PERMISSIONS if name in wanted})
    return jsonify(_permissions)


@app.post("/faceid/v3/sdk/get_biz_token")
def get_biz_token() -> Response:
    files = _uploads()
    form = request.form.to_dict()
    refused = (
        _too_large(files, per_file=MAX_IMAGE_BYTES, total=MAX_REQUEST_BYTES)
        or _check_sign(form)
        or _injected("get_biz_token", key="error")
    )
    if refused:
        return refused
    try:
        options = parse(
            GetBizTokenOptions, {k: v for k, v in form.items() if k not in ("sign", "sign_version")} | files
        )
    except ArgumentError as exc:
        return _signed_error(400, exc.message)
    if options.comparison_type == "1" and not _permissions["data_source"]:
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
    biz_token = f"{int(now())},{uuid.uuid4()}"
    with _lock:
        _biz_tokens[biz_token] = {
            "options": options.model_dump(
                mode="json", exclude_none=True, exclude={"image_ref1", "image_ref2", "image"}
            ),
            "references": [ref for ref in ("ref1", "ref2") if getattr(options, f"image_{ref}") is not None],
            "expires": now() + BIZ_TOKEN_TTL_SECONDS,
            "used": False,
        }
    return jsonify({"biz_token": biz_token, "time_used": 18, "request_id": _request_id()})


class _PackageRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    biz_token: str
    outcome: str = "pass"


def seal(payload: dict[str, Any]) -> bytes:
    body = json.dumps(payload, sort_keys=True).encode()
    return hmac.new(_PACKAGE_KEY, body, hashlib.sha256).digest() + body


@app.post("/sandbox/v1/meglive_data")
def meglive_data() -> Response:
    """What the MegLiveStill SDK hands the app at the end of a liveness flow (base64 here)."""
    try:
        wanted = _PackageRequest.model_validate(request.get_json(silent=True) or {})
    except ValueError:
        return _error(400, "BAD_ARGUMENTS:body")
    if wanted.outcome not in APP_OUTCOMES:
        return _error(400, "BAD_ARGUMENTS:outcome")
    return jsonify({"meglive_data": base64.b64encode(seal(wanted.model_dump())).decode()})


def _opened(package: bytes) -> dict[str, Any] | None:
    digest, body = package[:32], package[32:]
    if not hmac.compare_digest(digest, hmac.new(_PACKAGE_KEY, body, hashlib.sha256).digest()):
        return None
    opened: dict[str, Any] = json.loads(body)
    return opened


def _comparison(confidence: float) -> dict[str, Any]:
    return {"confidence": confidence, "thresholds": {key: value + 1.0 for key, value in THRESHOLDS.items()}}


@app.post("/faceid/v3/sdk/verify")
def app_verify() -> Response:
    files = _uploads()
    form = request.form.to_dict()
    too_large = _too_large(files, total=MAX_REQUEST_BYTES)
    if too_large:
        return too_large
    # notes §4: this API answers CONCURRENCY_LIMIT_EXCEEDED with 429, where the others use 403
    refused = _check_sign(form) or _injected("app_verify", key="error", concurrency_status=429)
    if refused:
        return refused
    biz_token = form.get("biz_token")
    if not biz_token:
        return _signed_error(400, "MISSING_ARGUMENTS:biz_token")
    with _lock:
        session = _biz_tokens.get(biz_token)
        denied = session is None or session["used"] or session["expires"] < now()
        if session is not None:
            session["used"] = True
    response: dict[str, Any] = {"request_id": _request_id(), "time_used": 120}
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
        verification = {ref: _comparison(confidence) for ref in session["references"]}
        if options["comparison_type"] == "1":
            verification["idcard"] = _comparison(confidence)
        response["verification"] = verification
    if code // 100 != 42:
        attack = code == 4100 and message == "FAIL_LIVING_FACE_ATTACK"
        response["attack_result"] = {"score": 0.93 if attack else 0.05, "threshold": 0.5, "result": attack}
    return jsonify(response)


def _raw_token(outcome: str) -> str:
    token = uuid.uuid4().hex
    with _lock:
        _raw_tokens[token] = {"outcome": outcome, "expires": now() + BIZ_TOKEN_TTL_SECONDS, "used": False}
    return token


@app.post("/faceid/lite/raw/validate_still")
def validate_still() -> Response:
    """The selfie video in, token_still out (notes §5). The sandbox cannot judge a video: a valid
    upload passes; /sandbox/v1/raw_token gives a token for any other outcome."""
    files = _uploads()
    refused = _too_large(files, total=MAX_REQUEST_BYTES) or _authenticate(request.form.to_dict())
    if refused:
        return refused
    if not _permissions["passive_liveness"]:  # notes §5: the key needs passive-liveness permission
        return _error(403, "AUTHORIZATION_ERROR:Denied", key="error")
    if not files.get("video"):
        return _error(400, "MISSING_ARGUMENTS:video")
    return jsonify({"request_id": _request_id(), "time_used": 800, "token_still": _raw_token("pass")})


@app.post("/sandbox/v1/raw_token")
def raw_token() -> Response:
    outcome = str((request.get_json(silent=True) or {}).get("outcome", "pass"))
    if outcome not in RAW_OUTCOMES:
        return _error(400, "BAD_ARGUMENTS:outcome")
    return jsonify({"token_still": _raw_token(outcome)})


@app.post("/faceid/lite/raw/verify")
def raw_verify() -> Response:
    files = _uploads()
    form = request.form.to_dict()
    refused = _too_large(files, per_file=MAX_IMAGE_BYTES) or _authenticate(form) or _injected("raw_verify")
    if refused:
        return refused
    if not _permissions["face_comparison"]:  # 002: comparison_type 0 needs face comparison permission
        return _error(403, "AUTHORIZATION_ERROR:Denied", key="error")
    base: dict[str, Any] = {"request_id": _request_id(), "time_used": 1943}
    if form.get("biz_no"):
        base["biz_no"] = form["biz_no"]  # 002: echoed whether the request fails or not
    try:
        options = parse(RawVerifyOptions, {k: v for k, v in form.items() if k not in ("api_key", "api_secret")} | files)
    except ArgumentError as exc:
        return _error(400, exc.message, extra=base)
    image_error = check_references(
        options.files(),
        multi_oriented=options.multi_oriented_detection == "1",
        fail_when_multiple=options.fail_when_ref_multiple_faces != "0",
        names=("image_ref1", "image_ref2", "image_ref3"),
        face_errors_name_the_image=True,
    )
    if image_error:
        return _error(400, image_error, extra=base)
    with _lock:
        token = _raw_tokens.get(options.token)
        if token is None or token["used"] or token["expires"] < now():
            return _error(400, "INVALID_TOKEN", extra=base)
        token["used"] = True
    outcome = token["outcome"].upper()
    if outcome in RAW_PROCEDURE_FAILURES:  # 002: no genuineness and no comparison then
        return jsonify(base | {"liveness": {"procedure_validation": outcome}})
    liveness = {"procedure_validation": "PASSED", "face_genuineness": outcome if outcome in RAW_SPOOFS else "PASSED"}
    confidence = 30.0 if outcome == "MISMATCH" else 88.5
    refs = {f"result_ref{i}": _comparison(confidence) for i in range(1, options.reference_count + 1)}
    return jsonify(base | {"liveness": liveness} | refs)
