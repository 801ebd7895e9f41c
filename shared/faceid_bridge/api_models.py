"""The HTTP API's contract: a model for every route's request and answer, and the error body.

Handlers take the request models (`api.request_body`) and return the answer models; api/openapi.json
is generated from them through the handlers' own resolvers (`python -m infra.openapi`). Request
models extend FaceID's parameter models (faceid/) with ours, and keep FaceID's error
form: a bad field answers 400 `BAD_ARGUMENTS:<field>`, a missing one `MISSING_ARGUMENTS:<field>`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from faceid_bridge.domain.biz_no import reserved
from faceid_bridge.domain.decision import ComparisonSummary, Decision, LivenessSummary
from faceid_bridge.domain.lifecycle import Status
from faceid_bridge.domain.verification import Channel, Verification
from faceid_bridge.faceid.app import GetBizTokenOptions
from faceid_bridge.faceid.common import BizNo, FarLevel, HttpUrl, bad, base64_bytes
from faceid_bridge.faceid.lite import GetTokenOptions
from faceid_bridge.faceid.raw import RawVerifyOptions

ANSWER = ConfigDict(frozen=True, defer_build=True)


def _customer_biz_no(value: str) -> str:
    if reserved(value):
        raise bad("biz_no")  # `~` marks the biz_nos derived for retries (domain/biz_no.py)
    return value


CustomerBizNo = Annotated[BizNo, AfterValidator(_customer_biz_no)]

# --- requests ------------------------------------------------------------------------------------


class CreateVerificationRequest(GetTokenOptions):
    """POST /v1/verifications (H5 Lite): every get_token option of 000 under its own name, plus ours."""

    biz_no: CustomerBizNo
    redirect_url: HttpUrl | None = None
    far_level: FarLevel | None = None

    @model_validator(mode="after")
    def _no_unused_references(self) -> Self:
        # Photos FaceID would not compare are personal data we have no reason to send.
        if self.comparison_type == "-1" and self.reference_count:
            raise bad("image_ref1")
        return self


class AppVerificationRequest(GetBizTokenOptions):
    """POST /v1/app-verifications: every get_biz_token parameter of 003, plus ours. biz_no is
    required here: it is what makes creation idempotent."""

    biz_no: CustomerBizNo
    far_level: FarLevel | None = None


class RawVerificationRequest(RawVerifyOptions):
    """POST /v1/raw-verifications: every raw/verify parameter of 002, plus ours. biz_no is
    required here: it is what makes the call idempotent (FaceID's token works once)."""

    biz_no: CustomerBizNo
    far_level: FarLevel | None = None


def _package_bytes(value: Any) -> Any:
    """The SDK's package: bytes as a multipart file part, or base64 text in JSON (either alphabet,
    as images: `base64_bytes` says why)."""
    if isinstance(value, str):
        try:
            return base64_bytes(value)
        except ValueError:  # binascii.Error, or text that is not ASCII
            raise bad("meglive_data") from None
    return value


class AppVerifyRequest(BaseModel):
    """POST /v1/app-verifications/{verification_id}/verify: what the SDK produced, as base64 in JSON
    or as a multipart file part. Required unless the verification's liveness_type is raw_image."""

    model_config = ConfigDict(extra="ignore", ser_json_bytes="base64", defer_build=True)

    meglive_data: Annotated[bytes | None, BeforeValidator(_package_bytes), Field(description="The SDK's package")] = (
        None
    )


# --- answers -------------------------------------------------------------------------------------


class ErrorBody(BaseModel):
    """Every error answer: FaceID's error form (`MISSING_ARGUMENTS:<key>`, `BAD_ARGUMENTS:<key>`,
    `NOT_FOUND:<key>`, `CONFLICT:biz_no`...) and API Gateway's request id."""

    model_config = ANSWER

    error_message: str
    request_id: str


class _OfVerification(BaseModel):
    """An answer made of a verification's fields of the same names."""

    model_config = ANSWER

    @classmethod
    def of(cls, verification: Verification) -> Self:
        return cls.model_validate(verification.model_dump(include=set(cls.model_fields)))


class VerificationView(_OfVerification):
    """What a client may read of a verification. Never FaceID's token or our request hash."""

    verification_id: str
    biz_no: str
    biz_id: str
    channel: Channel
    status: Status
    decision: Decision | None = None
    reasons: list[str] = []
    liveness: LivenessSummary | None = None
    comparison: list[ComparisonSummary] = []
    far_level: FarLevel
    created_at: datetime
    updated_at: datetime
    expires_at: datetime


class H5LiteCreated(_OfVerification):
    """An H5 Lite verification: send the user's browser to verification_url."""

    verification_id: str
    biz_id: str
    biz_no: str
    # Absent when the same request is replayed after the verification is over (the token is dropped).
    token: str | None
    verification_url: str | None
    expires_at: datetime


class AppCreated(BaseModel):
    """An App verification: give biz_token to the SDK on the phone (valid for one hour, used once)."""

    model_config = ANSWER

    verification_id: str
    biz_token: str | None  # absent when the request is replayed after the verification is over
    biz_no: str
    expires_at: datetime

    @classmethod
    def of(cls, verification: Verification) -> AppCreated:
        return cls(
            verification_id=verification.verification_id,
            biz_token=verification.token,
            biz_no=verification.biz_no,
            expires_at=verification.expires_at,
        )


class NotifyAnswer(BaseModel):
    """What FaceID gets for a notify it need not send again."""

    model_config = ANSWER

    result: Literal["OK"] = "OK"
