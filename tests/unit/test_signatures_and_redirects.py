"""The callback signature (001) and the redirect allow-list."""

import pytest

from faceid_bridge.config import Settings
from faceid_bridge.faceid.contract import lite_sign, lite_sign_valid

DATA = '{"status":"OK"}'
# Known answer, computed outside this code: printf 'sandbox-secret{"status":"OK"}' | sha1sum
KNOWN_SIGN = "8d44fe2fc1336e4a4f644b417c6f276e441b2fab"


def test_sign_known_answer() -> None:
    assert lite_sign("sandbox-secret", DATA) == KNOWN_SIGN


@pytest.mark.parametrize(
    ("secrets", "sign", "valid"),
    [
        (["sandbox-secret"], KNOWN_SIGN, True),
        (["sandbox-secret"], KNOWN_SIGN.upper(), True),
        (["other"], KNOWN_SIGN, False),
        (["new-secret", "sandbox-secret"], KNOWN_SIGN, True),  # previous secret during a rotation
        (["sandbox-secret"], KNOWN_SIGN[:-1] + "0", False),
        (["sandbox-secret"], "", False),
        (["sandbox-secret"], "é" * 40, False),
        ([], KNOWN_SIGN, False),
    ],
)
def test_sign_check(secrets: list[str], sign: str, valid: bool) -> None:
    assert lite_sign_valid(secrets, DATA, sign) is valid


def test_sign_covers_the_raw_data_string() -> None:
    # Given the same JSON with different spacing, Then the sign no longer matches
    assert not lite_sign_valid(["sandbox-secret"], '{"status": "OK"}', KNOWN_SIGN)


SETTINGS = Settings.model_validate(
    {
        "TABLE_NAME": "t",
        "FACEID_ENDPOINT": "https://api-idn.megvii.com",
        "FACEID_SECRET_ID": "s",
        "ALLOWED_REDIRECT_ORIGINS": "https://shop.example.com, http://localhost:*, https://app.example.com:8443",
    }
)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://shop.example.com/kyc/done?x=1", True),
        ("https://SHOP.example.com/kyc", True),
        ("https://shop.example.com:443/kyc", True),
        ("http://shop.example.com/kyc", False),  # scheme is part of the origin
        ("https://shop.example.com:8443/kyc", False),
        ("https://evil.shop.example.com/", False),
        ("https://shop.example.com.evil.com/", False),
        ("https://shop.example.com@evil.com/", False),  # userinfo trick
        ("http://localhost:3000/done", True),
        ("http://localhost:49152/done", True),
        ("https://localhost:3000/done", False),
        ("https://app.example.com:8443/x", True),
        ("https://app.example.com/x", False),
        ("javascript:alert(1)", False),
        ("//shop.example.com/kyc", False),
        ("https://shop.example.com:99999/", False),
    ],
)
def test_redirect_allow_list_matches_whole_origins(url: str, allowed: bool) -> None:
    assert SETTINGS.redirect_allowed(url) is allowed
