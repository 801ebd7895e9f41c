"""POST /v1/verifications: start an H5 Lite verification."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from faceid_bridge import wiring
from faceid_bridge.api import CREATE_ERRORS, http_app, public_base_url, request_body, responses, serve
from faceid_bridge.api_models import CreateVerificationRequest, H5LiteCreated
from faceid_bridge.config import settings
from faceid_bridge.observability import logger, metrics
from faceid_bridge.services.h5_lite import create_verification

app = http_app()


@app.post(
    "/v1/verifications",
    status_code=201,
    summary="Start an H5 Lite verification",
    responses=responses(201, H5LiteCreated, *CREATE_ERRORS),
)
@request_body(app)
def create(request: CreateVerificationRequest) -> H5LiteCreated:
    verification = create_verification(
        request,
        base_url=public_base_url(app),
        settings=settings(),
        store=wiring.store(),
        faceid=wiring.faceid(),
        hash_key=wiring.request_hash_key()(),
    )
    return H5LiteCreated.of(verification)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(app, event, context)
