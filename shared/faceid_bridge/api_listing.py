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

    biz_no: CustomerBizNo | None = Field(
        None, description="your order's biz_no: its verification (alone; no other parameter)"
    )
    channel: Channel | None = Field(None, description="h5_lite, app or h5_raw: required without biz_no or cursor")
    status: Status | None = Field(
        None, description="only verifications in this status (CREATED, PROCESSING, OK, FAILED...)"
    )
    created_after: AwareDatetime | None = Field(
        None, description="ISO 8601 with offset, inclusive (default: created_before - 7 days)"
    )
    created_before: AwareDatetime | None = Field(
        None, description="ISO 8601 with offset, exclusive (default: now); a range is 31 days at most"
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="page size, 1 to 100 (default 20)")
    cursor: str | None = Field(
        None, min_length=1, max_length=1024, description="the last page's next_cursor: the next page of the same query"
    )

    @model_validator(mode="after")
    def _biz_no_alone(self) -> Self:
        if self.biz_no is not None:
            for key in ("channel", "status", "created_after", "created_before", "cursor"):
                if getattr(self, key) is not None:
                    raise bad(key)  # a biz_no names one verification: nothing to filter or page
        return self
