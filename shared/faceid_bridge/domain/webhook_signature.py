"""Standard Webhooks signatures (https://www.standardwebhooks.com): what a subscriber checks.

The signed content is `{webhook-id}.{webhook-timestamp}.{body}`; the signature, HMAC-SHA256 keyed
with the base64 part of the `whsec_` secret, goes as `v1,<base64>`. During a secret rotation each
live secret signs, and the header carries every signature, space separated (the spec lets a
receiver accept any one of them), so a receiver may switch to the new secret at any time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable

SECRET_PREFIX = "whsec_"  # noqa: S105 - the spec's prefix, not a secret
SECRET_BYTES = 32


def new_secret() -> str:
    """A fresh secret: `whsec_` and 256 random bits in base64, as the spec's libraries expect."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """One `v1,<base64 HMAC-SHA256>` of the content the spec signs."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    content = f"{message_id}.{timestamp}.{body}".encode()
    return "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()


def headers(live_secrets: Iterable[str], message_id: str, timestamp: int, body: str) -> dict[str, str]:
    """The three headers of one delivery, signed with every live secret."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(secret, message_id, timestamp, body) for secret in live_secrets),
    }
