"""The sandbox's H5 Raw APIs.

| route                               | what                                                        |
| ----------------------------------- | ----------------------------------------------------------- |
| POST /faceid/lite/raw/validate_still| notes §5: the selfie video in, token_still out              |
| POST /sandbox/v1/raw_token          | automation: a token_still for a chosen outcome              |
| POST /faceid/lite/raw/verify        | 002: every parameter rule, liveness and comparison results  |
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, Response, jsonify, request

from faceid_bridge.channels.h5_raw.contract import RawVerifyOptions
from faceid_bridge.faceid.common import MAX_IMAGE_BYTES, ContractError, parse
from infra.sandbox.app_sdk import BIZ_TOKEN_TTL_SECONDS, MAX_REQUEST_BYTES
from infra.sandbox.faces import check_references
from infra.sandbox.http import authenticate, error, injected, region, request_id, state, too_large, uploads
from infra.sandbox.outcomes import comparison

RAW_PROCEDURE_FAILURES = (
    "VIDEO_SR_ERROR",
    "VIDEO_NOT_SYNCHRONIZED",
    "VIDEO_FACE_INCONSISTENT",
    "SELFIE_INCONSISTENT",
    "SELFIE_METADATA_INCONSISTENT",
)
RAW_SPOOFS = ("MASK", "SCREEN_REPLAY", "FACEGEN")
RAW_OUTCOMES = ("pass", "mismatch", *(o.lower() for o in RAW_PROCEDURE_FAILURES), *(o.lower() for o in RAW_SPOOFS))

h5_raw = Blueprint("h5_raw", __name__)


def _raw_token(outcome: str) -> str:
    token, sandbox = uuid.uuid4().hex, state()
    with sandbox.lock:
        sandbox.raw_tokens[token] = {
            "outcome": outcome,
            "expires": sandbox.now() + BIZ_TOKEN_TTL_SECONDS,
            "used": False,
            "region": region(),
        }
    return token


@h5_raw.post("/faceid/lite/raw/validate_still")
def validate_still() -> Response:
    """The selfie video in, token_still out (notes §5). The sandbox cannot judge a video: a valid
    upload passes; /sandbox/v1/raw_token gives a token for any other outcome."""
    files = uploads()
    refused = too_large(files, total=MAX_REQUEST_BYTES) or authenticate(request.form.to_dict())
    if refused:
        return refused
    if not state().permissions["passive_liveness"]:  # notes §5: the key needs passive-liveness permission
        return error(403, "AUTHORIZATION_ERROR:Denied", key="error")
    if not files.get("video"):
        return error(400, "MISSING_ARGUMENTS:video")
    return jsonify({"request_id": request_id(), "time_used": 800, "token_still": _raw_token("pass")})


@h5_raw.post("/sandbox/v1/raw_token")
def raw_token() -> Response:
    outcome = str((request.get_json(silent=True) or {}).get("outcome", "pass"))
    if outcome not in RAW_OUTCOMES:
        return error(400, "BAD_ARGUMENTS:outcome")
    return jsonify({"token_still": _raw_token(outcome)})


@h5_raw.post("/faceid/lite/raw/verify")
def raw_verify() -> Response:
    files = uploads()
    form = request.form.to_dict()
    refused = too_large(files, per_file=MAX_IMAGE_BYTES) or authenticate(form) or injected("raw_verify")
    if refused:
        return refused
    if not state().permissions["face_comparison"]:  # 002: comparison_type 0 needs face comparison permission
        return error(403, "AUTHORIZATION_ERROR:Denied", key="error")
    base: dict[str, Any] = {"request_id": request_id(), "time_used": 1943}
    if form.get("biz_no"):
        base["biz_no"] = form["biz_no"]  # 002: echoed whether the request fails or not
    try:
        options = parse(RawVerifyOptions, {k: v for k, v in form.items() if k not in ("api_key", "api_secret")} | files)
    except ContractError as exc:
        return error(400, exc.message, extra=base)
    image_error = check_references(
        options.files(),
        multi_oriented=options.multi_oriented_detection == "1",
        fail_when_multiple=options.fail_when_ref_multiple_faces != "0",
        names=("image_ref1", "image_ref2", "image_ref3"),
        face_errors_name_the_image=True,
    )
    if image_error:
        return error(400, image_error, extra=base)
    with state().lock:
        state().token_uses[options.token] += 1
        token = state().raw_tokens.get(options.token)
        if token is None or token["used"] or token["expires"] < state().now() or token["region"] != region():
            return error(400, "INVALID_TOKEN", extra=base)
        token["used"] = True
    outcome = token["outcome"].upper()
    if outcome in RAW_PROCEDURE_FAILURES:  # 002: no genuineness and no comparison then
        return jsonify(base | {"liveness": {"procedure_validation": outcome}})
    liveness = {"procedure_validation": "PASSED", "face_genuineness": outcome if outcome in RAW_SPOOFS else "PASSED"}
    confidence = 30.0 if outcome == "MISMATCH" else 88.5
    refs = {f"result_ref{i}": comparison(confidence) for i in range(1, options.reference_count + 1)}
    return jsonify(base | {"liveness": liveness} | refs)
