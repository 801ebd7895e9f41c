"""GET /v1/verifications/{verification_id}: the lifecycle status and decision."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from faceid_bridge import wiring
from faceid_bridge.api import http_app, responses, serve
from faceid_bridge.api_models import VerificationView
from faceid_bridge.config import VerificationReadConfig, load
from faceid_bridge.observability import logger
from faceid_bridge.services.query import get_verification
from faceid_bridge.tracing import traced

CONFIG = load(VerificationReadConfig)  # checked as the function starts: a missing variable stops it here, named
resolver = http_app()


@resolver.get(
    "/v1/verifications/<verification_id>",
    summary="Read a verification: its status and decision",
    responses=responses(200, VerificationView, 404),
)
def read(verification_id: str) -> VerificationView:
    return VerificationView.of(get_verification(verification_id, store=wiring.store()))


@traced
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(resolver, event, context)
