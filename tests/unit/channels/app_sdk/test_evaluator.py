"""The decision policy for the App SDK channel (notes §4, result codes)."""

from typing import Any

import pytest
from pydantic import ValidationError

from faceid_bridge.channels.app_sdk.contract import AppVerifyResult
from faceid_bridge.channels.app_sdk.evaluator import evaluate_app
from faceid_bridge.domain.decision import ComparisonSummary, Decision, LivenessSummary, SpoofScore
from faceid_bridge.domain.lifecycle import Status

THRESHOLDS = {"1e-3": 62.0, "1e-4": 69.0, "1e-5": 74.0, "1e-6": 78.0}


def ref(confidence: float) -> dict[str, Any]:
    return {"confidence": confidence, "thresholds": THRESHOLDS}


def app(
    code: int, message: str, *, refs: dict[str, float] | None = None, attack: tuple[float, bool] | None = (0.1, False)
) -> AppVerifyResult:
    data: dict[str, Any] = {"result_code": code, "result_message": message}
    if refs is not None:
        data["verification"] = {name: ref(value) for name, value in refs.items()}
    if attack is not None:
        data["attack_result"] = {"score": attack[0], "threshold": 0.5, "result": attack[1]}
    return AppVerifyResult.model_validate(data)


APP_CASES = [
    (
        "1000 SUCCESS above the threshold",
        app(1000, "SUCCESS", refs={"ref1": 90}),
        1,
        False,
        Status.OK,
        Decision.APPROVED,
        [],
    ),
    (
        "1000 but below our FAR level's threshold",
        app(1000, "SUCCESS", refs={"ref1": 70}),
        1,
        False,
        Status.OK,
        Decision.REJECTED,
        ["FACE_MISMATCH_REF1"],
    ),
    (
        "1000 with an attack score at the threshold",
        app(1000, "SUCCESS", refs={"ref1": 90}, attack=(0.5, False)),
        1,
        False,
        Status.OK,
        Decision.REJECTED,
        ["SPOOF_ATTACK"],
    ),
    (
        "1000 KYC: the data source photo is a reference",
        app(1000, "SUCCESS", refs={"idcard": 90}),
        0,
        True,
        Status.OK,
        Decision.APPROVED,
        [],
    ),
    (
        "1000 KYC without the idcard comparison",
        app(1000, "SUCCESS", refs={}),
        0,
        True,
        Status.OK,
        Decision.REJECTED,
        ["COMPARISON_MISSING_IDCARD"],
    ),
    (
        "2000 PASS_LIVING_NOT_THE_SAME",
        app(2000, "PASS_LIVING_NOT_THE_SAME", refs={"ref1": 30}),
        1,
        False,
        Status.OK,
        Decision.REJECTED,
        ["FACE_MISMATCH_REF1"],
    ),
    (
        "2000 with a reference FaceID did not compare",
        app(2000, "PASS_LIVING_NOT_THE_SAME", refs={"ref1": 30}),
        2,
        False,
        Status.OK,
        Decision.REJECTED,
        ["COMPARISON_MISSING_REF2", "FACE_MISMATCH_REF1"],
    ),
    ("3000 ID_NUMBER_NAME_NOT_MATCH", app(3000, "ID_NUMBER_NAME_NOT_MATCH"), 0, True, Status.OK, Decision.REJECTED, []),
    (
        "3000 DATA_SOURCE_ERROR is not about the user",
        app(3000, "DATA_SOURCE_ERROR"),
        0,
        True,
        Status.FAILED,
        Decision.ERRORED,
        [],
    ),
    (
        "3100 data source call failed",
        app(3100, "DATA_SOURCE_CALL_FAILED"),
        0,
        True,
        Status.FAILED,
        Decision.ERRORED,
        [],
    ),
    (
        "4100 FAIL_LIVING_FACE_ATTACK",
        app(4100, "FAIL_LIVING_FACE_ATTACK", attack=(0.9, True)),
        1,
        False,
        Status.OK,
        Decision.REJECTED,
        ["LIVENESS_FAILED", "SPOOF_ATTACK"],
    ),
    (
        "4100 FAIL_EYES_CLOSE_DETECTION",
        app(4100, "FAIL_EYES_CLOSE_DETECTION"),
        1,
        False,
        Status.OK,
        Decision.REJECTED,
        ["LIVENESS_FAILED"],
    ),
    (
        "4100 VIDEO_LACK_FRAMES is broken data, not a verdict",
        app(4100, "VIDEO_LACK_FRAMES"),
        1,
        False,
        Status.FAILED,
        Decision.ERRORED,
        [],
    ),
    (
        "4200 USER_CANCELLATION",
        app(4200, "USER_CANCELLATION", attack=None),
        1,
        False,
        Status.CANCELLED,
        Decision.ABANDONED,
        [],
    ),
    ("4200 USER_TIMEOUT", app(4200, "USER_TIMEOUT", attack=None), 1, False, Status.TIMEOUT, Decision.ABANDONED, []),
    (
        "4200 BIZ_TOKEN_DENIED",
        app(4200, "BIZ_TOKEN_DENIED", attack=None),
        1,
        False,
        Status.FAILED,
        Decision.ERRORED,
        [],
    ),
    (
        "4200 MOBILE_PHONE_NOT_SUPPORT",
        app(4200, "MOBILE_PHONE_NOT_SUPPORT", attack=None),
        1,
        False,
        Status.FAILED,
        Decision.ERRORED,
        [],
    ),
    (
        "9000 series takes priority",
        app(9000, "LIVING_NOT_START", attack=None),
        1,
        False,
        Status.FAILED,
        Decision.ERRORED,
        [],
    ),
    ("a code the docs do not list", app(5555, "SOMETHING_NEW"), 1, False, Status.FAILED, Decision.ERRORED, []),
]


