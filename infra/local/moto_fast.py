"""Two of moto's costs that grow with what it holds, cut to what the call needs (same answers).

A long local run (the chaos suite: thousands of verifications, their audit records and webhook
attempts, and thousands of events queued) made every call slower than the one before, until moto's
one process, at a whole core, was what bounded the run:

- A DynamoDB Query or Scan sorts every item of the table (`Table.all_items`), comparing them a
  Python call at a time; a Query then filters them down to the key asked for, and sorts what is
  left again. Here a Query on the table's own key reads that partition's items alone (its results
  are sorted after), and the others sort the items in the same order on plain values.
- An SQS SendMessage reads one attribute of the queue (`ContentBasedDeduplication`) from all of
  them, and three of those count the queue's messages one by one, each asking the clock. Here a
  send reads that one attribute alone.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

# The hash key of the Query on a table's own key running in this thread, if one is.
_QUERYING: ContextVar[Any] = ContextVar("moto_fast_querying", default=None)
_SENDING: ContextVar[bool] = ContextVar("moto_fast_sending", default=False)


def _patched(method: Callable[..., Any]) -> Callable[..., Any]:
    method.__patched__ = True  # type: ignore[attr-defined]
    return method


def _order(item: Any) -> Any:
    """moto's order of a table's items (by hash key, then range key), compared as the plain values
    its DynamoType compares, without a Python call per comparison."""
    hash_value = item.hash_key.cast_value
    return (hash_value, item.range_key.cast_value) if item.range_key is not None else hash_value


def _install_query() -> None:
    from moto.dynamodb.models.table import Table

    all_items, query = Table.all_items, Table.query

    @functools.wraps(all_items)
    def items_for_the_call(table: Table) -> list[Any]:
        hash_key = _QUERYING.get()
        if hash_key is not None:
            partition = table.items.get(hash_key)  # .get: the table's defaultdict must not grow a key
            if partition is None:
                return []
            return list(partition.values()) if table.range_key_attr else [partition]
        items = (
            [i for p in table.items.values() for i in p.values()]
            if table.range_key_attr
            else list(table.items.values())
        )
        return sorted(items, key=_order)

    index_position = list(inspect.signature(query).parameters).index("index_name") - 2  # after table, hash_key

    @functools.wraps(query)
    def query_reading_less(table: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[index_position] if len(args) > index_position else kwargs.get("index_name")
        token = _QUERYING.set(None if index_name else hash_key)
        try:
            return query(table, hash_key, *args, **kwargs)
        finally:
            _QUERYING.reset(token)

    Table.all_items = _patched(items_for_the_call)  # type: ignore[method-assign]
    Table.query = _patched(query_reading_less)  # type: ignore[method-assign]


def _install_send() -> None:
    from moto.sqs.models import Queue, SQSBackend

    attributes, send_message = Queue.attributes, SQSBackend.send_message

    def attributes_for_the_send(queue: Queue) -> dict[str, Any]:
        if not _SENDING.get():
            return attributes.fget(queue)  # type: ignore[no-any-return]
        if not queue.fifo_queue:  # as moto's: a standard queue has no such attribute
            return {}
        value = queue.content_based_deduplication  # set from the queue's attributes, "true" or True
        return {"ContentBasedDeduplication": str(value).lower() if isinstance(value, bool) else value}

    @functools.wraps(send_message)
    def send_reading_one_attribute(backend: SQSBackend, *args: Any, **kwargs: Any) -> Any:
        token = _SENDING.set(True)
        try:
            return send_message(backend, *args, **kwargs)
        finally:
            _SENDING.reset(token)

    Queue.attributes = property(_patched(attributes_for_the_send))  # type: ignore[assignment,method-assign]
    SQSBackend.send_message = _patched(send_reading_one_attribute)  # type: ignore[method-assign]


def install() -> None:
    from moto.dynamodb.models.table import Table
    from moto.sqs.models import SQSBackend

    if not getattr(Table.query, "__patched__", False):
        _install_query()
    if not getattr(SQSBackend.send_message, "__patched__", False):
        _install_send()
