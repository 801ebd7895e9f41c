"""What only FaceID checks, and so only the sandbox: get_token's whole form with credentials and
callback URLs (000), and verifying an App-Authentication sign (notes §3). The product never
receives these; it shares the rest of the contract with the sandbox (docs/decisions.md, 4)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable

from faceid_bridge.channels.h5_lite.contract import GetTokenOptions
from faceid_bridge.faceid.common import HttpUrl, NonEmpty, NotifyUrl

_SHA1_BYTES = 20


class GetTokenRequest(GetTokenOptions):
    """The whole lite/get_token form as FaceID receives it (credentials are checked before this)."""

    api_key: NonEmpty
    api_secret: NonEmpty
    return_url: HttpUrl
    notify_url: NotifyUrl


def check_app_sign(sign: str, secret_of: Callable[[str], str | None], now: int) -> tuple[str, str, int] | str:
    """(api_key, raw, expire_time) of a valid sign, or the AUTHORIZATION_ERROR reason it fails with:
    INVALID_SIGN (malformed, unknown key, wrong HMAC) or EXPIRED_SIGN (past expire_time)."""
    try:
        decoded = base64.b64decode(sign, validate=True)
        raw = decoded[_SHA1_BYTES:].decode("ascii")
        fields = dict(part.split("=", 1) for part in raw.split("&"))
        api_key, expire_time, current_time = fields["a"], int(fields["b"]), int(fields["c"])
        if list(fields) != ["a", "b", "c", "d"] or not fields["d"].isdigit() or len(fields["d"]) > 10:
            return "INVALID_SIGN"
    except (binascii.Error, UnicodeDecodeError, ValueError, KeyError):
        return "INVALID_SIGN"
    secret = secret_of(api_key)
    expected = hmac.new((secret or "").encode(), raw.encode(), hashlib.sha1).digest()
    if secret is None or not hmac.compare_digest(expected, decoded[:_SHA1_BYTES]):
        return "INVALID_SIGN"
    if expire_time and (expire_time < now or current_time > expire_time):
        return "EXPIRED_SIGN"
    return api_key, raw, expire_time
