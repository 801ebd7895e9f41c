"""The adapters of the webhook functions, built once per process on first use (as wiring.py does
for the others; tests replace them by patching these factories' results)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from faceid_bridge.config import StoreConfig, load
from faceid_bridge.config.webhooks import WebhookQueueConfig, WebhookSecretsConfig, WebhookTargetsConfig

if TYPE_CHECKING:
    from types import ModuleType

    from faceid_bridge.adapters.bus import DeadLetterQueue
    from faceid_bridge.adapters.dynamodb.webhooks import WebhookStore
    from faceid_bridge.adapters.webhook_queue import DeliveryQueue


@cache
def store() -> WebhookStore:
    from faceid_bridge.adapters.dynamodb.codec import Table
    from faceid_bridge.adapters.dynamodb.webhooks import WebhookStore
    from faceid_bridge.adapters.webhook_secrets import KmsSecrets

    config = load(StoreConfig)
    table = Table(config.table_name, config.verification_retention_days, config.audit_retention_days)
    return WebhookStore(table, KmsSecrets(load(WebhookSecretsConfig).webhook_secrets_key_id))


@cache
def queue() -> DeliveryQueue:
    from faceid_bridge.adapters.webhook_queue import DeliveryQueue

    return DeliveryQueue(load(WebhookQueueConfig).webhook_queue_url)


@cache
def dead_letters() -> DeadLetterQueue:
    from faceid_bridge.adapters.bus import DeadLetterQueue

    return DeadLetterQueue(load(WebhookQueueConfig).webhook_dlq_url)


def http() -> ModuleType:
    """The HTTP adapter (a module: resolve and post)."""
    from faceid_bridge.adapters import webhook_http

    return webhook_http


def allowed_targets() -> frozenset[str]:
    return frozenset(load(WebhookTargetsConfig).webhook_allowed_targets)


def resolve(host: str) -> list[str]:
    """What the host resolves to (the subscription routes check an endpoint with it)."""
    addresses: list[str] = http().resolve(host)
    return addresses
