"""The decision policy for the H5 Raw channel (002)."""

from typing import Any

import pytest

from faceid_bridge.channels.h5_raw.contract import RawVerifyResult
from faceid_bridge.channels.h5_raw.evaluator import evaluate_raw
from faceid_bridge.domain.decision import ComparisonSummary, Decision, LivenessSummary
from faceid_bridge.domain.lifecycle import Status

THRESHOLDS = {"1e-3": 62.0, "1e-4": 69.0, "1e-5": 74.0, "1e-6": 78.0}


THRESHOLDS = {"1e-3": 62.0, "1e-4": 69.0, "1e-5": 74.0, "1e-6": 78.0}


def ref(confidence: float) -> dict[str, Any]:
    return {"confidence": confidence, "thresholds": THRESHOLDS}


def raw(
    procedure: str = "PASSED", genuineness: str | None = "PASSED", refs: tuple[float, ...] = (90.0,)
) -> RawVerifyResult:
    liveness: dict[str, Any] = {"procedure_validation": procedure}
    if genuineness is not None:
        liveness["face_genuineness"] = genuineness
    data: dict[str, Any] = {"request_id": "r", "liveness": liveness}
    data |= {f"result_ref{i}": ref(c) for i, c in enumerate(refs, 1)}
    return RawVerifyResult.model_validate(data)


RAW_CASES = [
    ("PASSED, PASSED, a match", raw(), 1, Decision.APPROVED, []),
    ("three references, all must match", raw(refs=(90, 95, 60)), 3, Decision.REJECTED, ["FACE_MISMATCH_REF3"]),
    ("a reference not compared", raw(refs=(90,)), 2, Decision.REJECTED, ["COMPARISON_MISSING_REF2"]),
    *[
        (f"procedure {value}", raw(value, None, ()), 1, Decision.REJECTED, [f"PROCEDURE_{value}"])
        for value in (
            "VIDEO_SR_ERROR",
            "VIDEO_NOT_SYNCHRONIZED",
            "VIDEO_FACE_INCONSISTENT",
            "SELFIE_INCONSISTENT",
            "SELFIE_METADATA_INCONSISTENT",
        )
    ],
    *[
        (f"spoof {value}", raw(genuineness=value), 1, Decision.REJECTED, [f"SPOOF_{value}"])
        for value in ("MASK", "SCREEN_REPLAY", "FACEGEN")
    ],
    (
        "a genuineness value the docs do not list",
        raw(genuineness="NEW_KIND"),
        1,
        Decision.REJECTED,
        ["FACE_GENUINENESS_NEW_KIND"],
    ),
    ("confidence exactly at the 1e-5 threshold", raw(refs=(74.0,)), 1, Decision.APPROVED, []),
]


@pytest.mark.parametrize(("case", "result", "refs", "decision", "reasons"), RAW_CASES, ids=[c[0] for c in RAW_CASES])
def test_raw_policy(case: str, result: RawVerifyResult, refs: int, decision: Decision, reasons: list[str]) -> None:
    outcome = evaluate_raw(result, far_level="1e-5", references=refs)
    assert (outcome.status, outcome.decision, outcome.reasons) == (Status.OK, decision, reasons)


RAW_SUMMARIES = [
    ("PASSED, PASSED", raw(), "PASS", [("ref1", 90.0, True)]),
    ("a spoof", raw(genuineness="MASK", refs=(90.0, 60.0)), "FAIL", [("ref1", 90.0, True), ("ref2", 60.0, False)]),
    ("a procedure failure, no comparison (002)", raw("VIDEO_SR_ERROR", None, ()), "FAIL", []),
]


@pytest.mark.parametrize(("case", "result", "liveness", "comparison"), RAW_SUMMARIES, ids=[c[0] for c in RAW_SUMMARIES])
def test_raw_outcomes_keep_the_liveness_and_comparison_summaries(
    case: str, result: RawVerifyResult, liveness: str, comparison: list[tuple[str, float, bool]]
) -> None:
    # Given a raw/verify answer (002): procedure_validation and face_genuineness, then result_ref*
    outcome = evaluate_raw(result, far_level="1e-5", references=len(comparison) or 1)
    # Then what is stored and sent in events summarizes both: a still-video liveness, passed only when both PASSED
    assert outcome.liveness == LivenessSummary(result=liveness, procedure_type="still")
    assert outcome.comparison == [
        ComparisonSummary(reference=name, confidence=value, threshold=74.0, far_level="1e-5", matched=matched)
        for name, value, matched in comparison
    ]
