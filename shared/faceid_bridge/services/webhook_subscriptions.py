"""Webhook subscriptions: create (the secret is ours, shown once), list, rotate the secret, disable.

An endpoint is checked when it is created, as it is again at each delivery (services/webhook_delivery.py):
HTTPS only, and its host must resolve to public addresses only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from pydantic import SecretStr

from faceid_bridge.domain.verification import Channel, utcnow
from faceid_bridge.domain.webhook_signature import new_secret
from faceid_bridge.domain.webhooks import (
    RefusedEndpoint,
    SigningSecret,
    Subscription,
    endpoint_of,
    new_subscription_id,
    refusal_of,
)
from faceid_bridge.errors import ArgumentError, NotFound
from faceid_bridge.observability import logger


class SubscriptionStore(Protocol):
    def create(self, subscription: Subscription) -> None: ...
    def replace(self, subscription: Subscription) -> None: ...
    def subscription(self, subscription_id: str) -> Subscription | None: ...
    def subscriptions(self) -> list[Subscription]: ...


Resolve = Callable[[str], list[str]]


def checked_url(url: str, *, resolve: Resolve, allowed_targets: frozenset[str]) -> str:
    """The URL, if it may be an endpoint; BAD_ARGUMENTS:url otherwise (the reason is logged, not told:
    a caller probing our network learns nothing from it)."""
    try:
        endpoint = endpoint_of(url, allowed_targets)
    except RefusedEndpoint as refused:
        raise ArgumentError(f"BAD_ARGUMENTS:url ({refused})") from None
    reason = refusal_of(endpoint, resolve(endpoint.host), allowed_targets)
    if reason is not None:
        logger.warning("webhook endpoint refused", extra={"reason": reason})
        raise ArgumentError("BAD_ARGUMENTS:url (not a public address)")
    return url


def create_subscription(
    url: str,
    channels: list[Channel],
    detail_types: list[str],
    *,
    store: SubscriptionStore,
    resolve: Resolve,
    allowed_targets: frozenset[str],
    now: Callable[[], datetime] = utcnow,
) -> Subscription:
    subscription = Subscription(
        subscription_id=new_subscription_id(),
        url=checked_url(url, resolve=resolve, allowed_targets=allowed_targets),
        channels=channels,
        detail_types=detail_types,
        created_at=now(),
        secrets=[SigningSecret(value=SecretStr(new_secret()))],
    )
    store.create(subscription)
    logger.info("webhook subscription created", extra={"subscription_id": subscription.subscription_id})
    return subscription


def _existing(subscription_id: str, store: SubscriptionStore) -> Subscription:
    subscription = store.subscription(subscription_id)
    if subscription is None:
        raise NotFound("NOT_FOUND:subscription_id")
    return subscription


def rotate_secret(
    subscription_id: str, *, store: SubscriptionStore, now: Callable[[], datetime] = utcnow
) -> Subscription:
    """A new secret; the previous one keeps signing beside it for ROTATION_WINDOW."""
    rotated = _existing(subscription_id, store).rotated(new_secret(), now())
    store.replace(rotated)
    logger.info("webhook secret rotated", extra={"subscription_id": subscription_id})
    return rotated


def disable_subscription(subscription_id: str, *, store: SubscriptionStore) -> Subscription:
    """No more deliveries, pending retries included (each reads the subscription first). Idempotent."""
    disabled = _existing(subscription_id, store).model_copy(update={"enabled": False})
    store.replace(disabled)
    logger.info("webhook subscription disabled", extra={"subscription_id": subscription_id})
    return disabled
