"""EventBridge and SQS adapters for the publisher."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from faceid_bridge.adapters import aws

PUT_EVENTS_LIMIT = 10


class EventBus:
    def __init__(self, events: Any = None) -> None:
        self._events = events

    def put(self, entries: list[dict[str, Any]]) -> list[int]:
        """PutEvents in chunks of 10. Returns the indexes of entries that were not accepted."""
        events = self._events or aws.client("events")
        failed: list[int] = []
        for start in range(0, len(entries), PUT_EVENTS_LIMIT):
            chunk = entries[start : start + PUT_EVENTS_LIMIT]
            try:
                response = events.put_events(Entries=chunk)
            except (BotoCoreError, ClientError):
                failed.extend(range(start, start + len(chunk)))
                continue
            failed.extend(start + i for i, result in enumerate(response["Entries"]) if result.get("ErrorCode"))
        return failed


class DeadLetterQueue:
    def __init__(self, queue_url: str, sqs: Any = None) -> None:
        self.queue_url = queue_url
        self._sqs = sqs

    def send(self, message: dict[str, Any]) -> None:
        sqs = self._sqs or aws.client("sqs")
        sqs.send_message(QueueUrl=self.queue_url, MessageBody=json.dumps(message, default=str))
