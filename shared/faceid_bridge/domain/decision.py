"""The decision policy: what a FaceID result means for the business. Pure and table-tested.

| FaceID status                  | decision  | detail-type            |
| ------------------------------ | --------- | ---------------------- |
| OK, all checks pass            | APPROVED  | Verification Approved  |
| OK, any check fails            | REJECTED  | Verification Rejected  |
| OK, verify error DATA_SOURCE_ERROR / INTERNAL_ERROR | ERRORED | Verification Errored |
| FAILED, WEBRTC_UNSUPPORTED     | ERRORED   | Verification Errored   |
| CANCELLED, TIMEOUT, EXPIRED    | ABANDONED | Verification Abandoned |
| CANCELLED by the customer's API call (domain/changes.py) | CANCELLED | Verification Cancelled |

APPROVED needs liveness PASS, no spoof score over its threshold (001: "greater than its threshold
identifies an attack"), and every reference's confidence at or above the threshold of the
verification's FAR level.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from faceid_bridge.domain.lifecycle import Status
from faceid_bridge.faceid.common import ComparisonResult, FarLevel

PROVIDER_ERRORS = frozenset({"DATA_SOURCE_ERROR", "INTERNAL_ERROR"})


class Decision(StrEnum):
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    ABANDONED = "ABANDONED"
    ERRORED = "ERRORED"
    CANCELLED = "CANCELLED"  # by the customer (POST .../cancel), not by the person: domain/changes.py


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SpoofScore(_Frozen):
    kind: str
    confidence: float
    threshold: float
    attack: bool


class LivenessSummary(_Frozen):
    result: str
    procedure_type: str | None = None
    spoof_scores: list[SpoofScore] = []


class ComparisonSummary(_Frozen):
    reference: str
    confidence: float
    threshold: float
    far_level: FarLevel
    matched: bool


class Outcome(_Frozen):
    """Everything a terminal result decides, as stored on the verification and put in events."""

    status: Status
    decision: Decision | None = None
    reasons: list[str] = []
    liveness: LivenessSummary | None = None
    comparison: list[ComparisonSummary] = []


def summarize_comparison(refs: dict[str, ComparisonResult], far_level: FarLevel) -> list[ComparisonSummary]:
    summaries = []
    for reference, result in refs.items():
        threshold = result.thresholds.get(far_level)
        matched = threshold is not None and result.confidence >= threshold
        summaries.append(
            ComparisonSummary(
                reference=reference,
                confidence=result.confidence,
                threshold=threshold if threshold is not None else 100.0,
                far_level=far_level,
                matched=matched,
            )
        )
    return summaries


def liveness_reasons(liveness: LivenessSummary | None) -> list[str]:
    if liveness is None:
        return ["LIVENESS_RESULT_MISSING"]
    reasons = [] if liveness.result == "PASS" else ["LIVENESS_FAILED"]
    return reasons + [f"SPOOF_{score.kind.upper()}" for score in liveness.spoof_scores if score.attack]


def decide_ok(
    liveness: list[str], comparison: list[ComparisonSummary], *, verify_error: str | None, expected: list[str]
) -> tuple[Decision, list[str]]:
    """The policy for a flow that ended normally, shared by every channel: `liveness` holds the
    channel's liveness reasons, `expected` the references that must have been compared."""
    if verify_error in PROVIDER_ERRORS:
        return Decision.ERRORED, [f"PROVIDER_{verify_error}"]
    reasons = ([verify_error] if verify_error else []) + liveness
    compared = {summary.reference for summary in comparison}
    if not verify_error:
        # A reference FaceID did not compare cannot count as a match.
        reasons.extend(f"COMPARISON_MISSING_{name.upper()}" for name in expected if name not in compared)
    reasons.extend(f"FACE_MISMATCH_{summary.reference.upper()}" for summary in comparison if not summary.matched)
    return (Decision.REJECTED, reasons) if reasons else (Decision.APPROVED, [])


def reference_names(count: int) -> list[str]:
    return [f"ref{index}" for index in range(1, count + 1)]
