"""SQS -> signed webhooks: events from the bus's rule fanned out to one message per endpoint, and
each endpoint's messages delivered (retried later, or dead-lettered, by the service). Partial batch
responses: a record that fails is retried alone; the others of its batch are done."""

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from faceid_bridge import webhook_wiring as wiring
from faceid_bridge.config import load
from faceid_bridge.config.webhooks import WebhookDeliveryConfig
from faceid_bridge.domain.verification import utcnow
from faceid_bridge.observability import logger, metrics
from faceid_bridge.services.webhook_delivery import deliver, fan_out
from faceid_bridge.tracing import traced

CONFIG = load(WebhookDeliveryConfig)  # checked as the function starts: a missing variable stops it here, named
processor = BatchProcessor(event_type=EventType.SQS)


def handle(record: SQSRecord) -> None:
    message = json.loads(record.body)
    if "detail-type" in message:  # an event, from the rule on the bus
        fan_out([message], store=wiring.store(), queue=wiring.queue(), now=utcnow())
    else:  # one endpoint's delivery
        deliver(
            message,
            store=wiring.store(),
            queue=wiring.queue(),
            dead_letters=wiring.dead_letters(),
            http=wiring.http(),
            allowed_targets=wiring.allowed_targets(),
        )


@traced
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(process_partial_response(event=event, record_handler=handle, processor=processor, context=context))
