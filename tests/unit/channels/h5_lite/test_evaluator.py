"""The decision policy, table-driven from the callback document (001)."""

from typing import Any

import pytest

from faceid_bridge.channels.h5_lite.contract import LiteResult
from faceid_bridge.channels.h5_lite.evaluator import evaluate
from faceid_bridge.domain.decision import Decision
from faceid_bridge.domain.lifecycle import Status, from_faceid

THRESHOLDS = {"1e-3": 64, "1e-4": 69, "1e-5": 74, "1e-6": 79.9}  # 001's example


def genuineness(synthetic: float = 0.1, mask: float = 0.1, screen: float = 0.1) -> dict[str, float]:
    return {
        "synthetic_face_confidence": synthetic,
        "synthetic_face_threshold": 0.5,
        "mask_confidence": mask,
        "mask_threshold": 0.5,
        "screen_replay_confidence": screen,
        "screen_replay_threshold": 0.5,
    }


def result(
    status: str = "OK",
    *,
    liveness: str | None = "PASS",
    spoof: dict[str, float] | None = None,
    refs: tuple[float, ...] = (90.0,),
    verify_error: str | None = None,
    verify: bool = True,
    **extra: Any,
) -> LiteResult:
    data: dict[str, Any] = {"status": status, "biz_info": {"biz_id": "b"}, **extra}
    if liveness:
        data["liveness_result"] = {
            "result": liveness,
            "procedure_type": "flash",
            "face_genuineness": spoof or genuineness(),
        }
    if verify:
        data["verify_result"] = {"error_message": verify_error} | {
            f"result_ref{i}": {"confidence": c, "thresholds": THRESHOLDS} for i, c in enumerate(refs, 1)
        }
    return LiteResult.model_validate(data)


CASES = [
    ("all checks pass", result(), 1, "1e-4", Decision.APPROVED, []),
    ("liveness FAIL", result(liveness="FAIL"), 1, "1e-4", Decision.REJECTED, ["LIVENESS_FAILED"]),
    (
        "synthetic face over threshold",
        result(spoof=genuineness(synthetic=0.51)),
        1,
        "1e-4",
        Decision.REJECTED,
        ["SPOOF_SYNTHETIC_FACE"],
    ),
    ("mask over threshold", result(spoof=genuineness(mask=0.9)), 1, "1e-4", Decision.REJECTED, ["SPOOF_MASK"]),
    (
        "screen replay over threshold",
        result(spoof=genuineness(screen=0.6)),
        1,
        "1e-4",
        Decision.REJECTED,
        ["SPOOF_SCREEN_REPLAY"],
    ),
    (
        "score equal to threshold is no attack (greater than)",
        result(spoof=genuineness(mask=0.5)),
        1,
        "1e-4",
        Decision.APPROVED,
        [],
    ),
    ("confidence equal to threshold matches (at or above)", result(refs=(69.0,)), 1, "1e-4", Decision.APPROVED, []),
    ("confidence below threshold", result(refs=(68.918,)), 1, "1e-4", Decision.REJECTED, ["FACE_MISMATCH_REF1"]),
    ("FAR level picks the threshold", result(refs=(72.0,)), 1, "1e-5", Decision.REJECTED, ["FACE_MISMATCH_REF1"]),
    ("every reference must match", result(refs=(90.0, 50.0)), 2, "1e-4", Decision.REJECTED, ["FACE_MISMATCH_REF2"]),
    (
        "a reference FaceID did not compare",
        result(refs=(90.0,)),
        2,
        "1e-4",
        Decision.REJECTED,
        ["COMPARISON_MISSING_REF2"],
    ),
    (
        "no verify_result although photos were given",
        result(verify=False),
        1,
        "1e-4",
        Decision.REJECTED,
        ["COMPARISON_MISSING_REF1"],
    ),
    ("liveness only (comparison_type -1)", result(verify=False), 0, "1e-4", Decision.APPROVED, []),
    (
        "verify NO_FACE_FOUND",
        result(refs=(), verify_error="NO_FACE_FOUND"),
        1,
        "1e-4",
        Decision.REJECTED,
        ["NO_FACE_FOUND"],
    ),
    (
        "verify DATA_SOURCE_ERROR",
        result(verify_error="DATA_SOURCE_ERROR"),
        1,
        "1e-4",
        Decision.ERRORED,
        ["PROVIDER_DATA_SOURCE_ERROR"],
    ),
    (
        "verify INTERNAL_ERROR",
        result(verify_error="INTERNAL_ERROR"),
        1,
        "1e-4",
        Decision.ERRORED,
        ["PROVIDER_INTERNAL_ERROR"],
    ),
    ("OK without a liveness result", result(liveness=None), 1, "1e-4", Decision.REJECTED, ["LIVENESS_RESULT_MISSING"]),
    (
        "several failures, all reasons",
        result(liveness="FAIL", spoof=genuineness(mask=0.9), refs=(10.0,)),
        1,
        "1e-4",
        Decision.REJECTED,
        ["LIVENESS_FAILED", "SPOOF_MASK", "FACE_MISMATCH_REF1"],
    ),
    ("CANCELLED", result("CANCELLED", liveness=None, verify=False), 1, "1e-4", Decision.ABANDONED, ["CANCELLED"]),
    ("TIMEOUT", result("TIMEOUT", liveness=None, verify=False), 1, "1e-4", Decision.ABANDONED, ["TIMEOUT"]),
    ("FAILED", result("FAILED", liveness="FAIL", verify=False), 1, "1e-4", Decision.ERRORED, ["FAILED"]),
    (
        "WEBRTC_UNSUPPORTED with fail_reason",
        result("WEBRTC_UNSUPPORTED", liveness=None, verify=False, fail_reason="NETWORK_ERROR"),
        1,
        "1e-4",
        Decision.ERRORED,
        ["WEBRTC_UNSUPPORTED:NETWORK_ERROR"],
    ),
]


