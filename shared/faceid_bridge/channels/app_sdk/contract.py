"""App SDK: v3 get_biz_token (003), v3 verify (notes §4), and the App-Authentication sign the
client makes (notes §3): their models and their calls."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

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

LivenessType = Literal["meglive", "still", "flash", "raw_image"]
_PER_LIVENESS_TYPE = {
    "liveness_action_count": ("meglive",),
    "face_replace_detection": ("meglive",),
    "eyes_close_detection": ("still", "flash"),
    "flash_liveness_timeout": ("flash",),
    "image": ("raw_image",),
    "fail_when_multiple_faces": ("raw_image",),
    "face_quality_threshold": ("raw_image",),
    "return_faces": ("raw_image",),
}


class GetBizTokenOptions(FormParameters):
    """The parameters of v3 get_biz_token that describe the verification (all but sign/sign_version),
    in the document's order."""

    model_config = ConfigDict(extra="forbid", frozen=True, ser_json_bytes="base64", defer_build=True)

    liveness_type: LivenessType
    comparison_type: Annotated[Literal["0", "1"], BeforeValidator(as_str)]
    idcard_name: NonEmpty | None = None
    idcard_number: Annotated[str, Field(pattern=r"^[0-9]{17}[0-9Xx]$")] | None = None
    uuid: Annotated[NonEmpty, max_bytes(128)] | None = None
    image_ref1: Image | None = None
    image_ref2: Image | None = None
    biz_no: Annotated[NonEmpty, max_bytes(128)] | None = None
    liveness_timeout: Annotated[int, Field(ge=5, le=60)] | None = None
    liveness_action_count: Annotated[int, Field(ge=1, le=3)] | None = None
    face_replace_detection: Flag | None = None
    eyes_close_detection: Flag | None = None
    flash_liveness_timeout: Annotated[int, Field(ge=60, le=180)] | None = None
    image: Image | None = None
    fail_when_multiple_faces: Flag | None = None
    face_quality_threshold: Annotated[int, Field(ge=0, le=100, strict=False)] | None = None
    return_faces: Flag | None = None
    verbose: Flag | None = None
    security_level: Annotated[Literal["1", "2", "3", "4"], BeforeValidator(as_str)] | None = None
    force_compare: Flag | None = None
    multi_oriented_detection: Flag | None = None
    liveness_level: Annotated[Literal["0", "1", "2"], BeforeValidator(as_str)] | None = None
    maximum_brightness: Flag | None = None
    get_liveness_video: Annotated[Literal["0", "1", "2", "3"], BeforeValidator(as_str)] | None = None
    device_risk: Flag | None = None
    multiple_faces_detection: Flag | None = None

    @model_validator(mode="after")
    def _combinations(self) -> GetBizTokenOptions:
        # Options of one liveness type ("four choose one" in 003) are refused with another.
        for name, types in _PER_LIVENESS_TYPE.items():
            if getattr(self, name) is not None and self.liveness_type not in types:
                raise bad(name)
        if self.liveness_type == "raw_image" and self.image is None:
            raise missing("image")
        if self.comparison_type == "1":  # KYC against the data source
            for key in ("idcard_name", "idcard_number"):
                if getattr(self, key) is None:
                    raise missing(key)
        else:  # face comparison with the customer's photos
            if self.uuid is None:
                raise missing("uuid")
            if self.image_ref1 is None:
                raise missing("image_ref1")
            for key in ("idcard_name", "idcard_number"):
                if getattr(self, key) is not None:
                    raise bad(key)
        if self.image_ref2 is not None and self.image_ref1 is None:
            raise missing("image_ref1")
        return self


class GetBizTokenResponse(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    request_id: str
    time_used: int = 0
    biz_token: str


class AttackResult(Lenient):
    score: Score
    threshold: Score
    result: bool


class AppVerification(Lenient):
    idcard: ComparisonResult | None = None
    ref1: ComparisonResult | None = None
    ref2: ComparisonResult | None = None


class AppVerifyResult(Lenient):
    """v3 sdk/verify's answer (notes §4)."""

    request_id: Text | None = None
    biz_no: Text | None = None
    result_code: int
    result_message: Text
    verification: AppVerification | None = None
    attack_result: AttackResult | None = None


# --- App-Authentication (notes §3) ---------------------------------------------------------------

APP_SIGN_VERSION = "hmac_sha1"


def app_sign(api_key: str, api_secret: str, *, expire_time: int, current_time: int, random: str) -> str:
    """sign = Base64(HMAC-SHA1(api_secret, raw) || raw), raw = "a=<key>&b=<expire>&c=<now>&d=<random>".
    expire_time 0 makes a one-time sign; otherwise the sign is valid until expire_time."""
    raw = f"a={api_key}&b={expire_time}&c={current_time}&d={random}".encode()
    digest = hmac.new(api_secret.encode(), raw, hashlib.sha1).digest()
    return base64.b64encode(digest + raw).decode()


def app_authentication(api_key: str, api_secret: str, now: int, nonce: str) -> dict[str, str]:
    """The App APIs' authentication (notes §3): a sign valid for a minute rather than one-time, so
    that a retried request is not refused."""
    sign = app_sign(api_key, api_secret, expire_time=now + 60, current_time=now, random=nonce)
    return {"sign": sign, "sign_version": APP_SIGN_VERSION}


# --- the calls -------------------------------------------------------------------------------------

GET_BIZ_TOKEN = "/faceid/v3/sdk/get_biz_token"  # noqa: S105 - an API path, not a secret
VERIFY = "/faceid/v3/sdk/verify"


def get_biz_token_call(options: FormOptions) -> FaceIdCall[GetBizTokenResponse]:
    return FaceIdCall.of(GET_BIZ_TOKEN, GetBizTokenResponse, options, authenticate=app_authentication)


def verify_call(biz_token: str, meglive_data: bytes | None) -> FaceIdCall[AppVerifyResult]:
    """meglive_data is None only for liveness_type raw_image (notes §4: FaceID then compares the
    image sent at get_biz_token)."""
    files = {} if meglive_data is None else {"meglive_data": meglive_data}
    return FaceIdCall(VERIFY, AppVerifyResult, {"biz_token": biz_token}, files, authenticate=app_authentication)
