"""FaceID's callbacks: POST notify, GET/POST return, and the built-in result page.

Public routes: the signature on `data` is their authentication.
"""

from html import escape
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from faceid_bridge import wiring
from faceid_bridge.api import content_type, http_app, public_base_url, raw_body
from faceid_bridge.config import settings
from faceid_bridge.observability import logger, metrics
from faceid_bridge.services.callbacks import receive_notify, return_location

app = http_app()
RESULT_PAGE = "<!doctype html><title>Verification finished</title><h1>Verification finished</h1><p>Status: {status}</p>"


@app.post("/v1/faceid/notify")
def notify() -> dict[str, str]:
    receive_notify(
        raw_body(app),
        content_type(app),
        verification_id=app.current_event.get_query_string_value("verification_id"),
        settings=settings(),
        store=wiring.store(),
        credentials=wiring.credentials()(),
    )
    return {"result": "OK"}


@app.get("/v1/faceid/return")
@app.post("/v1/faceid/return")
def browser_return() -> Response[str]:
    is_post = app.current_event.request_context.http.method == "POST"
    location = return_location(
        biz_id=app.current_event.get_query_string_value("biz_id"),
        body=raw_body(app) if is_post else None,
        content_type=content_type(app),
        base_url=public_base_url(app),
        settings=settings(),
        store=wiring.store(),
        credentials=wiring.credentials()(),
    )
    return Response(status_code=303, headers={"Location": location, "Cache-Control": "no-store"}, body="")


@app.get("/v1/faceid/result")
def result_page() -> Response[str]:
    # Display only: the customer's service must read the decision from the API, not this page.
    status = escape(app.current_event.get_query_string_value("status", "") or "")
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=RESULT_PAGE.format(status=status))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
