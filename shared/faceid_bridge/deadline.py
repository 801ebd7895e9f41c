"""The time an invocation has left, for calls that must finish inside it.

The API layer starts it from the Lambda context of each request; the FaceID client sizes every try
to fit. Without a started deadline (scripts, tests of the client alone) calls use their own timeout.
"""

from __future__ import annotations

import time
from contextvars import ContextVar

# Kept back for what follows a FaceID call: the store write and the response.
RESERVE_SECONDS = 3.0
_deadline: ContextVar[float | None] = ContextVar("faceid_bridge_deadline", default=None)


def start(remaining_ms: int, *, reserve_seconds: float = RESERVE_SECONDS) -> None:
    _deadline.set(time.monotonic() + remaining_ms / 1000 - reserve_seconds)


def clear() -> None:
    _deadline.set(None)


def seconds_left() -> float | None:
    """Seconds until the deadline (negative once past it), or None when no deadline was started."""
    deadline = _deadline.get()
    return None if deadline is None else deadline - time.monotonic()
