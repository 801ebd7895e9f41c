"""POST /v1/raw-verifications: the H5 Raw channel (raw/verify with a validate_still token)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from faceid_bridge import wiring
from faceid_bridge.api import CREATE_ERRORS, http_app, responses, serve
from faceid_bridge.api_input import request_body
from faceid_bridge.api_models import VerificationView
from faceid_bridge.channels.h5_raw.api import RawVerificationRequest
from faceid_bridge.channels.h5_raw.config import H5RawConfig
from faceid_bridge.channels.h5_raw.creation import create_raw_verification
from faceid_bridge.config import load
from faceid_bridge.observability import logger, metrics
from faceid_bridge.tracing import traced

CONFIG = load(H5RawConfig)  # checked as the function starts: a missing variable stops it here, named
resolver = http_app()


@resolver.post(
    "/v1/raw-verifications",
    status_code=201,
    summary="Verify an H5 Raw selfie (raw/verify) and decide",
    responses=responses(201, VerificationView, *CREATE_ERRORS),
)
@request_body(resolver)
def create(request: RawVerificationRequest) -> VerificationView:
    verification = create_raw_verification(request, **wiring.creation())
    return VerificationView.of(verification)


@traced
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(resolver, event, context)
