"""Webhook subscriptions (SigV4): create, list, rotate the secret, disable; and the delivery attempts
of an event."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from faceid_bridge import webhook_wiring as wiring
from faceid_bridge.api import http_app, responses, serve
from faceid_bridge.api_input import request_body
from faceid_bridge.config import load
from faceid_bridge.config.webhooks import WebhookSubscriptionsConfig
from faceid_bridge.observability import logger
from faceid_bridge.services import webhook_subscriptions as subscriptions
from faceid_bridge.tracing import traced
from faceid_bridge.webhooks_api import (
    AttemptList,
    AttemptView,
    CreateSubscriptionRequest,
    SubscriptionList,
    SubscriptionView,
    SubscriptionWithSecret,
)

CONFIG = load(WebhookSubscriptionsConfig)  # checked as the function starts: a missing variable stops it here, named
resolver = http_app()


@resolver.post(
    "/v1/webhook-subscriptions",
    status_code=201,
    summary="Subscribe an HTTPS endpoint to events; the answer holds its secret, shown once",
    responses=responses(201, SubscriptionWithSecret, 400, 500),
)
@request_body(resolver)
def create(request: CreateSubscriptionRequest) -> SubscriptionWithSecret:
    created = subscriptions.create_subscription(
        request.url,
        request.channels,
        request.detail_types,
        store=wiring.store(),
        resolve=wiring.resolve,
        allowed_targets=wiring.allowed_targets(),
    )
    return SubscriptionWithSecret.of(created)


@resolver.get(
    "/v1/webhook-subscriptions",
    summary="List the webhook subscriptions",
    responses=responses(200, SubscriptionList, 500),
)
def list_all() -> SubscriptionList:
    return SubscriptionList(subscriptions=[SubscriptionView.of(s) for s in wiring.store().subscriptions()])


@resolver.post(
    "/v1/webhook-subscriptions/<subscription_id>/rotate-secret",
    summary="A new secret; the previous one signs beside it for 24 hours",
    responses=responses(200, SubscriptionWithSecret, 404, 500),
)
def rotate(subscription_id: str) -> SubscriptionWithSecret:
    return SubscriptionWithSecret.of(subscriptions.rotate_secret(subscription_id, store=wiring.store()))


@resolver.post(
    "/v1/webhook-subscriptions/<subscription_id>/disable",
    summary="Stop deliveries to the endpoint, pending retries included",
    responses=responses(200, SubscriptionView, 404, 500),
)
def disable(subscription_id: str) -> SubscriptionView:
    return SubscriptionView.of(subscriptions.disable_subscription(subscription_id, store=wiring.store()))


@resolver.get(
    "/v1/webhook-events/<event_id>/attempts",
    summary="The delivery attempts of one event: status code and latency, per endpoint",
    responses=responses(200, AttemptList, 500),
)
def attempts(event_id: str) -> AttemptList:
    return AttemptList(event_id=event_id, attempts=[AttemptView.of(a) for a in wiring.store().attempts(event_id)])


@traced
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(resolver, event, context)
