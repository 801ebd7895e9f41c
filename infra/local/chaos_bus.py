"""EventBridge faults for the local stack: refused entries at a rate (PutEvents' FailedEntryCount)
and full outages. Installed in the stack's process, over the publisher's EventBus adapter, and
switched by the local-only route POST /_local/eventbridge-faults (never part of template.yaml)."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from faceid_bridge.adapters.bus import EventBus


class EventBridgeFaults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.failed_entry_rate = 0.0
        self.outage_until = 0.0
        self.refused = 0
        self._random = random.Random(7)

    def configure(self, settings: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.failed_entry_rate = float(settings.get("failed_entry_rate", self.failed_entry_rate))
            if "outage_seconds" in settings:
                self.outage_until = time.time() + float(settings["outage_seconds"])
            return {
                "failed_entry_rate": self.failed_entry_rate,
                "outage_until": self.outage_until,
                "refused": self.refused,
            }

    def refuse(self, count: int) -> set[int]:
        """Indexes of the entries this PutEvents call refuses."""
        with self._lock:
            if time.time() < self.outage_until:
                refused = set(range(count))
            else:
                refused = {i for i in range(count) if self._random.random() < self.failed_entry_rate}
            self.refused += len(refused)
            return refused

    def install(self) -> None:
        original: Callable[[EventBus, list[dict[str, Any]]], list[int]] = EventBus.put

        def put(bus: EventBus, entries: list[dict[str, Any]]) -> list[int]:
            refused = self.refuse(len(entries))
            passing = [i for i in range(len(entries)) if i not in refused]
            failed = original(bus, [entries[i] for i in passing]) if passing else []
            return sorted(refused | {passing[i] for i in failed})

        EventBus.put = put  # type: ignore[method-assign,assignment]

    def handle(self, body: bytes) -> str:
        return json.dumps(self.configure(json.loads(body or b"{}")))
