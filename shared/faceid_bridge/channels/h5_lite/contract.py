"""H5 Lite: get_token (000), the do page (notes §1), the callbacks' `data` and its sign (001),
get_result (notes §2): their models and their calls."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from faceid_bridge.channels.h5_lite.paths import DO, GET_RESULT, GET_TOKEN
from faceid_bridge.faceid.calls import FaceIdCall, FormOptions
from faceid_bridge.faceid.common import (
    ComparisonResult,
    Flag,
    FormParameters,
    Image,
    Lenient,
    NonEmpty,
    Score,
    Text,
    as_str,
    bad,
    max_bytes,
    missing,
)

LITE_STATUSES = ("NOT_STARTED", "PROCESSING", "WEBRTC_UNSUPPORTED", "OK", "FAILED", "CANCELLED", "TIMEOUT")
LiteStatus = Literal["NOT_STARTED", "PROCESSING", "WEBRTC_UNSUPPORTED", "OK", "FAILED", "CANCELLED", "TIMEOUT"]
SPOOF_KINDS = ("synthetic_face", "mask", "screen_replay")


# --- lite/get_token (000) ----------------------------------------------------------------------


class GetTokenOptions(FormParameters):
    """The parameters of lite/get_token that describe the verification (everything but credentials
    and callback URLs), in the document's order so the first error reported is the first in the doc."""

    model_config = ConfigDict(extra="forbid", frozen=True, ser_json_bytes="base64", defer_build=True)

    biz_no: Annotated[NonEmpty, max_bytes(128)]
    biz_extra_data: Annotated[str, max_bytes(4096)] | None = None
    scene_id: NonEmpty | None = None
    language: Annotated[Literal["0", "1", "2", "3", "4", "5", "6"], BeforeValidator(as_str)] | None = None
    procedure_type: Literal["flash", "still"] | None = None
    procedure_priority: Literal["still", "keep"] | None = None
    get_shooting_error: Flag | None = None
    maximum_shooting_time: Annotated[int, Field(ge=2, le=60)] | None = None
    comparison_type: Annotated[Literal["0", "-1"], BeforeValidator(as_str)]
    uuid: Annotated[NonEmpty, max_bytes(512)]
    image_ref1: Image | None = None
    image_ref2: Image | None = None
    multi_oriented_detection: Flag | None = None
    fail_when_ref_multiple_faces: Flag | None = None
    return_multifaces_tag: Flag | None = None
    fmp_mode: Flag | None = None
    get_fail_reason: Flag | None = None
    face_occlusion_detection: Flag | None = None
    eye_close_detection: Flag | None = None
    action_http_method: Literal["GET", "POST"] | None = None
    redirect_type: Flag | None = None

    @model_validator(mode="after")
    def _combinations(self) -> GetTokenOptions:
        # procedure_priority only chooses flash's fallback; the doc gives it no meaning for still.
        if self.procedure_priority is not None and self.procedure_type == "still":
            raise bad("procedure_priority")
        if self.comparison_type == "0" and self.image_ref1 is None:
            raise missing("image_ref1")
        if self.image_ref2 is not None and self.image_ref1 is None:
            raise missing("image_ref1")
        return self


class GetTokenResponse(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    request_id: str
    time_used: int = 0
    token: str
    biz_id: str
    expired_time: int


# --- callbacks and get_result (001, notes §2) --------------------------------------------------


class FaceGenuineness(Lenient):
    synthetic_face_confidence: Score
    synthetic_face_threshold: Score
    mask_confidence: Score
    mask_threshold: Score
    screen_replay_confidence: Score
    screen_replay_threshold: Score


class LivenessResult(Lenient):
    result: Literal["PASS", "FAIL"]
    procedure_type: Text | None = None
    details: dict[str, Any] | None = None  # counters today; whatever FaceID puts there tomorrow
    face_genuineness: FaceGenuineness | None = None


class VerifyResult(Lenient):
    error_message: Text | None = None
    result_ref1: ComparisonResult | None = None
    result_ref2: ComparisonResult | None = None
    verify_time: float | None = None

    def refs(self) -> dict[str, ComparisonResult]:
        return {name: ref for name, ref in (("ref1", self.result_ref1), ("ref2", self.result_ref2)) if ref}


class BizInfo(Lenient):
    biz_id: Annotated[Text, Field(min_length=1)]
    biz_no: Text | None = None
    biz_extra_data: Text | None = None


class LiteResult(Lenient):
    """The `data` JSON of notify/return, and the body of get_result."""

    status: LiteStatus
    fail_reason: Text | None = None
    shooting_error: bool | None = None
    biz_info: BizInfo
    liveness_result: LivenessResult | None = None
    verify_result: VerifyResult | None = None
    multifaces_tag: Text | None = None


# --- the callbacks' sign (001) ---------------------------------------------------------------------


def lite_sign(api_secret: str, data: str) -> str:
    """sign = sha1(API_SECRET + json_data), lowercase hex (001)."""
    # SHA-1 is FaceID's choice, not ours; the comparison below is what we control.
    return hashlib.sha1((api_secret + data).encode("utf-8")).hexdigest()  # noqa: S324


def lite_sign_valid(secrets: Iterable[str], data: str, sign: str) -> bool:
    """Constant-time check of `sign` against every accepted secret (current, and previous during rotation)."""
    provided = sign.strip().lower().encode("ascii", "replace")
    valid = False
    for secret in secrets:
        # No early exit: every secret is tried so timing does not tell which one matched.
        valid |= hmac.compare_digest(lite_sign(secret, data).encode("ascii"), provided)
    return valid


# --- the calls -------------------------------------------------------------------------------------


def get_token_call(options: FormOptions, *, return_url: str, notify_url: str) -> FaceIdCall[GetTokenResponse]:
    return FaceIdCall.of(GET_TOKEN, GetTokenResponse, options, return_url=return_url, notify_url=notify_url)


def get_result_call(biz_id: str) -> FaceIdCall[LiteResult]:
    """A GET with a query string, as documented (notes §2): it carries api_secret, which is why the
    adapter never lets a URL out. Each call is one of the three reads FaceID allows."""
    return FaceIdCall(GET_RESULT, LiteResult, {"biz_id": biz_id}, method="GET")


def do_url(endpoint: str, token: str) -> str:
    """Where the user's browser goes for the liveness flow (notes §1), on the host that made the token."""
    return f"{endpoint}{DO}?{urlencode({'token': token})}"
