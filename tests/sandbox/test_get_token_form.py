"""The whole get_token form FaceID receives (000), credentials and callback URLs included, as the
sandbox checks it: notify_url only on the five documented callback ports."""

from typing import Any

import pytest

from faceid_bridge.faceid.common import ContractError, parse
from infra.sandbox.contract import GetTokenRequest
from tests.support import valid_create_body

FORM = {"api_key": "k", "api_secret": "s", "return_url": "https://shop.example.com/back"}


@pytest.mark.parametrize(
    ("notify_url", "error"),
    [
        ("https://shop.example.com/notify", None),  # 443 by default
        ("http://shop.example.com:8028/notify", None),
        ("https://shop.example.com:5000/notify", None),
        ("https://shop.example.com:16003/notify", None),
        ("https://shop.example.com:8883/notify", None),
        ("http://shop.example.com/notify", "BAD_ARGUMENTS:notify_url"),  # 80 is not a callback port
        ("https://shop.example.com:8080/notify", "BAD_ARGUMENTS:notify_url"),
        ("ftp://shop.example.com/notify", "BAD_ARGUMENTS:notify_url"),
        (None, "MISSING_ARGUMENTS:notify_url"),
    ],
)
def test_notify_url_ports(notify_url: str | None, error: str | None) -> None:
    # Given the whole get_token form FaceID receives
    form: dict[str, Any] = {**valid_create_body(), **FORM}
    if notify_url is not None:
        form["notify_url"] = notify_url
    # Then only the five documented callback ports are accepted
    if error is None:
        parse(GetTokenRequest, form)
    else:
        with pytest.raises(ContractError, match=error):
            parse(GetTokenRequest, form)
