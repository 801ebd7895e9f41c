"""POST /v1/app-verifications and POST /v1/app-verifications/{verification_id}/verify: the App SDK channel."""

import base64
import binascii
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from faceid_bridge import wiring
from faceid_bridge.api import content_type, http_app, json_body, raw_body
from faceid_bridge.config import settings
from faceid_bridge.errors import ArgumentError
from faceid_bridge.forms import parse_form
from faceid_bridge.observability import logger, metrics
from faceid_bridge.services.app_channel import create_app_verification, verify_app
from faceid_bridge.services.query import public_view

app = http_app()


@app.post("/v1/app-verifications")
def create() -> tuple[dict[str, Any], int]:
    verification = create_app_verification(
        json_body(app),
        settings=settings(),
        store=wiring.store(),
        faceid=wiring.faceid(),
        hash_key=wiring.request_hash_key()(),
    )
    return {
        "verification_id": verification.verification_id,
        "biz_token": verification.token,
        "biz_no": verification.biz_no,
        "expires_at": verification.expires_at.isoformat(),
    }, 201


def meglive_data() -> bytes | None:
    """The SDK's package: a multipart file part, or base64 in JSON."""
    if content_type(app).lower().startswith("multipart/form-data"):
        parts = parse_form(raw_body(app), content_type(app)).get("meglive_data", [])
        return parts[0] if parts else None
    encoded = (json_body(app) or {}).get("meglive_data")
    try:
        return base64.b64decode(encoded, validate=True) if encoded else None
    except (binascii.Error, TypeError):
        raise ArgumentError.bad("meglive_data") from None


@app.post("/v1/app-verifications/<verification_id>/verify")
def verify(verification_id: str) -> dict[str, Any]:
    return public_view(verify_app(verification_id, meglive_data(), store=wiring.store(), faceid=wiring.faceid()))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