@pytest.mark.parametrize(
    ("case", "faceid", "references", "far_level", "decision", "reasons"), CASES, ids=[c[0] for c in CASES]
)
def test_decision_table(
    case: str, faceid: LiteResult, references: int, far_level: Any, decision: Decision, reasons: list[str]
) -> None:
    # Given FaceID's result for a verification with `references` photos at `far_level`
    # When the policy evaluates it
    outcome = evaluate(faceid, from_faceid(faceid.status), far_level=far_level, references=references)
    # Then the decision and its reasons are as the table says
    assert (outcome.decision, outcome.reasons) == (decision, reasons)


def test_summaries_carry_scores_thresholds_and_far_level() -> None:
    outcome = evaluate(result(refs=(72.0,)), Status.OK, far_level="1e-5", references=1)
    assert outcome.comparison[0].model_dump() == {
        "reference": "ref1",
        "confidence": 72.0,
        "threshold": 74,
        "far_level": "1e-5",
        "matched": False,
    }
    assert outcome.liveness is not None
    # the procedure FaceID ran (001: liveness_result.procedure_type) is kept as it came
    assert (outcome.liveness.result, outcome.liveness.procedure_type) == ("PASS", "flash")
    assert [(s.kind, s.confidence, s.threshold, s.attack) for s in outcome.liveness.spoof_scores] == [
        ("synthetic_face", 0.1, 0.5, False),
        ("mask", 0.1, 0.5, False),
        ("screen_replay", 0.1, 0.5, False),
    ]


def test_processing_decides_nothing() -> None:
    outcome = evaluate(
        result("PROCESSING", liveness=None, verify=False), Status.PROCESSING, far_level="1e-4", references=1
    )
    assert outcome.decision is None and outcome.reasons == []


def test_a_far_level_without_a_threshold_never_matches() -> None:
    # Given a comparison whose thresholds lack the verification's FAR level (001 lists four levels)
    faceid = LiteResult.model_validate(
        {
            "status": "OK",
            "biz_info": {"biz_id": "b"},
            "liveness_result": {"result": "PASS"},
            "verify_result": {"result_ref1": {"confidence": 99.0, "thresholds": {"1e-3": 64}}},
        }
    )
    # When the policy evaluates it at 1e-6
    outcome = evaluate(faceid, Status.OK, far_level="1e-6", references=1)
    # Then the reference does not match, and the summary shows the highest threshold a confidence can have (100)
    assert [(s.threshold, s.matched) for s in outcome.comparison] == [(100.0, False)]
    assert (outcome.decision, outcome.reasons) == (Decision.REJECTED, ["FACE_MISMATCH_REF1"])
