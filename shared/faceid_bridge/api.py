"""The HTTP edge shared by every API function: one resolver factory, one error mapping."""

from __future__ import annotations

import base64
import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from faceid_bridge import bounded_json, deadline
from faceid_bridge.config import settings
from faceid_bridge.errors import ArgumentError, BridgeError
from faceid_bridge.observability import logger


def _start_deadline(app: APIGatewayHttpResolver, next_middleware: Any) -> Response[Any]:
    # Every FaceID call of this request is sized to the time Lambda gives the invocation.
    remaining = getattr(app.lambda_context, "get_remaining_time_in_millis", None)
    if remaining is None:
        deadline.clear()
    else:
        deadline.start(remaining())
    response: Response[Any] = next_middleware(app)
    return response


def http_app() -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver()
    app.use(middlewares=[_start_deadline])

    @app.exception_handler(BridgeError)  # type: ignore[untyped-decorator]
    def _domain_error(exc: BridgeError) -> Response[str]:
        # The one place domain errors become HTTP: FaceID's own error shape, plus the request id.
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
        body = {"error_message": exc.message, "request_id": app.current_event.request_context.request_id}
        if exc.status >= 500:
            logger.warning("request failed upstream", extra={"error": exc.message})
        return Response(status_code=exc.status, content_type="application/json", body=json.dumps(body), headers=headers)

    return app


def raw_body(app: APIGatewayHttpResolver) -> bytes:
    """The body's bytes. (Powertools' decoded_body decodes them as UTF-8, which fails on bytes
    that are not, and would turn a hostile body into a 500.)"""
    event = app.current_event
    body = event.body or ""
    return base64.b64decode(body) if event.is_base64_encoded else body.encode("utf-8")


def json_body(app: APIGatewayHttpResolver) -> Any:
    try:
        return bounded_json.loads(raw_body(app) or b'""')
    except ValueError:  # includes UnicodeDecodeError and nesting past the bound
        raise ArgumentError.bad("body") from None


def content_type(app: APIGatewayHttpResolver) -> str:
    return app.current_event.headers.get("content-type", "")


def public_base_url(app: APIGatewayHttpResolver) -> str:
    """Our own public origin, for the callback URLs FaceID gets and the result page. API Gateway sets
    domainName from the host it routed on, so a client cannot point it elsewhere."""
    return (settings().public_base_url or f"https://{app.current_event.request_context.domain_name}").rstrip("/")
