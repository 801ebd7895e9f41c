"""Every parameter rule of get_biz_token (003), as enforced before FaceID is called."""

from typing import Any

import pytest

from faceid_bridge.channels.app_sdk.contract import GetBizTokenOptions
from faceid_bridge.faceid.common import ContractError, parse
from tests.support import apply_rule, rules, valid_biz_token_body

CASES = [("003", GetBizTokenOptions, valid_biz_token_body, rule) for rule in rules("get_biz_token_rules")]


@pytest.mark.parametrize(("doc", "model", "base", "rule"), CASES, ids=[f"{c[0]}: {c[3]['rule']}" for c in CASES])
def test_rule(doc: str, model: Any, base: Any, rule: dict[str, Any]) -> None:
    body = apply_rule(rule, base())
    if rule["error"] is None:
        parse(model, body)
    else:
        with pytest.raises(ContractError) as raised:
            parse(model, body)
        assert raised.value.message == rule["error"]
