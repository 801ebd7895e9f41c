"""FaceID's callbacks: POST notify, GET/POST return, and the built-in result page. Public routes:
FaceID's own requests (a form of `data` and its `sign`), read raw, and the sign is their authentication."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from faceid_bridge import wiring
from faceid_bridge.api import Response, content_type, http_app, public_base_url, raw_body, see_other, serve
from faceid_bridge.channels.h5_lite import openapi
from faceid_bridge.channels.h5_lite.api import NotifyAnswer
from faceid_bridge.channels.h5_lite.callbacks import finished_verification, receive_notify, return_location
from faceid_bridge.channels.h5_lite.config import H5LiteCallbacksConfig
from faceid_bridge.config import load
from faceid_bridge.observability import logger, metrics
from faceid_bridge.tracing import traced

CONFIG = load(H5LiteCallbacksConfig)  # checked as the function starts: a missing variable stops it here, named
resolver = http_app()


@resolver.post("/v1/faceid/notify", **openapi.NOTIFY)
def notify() -> NotifyAnswer:
    receive_notify(
        raw_body(resolver),
        content_type(resolver),
        verification_id=resolver.current_event.get_query_string_value("verification_id"),
        settings=CONFIG,
        store=wiring.store(),
        credentials=wiring.credentials()(),
    )
    return NotifyAnswer()


@resolver.get("/v1/faceid/return", **openapi.RETURN_GET)
@resolver.post("/v1/faceid/return", **openapi.RETURN_POST)
def browser_return() -> Response[str]:
    location = return_location(
        biz_id=resolver.current_event.get_query_string_value("biz_id"),
        verification_id=resolver.current_event.get_query_string_value("verification_id"),
        body=raw_body(resolver) if resolver.current_event.request_context.http.method == "POST" else None,
        content_type=content_type(resolver),
        base_url=public_base_url(resolver),
        settings=CONFIG,
        store=wiring.store(),
        credentials=wiring.credentials()(),
    )
    return see_other(location)


@resolver.get("/v1/faceid/result", **openapi.RESULT_PAGE)
def result_page() -> Response[str]:
    from faceid_bridge import result_page as page  # rare: most flows end on the customer's redirect_url

    event = resolver.current_event
    verification = finished_verification(
        event.get_query_string_value("verification_id", "") or "", store=wiring.store()
    )
    return page.response(verification, event.headers.get("accept-language", ""))


@traced
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(resolver, event, context)
