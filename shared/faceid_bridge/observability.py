"""One Logger and one Metrics per process, shared by handlers and services."""

from aws_lambda_powertools import Logger, Metrics

SERVICE, NAMESPACE = "faceid-bridge", "FaceIdBridge"
logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


def count_by(name: str, **dimensions: str) -> None:
    """One more `name` in a metric set of its own with these bounded dimensions (channel: 3 values,
    decision: 4), beside the service-wide count in `metrics`: the alarms watch the service-wide
    series, the dashboard graphs these per channel and decision."""
    from aws_lambda_powertools.metrics import MetricUnit, single_metric
    from aws_lambda_powertools.metrics.functions import is_metrics_disabled

    if is_metrics_disabled():
        return
    with single_metric(
        name=name, unit=MetricUnit.Count, value=1, namespace=NAMESPACE, default_dimensions={"service": SERVICE}
    ) as metric:
        for key, value in dimensions.items():
            metric.add_dimension(name=key, value=value)


def about_verification(verification_id: str) -> None:
    """From here on, every log line of this invocation names the verification (the handlers clear
    such keys at the start of each invocation)."""
    logger.append_keys(verification_id=verification_id)


def correlation_id() -> str | None:
    """The id of the request being handled (API Gateway's request id), stored with the transition
    it causes, so that an event can be traced back to the callback or call that caused it."""
    found = logger.get_correlation_id()
    return str(found) if found else None
