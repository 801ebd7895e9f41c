"""The HTTP edge shared by every API function: one resolver factory, one error mapping, the raw
request's parts, and each route's OpenAPI as plain dicts (api_input.py parses bodies and queries)."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler import Response as Response  # for handlers: imported after the shim
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from pydantic import BaseModel

from faceid_bridge import deadline
from faceid_bridge.api_models import ErrorBody
from faceid_bridge.config import PublicUrlConfig, load
from faceid_bridge.errors import (
    ArgumentError,
    BridgeError,
    ConfigurationError,
    Conflict,
    FaceIdRejected,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    RequestInProgress,
    Unauthorized,
    UpstreamMisconfigured,
    UpstreamUnavailable,
)
from faceid_bridge.observability import logger

# The one place a domain error gets its HTTP status (an error takes its nearest listed ancestor's).
STATUS: dict[type[BridgeError], int] = {
    ArgumentError: 400,
    FaceIdRejected: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    RequestInProgress: 409,
    PayloadTooLarge: 413,
    RateLimited: 429,
    UpstreamMisconfigured: 502,
    ConfigurationError: 503,
    UpstreamUnavailable: 503,
}


def status_of(error: BridgeError) -> int:
    return next((STATUS[kind] for kind in type(error).__mro__ if kind in STATUS), 500)


def _start_deadline(app: APIGatewayHttpResolver, next_middleware: Any) -> Response[Any]:
    # Every FaceID call of this request is sized to the time Lambda gives the invocation.
    remaining = getattr(app.lambda_context, "get_remaining_time_in_millis", None)
    if remaining is None:
        deadline.clear()
    else:
        deadline.start(remaining())
    try:
        response: Response[Any] = next_middleware(app)
        return response
    finally:
        deadline.clear()  # the invocation's, not the process's: nothing after it is sized by it


def _to_json(answer: Any) -> str:
    return answer.model_dump_json() if isinstance(answer, BaseModel) else json.dumps(answer)


def http_app() -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(serializer=_to_json)
    app.use(middlewares=[_start_deadline])

    def error_answer(exc: BridgeError) -> Response[str]:
        # The one place domain errors become HTTP: FaceID's own error shape, plus the request id.
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
        body = ErrorBody(error_message=exc.message, request_id=app.current_event.request_context.request_id)
        status = status_of(exc)
        if status >= 500 and not isinstance(exc, ConfigurationError):  # that one is logged where found
            logger.warning("request failed upstream", extra={"error": exc.message})
        return Response(status_code=status, content_type="application/json", body=_to_json(body), headers=headers)

    app.exception_handler(BridgeError)(error_answer)

    @app.not_found
    def _no_route(_: NotFoundError) -> Response[str]:
        # API Gateway routed the request here, but no route pattern of ours takes its path: HTTP APIs
        # pass rawPath percent-decoded, and Powertools' patterns refuse characters such as `"`, `\`,
        # a backtick, `?`, `#` or a control character. Answered as any other 404, in our error form.
        return error_answer(NotFound(_not_found_message(app.current_event.route_key)))

    return app


def serve(app: APIGatewayHttpResolver, event: dict[str, Any], context: Any) -> dict[str, Any]:
    """`app.resolve`, every log line naming the request: API Gateway's request id, read directly
    (Powertools' correlation_id_path searches the event with jmespath on every request)."""
    logger.set_correlation_id(event.get("requestContext", {}).get("requestId"))
    return app.resolve(event, context)


def _not_found_message(route_key: str) -> str:
    """`NOT_FOUND:<the route's path parameter>` (a verification_id no route pattern takes names no
    verification), or FaceID's own `API_NOT_FOUND` for a route without one."""
    parameters = re.findall(r"\{(\w+)\+?\}", route_key)
    return f"NOT_FOUND:{parameters[-1]}" if parameters else "API_NOT_FOUND"


def see_other(location: str) -> Response[str]:
    """A 303 to `location`, not cached: where the browser goes next depends on the verification."""
    return Response(
        status_code=303, content_type="text/plain", headers={"Location": location, "Cache-Control": "no-store"}, body=""
    )


def raw_body(app: APIGatewayHttpResolver) -> bytes:
    """The body's bytes. (Powertools' decoded_body decodes them as UTF-8, which fails on bytes
    that are not, and would turn a hostile body into a 500.)"""
    event = app.current_event
    body = event.body or ""
    return base64.b64decode(body) if event.is_base64_encoded else body.encode("utf-8")


def content_type(app: APIGatewayHttpResolver) -> str:
    return app.current_event.headers.get("content-type", "")


def public_base_url(app: APIGatewayHttpResolver) -> str:
    """Our own public origin, for the callback URLs FaceID gets and the result page. API Gateway sets
    domainName from the host it routed on, so a client cannot point it elsewhere."""
    return (load(PublicUrlConfig).public_base_url or f"https://{app.current_event.request_context.domain_name}").rstrip(
        "/"
    )


# Every error a route can answer, for its OpenAPI responses (the body is always ErrorBody).
ERRORS = {
    400: "MISSING_ARGUMENTS:<key> or BAD_ARGUMENTS:<key> (ours or FaceID's)",
    401: "FaceID's sign is missing or wrong (its callbacks)",
    404: "NOT_FOUND:<key>, or API_NOT_FOUND (FaceID's form) on a route with no such key",
    409: (
        "CONFLICT:biz_no (another request used it), CONFLICT:status (the verification has ended: nothing"
        " changed), REQUEST_IN_PROGRESS:<key> (retry after Retry-After), or"
        " FACEID_OUTCOME_UNKNOWN:<token> (a single-use token's answer was lost: start a new verification)"
    ),
    413: "the body is too large",
    429: "FaceID's concurrency limit (retry after Retry-After)",
    500: "an unexpected failure",
    502: "FaceID refused our credentials, or answered what we cannot read",
    503: (
        "FaceID unreachable, or its answer lost (FACEID_OUTCOME_UNKNOWN: retry a create after Retry-After;"
        " with a single-use token, start a new verification); or CONFIGURATION_ERROR:<what> (the deployment"
        " is not ready, e.g. the FaceID secret not set yet)"
    ),
}

# What a route that calls FaceID to create a verification can answer besides its own 201.
CREATE_ERRORS = (400, 409, 413, 429, 500, 502, 503)


def responses(
    status: int,
    answer: type[BaseModel] | str,
    *errors: int,
    media: str = "application/json",
    text: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[int, Any]:
    """A route's OpenAPI responses: its answer (a model; or a description, with the schema of its
    text body, for what has none), the headers it sets (name: description), and the errors it can give."""
    documented: dict[int, Any] = {
        code: {"description": ERRORS[code], "content": {"application/json": {"model": ErrorBody}}} for code in errors
    }
    if isinstance(answer, str):
        documented[status] = {"description": answer, "content": {media: {"schema": text or {"type": "string"}}}}
    else:
        documented[status] = {
            "description": (answer.__doc__ or "").split("\n", 1)[0],
            "content": {media: {"model": answer}},
        }
    if headers:
        documented[status]["headers"] = {
            name: {"description": description, "required": True, "schema": {"type": "string"}}
            for name, description in headers.items()
        }
    return documented


# Routes that read their input raw (FaceID's callbacks: the sign is checked over the raw bytes before
# anything is parsed) have no parameter for Powertools to document it from. They declare it as plain
# OpenAPI through the route's `openapi_extensions`, which is merged into its operation as it is:
# plain dicts, so no OpenAPI machinery is loaded at cold start.


def query_parameter(name: str, description: str, *, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": {"type": "string"}}


def form_body(*media: str, **fields: str) -> dict[str, Any]:
    """A required form body of text fields (name: description), in each of the media types given."""
    schema = {
        "type": "object",
        "required": list(fields),
        "properties": {name: {"type": "string", "description": description} for name, description in fields.items()},
    }
    return {"required": True, "content": {kind: {"schema": schema} for kind in media}}


def documented_query(model: type[BaseModel]) -> list[dict[str, Any]]:
    """The OpenAPI parameters of a query `model`: each field's name and its description."""
    return [
        query_parameter(name, field.description or "", required=field.is_required())
        for name, field in model.model_fields.items()
    ]
