"""Three of moto's costs that grow with what it holds, cut to what the call needs (same answers).

A long local run (the chaos suite: thousands of verifications, their audit records and webhook
attempts, and thousands of events queued) made every call slower than the one before, until moto's
one process, at a whole core, was what bounded the run:

- A DynamoDB Query or Scan sorts every item of the table (`Table.all_items`), comparing them a
  Python call at a time; a Query then filters them down to the key asked for, and sorts what is
  left again. Here a Query on the table's own key reads that partition's items alone (its results
  are sorted after), and the others sort the items in the same order on plain values.
- An SQS SendMessage reads one attribute of the queue (`ContentBasedDeduplication`) from all of
  them, and a ReceiveMessage its retention period, once per message; three of them count the
  queue's messages one by one, each asking the clock. Here a send and a receive get the attributes
  without those counts (GetQueueAttributes still counts).
- EventBridge builds a JSONPath parser for each event and target it delivers (its default input
  paths). Here a path is parsed once.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

# The hash key of the Query on a table's own key running in this thread, if one is.
_QUERYING: ContextVar[Any] = ContextVar("moto_fast_querying", default=None)
# Set while an SQS send or receive runs in this thread: what it reads of the queue's attributes
# needs none of the message counts.
_UNCOUNTED: ContextVar[bool] = ContextVar("moto_fast_uncounted", default=False)


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


# Queue attributes that count the queue's messages, as moto names their properties.
_COUNTS = frozenset(
    (
        "approximate_number_of_messages",
        "approximate_number_of_messages_delayed",
        "approximate_number_of_messages_not_visible",
    )
)


class _Uncounted:
    """A queue whose message counts read as None: moto's own attributes property, run on it, gives
    every other attribute as moto gives it."""

    def __init__(self, queue: Any) -> None:
        self._queue = queue

    def __getattr__(self, name: str) -> Any:
        return None if name in _COUNTS else getattr(self._queue, name)


def _install_queue_attributes() -> None:
    from moto.sqs.models import Queue, SQSBackend

    moto_attributes: Callable[[Any], dict[str, Any]] = vars(Queue)["attributes"].fget
    counted = {"".join(part.title() for part in name.split("_")) for name in _COUNTS}

    def attributes_counted_when_asked(queue: Queue) -> dict[str, Any]:
        if not _UNCOUNTED.get():
            return moto_attributes(queue)
        found = moto_attributes(_Uncounted(queue))
        return {name: value for name, value in found.items() if name not in counted}

    def uncounted(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def without_counting(backend: SQSBackend, *args: Any, **kwargs: Any) -> Any:
            token = _UNCOUNTED.set(True)
            try:
                return method(backend, *args, **kwargs)
            finally:
                _UNCOUNTED.reset(token)

        return _patched(without_counting)

    Queue.attributes = property(_patched(attributes_counted_when_asked))  # type: ignore[assignment,method-assign]
    SQSBackend.send_message = uncounted(SQSBackend.send_message)  # type: ignore[method-assign]
    SQSBackend.receive_message = uncounted(SQSBackend.receive_message)  # type: ignore[method-assign]


def _install_cached_json_paths() -> None:
    import jsonpath_ng.ext

    module = vars(jsonpath_ng.ext)  # moto imports `parse` from it at each call
    module["parse"] = _patched(functools.lru_cache(maxsize=256)(module["parse"]))


def install() -> None:
    import jsonpath_ng.ext
    from moto.dynamodb.models.table import Table
    from moto.sqs.models import SQSBackend

    if not getattr(Table.query, "__patched__", False):
        _install_query()
    if not getattr(SQSBackend.send_message, "__patched__", False):
        _install_queue_attributes()
    if not getattr(vars(jsonpath_ng.ext)["parse"], "__patched__", False):
        _install_cached_json_paths()
