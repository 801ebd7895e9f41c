"""The time an invocation has left, for calls that must finish inside it.

The API layer starts it from the Lambda context of each request, the reconciler's handler from its
run's, whose worker threads carry it (`current`, `adopt`: a new thread starts without one); the
FaceID client sizes every try to fit. Without a started deadline (scripts, tests of the client
alone) calls use their own timeout.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# Kept back for what follows a FaceID call: the store write and the response.
RESERVE_SECONDS = 3.0
_deadline: ContextVar[float | None] = ContextVar("faceid_bridge_deadline", default=None)


def start(remaining_ms: int, *, reserve_seconds: float = RESERVE_SECONDS) -> None:
    _deadline.set(time.monotonic() + remaining_ms / 1000 - reserve_seconds)


def clear() -> None:
    _deadline.set(None)


@contextmanager
def running(remaining_ms: int) -> Iterator[None]:
    """`start` for the block, then `clear`: the invocation's deadline, not the process's."""
    start(remaining_ms)
    try:
        yield
    finally:
        clear()


def seconds_left() -> float | None:
    """Seconds until the deadline (negative once past it), or None when no deadline was started."""
    deadline = _deadline.get()
    return None if deadline is None else deadline - time.monotonic()


def current() -> float | None:
    """This thread's deadline (a time.monotonic() value), for a thread working for it to `adopt`."""
    return _deadline.get()


def adopt(deadline: float | None) -> None:
    """Work under another thread's deadline, as `current` gave it."""
    _deadline.set(deadline)
