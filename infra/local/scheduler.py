"""A local stand-in for EventBridge Scheduler rules: invokes a function on its template schedule
(`rate(...)`), or every LOCAL_SCHEDULE_SECONDS when set, so tests need not wait a minute."""

from __future__ import annotations

import os
import re
import threading
import time
import uuid

from infra.local.functions import FunctionHost

_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


def interval_of(schedule: str) -> float:
    match = re.fullmatch(r"rate\((\d+) (\w+)\)", schedule.strip())
    if not match:
        raise ValueError(f"only rate() schedules run locally: {schedule}")
    return int(match.group(1)) * _UNITS[match.group(2)]


class Scheduler(threading.Thread):
    def __init__(self, host: FunctionHost) -> None:
        super().__init__(daemon=True, name=f"schedule-{host.spec.logical_id}")
        assert host.spec.schedule is not None
        self.host = host
        override = os.environ.get("LOCAL_SCHEDULE_SECONDS")
        self.interval = float(override) if override else interval_of(host.spec.schedule)
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            event = {
                "version": "0",
                "id": str(uuid.uuid4()),
                "detail-type": "Scheduled Event",
                "source": "aws.events",
                "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "resources": [],
                "detail": {},
            }
            try:
                self.host.invoke(event)
            except Exception:  # noqa: BLE001 - a failed run is retried at the next tick, as in AWS
                import traceback

                traceback.print_exc()
