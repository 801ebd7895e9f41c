"""DynamoDB stream -> EventBridge: one normalized event per verification transition."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from faceid_bridge import wiring
from faceid_bridge.config import load
from faceid_bridge.config.publisher import PublisherConfig
from faceid_bridge.observability import logger, metrics
from faceid_bridge.services.publisher import publish_records
from faceid_bridge.tracing import traced

CONFIG = load(PublisherConfig)  # checked as the function starts: a missing variable stops it here, named


@traced
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return publish_records(
        event.get("Records", []),
        bus=wiring.bus(),
        dead_letters=wiring.dead_letters(),
        source=CONFIG.event_source,
        bus_name=CONFIG.event_bus_name,
        decode=wiring.verification_from_image,
    )
