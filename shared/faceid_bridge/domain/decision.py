"""The decision policy: what a FaceID result means for the business. Pure and table-tested.

| FaceID status                  | decision  | detail-type            |
| ------------------------------ | --------- | ---------------------- |
| OK, all checks pass            | APPROVED  | Verification Approved  |
| OK, any check fails            | REJECTED  | Verification Rejected  |
| OK, verify error DATA_SOURCE_ERROR / INTERNAL_ERROR | ERRORED | Verification Errored |
| FAILED, WEBRTC_UNSUPPORTED     | ERRORED   | Verification Errored   |
| CANCELLED, TIMEOUT, EXPIRED    | ABANDONED | Verification Abandoned |

APPROVED needs liveness PASS, no spoof score over its threshold (001: "greater than its threshold
identifies an attack"), and every reference's confidence at or above the threshold of the
verification's FAR level.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from faceid_bridge.domain.lifecycle import Status
from faceid_bridge.faceid.contract import SPOOF_KINDS, FarLevel, LiteResult, LivenessResult, VerifyResult

PROVIDER_ERRORS = frozenset({"DATA_SOURCE_ERROR", "INTERNAL_ERROR"})


class Decision(StrEnum):
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    ABANDONED = "ABANDONED"
    ERRORED = "ERRORED"


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


_ABANDONED = (Status.CANCELLED, Status.TIMEOUT, Status.EXPIRED)
_ERRORED = (Status.FAILED, Status.WEBRTC_UNSUPPORTED)


def summarize_liveness(liveness: LivenessResult) -> LivenessSummary:
    scores = []
    if liveness.face_genuineness is not None:
        genuineness = liveness.face_genuineness
        for kind in SPOOF_KINDS:
            confidence = getattr(genuineness, f"{kind}_confidence")
            threshold = getattr(genuineness, f"{kind}_threshold")
            scores.append(
                SpoofScore(kind=kind, confidence=confidence, threshold=threshold, attack=confidence > threshold)
            )
    return LivenessSummary(result=liveness.result, procedure_type=liveness.procedure_type, spoof_scores=scores)


def summarize_comparison(verify: VerifyResult, far_level: FarLevel) -> list[ComparisonSummary]:
    summaries = []
    for reference, result in verify.refs().items():
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


def decide_ok(
    liveness: LivenessSummary | None,
    comparison: list[ComparisonSummary],
    *,
    verify_error: str | None,
    references: int,
) -> tuple[Decision, list[str]]:
    """The policy for a flow that ended normally (status OK), shared by every channel."""
    if verify_error in PROVIDER_ERRORS:
        return Decision.ERRORED, [f"PROVIDER_{verify_error}"]
    reasons: list[str] = []
    if verify_error:
        reasons.append(verify_error)
    if liveness is None:
        reasons.append("LIVENESS_RESULT_MISSING")
    else:
        if liveness.result != "PASS":
            reasons.append("LIVENESS_FAILED")
        reasons.extend(f"SPOOF_{score.kind.upper()}" for score in liveness.spoof_scores if score.attack)
    compared = {summary.reference for summary in comparison}
    if not verify_error:
        # A reference FaceID did not compare cannot count as a match.
        reasons.extend(f"COMPARISON_MISSING_REF{i}" for i in range(1, references + 1) if f"ref{i}" not in compared)
    reasons.extend(f"FACE_MISMATCH_{summary.reference.upper()}" for summary in comparison if not summary.matched)
    return (Decision.REJECTED, reasons) if reasons else (Decision.APPROVED, [])


def evaluate(result: LiteResult, status: Status, *, far_level: FarLevel, references: int) -> Outcome:
    """The outcome of an H5 Lite result that moves a verification to `status`."""
    if not status.terminal:
        return Outcome(status=status)
    if status in _ABANDONED:
        return Outcome(status=status, decision=Decision.ABANDONED, reasons=[status.value])
    if status in _ERRORED:
        reason = f"{status.value}:{result.fail_reason}" if result.fail_reason else status.value
        return Outcome(status=status, decision=Decision.ERRORED, reasons=[reason])
    liveness = summarize_liveness(result.liveness_result) if result.liveness_result else None
    verify = result.verify_result
    comparison = summarize_comparison(verify, far_level) if verify else []
    decision, reasons = decide_ok(
        liveness, comparison, verify_error=verify.error_message if verify else None, references=references
    )
    return Outcome(status=status, decision=decision, reasons=reasons, liveness=liveness, comparison=comparison)
