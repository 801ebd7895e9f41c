"""POST /v1/verifications: start an H5 Lite verification."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from faceid_bridge import wiring
from faceid_bridge.api import CREATE_ERRORS, http_app, public_base_url, responses, serve
from faceid_bridge.api_input import request_body
from faceid_bridge.channels.h5_lite.api import CreateVerificationRequest, H5LiteCreated
from faceid_bridge.channels.h5_lite.config import H5LiteCreateConfig
from faceid_bridge.channels.h5_lite.creation import create_verification
from faceid_bridge.config import load
from faceid_bridge.observability import logger, metrics
from faceid_bridge.tracing import traced

CONFIG = load(H5LiteCreateConfig)  # checked as the function starts: a missing variable stops it here, named
resolver = http_app()


@resolver.post(
    "/v1/verifications",
    status_code=201,
    summary="Start an H5 Lite verification",
    responses=responses(201, H5LiteCreated, *CREATE_ERRORS),
)
@request_body(resolver)
def create(request: CreateVerificationRequest) -> H5LiteCreated:
    verification = create_verification(
        request,
        base_url=public_base_url(resolver),
        redirect_origins=CONFIG.allowed_redirect_origins,
        **wiring.creation(),
    )
    return H5LiteCreated.of(verification)


@traced
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(resolver, event, context)
