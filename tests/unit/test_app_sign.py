"""App-Authentication sign (notes §3): known answers, and the sandbox-side check."""

import base64

import pytest

from faceid_bridge.channels.app_sdk.contract import app_sign
from infra.sandbox.contract import check_app_sign

# Known answers, computed outside this code:
#   { printf RAW | openssl dgst -sha1 -hmac sandbox-secret -binary; printf RAW; } | base64
ONE_TIME = "yTvjg2HV4FI28ty+vIWZjqgMUtlhPXNhbmRib3gta2V5JmI9MCZjPTE3OTUzMzgwMDAmZD0wNzk5Njg3MDY2"
UNTIL = "ahFIdLj8MxFZUlI77fLb3lIHrpxhPXNhbmRib3gta2V5JmI9MTc5NTMzODEwMCZjPTE3OTUzMzgwMDAmZD00MjQyNDI0MjQy"
SECRETS = {"sandbox-key": "sandbox-secret"}


@pytest.mark.parametrize(
    ("expire_time", "random", "expected"),
    [(0, "0799687066", ONE_TIME), (1795338100, "4242424242", UNTIL)],
    ids=["one-time (b=0), leading zero kept", "valid until b"],
)
def test_app_sign_known_answers(expire_time: int, random: str, expected: str) -> None:
    assert (
        app_sign("sandbox-key", "sandbox-secret", expire_time=expire_time, current_time=1795338000, random=random)
        == expected
    )


def test_the_sign_carries_its_raw_string_after_the_20_byte_digest() -> None:
    assert base64.b64decode(ONE_TIME)[20:] == b"a=sandbox-key&b=0&c=1795338000&d=0799687066"


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
