"""What our callback models accept (issue 8, item 2): the data of 001 with the changes a provider
may make. Accepted: extra fields, unknown FAR levels and spoof kinds, floats among the counters,
numbers as strings. Refused: only what makes a decision impossible."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from faceid_bridge.channels.h5_lite.contract import LiteResult
from faceid_bridge.channels.h5_lite.evaluator import evaluate
from faceid_bridge.domain.lifecycle import Status
from tests.support import FIXTURES, load_json

TABLE = load_json(FIXTURES / "callback_tolerance.json")


def changed(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """`base` with each dotted path set to its value (None removes it)."""
    data = copy.deepcopy(base)
    for path, value in change.items():
        *parents, leaf = path.split(".")
        node = data
        for key in parents:
            node = node[key]
        if value is None:
            node.pop(leaf, None)
        else:
            node[leaf] = value
    return data


@pytest.mark.parametrize("case", TABLE["cases"], ids=[case["name"] for case in TABLE["cases"]])
def test_callback_data(case: dict[str, Any]) -> None:
    # Given 001's data with a provider's change
    data = changed(TABLE["base"], case["change"])
    if not case["accepted"]:
        # Then what makes a decision impossible is refused
        with pytest.raises(ValidationError):
            LiteResult.model_validate(data)
        return
    # When it is parsed and decided
    result = LiteResult.model_validate(data)
    outcome = evaluate(result, Status.OK, far_level="1e-4", references=1)
    # Then it gives the decision the documented fields give
    assert outcome.decision == case["decision"], outcome.reasons


def test_unknown_far_levels_are_kept() -> None:
    data = changed(TABLE["base"], {"verify_result.result_ref1.thresholds.1e-7": 85.2})
    result = LiteResult.model_validate(data)
    assert result.verify_result is not None and result.verify_result.result_ref1 is not None
    assert result.verify_result.result_ref1.thresholds["1e-7"] == 85.2
