"""One Logger and one Metrics per process, shared by handlers and services."""

from aws_lambda_powertools import Logger, Metrics

logger = Logger(service="faceid-bridge")
metrics = Metrics(namespace="FaceIdBridge", service="faceid-bridge")


def about_verification(verification_id: str) -> None:
    """From here on, every log line of this invocation names the verification (the handlers clear
    such keys at the start of each invocation)."""
    logger.append_keys(verification_id=verification_id)


def correlation_id() -> str | None:
    """The id of the request being handled (API Gateway's request id), stored with the transition
    it causes, so that an event can be traced back to the callback or call that caused it."""
    found = logger.get_correlation_id()
    return str(found) if found else None
