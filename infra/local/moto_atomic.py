"""DynamoDB's per-item atomicity for moto.

Real DynamoDB applies a conditional write atomically: of many concurrent writers conditioned on
the same version, exactly one wins. moto checks the condition and writes without a lock, so under
concurrency two can win. The local stack and the tests that race writers on purpose need the real
guarantee, so every moto DynamoDB write is serialized here.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

_lock = threading.RLock()
_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items")


def _serialized(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def locked(*args: Any, **kwargs: Any) -> Any:
        with _lock:
            return method(*args, **kwargs)

    locked.__serialized__ = True  # type: ignore[attr-defined]
    return locked


def install() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    for name in _WRITES:
        method = getattr(DynamoDBBackend, name)
        if not getattr(method, "__serialized__", False):
            setattr(DynamoDBBackend, name, _serialized(method))
