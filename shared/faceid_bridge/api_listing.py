"""The HTTP API's listing contract (GET /v1/verifications): its query and its page. Apart from
api_models, which every HTTP function imports, so that only the function that lists creates them
(and the listing's domain module) at cold start."""

from __future__ import annotations

from typing import Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from faceid_bridge.api_models import ANSWER, CustomerBizNo, VerificationView
from faceid_bridge.domain.lifecycle import Status
from faceid_bridge.domain.listing import DEFAULT_LIMIT, MAX_LIMIT
from faceid_bridge.domain.verification import Channel
from faceid_bridge.faceid.common import bad


class VerificationPage(BaseModel):
    """A page of verifications, oldest first, and the cursor of the next page (null: none)."""

    model_config = ANSWER

    verifications: list[VerificationView]
    next_cursor: str | None = None


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
