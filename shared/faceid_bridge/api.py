"""The HTTP edge shared by every API function: one resolver factory, one error mapping, and the
request and answer models of api_models.py in and out."""

from __future__ import annotations

import base64
import functools
import json
import re
from collections.abc import Callable
from typing import Any, get_type_hints

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler import Response as Response  # for handlers: imported after the shim
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from pydantic import BaseModel

from faceid_bridge import bounded_json, deadline
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
from faceid_bridge.faceid.common import ContractError, parse
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


def request_body[R](app: APIGatewayHttpResolver) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Route decorator: the body (JSON, or a form) parsed into the type of the route's `request`
    parameter, in FaceID's error form when it does not fit. The route keeps its signature
    (functools.wraps), which is where Powertools' OpenAPI reads the request body from."""

    def decorate(route: Callable[..., R]) -> Callable[..., R]:
        model = get_type_hints(route)["request"]

        @functools.wraps(route)
        def parsed(**path_parameters: str) -> R:
            return route(_refused_as_argument_error(model, _body_fields(app)), **path_parameters)

        return parsed

    return decorate


def parsed_query[M: BaseModel](app: APIGatewayHttpResolver, model: type[M]) -> M:
    """The query string parsed into `model`, in FaceID's error form when it does not fit."""
    return _refused_as_argument_error(model, app.current_event.query_string_parameters or {})


def _refused_as_argument_error[M: BaseModel](model: type[M], fields: Any) -> M:
    try:
        return parse(model, fields)
    except ContractError as refused:
        raise ArgumentError(refused.message) from None


def _body_fields(app: APIGatewayHttpResolver) -> Any:
    """A JSON body (none is {}), or a multipart form's first value of each field (the App SDK's
    file part). The body is decoded once: a create carries images of up to 2 MB each."""
    body, kind = raw_body(app), content_type(app)
    if kind.lower().startswith("multipart/form-data"):
        from faceid_bridge.forms import parse_form  # rare: loaded only for a multipart body

        return {name: values[0] for name, values in parse_form(body, kind).items()}
    if not body:
        return {}
    try:
        return bounded_json.loads(body)
    except ValueError:  # includes UnicodeDecodeError and nesting past the bound
        raise ArgumentError.bad("body") from None


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
