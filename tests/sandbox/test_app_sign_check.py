"""The sandbox's check of an App-Authentication sign (notes §3), against signs our client makes."""

import base64

import pytest

from faceid_bridge.channels.app_sdk.contract import app_sign
from infra.sandbox.contract import check_app_sign
from tests.unit.channels.app_sdk.test_app_sign import ONE_TIME, UNTIL

SECRETS = {"sandbox-key": "sandbox-secret"}


@pytest.mark.parametrize(
    ("sign", "now", "expected"),
    [
        (ONE_TIME, 1795338000, ("sandbox-key", "a=sandbox-key&b=0&c=1795338000&d=0799687066", 0)),
        (UNTIL, 1795338100, ("sandbox-key", "a=sandbox-key&b=1795338100&c=1795338000&d=4242424242", 1795338100)),
        (UNTIL, 1795338101, "EXPIRED_SIGN"),
        (app_sign("sandbox-key", "wrong-secret", expire_time=0, current_time=1, random="1"), 1, "INVALID_SIGN"),
        (app_sign("other-key", "sandbox-secret", expire_time=0, current_time=1, random="1"), 1, "INVALID_SIGN"),
        (app_sign("sandbox-key", "sandbox-secret", expire_time=5, current_time=9, random="1"), 1, "EXPIRED_SIGN"),
        (
            app_sign("sandbox-key", "sandbox-secret", expire_time=0, current_time=1, random="12345678901"),
            1,
            "INVALID_SIGN",
        ),
        (ONE_TIME[:-4] + "AAAA", 1795338000, "INVALID_SIGN"),  # tampered raw part
        ("not base64!", 1, "INVALID_SIGN"),
        ("", 1, "INVALID_SIGN"),
        (base64.b64encode(b"x" * 20 + b"a=sandbox-key").decode(), 1, "INVALID_SIGN"),
    ],
)
def test_check_app_sign(sign: str, now: int, expected: object) -> None:
    assert check_app_sign(sign, SECRETS.get, now) == expected
