"""Every rule of the get_token document (000), as enforced before FaceID is called."""

from typing import Any

import pytest

from faceid_bridge.channels.h5_lite.api import CreateVerificationRequest
from faceid_bridge.faceid.common import ContractError, parse
from tests.support import body_for, get_token_rules, valid_create_body

RULES = get_token_rules()


@pytest.mark.parametrize("rule", RULES, ids=[rule["rule"] for rule in RULES])
def test_create_request_enforces_rule(rule: dict[str, Any]) -> None:
    # Given a valid create request changed as the rule describes
    body = body_for(rule)
    # When it is validated, Then the document's error (or none) results
    if rule["error"] is None:
        parse(CreateVerificationRequest, body)
    else:
        with pytest.raises(ContractError) as raised:
            parse(CreateVerificationRequest, body)
        assert raised.value.message == rule["error"]


def test_our_api_refuses_reference_photos_it_would_not_compare() -> None:
    with pytest.raises(ContractError, match="BAD_ARGUMENTS:image_ref1"):
        parse(CreateVerificationRequest, valid_create_body(comparison_type="-1"))


@pytest.mark.parametrize("far_level", ["1e-3", "1e-4", "1e-5", "1e-6"])
def test_far_levels_accepted(far_level: str) -> None:
    assert parse(CreateVerificationRequest, valid_create_body(far_level=far_level)).far_level == far_level


def test_unknown_far_level_refused() -> None:
    with pytest.raises(ContractError, match="BAD_ARGUMENTS:far_level"):
        parse(CreateVerificationRequest, valid_create_body(far_level="1e-7"))


def test_form_fields_carry_options_but_never_images_or_our_own_fields() -> None:
    request = parse(CreateVerificationRequest, valid_create_body(language=2, redirect_url="https://a.example.com"))
    fields = request.form_fields()
    assert fields == {"biz_no": "order-1", "language": "2", "comparison_type": "0", "uuid": "customer-1"}
    assert set(request.files()) == {"image_ref1"}
