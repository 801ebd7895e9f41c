"""The verification state machine. Pure: no I/O, no clock.

CREATED -> PROCESSING -> OK | FAILED | CANCELLED | TIMEOUT | WEBRTC_UNSUPPORTED | EXPIRED
CREATED -> any terminal state is legal too: FaceID usually sends only the final notify.
A terminal state never changes again, so duplicates and stale callbacks are no-ops.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    CREATED = "CREATED"
    PROCESSING = "PROCESSING"
    OK = "OK"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    TIMEOUT = "TIMEOUT"
    WEBRTC_UNSUPPORTED = "WEBRTC_UNSUPPORTED"
    EXPIRED = "EXPIRED"

    @property
    def terminal(self) -> bool:
        return self not in (Status.CREATED, Status.PROCESSING)


_RANK = {Status.CREATED: 0, Status.PROCESSING: 1}


def from_faceid(status: str) -> Status:
    """FaceID's status (001 / get_result) as ours. NOT_STARTED means the do page was never opened."""
    return Status.CREATED if status == "NOT_STARTED" else Status(status)


def can_transition(current: Status, incoming: Status) -> bool:
    """True when moving from `current` to `incoming` is a real step forward."""
    if current.terminal:
        return False
    if incoming.terminal:
        return True
    return _RANK[incoming] > _RANK[current]
