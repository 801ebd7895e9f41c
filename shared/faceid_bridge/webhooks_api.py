"""The webhook routes' request and answer models (functions/webhook_subscriptions/)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from faceid_bridge.api_models import ANSWER
from faceid_bridge.domain.events import DETAIL_TYPES
from faceid_bridge.domain.verification import Channel
from faceid_bridge.domain.webhooks import DeliveryAttempt, Subscription
from faceid_bridge.faceid.common import bad


def _detail_type(value: str) -> str:
    if value not in DETAIL_TYPES:
        raise bad("detail_types")
    return value


class CreateSubscriptionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2048, description="HTTPS only; its host must resolve to public addresses.")
    channels: list[Channel] = Field(default_factory=list, max_length=8, description="Empty: every channel.")
    detail_types: list[Annotated[str, AfterValidator(_detail_type)]] = Field(
        default_factory=list, max_length=32, description="Empty: every detail-type (events/README.md)."
    )


class SubscriptionView(BaseModel):
    """A webhook subscription (never its secret)."""

    model_config = ANSWER

    subscription_id: str
    url: str
    channels: list[Channel]
    detail_types: list[str]
    enabled: bool
    created_at: datetime
    previous_secret_expires_at: datetime | None = Field(
        description="Until then the previous secret also signs (a rotation window); None: one secret."
    )

    @classmethod
    def of(cls, subscription: Subscription) -> Self:
        previous = [s.expires_at for s in subscription.secrets[1:] if s.expires_at]
        return cls(
            **subscription.model_dump(include={"subscription_id", "url", "channels", "detail_types", "enabled"}),
            created_at=subscription.created_at,
            previous_secret_expires_at=max(previous, default=None),
        )


class SubscriptionWithSecret(SubscriptionView):
    """The subscription and its new signing secret, shown this once: store it to verify deliveries."""

    secret: str = Field(description="whsec_<base64>, for a Standard Webhooks library's Webhook(secret).")

    @classmethod
    def of(cls, subscription: Subscription) -> Self:
        view = SubscriptionView.of(subscription).model_dump()
        return cls(**view, secret=subscription.secrets[0].value.get_secret_value())


class SubscriptionList(BaseModel):
    """Every webhook subscription."""

    model_config = ANSWER

    subscriptions: list[SubscriptionView]


class AttemptView(BaseModel):
    model_config = ANSWER

    subscription_id: str
    attempt: int
    status_code: int | None = Field(description="The endpoint's answer; None: no answer (see error).")
    latency_ms: int
    error: str | None
    at: datetime

    @classmethod
    def of(cls, attempt: DeliveryAttempt) -> Self:
        return cls(**attempt.model_dump(exclude={"event_id"}))


class AttemptList(BaseModel):
    """The delivery attempts of one event to every endpoint, oldest first per endpoint."""

    model_config = ANSWER

    event_id: str
    attempts: list[AttemptView]
