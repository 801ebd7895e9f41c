"""DynamoDB's write semantics for moto, where moto differs in ways the local stack would notice.

- Atomic conditional writes. Real DynamoDB applies a conditional write atomically: of many
  concurrent writers conditioned on the same version, exactly one wins. moto checks the condition
  and writes without a lock, so under concurrency two can win. Every moto DynamoDB write is
  serialized here.
- Cheap transactions. moto makes TransactWriteItems undoable by deep-copying every table it
  touches, stream records included: each transaction costs the size of the table, and thousands of
  them (the chaos suite) take minutes and many GB. Here a transaction snapshots only the items it
  touches (and the stream's length), and restores them if it is cancelled, which is all DynamoDB
  promises.
"""

from __future__ import annotations

import copy
import functools
import threading
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_lock = threading.RLock()
_WRITES = ("put_item", "update_item", "delete_item")


def _serialized(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def locked(*args: Any, **kwargs: Any) -> Any:
        with _lock:
            return method(*args, **kwargs)

    locked.__patched__ = True  # type: ignore[attr-defined]
    return locked


@contextmanager
def _tables_not_deep_copied(models: types.ModuleType, table_class: type) -> Iterator[None]:
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        return value if isinstance(value, table_class) else copy.deepcopy(value, memo)

    original = models.copy
    models.copy = types.SimpleNamespace(deepcopy=deepcopy, copy=copy.copy)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        models.copy = original  # type: ignore[attr-defined]


def _transaction(method: Callable[..., Any]) -> Callable[..., Any]:
    from moto.dynamodb import models
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    def key_of(table: Table, operation: dict[str, Any]) -> tuple[Any, Any]:
        key = operation.get("Key") or operation["Item"]
        range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
        return DynamoType(key[table.hash_key_attr]), range_value

    def restore(table: Table, hash_value: Any, range_value: Any, item: Any) -> None:
        if range_value is None:
            table.items.pop(hash_value, None) if item is None else table.items.__setitem__(hash_value, item)
        elif item is None:
            table.items[hash_value].pop(range_value, None)
        else:
            table.items[hash_value][range_value] = item

    @functools.wraps(method)
    def transact(backend: Any, transact_items: list[dict[str, Any]]) -> Any:
        with _lock:
            snapshots, streams = [], {}
            for entry in transact_items:
                operation = next(iter(entry.values()))
                table = backend.tables.get(operation.get("TableName"))
                if table is None:
                    continue
                hash_value, range_value = key_of(table, operation)
                snapshots.append(
                    (table, hash_value, range_value, copy.deepcopy(table.get_item(hash_value, range_value)))
                )
                if table.stream_shard is not None:
                    streams[id(table)] = (table.stream_shard, len(table.stream_shard.items))
            with _tables_not_deep_copied(models, Table):
                try:
                    return method(backend, transact_items)
                except Exception:
                    for snapshot in reversed(snapshots):
                        restore(*snapshot)
                    for shard, length in streams.values():
                        del shard.items[length:]
                    raise

    transact.__patched__ = True  # type: ignore[attr-defined]
    return transact


def install() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    for name in _WRITES:
        if not getattr(getattr(DynamoDBBackend, name), "__patched__", False):
            setattr(DynamoDBBackend, name, _serialized(getattr(DynamoDBBackend, name)))
    if not getattr(DynamoDBBackend.transact_write_items, "__patched__", False):
        DynamoDBBackend.transact_write_items = _transaction(DynamoDBBackend.transact_write_items)  # type: ignore[method-assign]
