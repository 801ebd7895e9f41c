"""One line per request: what a request did (a transition's facts) and its metric set, per-channel
counts included, written together at its end as one structured log line. Without it a first notify
wrote three: a single-metric line for its per-channel count, the transition's log line and the
metric set's line; each costs as much CPU as a notify's own work (issue 17).

The line is the Logger's, with every key the Logger gives (level, timestamp, correlation_id,
verification_id, xray_trace_id...), and also CloudWatch's embedded metric format: Powertools'
serialization of the metric set (`_aws` and the metric and dimension values) at its root, which
CloudWatch reads from any JSON log line. A per-channel count rides in the same document as a
second dimension set of the same metric only when that means exactly what the separate line meant:
the set holds that one metric, counted once. Otherwise each count is its own line, as before.

What is deferred to the line is deferred only within a request that `log_metrics` wraps (it opens
the request, its flush writes the line), and only on the thread that serves it: the reconciler's
worker threads, and code run outside a handler, write at once, as before."""

from __future__ import annotations

import functools
import logging
import sys
import threading
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics.functions import is_metrics_disabled
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import AmazonCloudWatchEMFProvider


class _Request:
    """What the request's line will carry besides its metric set."""

    __slots__ = ("counts", "facts", "message", "origin")

    def __init__(self) -> None:
        self.message: str | None = None
        self.facts: dict[str, Any] = {}
        self.origin = ("", 0, "")  # where the message was noted: file, line, function (the line's location)
        self.counts: list[tuple[str, dict[str, str]]] = []


# A new thread starts with no value here, whatever the thread that started it holds.
_OPEN: ContextVar[_Request | None] = ContextVar("faceid_bridge_request_line", default=None)


class RequestLineProvider(AmazonCloudWatchEMFProvider):
    """Powertools' EMF provider, its flush writing the request's one line. `lock` is held while
    anything is written, so that no other thread's line lands inside one."""

    def __init__(self, *, logger: Logger, lock: threading.RLock, **provider: Any) -> None:
        super().__init__(**provider)
        self.logger = logger
        self.lock = lock
        self._standard_logger = logging.getLogger(logger.name)  # the one Powertools writes through

    def log_metrics(
        self,
        lambda_handler: Callable[..., Any] | None = None,
        capture_cold_start_metric: bool = False,
        raise_on_empty_metrics: bool = False,
        **kwargs: Any,
    ) -> Any:
        options: dict[str, Any] = {
            "capture_cold_start_metric": capture_cold_start_metric,
            "raise_on_empty_metrics": raise_on_empty_metrics,
            **kwargs,
        }
        if lambda_handler is None:
            return functools.partial(self.log_metrics, **options)
        handler = lambda_handler

        @functools.wraps(handler)
        def in_request(event: Any, context: Any, *args: Any, **more: Any) -> Any:
            _OPEN.set(_Request())  # the flush of Powertools' decorator, around this, writes and closes it
            return handler(event, context, *args, **more)

        return super().log_metrics(in_request, **options)

    def note(self, message: str, **facts: Any) -> None:
        """`message` and its facts on the request's line; logged at once outside a request, or
        when the request already noted something (one line carries one message)."""
        request = _OPEN.get()
        if request is None or request.message is not None:
            self.logger.info(message, extra=facts, stacklevel=3)  # the line names note's caller
            return
        caller = sys._getframe(1)
        request.message, request.facts = message, facts
        request.origin = (caller.f_code.co_filename, caller.f_lineno, caller.f_code.co_name)

    def count(self, name: str, dimensions: dict[str, str]) -> None:
        """One more `name` with these dimensions (and the service's), beside the service-wide count."""
        if is_metrics_disabled():
            return
        request = _OPEN.get()
        if request is None:
            self._count_alone(name, dimensions)
        else:
            request.counts.append((name, dimensions))

    def flush_metrics(self, raise_on_empty_metrics: bool = False) -> None:
        request = _OPEN.get()
        if request is not None:
            _OPEN.set(None)
        if request is None or (request.message is None and not request.counts):
            super().flush_metrics(raise_on_empty_metrics=raise_on_empty_metrics)  # the set's line, as always
            return
        with self.lock:
            self._flush_request(request, raise_on_empty_metrics)

    def _flush_request(self, request: _Request, raise_on_empty_metrics: bool) -> None:
        together = self._one_document(request.counts)
        for name, dimensions in request.counts:
            if (name, dimensions) != together:
                self._count_alone(name, dimensions)
        if together is not None:
            self.add_dimensions(**self._service(), **together[1])
        if (
            request.message is not None
            and self.metric_set
            and not is_metrics_disabled()
            and self._standard_logger.isEnabledFor(logging.INFO)
        ):
            self._log(request, request.facts | dict(self.serialize_metric_set()))
            self.clear_metrics()
            return
        # Apart, as before: no metric set to carry the note, or metrics off, or the note below the level.
        super().flush_metrics(raise_on_empty_metrics=raise_on_empty_metrics)
        if request.message is not None:
            self._log(request, request.facts)

    def _log(self, request: _Request, keys: dict[str, Any]) -> None:
        """An INFO line as `logger.info` in the function that noted it would have written."""
        log = self._standard_logger
        if log.isEnabledFor(logging.INFO):
            filename, line, function = request.origin
            log.handle(
                log.makeRecord(log.name, logging.INFO, filename, line, request.message, (), None, function, keys)
            )

    def _one_document(self, counts: list[tuple[str, dict[str, str]]]) -> tuple[str, dict[str, str]] | None:
        """The count that can be a second dimension set of the metric set's one metric: only when
        the set holds that metric alone, counted once (the document's value is then the count's)."""
        if len(counts) != 1 or self.dimension_sets:
            return None
        name, dimensions = counts[0]
        alone = list(self.metric_set) == [name] and self.metric_set[name]["Value"] == [1.0]
        return counts[0] if alone and not dimensions.keys() & {"service", name} else None

    def _service(self) -> dict[str, str]:
        return {"service": self.service} if self.service else {}

    def _count_alone(self, name: str, dimensions: dict[str, str]) -> None:
        from aws_lambda_powertools.metrics import MetricUnit, single_metric

        with (
            self.lock,
            single_metric(
                name=name, unit=MetricUnit.Count, value=1, namespace=self.namespace, default_dimensions=self._service()
            ) as metric,
        ):
            for key, value in dimensions.items():
                metric.add_dimension(name=key, value=value)
