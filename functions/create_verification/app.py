"""POST /v1/verifications: start an H5 Lite verification."""

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from faceid_bridge import wiring
from faceid_bridge.api import http_app, json_body, public_base_url
from faceid_bridge.config import settings
from faceid_bridge.observability import logger, metrics
from faceid_bridge.services.create import create_verification

app = http_app()


@app.post("/v1/verifications")
def create() -> tuple[dict[str, Any], int]:
    verification = create_verification(
        json_body(app),
        base_url=public_base_url(app),
        settings=settings(),
        store=wiring.store(),
        faceid=wiring.faceid(),
        hash_key=wiring.request_hash_key()(),
    )
    return {
        "verification_id": verification.verification_id,
        "biz_id": verification.biz_id,
        "biz_no": verification.biz_no,
        "token": verification.token,
        "verification_url": verification.verification_url,
        "expires_at": verification.expires_at.isoformat(),
    }, 201


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
