"""Scheduled: settle verifications that never got a terminal callback (get_result, or EXPIRED)."""

from datetime import UTC, datetime, timedelta
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from faceid_bridge import deadline, wiring
from faceid_bridge.channels.h5_lite.config import ReconcilerConfig
from faceid_bridge.config import load
from faceid_bridge.observability import logger, metrics
from faceid_bridge.services.reconciler import reconcile_due
from faceid_bridge.tracing import traced

CONFIG = load(ReconcilerConfig)  # checked as the function starts: a missing variable stops it here, named


@traced
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    logger.set_correlation_id(context.aws_request_id)  # stored with the transitions this run makes
    now = datetime.now(UTC)
    # FaceID's tries are sized to the invocation's time left, in the run's workers too.
    with deadline.running(context.get_remaining_time_in_millis()):
        report = reconcile_due(
            store=wiring.store(),
            faceid=wiring.faceid(),
            now=now,
            retry_after=timedelta(seconds=CONFIG.reconcile_retry_seconds),
            # Leave room for one more FaceID call (its timeout) and the final writes.
            out_of_time=lambda: context.get_remaining_time_in_millis() < 30_000,
            lease_until=now + timedelta(milliseconds=context.get_remaining_time_in_millis()),
            concurrency=CONFIG.reconcile_concurrency,
        )
    counts = dict(report.counts) | ({"skipped": 1} if report.skipped else {})
    logger.info("reconciled", extra=counts)
    return counts
