"""The verification record: what the store keeps and what every event is built from."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import ConfigDict

from faceid_bridge.domain.decision import Outcome
from faceid_bridge.domain.lifecycle import Status
from faceid_bridge.faceid.common import FarLevel


# The FaceID flows. A member is a channel's registration: its package is channels/<the member's name
# in lower case> (channels/__init__.py).
class Channel(StrEnum):
    H5_LITE = "h5_lite"
    H5_RAW = "h5_raw"
    APP_SDK = "app"  # the value events and stored items carry


def new_verification_id() -> str:
    """Opaque and URL-safe; 128 random bits so ids cannot be guessed or enumerated."""
    return "vrf_" + secrets.token_urlsafe(16)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Verification(Outcome):
    """A verification: its lifecycle fields are those of its latest Outcome (status, decision,
    reasons, liveness, comparison), CREATED until FaceID says otherwise."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    verification_id: str
    channel: Channel
    biz_no: str
    # FaceID's id for the flow, never a credential: biz_id (H5 Lite), raw/verify's request_id (H5
    # Raw), our own verification_id (App: FaceID's v3 API has no biz_id, and its biz_token is a live
    # credential).
    biz_id: str
    # The biz_no FaceID was sent, when it is not biz_no: a retry after an unknown outcome (see
    # services/creation.py) uses a fresh one, as FaceID refuses a biz_no it has seen.
    faceid_biz_no: str | None = None
    # The FaceID region (faceid/regions.py) whose host and key pair made the token or biz_id: later
    # calls (get_result, App verify) go there. None on one stored before regions were: its channel's.
    faceid_region: str | None = None
    # What the user's device needs: the do-page token, or the SDK's biz_token. Dropped once terminal.
    token: str | None = None
    # When the App's single-use biz_token was sent to FaceID's verify (services/single_use.py), and
    # how many sends FaceID refused outright, giving the token back.
    token_sent_at: datetime | None = None
    token_refusals: int = 0
    verification_url: str | None = None  # H5 Lite only
    liveness_type: str | None = None  # App only: raw_image verifies without meglive_data
    comparison_type: str
    references: int
    far_level: FarLevel
    redirect_url: str | None = None
    biz_extra_data: str | None = None
    request_hash: str  # the request's fingerprint (services/creation.py); empty once redacted
    created_at: datetime
    expires_at: datetime
    status: Status = Status.CREATED
    # `version` counts transitions: it guards conditional writes and names events.
    version: int = 1
    updated_at: datetime
    # The request (API Gateway's request id) that caused the last change: the creation, a callback,
    # a verify or a reconciler run. The publisher logs it beside each event's id.
    correlation_id: str | None = None
    # Reconciliation: when the reconciler should look (absent once terminal), and its get_result reads.
    due_at: int | None = None
    get_result_reads: int = 0
    first_result: str | None = None
    # When its personal data was removed (domain/changes.py redacted): set once, never cleared.
    redacted_at: datetime | None = None

    def advanced(self, outcome: Outcome, now: datetime, correlation_id: str | None = None) -> Verification:
        """This verification after `outcome`, one version later, caused by the request
        `correlation_id`. A terminal one is never due again."""
        update: dict[str, object] = {
            **dict(outcome),
            "version": self.version + 1,
            "updated_at": now,
            "correlation_id": correlation_id,
        }
        if outcome.status.terminal:
            update["due_at"] = None
        return self.model_copy(update=update)
