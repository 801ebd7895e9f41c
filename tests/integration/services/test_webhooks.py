"""Webhooks on moto: the subscription routes through their handler and store (answers checked
against api/openapi.json), and delivery through the template's rule, queues and the delivery
handler, with the endpoint faked at the HTTP port. Signatures are checked with `standardwebhooks`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from standardwebhooks.webhooks import Webhook

from faceid_bridge import webhook_wiring
from faceid_bridge.domain.webhooks import Endpoint
from tests.integration.services.test_api_answers import assert_documented
from tests.local_stack import LocalStack, call, handler, lambda_context, sample
from tests.support import EVENTS, load_json

EVENT = load_json(EVENTS / "samples" / "h5_lite" / "verification-approved.json")
PUBLIC = "93.184.216.34"


@dataclass
class FakeEndpoints:
    """The HTTP port: what each host resolves to and answers, and every POST it was sent."""

    addresses: dict[str, list[str]] = field(default_factory=dict)
    answers: dict[str, int] = field(default_factory=dict)
    posts: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def resolve(self, host: str) -> list[str]:
        return self.addresses.get(host, [PUBLIC])

    def post(
        self, endpoint: Endpoint, address: str, body: str, headers: dict[str, str]
    ) -> tuple[int | None, int, str | None]:
        if endpoint.host == "broken.example.com":
            raise RuntimeError("the delivery itself fails")
        self.posts.append((endpoint.host, body, headers))
        return self.answers.get(endpoint.host, 204), 7, None


@pytest.fixture
def endpoints(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeEndpoints]:
    fake = FakeEndpoints()
    for factory in (webhook_wiring.store, webhook_wiring.queue, webhook_wiring.dead_letters):
        factory.cache_clear()
    monkeypatch.setattr(webhook_wiring, "http", lambda: fake)
    yield fake
    for factory in (webhook_wiring.store, webhook_wiring.queue, webhook_wiring.dead_letters):
        factory.cache_clear()


def subscribe(body: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    return call("webhook_subscriptions", sample("webhook_create", json.dumps(body)))


def on(name: str, **path: str) -> dict[str, Any]:
    """A sample route event for other path parameters."""
    event = sample(name)
    for key, value in path.items():
        placeholder = event["pathParameters"][key]
        event["rawPath"] = event["requestContext"]["http"]["path"] = event["rawPath"].replace(placeholder, value)
        event["pathParameters"][key] = value
    return event


def drain(stack: LocalStack, queue: str) -> list[dict[str, Any]]:
    """The queue's messages as Lambda's SQS records."""
    sqs = boto3.client("sqs", region_name=stack.region)
    messages = sqs.receive_message(QueueUrl=stack.refs[queue], MaxNumberOfMessages=10).get("Messages", [])
    arn = stack.attrs[(queue, "Arn")]
    return [
        {
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m["Body"],
            "attributes": {},
            "messageAttributes": {},
            "md5OfBody": m["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": arn,
            "awsRegion": stack.region,
        }
        for m in messages
    ]


def deliver(records: list[dict[str, Any]]) -> Any:
    return handler("webhook_delivery")({"Records": records}, lambda_context())


def publish(stack: LocalStack) -> None:
    """The sample event on the bus, as the publisher puts it."""
    boto3.client("events", region_name=stack.region).put_events(
        Entries=[
            {
                "Source": EVENT["source"],
                "DetailType": EVENT["detail-type"],
                "Detail": json.dumps(EVENT["detail"]),
                "EventBusName": stack.refs["EventBus"],
            }
        ]
    )


def test_subscriptions_are_created_listed_rotated_and_disabled_as_documented(
    stack: LocalStack, endpoints: FakeEndpoints
) -> None:
    # When an endpoint is subscribed
    created = subscribe({"url": "https://hooks.example.com/in", "channels": ["h5_lite"]})
    assert_documented("/v1/webhook-subscriptions", "post", created)
    status, _, body = created
    subscription_id, secret = body["subscription_id"], body["secret"]
    # Then it is created with its secret, shown this once: the list has no secret
    assert status == 201 and secret.startswith("whsec_")
    # And it is stored sealed (KMS): the table does not hold it in clear
    item = boto3.client("dynamodb", region_name=stack.region).get_item(
        TableName=stack.refs["VerificationsTable"],
        Key={"pk": {"S": "WEBHOOKS"}, "sk": {"S": f"SUBSCRIPTION#{subscription_id}"}},
    )["Item"]
    assert secret not in json.dumps(item) and secret.removeprefix("whsec_") not in json.dumps(item)
    listed = call("webhook_subscriptions", sample("webhook_list"))
    assert_documented("/v1/webhook-subscriptions", "get", listed)
    assert [s["subscription_id"] for s in listed[2]["subscriptions"]] == [subscription_id]
    assert "whsec_" not in json.dumps(listed[2])
    # And a rotation gives a new secret, the previous one signing until its window ends
    rotated = call("webhook_subscriptions", on("webhook_rotate", subscription_id=subscription_id))
    assert_documented("/v1/webhook-subscriptions/{subscription_id}/rotate-secret", "post", rotated)
    assert rotated[2]["secret"] not in (secret, None) and rotated[2]["previous_secret_expires_at"]
    # And a disabled one reads disabled
    disabled = call("webhook_subscriptions", on("webhook_disable", subscription_id=subscription_id))
    assert_documented("/v1/webhook-subscriptions/{subscription_id}/disable", "post", disabled)
    assert disabled[2]["enabled"] is False


def test_an_unknown_subscription_is_not_found(endpoints: FakeEndpoints) -> None:
    answer = call("webhook_subscriptions", on("webhook_rotate", subscription_id="whs_nope"))
    assert_documented("/v1/webhook-subscriptions/{subscription_id}/rotate-secret", "post", answer)
    assert answer[0] == 404 and answer[2]["error_message"] == "NOT_FOUND:subscription_id"


@pytest.mark.parametrize(
    ("url", "addresses"),
    [("https://intranet.example.com/in", ["10.0.0.8"]), ("https://hooks.example.com/in", [PUBLIC, "127.0.0.1"])],
)
def test_an_endpoint_resolving_to_a_private_address_is_refused(
    endpoints: FakeEndpoints, url: str, addresses: list[str]
) -> None:
    endpoints.addresses = {url.split("/")[2]: addresses}
    answer = subscribe({"url": url})
    assert_documented("/v1/webhook-subscriptions", "post", answer)
    assert answer[0] == 400 and answer[2]["error_message"].startswith("BAD_ARGUMENTS:url")


def test_an_event_on_the_bus_reaches_the_endpoint_signed_and_its_attempt_reads_back(
    stack: LocalStack, endpoints: FakeEndpoints
) -> None:
    # Given a subscription
    secret = subscribe({"url": "https://hooks.example.com/in"})[2]["secret"]
    # When an event is published, the rule's queue handed to the delivery function, then its delivery
    publish(stack)
    assert deliver(drain(stack, "WebhookEventsQueue")) == {"batchItemFailures": []}
    assert deliver(drain(stack, "WebhookDeliveriesQueue")) == {"batchItemFailures": []}
    # Then the endpoint got it, and standardwebhooks verifies it with the subscription's secret
    ((host, body, headers),) = endpoints.posts
    assert host == "hooks.example.com"
    assert Webhook(secret).verify(body, headers)["data"] == EVENT["detail"]
    assert headers["webhook-id"] == EVENT["detail"]["event_id"]
    # And its attempt reads back, with status and latency
    answer = call("webhook_subscriptions", on("webhook_attempts", event_id=EVENT["detail"]["event_id"]))
    assert_documented("/v1/webhook-events/{event_id}/attempts", "get", answer)
    assert [(a["attempt"], a["status_code"], a["latency_ms"]) for a in answer[2]["attempts"]] == [(1, 204, 7)]


def test_a_failing_endpoint_fails_only_its_own_record_and_is_retried_delayed(
    stack: LocalStack, endpoints: FakeEndpoints
) -> None:
    # Given three endpoints: one that answers 500, one whose delivery raises, one healthy
    endpoints.answers = {"down.example.com": 500}
    for host in ("down.example.com", "broken.example.com", "up.example.com"):
        subscribe({"url": f"https://{host}/in"})
    publish(stack)
    deliver(drain(stack, "WebhookEventsQueue"))
    records = drain(stack, "WebhookDeliveriesQueue")
    # When their three deliveries come in one batch
    result = deliver(records)
    # Then only the one that raised is reported failed (SQS gives it again); the others are done
    broken = [r["messageId"] for r in records if _host_of(r) == "broken.example.com"]
    assert result == {"batchItemFailures": [{"itemIdentifier": broken[0]}]}
    assert sorted(host for host, _, _ in endpoints.posts) == ["down.example.com", "up.example.com"]
    # And the 500 is retried: its next attempt waits on the queue, delayed by the schedule
    attributes = boto3.client("sqs", region_name=stack.region).get_queue_attributes(
        QueueUrl=stack.refs["WebhookDeliveriesQueue"], AttributeNames=["ApproximateNumberOfMessagesDelayed"]
    )["Attributes"]
    assert attributes["ApproximateNumberOfMessagesDelayed"] == "1"


def _host_of(record: dict[str, Any]) -> str:
    """The host of the subscription a delivery record is for (from the store)."""
    subscription = webhook_wiring.store().subscription(json.loads(record["body"])["subscription_id"])
    assert subscription is not None
    return subscription.url.split("/")[2]
