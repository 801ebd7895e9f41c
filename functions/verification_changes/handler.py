"""POST /v1/verifications/{verification_id}/cancel and .../redact: the customer's changes to a
verification (services/changes.py)."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from faceid_bridge import wiring
from faceid_bridge.api import http_app, responses, serve
from faceid_bridge.api_models import VerificationView
from faceid_bridge.config import load
from faceid_bridge.config.verifications import VerificationChangesConfig
from faceid_bridge.observability import logger, metrics
from faceid_bridge.services.changes import cancel, redact
from faceid_bridge.tracing import traced

CONFIG = load(VerificationChangesConfig)  # checked as the function starts: a missing variable stops it here, named
resolver = http_app()


@resolver.post(
    "/v1/verifications/<verification_id>/cancel",
    summary="Cancel a verification in flight: CANCELLED, reason CANCELLED_BY_CUSTOMER (409 CONFLICT:status once ended)",
    responses=responses(200, VerificationView, 404, 409),
)
def cancel_verification(verification_id: str) -> VerificationView:
    return VerificationView.of(cancel(verification_id, store=wiring.store(), now=datetime.now(UTC)))


@resolver.post(
    "/v1/verifications/<verification_id>/redact",
    summary="Erase a verification's personal data, irreversibly (one in flight is cancelled first)",
    responses=responses(200, VerificationView, 404),
)
def redact_verification(verification_id: str) -> VerificationView:
    return VerificationView.of(redact(verification_id, store=wiring.store(), now=datetime.now(UTC)))


@traced
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(resolver, event, context)
