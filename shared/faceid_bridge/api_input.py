"""A route's input parsed into its model, in FaceID's error form when it does not fit: a body (JSON,
or a multipart form) for the routes that take one, a query for the listing. Apart from api.py, so
that the callbacks, which read FaceID's form raw, do not load it."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, get_type_hints

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from pydantic import BaseModel

from faceid_bridge import bounded_json
from faceid_bridge.api import content_type, raw_body
from faceid_bridge.errors import ArgumentError
from faceid_bridge.faceid.common import ContractError, parse


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
