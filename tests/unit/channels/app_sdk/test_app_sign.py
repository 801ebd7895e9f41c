"""App-Authentication sign (notes §3): known answers (the sandbox checks it: tests/sandbox/)."""

import base64

import pytest

from faceid_bridge.channels.app_sdk.contract import app_sign

# Known answers, computed outside this code:
#   { printf RAW | openssl dgst -sha1 -hmac sandbox-secret -binary; printf RAW; } | base64
ONE_TIME = "yTvjg2HV4FI28ty+vIWZjqgMUtlhPXNhbmRib3gta2V5JmI9MCZjPTE3OTUzMzgwMDAmZD0wNzk5Njg3MDY2"
UNTIL = "ahFIdLj8MxFZUlI77fLb3lIHrpxhPXNhbmRib3gta2V5JmI9MTc5NTMzODEwMCZjPTE3OTUzMzgwMDAmZD00MjQyNDI0MjQy"


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
