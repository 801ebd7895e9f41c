"""The webhook deliveries queue: one message per event and endpoint, sent again, delayed, for each
retry (SQS delays a message at most 15 minutes: a longer wait is several hops, see services)."""

from __future__ import annotations

import json
from typing import Any

from faceid_bridge.adapters import aws

MAX_DELAY_SECONDS = 900  # SQS's limit on DelaySeconds


class DeliveryQueue:
    def __init__(self, queue_url: str, sqs: Any = None) -> None:
        self.queue_url = queue_url
        self._sqs = sqs

    def send(self, message: dict[str, Any], delay_seconds: int = 0) -> None:
        sqs = self._sqs or aws.client("sqs")
        sqs.send_message(
            QueueUrl=self.queue_url,
            MessageBody=json.dumps(message, separators=(",", ":")),
            DelaySeconds=max(0, min(delay_seconds, MAX_DELAY_SECONDS)),
        )
