"""The webhook functions' configuration: where endpoints may be, the key that seals their secrets,
and the delivery's queues (docs/decisions.md §19)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field

from faceid_bridge.config import Config, StoreConfig, comma_list


class WebhookTargetsConfig(Config):
    # `host:port` entries a webhook endpoint may use although they are not public (and over plain
    # HTTP): empty when deployed; locally, the test receiver (docs/decisions.md §19).
    webhook_allowed_targets: Annotated[list[str], BeforeValidator(comma_list)] = Field(
        default_factory=list, alias="WEBHOOK_ALLOWED_TARGETS"
    )


class WebhookSecretsConfig(Config):
    webhook_secrets_key_id: str = Field(alias="WEBHOOK_SECRETS_KEY_ID")  # the KMS key that seals them


class WebhookQueueConfig(Config):
    webhook_queue_url: str = Field(alias="WEBHOOK_QUEUE_URL")
    webhook_dlq_url: str = Field(alias="WEBHOOK_DLQ_URL")


class WebhookSubscriptionsConfig(StoreConfig, WebhookTargetsConfig, WebhookSecretsConfig):
    pass


class WebhookDeliveryConfig(StoreConfig, WebhookTargetsConfig, WebhookSecretsConfig, WebhookQueueConfig):
    pass
