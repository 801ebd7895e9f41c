"""The callback signature (001), the redirect allow-list and the secret-rotation window: the
pure policies (domain/redirects.py, domain/secret_rotation.py)."""

from datetime import UTC, datetime

import pytest

from faceid_bridge.channels.h5_lite.contract import lite_sign, lite_sign_valid
from faceid_bridge.config import RedirectConfig
from faceid_bridge.domain.redirects import redirect_allowed
from faceid_bridge.domain.secret_rotation import Credentials, UnusableSecret

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


@pytest.mark.parametrize(
    "secrets",
    [
        ["sandbox-secret", "previous-secret"],  # the current secret during a rotation (signing_secrets' order)
        ["new-secret", "sandbox-secret", "oldest-secret"],
        ["new-secret", "sandbox-secret"],
    ],
    ids=["first", "middle", "last"],
)
def test_a_matching_secret_counts_in_any_position(secrets: list[str]) -> None:
    # Given the secret that signed the callback among others (001: sign = sha1(API_SECRET + data))
    # Then the sign is valid, wherever that secret stands in the list
    assert lite_sign_valid(secrets, DATA, KNOWN_SIGN)


def test_sign_covers_the_raw_data_string() -> None:
    # Given the same JSON with different spacing, Then the sign no longer matches
    assert not lite_sign_valid(["sandbox-secret"], '{"status": "OK"}', KNOWN_SIGN)


SETTINGS = RedirectConfig.model_validate(
    {"ALLOWED_REDIRECT_ORIGINS": "https://shop.example.com, http://localhost:*, https://app.example.com:8443"}
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
        ("https://user@shop.example.com/", False),  # userinfo on an allowed host
        ("https://user:pass@shop.example.com/", False),
        ("https:///kyc", False),  # an allowed scheme with no host
        ("http://plain.example.com/done", True),  # an http entry without a port means port 80
        ("http://plain.example.com:80/done", True),
        ("http://plain.example.com:443/done", False),
        ("http://plain.example.com:81/done", False),
    ],
)
def test_redirect_allow_list_matches_whole_origins(url: str, allowed: bool) -> None:
    assert redirect_allowed(url, [*SETTINGS.allowed_redirect_origins, "http://plain.example.com"]) is allowed


@pytest.mark.parametrize("url", ["ftp://files.example.com/x", "javascript://files.example.com/%0aalert(1)"])
def test_only_web_origins_are_redirect_targets(url: str) -> None:
    # Given an allow-list that names a non-web origin by mistake
    # Then the browser is still never sent there: redirects go to http(s) origins only
    assert not redirect_allowed(url, ["ftp://files.example.com", "javascript://files.example.com"])


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
        ({"previous_api_secret": 7, "previous_valid_until": "soon"}, ["previous_api_secret", "previous_valid_until"]),
    ],
)
def test_invalid_rotation_fields_are_dropped_both_and_named(secret: dict[str, object], dropped: list[str]) -> None:
    # Given a secret whose rotation fields do not validate (a window end without a timezone, say)
    credentials, invalid = Credentials.from_secret({"api_key": "k", "api_secret": "new", **secret})
    # Then only the current secret signs, and what was invalid is named for the log
    assert credentials.signing_secrets(NOON) == ["new"] and invalid == dropped


@pytest.mark.parametrize(
    ("secret", "invalid"),
    [
        ({"api_key": "k"}, ["api_secret"]),
        ({"api_secret": ""}, ["api_key", "api_secret"]),
        ({"api_key": "k", "previous_api_secret": 7}, ["api_secret", "previous_api_secret"]),
        (["k", "s"], [""]),  # not a JSON object: no field to name
        ("text", [""]),
    ],
)
def test_a_secret_without_credentials_is_unusable_and_names_its_invalid_fields(
    secret: object, invalid: list[str]
) -> None:
    with pytest.raises(UnusableSecret) as raised:
        Credentials.from_secret(secret)
    # Then the fields that are logged name what to fix, and never a value
    assert raised.value.invalid_fields == invalid
    assert str(raised.value) == f"invalid fields: {invalid}"
