"""FaceID's callbacks: POST notify, GET/POST return, and the built-in result page. Public routes:
FaceID's own requests (a form of `data` and its `sign`), read raw, and the sign is their authentication."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from faceid_bridge import wiring
from faceid_bridge.api import (
    Response,
    content_type,
    form_body,
    http_app,
    public_base_url,
    query_parameter,
    raw_body,
    responses,
    serve,
)
from faceid_bridge.channels.h5_lite.api import NotifyAnswer
from faceid_bridge.channels.h5_lite.callbacks import finished_verification, receive_notify, return_location
from faceid_bridge.channels.h5_lite.config import H5LiteCallbacksConfig
from faceid_bridge.config import load
from faceid_bridge.observability import logger, metrics
from faceid_bridge.tracing import traced

CONFIG = load(H5LiteCallbacksConfig)  # checked as the function starts: a missing variable stops it here, named
resolver = http_app()
# What FaceID posts to notify_url, and the browser to return_url when action_http_method is POST (001).
SIGNED_FORM = form_body(
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    data="FaceID's result, JSON (001's return value)",
    sign="sha1(api_secret + data), lowercase hex (001)",
)
RETURNED = responses(
    303,
    "to the verification's redirect_url, or the result page; no body",
    400,
    401,
    404,
    413,
    media="text/plain",
    text={"type": "string", "maxLength": 0},
    headers={
        "Location": "the redirect_url given at creation (or the result page), with verification_id and status added",
        "Cache-Control": "no-store",
    },
)


@resolver.post(
    "/v1/faceid/notify",
    summary="FaceID's result callback",
    responses=responses(200, NotifyAnswer, 400, 401, 404, 413),
    openapi_extensions={
        "requestBody": SIGNED_FORM,
        "parameters": [
            query_parameter("verification_id", "ours, in the notify_url we gave FaceID: a hint, not signed")
        ],
    },
)
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


RETURN_HINT = query_parameter("verification_id", "ours, in the return_url we gave FaceID: a hint, not signed")


@resolver.get(
    "/v1/faceid/return",
    summary="The browser back from FaceID (action_http_method GET)",
    responses=RETURNED,
    openapi_extensions={
        "parameters": [
            query_parameter("biz_id", "the verification's biz_id, which FaceID appends (001)", required=True),
            RETURN_HINT,
        ]
    },
)
@resolver.post(
    "/v1/faceid/return",
    summary="The browser back from FaceID (action_http_method POST), with FaceID's signed result",
    responses=RETURNED,
    openapi_extensions={"requestBody": SIGNED_FORM, "parameters": [RETURN_HINT]},
)
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
    headers = {"Location": location, "Cache-Control": "no-store"}
    return Response(status_code=303, content_type="text/plain", headers=headers, body="")


@resolver.get(
    "/v1/faceid/result",
    summary="The built-in result page",
    responses=responses(200, "HTML", media="text/html"),
    openapi_extensions={
        "parameters": [
            query_parameter("verification_id", "as the return added it (not shown)"),
            query_parameter("status", "the verification's status, as the return added it"),
        ]
    },
)
def result_page() -> Response[str]:
    from faceid_bridge import result_page as page  # rare: most flows end on the customer's redirect_url

    event = resolver.current_event
    verification = finished_verification(
        event.get_query_string_value("verification_id", "") or "", store=wiring.store()
    )
    html, language = page.render(verification, event.headers.get("accept-language", ""))
    headers = {"Content-Language": language, "Vary": "Accept-Language", "Cache-Control": "no-store"}
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=html, headers=headers)


@traced
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(resolver, event, context)
