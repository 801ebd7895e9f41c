"""The OpenAPI of H5 Lite's callback routes, as keyword arguments of the resolver's route decorators.
Their input is FaceID's signed form or the browser's query, read raw (the sign is checked over the
bytes before anything is parsed), so no model of a route's parameters documents it: these plain
dicts do, merged into each route's operation."""

from typing import Any

from faceid_bridge.api import form_body, query_parameter, responses
from faceid_bridge.channels.h5_lite.api import NotifyAnswer

# What FaceID posts to notify_url, and the browser to return_url when action_http_method is POST (001).
SIGNED_FORM = form_body(
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    data="FaceID's result, JSON (001's return value)",
    sign="sha1(api_secret + data), lowercase hex (001)",
)
RETURN_HINT = query_parameter("verification_id", "ours, in the return_url we gave FaceID: a hint, not signed")
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

NOTIFY: dict[str, Any] = {
    "summary": "FaceID's result callback",
    "responses": responses(200, NotifyAnswer, 400, 401, 404, 413),
    "openapi_extensions": {
        "requestBody": SIGNED_FORM,
        "parameters": [
            query_parameter("verification_id", "ours, in the notify_url we gave FaceID: a hint, not signed")
        ],
    },
}
RETURN_GET: dict[str, Any] = {
    "summary": "The browser back from FaceID (action_http_method GET)",
    "responses": RETURNED,
    "openapi_extensions": {
        "parameters": [
            query_parameter("biz_id", "the verification's biz_id, which FaceID appends (001)", required=True),
            RETURN_HINT,
        ]
    },
}
RETURN_POST: dict[str, Any] = {
    "summary": "The browser back from FaceID (action_http_method POST), with FaceID's signed result",
    "responses": RETURNED,
    "openapi_extensions": {"requestBody": SIGNED_FORM, "parameters": [RETURN_HINT]},
}
RESULT_PAGE: dict[str, Any] = {
    "summary": "The built-in result page",
    "responses": responses(200, "HTML", media="text/html"),
    "openapi_extensions": {
        "parameters": [
            query_parameter("verification_id", "as the return added it (not shown)"),
            query_parameter("status", "the verification's status, as the return added it"),
        ]
    },
}
