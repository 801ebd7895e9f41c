"""The HTTP API's contract that no channel owns: the error body, the verification as clients read
it, and what every channel's requests share. Each channel's own request and answer models are in
its package (channels/<channel>/api.py).

Handlers take the request models (`api.request_body`) and return the answer models; api/openapi.json
is generated from them through the handlers' own resolvers (`python -m infra.openapi`). Request
models extend FaceID's parameter models (each channel's contract.py) with ours, and keep FaceID's
error form: a bad field answers 400 `BAD_ARGUMENTS:<field>`, a missing one `MISSING_ARGUMENTS:<field>`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict

from faceid_bridge.domain.biz_no import reserved
from faceid_bridge.domain.decision import ComparisonSummary, Decision, LivenessSummary
from faceid_bridge.domain.lifecycle import Status
from faceid_bridge.domain.verification import Channel, Verification
from faceid_bridge.faceid.common import BizNo, FarLevel, bad

ANSWER = ConfigDict(frozen=True, defer_build=True)


def _customer_biz_no(value: str) -> str:
    if reserved(value):
        raise bad("biz_no")  # `~` marks the biz_nos derived for retries (domain/biz_no.py)
    return value


CustomerBizNo = Annotated[BizNo, AfterValidator(_customer_biz_no)]


# --- answers -------------------------------------------------------------------------------------


class ErrorBody(BaseModel):
    """Every error answer: FaceID's error form (`MISSING_ARGUMENTS:<key>`, `BAD_ARGUMENTS:<key>`,
    `NOT_FOUND:<key>`, `CONFLICT:biz_no`...) and API Gateway's request id."""

    model_config = ANSWER

    error_message: str
    request_id: str


class OfVerification(BaseModel):
    """An answer made of a verification's fields of the same names."""

    model_config = ANSWER

    @classmethod
    def of(cls, verification: Verification) -> Self:
        return cls.model_validate(verification.model_dump(include=set(cls.model_fields)))


class VerificationView(OfVerification):
    """What a client may read of a verification. Never FaceID's token or our request hash.
    Once redacted (`redacted_at` set), `reasons`, `liveness` and `comparison` read empty: its
    personal data is gone (docs/decisions.md §15)."""

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
    redacted_at: datetime | None = None
