"""The typed client's webhook calls (FaceIdBridgeClient has them): subscriptions and delivery attempts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

from pydantic import BaseModel

from faceid_bridge.webhooks_api import (
    AttemptList,
    CreateSubscriptionRequest,
    SubscriptionList,
    SubscriptionView,
    SubscriptionWithSecret,
)


class _Answer(Protocol):  # the client's Answer (not imported: the package imports this module)
    def raise_for_status(self) -> None: ...
    def json(self) -> Any: ...


class WebhookCalls:
    if TYPE_CHECKING:  # the client's transport

        def send(self, method: str, path: str, body: BaseModel | Mapping[str, Any] | None = None) -> _Answer: ...

    def create_webhook_subscription(
        self, request: CreateSubscriptionRequest | Mapping[str, Any]
    ) -> SubscriptionWithSecret:
        """The answer's `secret` is shown this once: keep it to verify deliveries."""
        return SubscriptionWithSecret.model_validate(self._ok(self.send("POST", "/v1/webhook-subscriptions", request)))

    def list_webhook_subscriptions(self) -> SubscriptionList:
        return SubscriptionList.model_validate(self._ok(self.send("GET", "/v1/webhook-subscriptions")))

    def rotate_webhook_secret(self, subscription_id: str) -> SubscriptionWithSecret:
        path = f"/v1/webhook-subscriptions/{quote(subscription_id, safe='')}/rotate-secret"
        return SubscriptionWithSecret.model_validate(self._ok(self.send("POST", path)))

    def disable_webhook_subscription(self, subscription_id: str) -> SubscriptionView:
        path = f"/v1/webhook-subscriptions/{quote(subscription_id, safe='')}/disable"
        return SubscriptionView.model_validate(self._ok(self.send("POST", path)))

    def get_webhook_attempts(self, event_id: str) -> AttemptList:
        path = f"/v1/webhook-events/{quote(event_id, safe='')}/attempts"
        return AttemptList.model_validate(self._ok(self.send("GET", path)))

    @staticmethod
    def _ok(answer: _Answer) -> Any:
        answer.raise_for_status()
        return answer.json()
