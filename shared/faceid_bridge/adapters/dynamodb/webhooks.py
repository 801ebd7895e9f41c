"""Webhook subscriptions, their delivery attempts and their dead letters, in the verifications table.

| item                 | pk                       | sk                          |
| -------------------- | ------------------------ | --------------------------- |
| subscription         | WEBHOOKS                 | SUBSCRIPTION#<id>           |
| delivery attempt     | WEBHOOK_EVENT#<event_id> | ATTEMPT#<subscription>#<nn> |
| dead letter          | WEBHOOK_DEAD#<id>        | <event_id>                  |

A subscription's secrets are stored sealed (KMS, adapters/webhook_secrets.py), never in clear.
Subscriptions share one partition so that the delivery function reads them all with one Query (no
Scan); there are tens of them, read once per event. None of these items has
`entity = verification`, so the stream publisher announces none of them.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Protocol

from faceid_bridge.adapters.dynamodb.codec import Table, epoch, from_attributes, to_attributes
from faceid_bridge.domain.webhooks import DeliveryAttempt, Subscription
from faceid_bridge.errors import NotFound

SUBSCRIPTIONS_PK = "WEBHOOKS"


def _subscription_key(subscription_id: str) -> dict[str, Any]:
    return {"pk": {"S": SUBSCRIPTIONS_PK}, "sk": {"S": f"SUBSCRIPTION#{subscription_id}"}}


class Sealer(Protocol):
    """What keeps the signing secrets unreadable in the table (adapters/webhook_secrets.py)."""

    def seal(self, secret: str, subscription_id: str) -> str: ...
    def open(self, sealed: str, subscription_id: str) -> str: ...


class WebhookStore:
    def __init__(self, table: Table, secrets: Sealer) -> None:
        self.table, self.secrets = table, secrets

    def _item(self, subscription: Subscription) -> dict[str, Any]:
        values = subscription.model_dump(mode="json", exclude={"secrets"}) | {"entity": "webhook_subscription"}
        values["secrets"] = [
            {
                "sealed": self.secrets.seal(s.value.get_secret_value(), subscription.subscription_id),
                "expires_at": s.expires_at.isoformat() if s.expires_at else None,
            }
            for s in subscription.secrets
        ]
        return {**_subscription_key(subscription.subscription_id), **to_attributes(values)}

    def _subscription_of(self, item: dict[str, Any]) -> Subscription:
        values = from_attributes(item)
        values["secrets"] = [
            {"value": self.secrets.open(s["sealed"], values["subscription_id"]), "expires_at": s["expires_at"]}
            for s in values["secrets"]
        ]
        return Subscription.model_validate({key: values[key] for key in Subscription.model_fields if key in values})

    def create(self, subscription: Subscription) -> None:
        self.table.dynamodb.put_item(
            TableName=self.table.name,
            Item=self._item(subscription),
            ConditionExpression="attribute_not_exists(pk)",
        )

    def replace(self, subscription: Subscription) -> None:
        """Write a changed subscription over the stored one (it must exist)."""
        client = self.table.dynamodb
        try:
            client.put_item(
                TableName=self.table.name,
                Item=self._item(subscription),
                ConditionExpression="attribute_exists(pk)",
            )
        except client.exceptions.ConditionalCheckFailedException:
            raise NotFound("NOT_FOUND:subscription_id") from None

    def subscription(self, subscription_id: str) -> Subscription | None:
        item = self.table.dynamodb.get_item(
            TableName=self.table.name, Key=_subscription_key(subscription_id), ConsistentRead=True
        ).get("Item")
        return self._subscription_of(item) if item else None

    def subscriptions(self) -> list[Subscription]:
        return [self._subscription_of(item) for item in self._query(SUBSCRIPTIONS_PK, "SUBSCRIPTION#")]

    def record_attempt(self, attempt: DeliveryAttempt) -> None:
        key = f"ATTEMPT#{attempt.subscription_id}#{attempt.attempt:02d}"
        values = attempt.model_dump(mode="json") | {"entity": "webhook_attempt"}
        values["expires_at_epoch"] = epoch(attempt.at + self.table.audit_retention)
        item = {"pk": {"S": f"WEBHOOK_EVENT#{attempt.event_id}"}, "sk": {"S": key}, **to_attributes(values)}
        self.table.dynamodb.put_item(TableName=self.table.name, Item=item)

    def attempts(self, event_id: str) -> list[DeliveryAttempt]:
        items = self._query(f"WEBHOOK_EVENT#{event_id}", "ATTEMPT#")
        return [DeliveryAttempt.model_validate(from_attributes(item)) for item in items]

    def dead_letter(self, subscription_id: str, event_id: str, message: dict[str, Any], at: datetime) -> None:
        """The endpoint's own dead letter: kept for its operator, readable per subscription."""
        values = {
            "entity": "webhook_dead_letter",
            "message": json.dumps(message, separators=(",", ":")),
            "at": at.isoformat(),
            "expires_at_epoch": epoch(at + self.table.audit_retention),
        }
        key = {"pk": {"S": f"WEBHOOK_DEAD#{subscription_id}"}, "sk": {"S": event_id}}
        self.table.dynamodb.put_item(TableName=self.table.name, Item={**key, **to_attributes(values)})

    def _query(self, pk: str, sk_prefix: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        request: dict[str, Any] = {
            "TableName": self.table.name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": pk}, ":prefix": {"S": sk_prefix}},
        }
        while True:
            page = self.table.dynamodb.query(**request)
            items += page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return items
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
