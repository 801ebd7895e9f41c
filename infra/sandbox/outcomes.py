"""What the sandbox's FaceID says at the end of a flow: the `data` of 001, built for a chosen outcome."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

OutcomeName = Literal[
    "pass",
    "mismatch",
    "liveness_fail",
    "spoof_synthetic_face",
    "spoof_mask",
    "spoof_screen_replay",
    "cancel",
    "timeout",
    "webrtc_unsupported",
    "failed",
    "processing",
    "data_source_error",
]
STATUS_OF = {
    "cancel": "CANCELLED",
    "timeout": "TIMEOUT",
    "webrtc_unsupported": "WEBRTC_UNSUPPORTED",
    "failed": "FAILED",
    "processing": "PROCESSING",
}
# Thresholds as FaceID returns them for each FAR level (example values from 001's shape).
THRESHOLDS = {"1e-3": 62.169, "1e-4": 69.315, "1e-5": 74.399, "1e-6": 78.038}


class Outcome(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: OutcomeName = "pass"
    confidence: float = Field(40.0, ge=0, le=100, description="Face comparison confidence for a mismatch.")
    fail_reason: Literal["NETWORK_ERROR", "PERMISSIONS_ERROR", "SUPPORT_ERROR"] = "SUPPORT_ERROR"


def lite_result(session: dict[str, Any], choice: Outcome) -> dict[str, Any]:
    """The callback `data` for a session (the get_token form) that ended with `choice`."""
    options = session["options"]
    status = STATUS_OF.get(choice.outcome, "OK")
    biz_info = {"biz_id": session["biz_id"], "biz_no": options["biz_no"]}
    if options.get("biz_extra_data") is not None:
        biz_info["biz_extra_data"] = options["biz_extra_data"]
    data: dict[str, Any] = {"status": status, "biz_info": biz_info}
    if status == "WEBRTC_UNSUPPORTED" and options.get("get_fail_reason") == "1":
        data["fail_reason"] = choice.fail_reason
    if options.get("get_shooting_error") == "1" and status in ("OK", "FAILED", "TIMEOUT"):
        data["shooting_error"] = choice.outcome == "timeout"
    if status not in ("OK", "FAILED"):
        return data  # no liveness result for a flow the user did not finish

    procedure = options.get("procedure_type") or "flash"
    spoof = choice.outcome.removeprefix("spoof_") if choice.outcome.startswith("spoof_") else None
    genuineness = {}
    for kind in ("synthetic_face", "mask", "screen_replay"):
        genuineness[f"{kind}_confidence"] = 0.93 if kind == spoof else 0.02
        genuineness[f"{kind}_threshold"] = 0.5
    details = (
        {"UPLOAD_TIMES": 1, "FACE_NOT_FOUND": 0, "LOW_FACE_QUALITY": 0}
        if procedure == "still"
        else {"FACE_NOT_FOUND": 0, "LOW_FACE_QUALITY": 0}
    )
    passed = choice.outcome not in ("liveness_fail", "failed")
    data["liveness_result"] = {
        "result": "PASS" if passed else "FAIL",
        "procedure_type": procedure,
        "details": details,
        "face_genuineness": genuineness,
    }
    if status == "OK" and options["comparison_type"] == "0":
        confidence = choice.confidence if choice.outcome == "mismatch" else 88.5
        verify: dict[str, Any] = {
            "error_message": "DATA_SOURCE_ERROR" if choice.outcome == "data_source_error" else None
        }
        for ref in session["references"]:
            verify[f"result_{ref}"] = {"confidence": confidence, "thresholds": THRESHOLDS}
        data["verify_result"] = verify
    if options.get("return_multifaces_tag") == "1":
        data["multifaces_tag"] = "0"
    return data


def comparison(confidence: float) -> dict[str, Any]:
    """One reference's comparison result, its thresholds a little above the product's."""
    return {"confidence": confidence, "thresholds": {key: value + 1.0 for key, value in THRESHOLDS.items()}}
