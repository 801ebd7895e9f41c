"""H5 Lite's HTTP models: the create request and its answer, and what FaceID's notify gets back."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel, model_validator

from faceid_bridge.api_models import ANSWER, CustomerBizNo, OfVerification
from faceid_bridge.channels.h5_lite.contract import GetTokenOptions
from faceid_bridge.faceid.common import FarLevel, HttpUrl, bad


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


class H5LiteCreated(OfVerification):
    """An H5 Lite verification: send the user's browser to verification_url."""

    verification_id: str
    biz_id: str
    biz_no: str
    # Absent when the same request is replayed after the verification is over (the token is dropped).
    token: str | None
    verification_url: str | None
    expires_at: datetime


class NotifyAnswer(BaseModel):
    """What FaceID gets for a notify it need not send again."""

    model_config = ANSWER

    result: Literal["OK"] = "OK"
