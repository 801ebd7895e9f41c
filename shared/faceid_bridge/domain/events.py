"""Event contract v1: the normalized events on the bus. These models are the source of truth;
`make schemas` writes their JSON Schemas into events/schemas, and a test fails when the two drift.

Never images, never secrets, never FaceID tokens: only what a downstream service needs to act.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from faceid_bridge.domain.decision import ComparisonSummary, Decision, LivenessSummary
from faceid_bridge.domain.lifecycle import Status
from faceid_bridge.domain.verification import Channel, Verification

SCHEMA_VERSION: Literal["1.0"] = "1.0"
# Fixed namespace: event ids are uuid5(verification_id, version), so a redelivery carries the same id.
_EVENT_NAMESPACE = uuid.UUID("6f1c8a52-5b0e-4a8e-9d1e-2f3c4b5a6d7e")


class VerificationDetail(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal["1.0"] = SCHEMA_VERSION
    event_id: str = Field(description="Stable across redeliveries: deduplicate on it.")
    verification_id: str
    biz_id: str
    biz_no: str
    channel: Channel
    status: Status
    decision: str | None
    reasons: list[str] = Field(description="Machine-readable, e.g. LIVENESS_FAILED, SPOOF_MASK, FACE_MISMATCH_REF1.")
    liveness: LivenessSummary | None
    comparison: list[ComparisonSummary]
    biz_extra_data: str | None
    occurred_at: datetime


class VerificationCreated(VerificationDetail):
    status: Literal[Status.CREATED]
    decision: None = None


class VerificationApproved(VerificationDetail):
    status: Literal[Status.OK]
    decision: Literal["APPROVED"]


class VerificationRejected(VerificationDetail):
    status: Literal[Status.OK]
    decision: Literal["REJECTED"]


class VerificationAbandoned(VerificationDetail):
    status: Literal[Status.CANCELLED, Status.TIMEOUT, Status.EXPIRED]
    decision: Literal["ABANDONED"]


class VerificationErrored(VerificationDetail):
    status: Literal[Status.FAILED, Status.WEBRTC_UNSUPPORTED, Status.OK]
    decision: Literal["ERRORED"]


class VerificationCancelled(VerificationDetail):
    status: Literal[Status.CANCELLED]
    decision: Literal["CANCELLED"]


class VerificationRedacted(VerificationDetail):
    """Its personal data is gone: the detail carries only the ids, the channel, the status and the
    decision it kept; what was removed is empty here too (domain/changes.py)."""

    decision: str | None
    reasons: list[str] = Field(max_length=0)
    liveness: None = None
    comparison: list[ComparisonSummary] = Field(max_length=0)
    biz_extra_data: None = None
    redacted_at: datetime


@dataclass(frozen=True)
class EventType:
    """One detail-type: the decision that produces it (None: the creation, or a redaction), its
    model, and what events/README.md says of it (generated from this table by `make schemas`)."""

    decision: Decision | None
    detail_type: str
    model: type[VerificationDetail]
    meaning: str
    produced_by: str
    redaction: bool = False  # announced by the version a redaction wrote, whatever the decision


# The one table of the events we publish: a Decision without its entry fails
# tests/unit/generated/test_event_contract.py.
EVENT_TYPES = (
    EventType(
        None,
        "Verification Created",
        VerificationCreated,
        "A verification was started: FaceID issued its token (H5 Lite, App SDK) or took its selfie (H5 Raw).",
        "POST /v1/verifications, POST /v1/app-verifications, POST /v1/raw-verifications",
    ),
    EventType(
        Decision.APPROVED,
        "Verification Approved",
        VerificationApproved,
        "The person passed liveness, and every reference photo matched at the verification's FAR level.",
        "FaceID's notify or return (H5 Lite), the reconciler's get_result, App verify, H5 Raw create",
    ),
    EventType(
        Decision.REJECTED,
        "Verification Rejected",
        VerificationRejected,
        "The flow ended and was judged, and a check failed: `reasons` says which.",
        "FaceID's notify or return (H5 Lite), the reconciler's get_result, App verify, H5 Raw create",
    ),
    EventType(
        Decision.ABANDONED,
        "Verification Abandoned",
        VerificationAbandoned,
        "The person cancelled, timed out or never finished before the token expired: no verdict.",
        "FaceID's notify or return (H5 Lite), App verify, the reconciler (EXPIRED)",
    ),
    EventType(
        Decision.ERRORED,
        "Verification Errored",
        VerificationErrored,
        "The flow failed for a reason that is not the person's (a provider error, an unknown outcome).",
        "FaceID's notify or return (H5 Lite), the reconciler, App verify, H5 Raw create",
    ),
    EventType(
        Decision.CANCELLED,
        "Verification Cancelled",
        VerificationCancelled,
        "The customer cancelled it before it ended (reason CANCELLED_BY_CUSTOMER); FaceID's later results"
        " change nothing.",
        "POST /v1/verifications/{verification_id}/cancel, and .../redact of one still in flight",
    ),
    EventType(
        None,
        "Verification Redacted",
        VerificationRedacted,
        "Its personal data was erased; it keeps its ids, channel, status and decision. Erase your own copies.",
        "POST /v1/verifications/{verification_id}/redact",
        redaction=True,
    ),
)
DETAIL_TYPES: dict[str, type[VerificationDetail]] = {kind.detail_type: kind.model for kind in EVENT_TYPES}
_BY_DECISION: dict[str | None, type[VerificationDetail]] = {
    (kind.decision.value if kind.decision else None): kind.model for kind in EVENT_TYPES if not kind.redaction
}
REDACTED = next(kind for kind in EVENT_TYPES if kind.redaction)


_ANNOUNCED = tuple(kind for kind in EVENT_TYPES if not kind.redaction)


def event_id(verification_id: str, version: int) -> str:
    return str(uuid.uuid5(_EVENT_NAMESPACE, f"{verification_id}#{version}"))


def detail_type_of(verification: Verification) -> str | None:
    """The event a verification in this state announces. PROCESSING announces nothing."""
    if verification.redacted_at is not None:
        return REDACTED.detail_type
    if verification.status is not Status.CREATED and verification.decision is None:
        return None
    return next(kind.detail_type for kind in _ANNOUNCED if kind.decision == verification.decision)


def event_for(verification: Verification) -> tuple[str, VerificationDetail] | None:
    """The (detail-type, detail) of the transition that produced this version, or None."""
    detail_type = detail_type_of(verification)
    if detail_type is None:
        return None
    detail = DETAIL_TYPES[detail_type](
        event_id=event_id(verification.verification_id, verification.version),
        verification_id=verification.verification_id,
        biz_id=verification.biz_id,
        biz_no=verification.biz_no,
        channel=verification.channel,
        status=verification.status,
        decision=verification.decision.value if verification.decision else None,
        reasons=verification.reasons,
        liveness=verification.liveness,
        comparison=verification.comparison,
        biz_extra_data=verification.biz_extra_data,
        occurred_at=verification.updated_at,
        **({"redacted_at": verification.redacted_at} if verification.redacted_at else {}),
    )
    return detail_type, detail


def parse_event(event_or_detail: Mapping[str, Any]) -> VerificationDetail:
    """A subscriber's one call: the typed detail of an event from the bus, given the whole
    EventBridge event or only its `detail`. Tolerant as a consumer must be: fields a later 1.x
    version adds are ignored (minor versions only add fields); another major version is refused.
    Raises ValueError (pydantic's ValidationError is one) when it is not a verification event."""
    detail = event_or_detail.get("detail", event_or_detail)
    if not isinstance(detail, Mapping):
        raise ValueError("no event detail")
    major = str(detail.get("schema_version", "")).split(".", 1)[0]
    if major != SCHEMA_VERSION.split(".", 1)[0]:
        raise ValueError(f"unsupported schema_version {detail.get('schema_version')!r}")
    detail_type = event_or_detail.get("detail-type")
    if detail_type in DETAIL_TYPES:
        model: type[VerificationDetail] | None = DETAIL_TYPES[detail_type]
    else:  # a detail alone: a redaction's carries redacted_at, any other its decision's model
        model = REDACTED.model if "redacted_at" in detail else _BY_DECISION.get(detail.get("decision"))
    if model is None:
        raise ValueError(f"unknown decision {detail.get('decision')!r}")
    known = {key: value for key, value in detail.items() if key in model.model_fields}
    return model.model_validate(known | {"schema_version": SCHEMA_VERSION})
