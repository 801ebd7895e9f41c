"""POST /v1/app-verifications and POST /v1/app-verifications/{verification_id}/verify: the App SDK channel."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from faceid_bridge import wiring
from faceid_bridge.api import CREATE_ERRORS, http_app, request_body, responses, serve
from faceid_bridge.api_models import AppCreated, AppVerificationRequest, AppVerifyRequest, VerificationView
from faceid_bridge.config import settings
from faceid_bridge.observability import logger, metrics
from faceid_bridge.services.app_sdk import create_app_verification, verify_app

app = http_app()


@app.post(
    "/v1/app-verifications",
    status_code=201,
    summary="Start an App SDK verification (get_biz_token)",
    responses=responses(201, AppCreated, *CREATE_ERRORS),
)
@request_body(app)
def create(request: AppVerificationRequest) -> AppCreated:
    verification = create_app_verification(
        request,
        settings=settings(),
        store=wiring.store(),
        faceid=wiring.faceid(),
        hash_key=wiring.request_hash_key()(),
    )
    return AppCreated.of(verification)


@app.post(
    "/v1/app-verifications/<verification_id>/verify",
    summary="Verify what the SDK produced (JSON with base64, or multipart with a meglive_data file) and decide",
    responses=responses(200, VerificationView, 400, 404, 409, 413, 429, 500, 502, 503),
)
@request_body(app)
def verify(request: AppVerifyRequest, verification_id: str) -> VerificationView:
    verified = verify_app(verification_id, request.meglive_data, store=wiring.store(), faceid=wiring.faceid())
    return VerificationView.of(verified)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(app, event, context)
