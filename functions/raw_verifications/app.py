"""POST /v1/raw-verifications: the H5 Raw channel (raw/verify with a validate_still token)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from faceid_bridge import wiring
from faceid_bridge.api import CREATE_ERRORS, http_app, request_body, responses, serve
from faceid_bridge.api_models import RawVerificationRequest, VerificationView
from faceid_bridge.config import settings
from faceid_bridge.observability import logger, metrics
from faceid_bridge.services.h5_raw import create_raw_verification

app = http_app()


@app.post(
    "/v1/raw-verifications",
    status_code=201,
    summary="Verify an H5 Raw selfie (raw/verify) and decide",
    responses=responses(201, VerificationView, *CREATE_ERRORS),
)
@request_body(app)
def create(request: RawVerificationRequest) -> VerificationView:
    verification = create_raw_verification(
        request,
        settings=settings(),
        store=wiring.store(),
        faceid=wiring.faceid(),
        hash_key=wiring.request_hash_key()(),
    )
    return VerificationView.of(verification)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(app, event, context)
