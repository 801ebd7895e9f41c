"""What every sandbox API shares: the account's credentials, FaceID's error form, uploads and their
limits, and the fault switches drawn per call. `state()` is the app's SandboxState."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from flask import Response, current_app, g, jsonify, request

from infra.sandbox.state import SandboxState

API_KEY, API_SECRET = "sandbox-key", "sandbox-secret"
EXTENSION = "faceid_sandbox"


def state() -> SandboxState:
    found: SandboxState = current_app.extensions[EXTENSION]
    return found


def request_id() -> str:
    return f"{int(state().now())},{uuid.uuid4()}"


def error(status: int, message: str, key: str = "error_message", extra: dict[str, Any] | None = None) -> Response:
    response = jsonify({key: message, "request_id": request_id(), "time_used": 1} | (extra or {}))
    response.status_code = status
    return response


def uploads() -> dict[str, bytes]:
    return {name: storage.read() for name, storage in request.files.items()}


def too_large(files: dict[str, bytes], *, per_file: int | None = None, total: int | None = None) -> Response | None:
    """FaceID's 413, in plain text, for an image or a whole request over its limit."""
    if (per_file is not None and any(len(content) > per_file for content in files.values())) or (
        total is not None and sum(len(content) for content in files.values()) > total
    ):
        return Response("Request Entity Too Large", status=413, content_type="text/plain")
    return None


def authenticate(values: dict[str, str]) -> Response | None:
    for key in ("api_key", "api_secret"):
        if not values.get(key):
            return error(400, f"MISSING_ARGUMENTS:{key}")
    if not (
        secrets.compare_digest(values["api_key"], API_KEY) and secrets.compare_digest(values["api_secret"], API_SECRET)
    ):
        return error(403, "AUTHENTICATION_ERROR", key="error")
    return None


def injected(api: str, *, key: str = "error_message", concurrency_status: int = 403) -> Response | None:
    drawn, g.answer_delay, g.unreadable_answer = state().faults.fire(api)
    if drawn == "INTERNAL_ERROR":
        return error(500, drawn, key=key)
    if drawn:
        return error(concurrency_status, drawn, key=key)
    return None
