"""What every sandbox API shares: the account's credentials, FaceID's error form, uploads and their
limits, and the fault switches drawn per call. `state()` is the app's SandboxState.

Keys are issued per region (notes §6): each region the sandbox serves under its prefix (/idn/...)
has its own key pair, and a token or biz_id works only in the region, with the key, that made it.
The unprefixed paths answer as Indonesia's host does, with its pair, but serve every API."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from flask import Response, current_app, g, jsonify, request

from faceid_bridge.faceid.regions import Region
from infra.sandbox.state import SandboxState

API_KEY, API_SECRET = "sandbox-key", "sandbox-secret"  # Indonesia's pair, and the unprefixed paths'
KEY_PAIRS = {
    Region.IDN: (API_KEY, API_SECRET),
    Region.SGP: ("sandbox-key-sgp", "sandbox-secret-sgp"),
    Region.CN: ("sandbox-key-cn", "sandbox-secret-cn"),
}
EXTENSION = "faceid_sandbox"


def region() -> Region:
    """The region this request was made to (its path's prefix)."""
    found: Region = g.get("region") or Region.IDN
    return found


def key_pair() -> tuple[str, str]:
    """The api_key and api_secret of this request's region."""
    return KEY_PAIRS[region()]


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
    api_key, api_secret = key_pair()
    if not (
        secrets.compare_digest(values["api_key"], api_key) and secrets.compare_digest(values["api_secret"], api_secret)
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
