"""One Logger and one Metrics per process, shared by handlers and services (and the reconciler's
worker threads: see _STDOUT and about_verification)."""

import threading

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricResolution, MetricUnit

from faceid_bridge.request_line import RequestLineProvider

SERVICE, NAMESPACE = "faceid-bridge", "FaceIdBridge"
logger = Logger(service=SERVICE)

# Several threads write to stdout one at a time: Powertools' add_metric updates the shared metric set
# unguarded (and prints it at 100 values), and a metric set is printed in two writes, the text then
# the newline. The log handler's own lock, so that no log line lands between those two either.
_STDOUT = logger.registered_handler.lock or threading.RLock()


class _ThreadSafeMetrics(Metrics):
    def add_metric(
        self, name: str, unit: MetricUnit | str, value: float, resolution: MetricResolution | int = 60
    ) -> None:
        with _STDOUT:
            super().add_metric(name=name, unit=unit, value=value, resolution=resolution)


metrics = _ThreadSafeMetrics(namespace=NAMESPACE, service=SERVICE)
# Powertools' provider, the same metric set, its flush writing each request's one line (request_line.py).
_request_line = metrics.provider = RequestLineProvider(
    logger=logger,
    lock=_STDOUT,
    namespace=NAMESPACE,
    service=SERVICE,
    metric_set=metrics.metric_set,
    dimension_set=metrics.dimension_set,
    metadata_set=metrics.metadata_set,
    default_dimensions=metrics.default_dimensions,
)
note = _request_line.note


def count_by(name: str, **dimensions: str) -> None:
    """One more `name` with these bounded dimensions (channel: 3 values, decision: 4), beside the
    service-wide count in `metrics`: the alarms watch the service-wide series, the dashboard graphs
    these per channel and decision. Within a request, written with its metric set (request_line.py)."""
    _request_line.count(name, dimensions)


def about_verification(verification_id: str) -> None:
    """From here on, every log line of this invocation names the verification (the handlers clear
    such keys at the start of each invocation). Of this thread's lines only: the reconciler's workers
    each name their own (and remove it when done)."""
    logger.thread_safe_append_keys(verification_id=verification_id)


def correlation_id() -> str | None:
    """The id of the request being handled (API Gateway's request id), stored with the transition
    it causes, so that an event can be traced back to the callback or call that caused it."""
    found = logger.get_correlation_id()
    return str(found) if found else None
