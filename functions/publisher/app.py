"""DynamoDB stream -> EventBridge: one normalized event per verification transition."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from faceid_bridge import wiring
from faceid_bridge.config import settings
from faceid_bridge.observability import logger, metrics
from faceid_bridge.services.publisher import publish_records
from faceid_bridge.tracing import traced


@traced
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    config = settings()
    return publish_records(
        event.get("Records", []),
        bus=wiring.bus(),
        dead_letters=wiring.dead_letters(),
        source=config.event_source,
        bus_name=config.event_bus_name,
    )
