"""The App SDK's HTTP models: the create request and its answer, and the verify request."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from faceid_bridge.api_models import ANSWER, CustomerBizNo
from faceid_bridge.channels.app_sdk.contract import GetBizTokenOptions
from faceid_bridge.domain.verification import Verification
from faceid_bridge.faceid.common import FarLevel, bad, base64_bytes


class AppVerificationRequest(GetBizTokenOptions):
    """POST /v1/app-verifications: every get_biz_token parameter of 003, plus ours. biz_no is
    required here: it is what makes creation idempotent."""

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
