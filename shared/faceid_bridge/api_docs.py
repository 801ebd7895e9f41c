"""The OpenAPI of our routes, as plain dicts for the resolver's route decorators (`responses`,
`openapi_extensions`): no OpenAPI machinery is loaded at cold start. Powertools' OpenAPI merges them
into each route's operation (infra/openapi.py writes api/openapi.json)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from faceid_bridge.api_models import ErrorBody

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