@pytest.mark.parametrize(
    ("case", "result", "refs", "kyc", "status", "decision", "reasons"), APP_CASES, ids=[c[0] for c in APP_CASES]
)
def test_app_policy(
    case: str, result: AppVerifyResult, refs: int, kyc: bool, status: Status, decision: Decision, reasons: list[str]
) -> None:
    outcome = evaluate_app(result, far_level="1e-5", references=refs, kyc=kyc)
    # reasons always start with FaceID's own code and message
    assert outcome.reasons[0] == f"FACEID_{result.result_code}:{result.result_message}"
    assert (outcome.status, outcome.decision, outcome.reasons[1:]) == (status, decision, reasons)


def test_an_app_answer_without_a_result_code_is_refused() -> None:
    # notes §4: result_code is how sdk/verify gives its verdict; a missing one must never read as a pass
    with pytest.raises(ValidationError):
        AppVerifyResult.model_validate({"result_message": "SUCCESS", "verification": {"ref1": ref(90)}})


APP_SUMMARIES = [
    ("1000 SUCCESS", app(1000, "SUCCESS", refs={"ref1": 90}), "PASS", [("ref1", 90.0, True)]),
    (
        "2000 PASS_LIVING_NOT_THE_SAME",
        app(2000, "PASS_LIVING_NOT_THE_SAME", refs={"ref1": 30}),
        "PASS",
        [("ref1", 30.0, False)],
    ),
    ("4100 FAIL_LIVING_FACE_ATTACK", app(4100, "FAIL_LIVING_FACE_ATTACK", attack=(0.9, True)), "FAIL", []),
]


@pytest.mark.parametrize(("case", "result", "liveness", "comparison"), APP_SUMMARIES, ids=[c[0] for c in APP_SUMMARIES])
def test_app_outcomes_keep_the_liveness_and_comparison_summaries(
    case: str, result: AppVerifyResult, liveness: str, comparison: list[tuple[str, float, bool]]
) -> None:
    # Given a judged App answer (notes §4): liveness passed up to the 4100 series, and attack_result's score
    outcome = evaluate_app(result, far_level="1e-5", references=1, kyc=False)
    # Then what is stored and sent in events summarizes both, at the verification's FAR level (74 at 1e-5)
    attack = result.attack_result
    assert attack is not None
    assert outcome.liveness == LivenessSummary(
        result=liveness,
        procedure_type="app",
        spoof_scores=[SpoofScore(kind="attack", confidence=attack.score, threshold=0.5, attack=attack.result)],
    )
    assert outcome.comparison == [
        ComparisonSummary(reference=name, confidence=value, threshold=74.0, far_level="1e-5", matched=matched)
        for name, value, matched in comparison
    ]
