"""H5 Lite's evaluator: what a result of notify, return or get_result (001) decides. Pure, and
table-tested (tests/unit/channels/h5_lite/test_evaluator.py); the policy itself is domain/decision.py's."""

from __future__ import annotations

from faceid_bridge.channels.h5_lite.contract import SPOOF_KINDS, LiteResult, LivenessResult
from faceid_bridge.domain.decision import (
    Decision,
    LivenessSummary,
    Outcome,
    SpoofScore,
    decide_ok,
    liveness_reasons,
    reference_names,
    summarize_comparison,
)
from faceid_bridge.domain.lifecycle import Status
from faceid_bridge.faceid.common import FarLevel

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
        expected=reference_names(references),
    )
    return Outcome(status=status, decision=decision, reasons=reasons, liveness=liveness, comparison=comparison)
