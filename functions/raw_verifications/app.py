"""POST /v1/raw-verifications: the H5 Raw channel (raw/verify with a validate_still token)."""

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from faceid_bridge import wiring
from faceid_bridge.api import http_app, json_body
from faceid_bridge.config import settings
from faceid_bridge.observability import logger, metrics
from faceid_bridge.services.query import public_view
from faceid_bridge.services.raw_channel import create_raw_verification

app = http_app()


@app.post("/v1/raw-verifications")
def create() -> tuple[dict[str, Any], int]:
    verification = create_raw_verification(
        json_body(app),
        settings=settings(),
        store=wiring.store(),
        faceid=wiring.faceid(),
        hash_key=wiring.request_hash_key()(),
    )
    return public_view(verification), 201


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
