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
from faceid_bridge.faceid.app import AppVerifyResult
from faceid_bridge.faceid.common import ComparisonResult, FarLevel
from faceid_bridge.faceid.lite import SPOOF_KINDS, LiteResult, LivenessResult
from faceid_bridge.faceid.raw import RawVerifyResult

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


def _references(count: int) -> list[str]:
    return [f"ref{index}" for index in range(1, count + 1)]


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
    comparison = summarize_comparison(verify.refs(), far_level) if verify else []
    decision, reasons = decide_ok(
        liveness_reasons(liveness),
        comparison,
        verify_error=verify.error_message if verify else None,
        expected=_references(references),
    )
    return Outcome(status=status, decision=decision, reasons=reasons, liveness=liveness, comparison=comparison)


# App v3 verify (notes §4): which result codes mean the flow was judged, and which did not finish.
_APP_ABANDONED = {"USER_CANCELLATION": Status.CANCELLED, "USER_TIMEOUT": Status.TIMEOUT}
_APP_NOT_JUDGED = frozenset({"DATA_SOURCE_ERROR", "VIDEO_LACK_FRAMES"})


def _app_judged(code: int, message: str) -> bool:
    """1000/2000 (compared), 3000 (the data source answered) and 4100 (liveness failed) are verdicts
    on the user; 3100, 4000, 4200, 9000 and codes not in the docs are not."""
    return message not in _APP_NOT_JUDGED and (code in (1000, 2000) or 3000 <= code < 3100 or 4100 <= code < 4200)


def evaluate_app(result: AppVerifyResult, *, far_level: FarLevel, references: int, kyc: bool) -> Outcome:
    """The outcome of an App (v3 verify) result. `reasons` always carry FaceID's code and message."""
    code_reason = f"FACEID_{result.result_code}:{result.result_message}"
    if result.result_message in _APP_ABANDONED:
        return Outcome(status=_APP_ABANDONED[result.result_message], decision=Decision.ABANDONED, reasons=[code_reason])
    if not _app_judged(result.result_code, result.result_message):
        return Outcome(status=Status.FAILED, decision=Decision.ERRORED, reasons=[code_reason])
    attack = result.attack_result
    scores = []
    if attack is not None:  # the cloud's default rule: score >= threshold is an attack
        is_attack = attack.result or attack.score >= attack.threshold
        scores.append(SpoofScore(kind="attack", confidence=attack.score, threshold=attack.threshold, attack=is_attack))
    failed = 4100 <= result.result_code < 4200
    liveness = LivenessSummary(result="FAIL" if failed else "PASS", procedure_type="app", spoof_scores=scores)
    verification = result.verification
    refs = {name: ref for name in ("idcard", "ref1", "ref2") if verification and (ref := getattr(verification, name))}
    comparison = summarize_comparison(refs, far_level)
    compared = result.result_code in (1000, 2000)
    expected = (["idcard"] if kyc else []) + _references(references) if compared else []
    decision, reasons = decide_ok(liveness_reasons(liveness), comparison, verify_error=None, expected=expected)
    if result.result_code != 1000:  # FaceID's own verdict is a rejection, whatever our thresholds say
        decision = Decision.REJECTED
    return Outcome(
        status=Status.OK, decision=decision, reasons=[code_reason, *reasons], liveness=liveness, comparison=comparison
    )


RAW_SPOOFS = frozenset({"MASK", "SCREEN_REPLAY", "FACEGEN"})


def evaluate_raw(result: RawVerifyResult, *, far_level: FarLevel, references: int) -> Outcome:
    """The outcome of an H5 Raw verify result (002): procedure_validation, face_genuineness, refs."""
    procedure, genuineness = result.liveness.procedure_validation, result.liveness.face_genuineness
    failed: list[str] = []
    if procedure != "PASSED":
        failed.append(f"PROCEDURE_{procedure}")  # and no face comparison was performed
    elif genuineness != "PASSED":
        failed.append(f"SPOOF_{genuineness}" if genuineness in RAW_SPOOFS else f"FACE_GENUINENESS_{genuineness}")
    liveness = LivenessSummary(result="FAIL" if failed else "PASS", procedure_type="still")
    comparison = summarize_comparison(result.refs(), far_level)
    expected = _references(references) if procedure == "PASSED" else []
    decision, reasons = decide_ok(failed, comparison, verify_error=None, expected=expected)
    return Outcome(status=Status.OK, decision=decision, reasons=reasons, liveness=liveness, comparison=comparison)
