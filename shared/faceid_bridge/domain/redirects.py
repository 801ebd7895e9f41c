"""The redirect policy: where a user's browser may be sent back to after FaceID. Pure.

Only to an origin on the deployment's allow-list (ALLOWED_REDIRECT_ORIGINS), matched exactly:
scheme, host and port ("http://localhost:*" allows any port). No open redirects.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def redirect_allowed(url: str, allowed_origins: list[str]) -> bool:
    """Exact origin match (scheme, host, port) against the allow-list; no open redirects."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        return False
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return False
    for allowed in allowed_origins:
        scheme, _, rest = allowed.partition("://")
        host, _, allowed_port = rest.partition(":")
        default_port = "443" if scheme == "https" else "80"
        if (
            scheme == parts.scheme
            and host.lower() == parts.hostname.lower()
            and (allowed_port == "*" or int(allowed_port or default_port) == port)
        ):
            return True
    return False
