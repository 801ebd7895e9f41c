"""The App SDK's evaluator: what a v3 verify result (notes §4) decides. Pure, and table-tested
(tests/unit/channels/app_sdk/test_evaluator.py); the policy itself is domain/decision.py's."""

from __future__ import annotations

from faceid_bridge.channels.app_sdk.contract import AppVerifyResult
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

# Which result codes mean the flow was judged, and which did not finish.
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
    expected = (["idcard"] if kyc else []) + reference_names(references) if compared else []
    decision, reasons = decide_ok(liveness_reasons(liveness), comparison, verify_error=None, expected=expected)
    if result.result_code != 1000:  # FaceID's own verdict is a rejection, whatever our thresholds say
        decision = Decision.REJECTED
    return Outcome(
        status=Status.OK, decision=decision, reasons=[code_reason, *reasons], liveness=liveness, comparison=comparison
    )
