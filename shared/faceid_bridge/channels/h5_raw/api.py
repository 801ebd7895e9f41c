"""H5 Raw's HTTP model: the create request (its answer is the verification, api_models.VerificationView)."""

from __future__ import annotations

from faceid_bridge.api_models import CustomerBizNo
from faceid_bridge.channels.h5_raw.contract import RawVerifyOptions
from faceid_bridge.faceid.common import FarLevel


class RawVerificationRequest(RawVerifyOptions):
    """POST /v1/raw-verifications: every raw/verify parameter of 002, plus ours. biz_no is
    required here: it is what makes the call idempotent (FaceID's token works once)."""

    biz_no: CustomerBizNo
    far_level: FarLevel | None = None
