"""H5 Raw's evaluator: what a raw/verify result (002) decides. Pure, and table-tested
(tests/unit/channels/h5_raw/test_evaluator.py); the policy itself is domain/decision.py's."""

from __future__ import annotations

from faceid_bridge.channels.h5_raw.contract import RawVerifyResult
from faceid_bridge.domain.decision import LivenessSummary, Outcome, decide_ok, reference_names, summarize_comparison
from faceid_bridge.domain.lifecycle import Status
from faceid_bridge.faceid.common import FarLevel

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
    expected = reference_names(references) if procedure == "PASSED" else []
    decision, reasons = decide_ok(failed, comparison, verify_error=None, expected=expected)
    return Outcome(status=Status.OK, decision=decision, reasons=reasons, liveness=liveness, comparison=comparison)
