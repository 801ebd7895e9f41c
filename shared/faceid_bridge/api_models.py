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

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from faceid_bridge.domain.biz_no import reserved
from faceid_bridge.domain.decision import ComparisonSummary, Decision, LivenessSummary
from faceid_bridge.domain.lifecycle import Status
from faceid_bridge.domain.listing import DEFAULT_LIMIT, MAX_LIMIT
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


class VerificationPage(BaseModel):
    """A page of verifications, oldest first, and the cursor of the next page (null: none)."""

    model_config = ANSWER

    verifications: list[VerificationView]
    next_cursor: str | None = None


# --- requests ------------------------------------------------------------------------------------


class ListParameters(BaseModel):
    """GET /v1/verifications's query: `biz_no` alone, or `channel` (or a `cursor`) with the other
    filters. An unknown parameter is BAD_ARGUMENTS:<it>."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    biz_no: CustomerBizNo | None = None
    channel: Channel | None = None
    status: Status | None = None
    created_after: AwareDatetime | None = None
    created_before: AwareDatetime | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, min_length=1, max_length=1024)

    @model_validator(mode="after")
    def _biz_no_alone(self) -> Self:
        if self.biz_no is not None:
            for key in ("channel", "status", "created_after", "created_before", "cursor"):
                if getattr(self, key) is not None:
                    raise bad(key)  # a biz_no names one verification: nothing to filter or page
        return self
