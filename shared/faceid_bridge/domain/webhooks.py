"""Webhook subscriptions: what an endpoint receives (its filter), with which secrets it is signed,
when a failed delivery is tried again, and which endpoints may be called at all (SSRF)."""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, SecretStr

from faceid_bridge.domain.verification import Channel

# Seconds to wait before each attempt (the first is at once): Svix's schedule, the one the Standard
# Webhooks guide cites, over 3 days and 3 hours in all. After the last, the delivery is dead-lettered.
ATTEMPT_DELAYS = (0, 5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600, 24 * 3600, 24 * 3600)
# How long a rotated-out secret keeps signing beside the new one.
ROTATION_WINDOW = timedelta(hours=24)


def delay_before(attempt: int) -> int | None:
    """Seconds before attempt number `attempt` (1 is the first), or None when there is none left."""
    return ATTEMPT_DELAYS[attempt - 1] if 1 <= attempt <= len(ATTEMPT_DELAYS) else None


def new_subscription_id() -> str:
    return "whs_" + secrets.token_urlsafe(16)


class SigningSecret(BaseModel):
    """One secret and, once rotated out, when it stops signing. SecretStr: never in a repr or a log."""

    model_config = ConfigDict(frozen=True)

    value: SecretStr
    expires_at: datetime | None = None


class Subscription(BaseModel):
    model_config = ConfigDict(frozen=True)

    subscription_id: str
    url: str
    channels: list[Channel]  # empty: every channel
    detail_types: list[str]  # empty: every detail-type
    enabled: bool = True
    created_at: datetime
    secrets: list[SigningSecret]  # the newest first

    def wants(self, detail_type: str, channel: str) -> bool:
        return (
            self.enabled
            and (not self.channels or channel in self.channels)
            and (not self.detail_types or detail_type in self.detail_types)
        )

    def live_secrets(self, now: datetime) -> list[str]:
        return [s.value.get_secret_value() for s in self.secrets if s.expires_at is None or s.expires_at > now]

    def rotated(self, new_secret: str, now: datetime) -> Subscription:
        """The new secret signs from now on; the current one also, for ROTATION_WINDOW; older ones stop."""
        kept = [SigningSecret(value=s.value, expires_at=now + ROTATION_WINDOW) for s in self.secrets[:1]]
        return self.model_copy(update={"secrets": [SigningSecret(value=SecretStr(new_secret)), *kept]})


class RefusedEndpoint(ValueError):
    """An endpoint we will not call: not HTTPS, or an address that is not on the public internet."""


@dataclass(frozen=True)
class Endpoint:
    scheme: str
    host: str
    port: int
    path: str  # with its query

    @property
    def target(self) -> str:
        """`host:port`, as the allow-list names it."""
        return f"{self.host}:{self.port}"


def endpoint_of(url: str, allowed_targets: frozenset[str]) -> Endpoint:
    """The URL's parts, if it may be a subscription's endpoint: HTTPS, no credentials in it; plain
    HTTP only for an allow-listed `host:port` (the local test receiver)."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise RefusedEndpoint("not a URL") from exc
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise RefusedEndpoint("a URL with a host and no credentials")
    endpoint = Endpoint(
        parts.scheme, parts.hostname, port, (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    )
    if parts.scheme != "https" and not (parts.scheme == "http" and endpoint.target in allowed_targets):
        raise RefusedEndpoint("HTTPS only")
    return endpoint


def address_refusal(address: str) -> str | None:
    """Why an address is no webhook target (None: it is one): anything not on the public internet,
    including a private range reached through an IPv4-mapped or 6to4 IPv6 address."""
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address.split("%", 1)[0])
    embedded = ip.ipv4_mapped or ip.sixtofour if isinstance(ip, ipaddress.IPv6Address) else None
    if embedded is not None:
        return address_refusal(str(embedded))
    for kind in ("loopback", "link_local", "unspecified", "multicast", "reserved", "private"):
        if getattr(ip, f"is_{kind}"):
            return kind
    return None if ip.is_global else "not_global"


def refusal_of(endpoint: Endpoint, addresses: list[str], allowed_targets: frozenset[str]) -> str | None:
    """Why the endpoint's resolved addresses may not be called (None: they may). Every address must
    pass, not just one: a host that also resolves to a private address is refused."""
    if endpoint.target in allowed_targets:
        return None
    if not addresses:
        return "unresolved"
    return next((reason for reason in map(address_refusal, addresses) if reason), None)


class DeliveryAttempt(BaseModel):
    """One attempt to deliver one event to one endpoint: its answer's status (None: no answer) and
    how long it took, or why it was not sent (`error`)."""

    model_config = ConfigDict(frozen=True)

    event_id: str
    subscription_id: str
    attempt: int
    status_code: int | None
    latency_ms: int
    error: str | None
    at: datetime

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
