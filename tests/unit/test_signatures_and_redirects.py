"""The callback signature (001), the redirect allow-list and the secret-rotation window: the
pure policies (domain/redirects.py, domain/secret_rotation.py)."""

from datetime import UTC, datetime

import pytest

from faceid_bridge.config import Settings
from faceid_bridge.domain.redirects import redirect_allowed
from faceid_bridge.domain.secret_rotation import Credentials, UnusableSecret
from faceid_bridge.faceid.lite import lite_sign, lite_sign_valid

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
    assert redirect_allowed(url, SETTINGS.allowed_redirect_origins) is allowed


NOON = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("secret", "expected"),
    [
        ({}, ["new"]),
        ({"previous_api_secret": "old"}, ["new"]),  # no window end: the previous secret is not trusted
        ({"previous_api_secret": "old", "previous_valid_until": "2026-11-22T12:00:01Z"}, ["new", "old"]),
        ({"previous_api_secret": "old", "previous_valid_until": "2026-11-22T12:00:00Z"}, ["new"]),
        ({"previous_valid_until": "2026-11-23T00:00:00Z"}, ["new"]),
    ],
)
def test_signing_secrets_follow_the_rotation_window(secret: dict[str, str], expected: list[str]) -> None:
    credentials = Credentials.model_validate({"api_key": "k", "api_secret": "new", **secret})
    assert credentials.signing_secrets(NOON) == expected


def test_credentials_never_show_their_secrets() -> None:
    text = repr(Credentials(api_key="key-value", api_secret="secret-value", previous_api_secret="old-value"))
    assert "secret-value" not in text and "old-value" not in text and "key-value" not in text


@pytest.mark.parametrize(
    ("secret", "dropped"),
    [
        ({"previous_api_secret": "old", "previous_valid_until": "2026-11-22T12:00:00"}, ["previous_valid_until"]),
        ({"previous_api_secret": "old", "previous_valid_until": "soon"}, ["previous_valid_until"]),
        ({"previous_api_secret": 7, "previous_valid_until": "2026-11-23T00:00:00Z"}, ["previous_api_secret"]),
    ],
)
def test_invalid_rotation_fields_are_dropped_both_and_named(secret: dict[str, object], dropped: list[str]) -> None:
    # Given a secret whose rotation fields do not validate (a window end without a timezone, say)
    credentials, invalid = Credentials.from_secret({"api_key": "k", "api_secret": "new", **secret})
    # Then only the current secret signs, and what was invalid is named for the log
    assert credentials.signing_secrets(NOON) == ["new"] and invalid == dropped


@pytest.mark.parametrize("secret", [{"api_key": "k"}, {"api_secret": ""}, ["k", "s"], "text"])
def test_a_secret_without_credentials_is_unusable(secret: object) -> None:
    with pytest.raises(UnusableSecret):
        Credentials.from_secret(secret)
