"""Every parameter rule of raw/verify (002), as enforced before FaceID is called."""

from typing import Any

import pytest

from faceid_bridge.channels.h5_raw.contract import RawVerifyOptions
from faceid_bridge.faceid.common import ContractError, parse
from tests.support import apply_rule, rules, valid_raw_body

CASES = [("002", RawVerifyOptions, valid_raw_body, rule) for rule in rules("raw_verify_rules")]


@pytest.mark.parametrize(("doc", "model", "base", "rule"), CASES, ids=[f"{c[0]}: {c[3]['rule']}" for c in CASES])
def test_rule(doc: str, model: Any, base: Any, rule: dict[str, Any]) -> None:
    body = apply_rule(rule, base())
    if rule["error"] is None:
        parse(model, body)
    else:
        with pytest.raises(ContractError) as raised:
            parse(model, body)
        assert raised.value.message == rule["error"]
