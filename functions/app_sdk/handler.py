"""POST /v1/app-verifications and POST /v1/app-verifications/{verification_id}/verify: the App SDK channel."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from faceid_bridge import wiring
from faceid_bridge.api import CREATE_ERRORS, http_app, responses, serve
from faceid_bridge.api_input import request_body
from faceid_bridge.api_models import VerificationView
from faceid_bridge.channels.app_sdk.api import AppCreated, AppVerificationRequest, AppVerifyRequest
from faceid_bridge.channels.app_sdk.config import AppSdkConfig
from faceid_bridge.channels.app_sdk.creation import create_app_verification
from faceid_bridge.channels.app_sdk.verify import verify_app
from faceid_bridge.config import load
from faceid_bridge.observability import logger, metrics
from faceid_bridge.tracing import traced

CONFIG = load(AppSdkConfig)  # checked as the function starts: a missing variable stops it here, named
resolver = http_app()


@resolver.post(
    "/v1/app-verifications",
    status_code=201,
    summary="Start an App SDK verification (get_biz_token)",
    responses=responses(201, AppCreated, *CREATE_ERRORS),
)
@request_body(resolver)
def create(request: AppVerificationRequest) -> AppCreated:
    verification = create_app_verification(request, **wiring.creation())
    return AppCreated.of(verification)


@resolver.post(
    "/v1/app-verifications/<verification_id>/verify",
    summary="Verify what the SDK produced (JSON with base64, or multipart with a meglive_data file) and decide",
    responses=responses(200, VerificationView, 400, 404, 409, 413, 429, 500, 502, 503),
)
@request_body(resolver)
def verify(request: AppVerifyRequest, verification_id: str) -> VerificationView:
    verified = verify_app(verification_id, request.meglive_data, store=wiring.store(), faceid=wiring.faceid())
    return VerificationView.of(verified)


@traced
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(resolver, event, context)
