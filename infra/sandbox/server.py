"""FaceID sandbox: FaceID's APIs as the docs describe them, for local runs, tests and people.

    create_server()       # a Flask app with a fresh SandboxState (or the one given)

Blueprints, one per channel: h5_lite.py (get_token, the do page, get_result, automation),
app_sdk.py, h5_raw.py; and here the sandbox's own controls. Each FaceID region is served under its own
prefix (/cn, /sgp, /idn: each channel's HOSTING), which answers 404 API_NOT_FOUND for an API its host
does not serve; the unprefixed paths serve every API (see http.py for the key pairs).

| route                            | what                                                          |
| -------------------------------- | ------------------------------------------------------------- |
| PUT  /sandbox/v1/faults          | fault switches for the whole sandbox                          |
| GET  /sandbox/v1/token-uses      | how many verify calls sent one single-use token               |
| POST /sandbox/v1/clock           | move the sandbox's clock forward (token expiry, retention)    |
| PUT  /sandbox/v1/permissions     | the account's permissions (KYC data source, comparison...)    |
"""

from __future__ import annotations

import time

from flask import Blueprint, Flask, Response, g, jsonify, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from faceid_bridge.channels import hosting
from faceid_bridge.domain.verification import Channel
from faceid_bridge.faceid.regions import Region
from infra.sandbox.app_sdk import app_sdk
from infra.sandbox.faults import Faults
from infra.sandbox.h5_lite import h5_lite
from infra.sandbox.h5_raw import h5_raw
from infra.sandbox.http import EXTENSION, error, state
from infra.sandbox.state import PERMISSIONS, SandboxState

controls = Blueprint("controls", __name__)
# Which regional host serves which API: every channel's rows of notes §6.
ROWS = [hosting(channel) for channel in Channel]


def create_server(sandbox: SandboxState | None = None) -> Flask:
    server = Flask(__name__)
    server.extensions[EXTENSION] = sandbox or SandboxState()
    server.after_request(_hold_answer)
    server.register_error_handler(HTTPException, _http_error)
    server.before_request(_enter_region)
    for blueprint in (h5_lite, app_sdk, h5_raw, controls):
        server.register_blueprint(blueprint)
    for region in Region:
        for blueprint in (h5_lite, app_sdk, h5_raw):
            server.register_blueprint(blueprint, url_prefix=f"/{region.value}", name=f"{blueprint.name}_{region.value}")
    return server


def _enter_region() -> Response | None:
    """A regional prefix: its region for the request, or FaceID's 404 for an API it does not serve."""
    prefix, _, path = request.path.lstrip("/").partition("/")
    if prefix not in {region.value for region in Region}:
        return None
    g.region = Region(prefix)
    declaring = [rows for rows in ROWS if f"/{path}" in rows.apis()]
    if declaring and not any(rows.serves(g.region, f"/{path}") for rows in declaring):
        return error(404, "API_NOT_FOUND", key="error")
    return None


def _hold_answer(response: Response) -> Response:
    """A slow or unreadable answer (fault switches): the call has taken effect; its answer is held
    back, or replaced by one that is not the documented JSON."""
    delay = g.get("answer_delay", 0)
    if delay:
        time.sleep(delay)
    if g.get("unreadable_answer") and response.status_code == 200:
        return Response("<html>upstream proxy error</html>", status=200, content_type="text/html")
    return response


def _http_error(exc: HTTPException) -> Response:
    """Errors Flask itself raises, in FaceID's form (000's general table): an unknown path is 404
    API_NOT_FOUND; a known API called with another method is AUTHORIZATION_ERROR ("no permission to
    call this API with the current method"); anything else keeps its status with FaceID's body."""
    if isinstance(exc, NotFound):
        return error(404, "API_NOT_FOUND", key="error")
    if isinstance(exc, MethodNotAllowed):
        return error(403, "AUTHORIZATION_ERROR:Denied", key="error")
    if exc.code == 413:
        return Response("Request Entity Too Large", status=413, content_type="text/plain")
    return error(exc.code or 500, "INTERNAL_ERROR" if (exc.code or 500) >= 500 else "BAD_ARGUMENTS:body")


@controls.route("/sandbox/v1/faults", methods=["GET", "PUT", "DELETE"])
def fault_switches() -> Response:
    if request.method == "PUT":
        try:
            state().faults.set(Faults.model_validate(request.get_json(silent=True) or {}))
        except ValidationError as exc:
            return error(400, f"BAD_ARGUMENTS:{exc.errors()[0]['loc'][0]}")
    elif request.method == "DELETE":
        state().faults.set(Faults())
    return jsonify(state().faults.faults.model_dump())


@controls.get("/sandbox/v1/token-uses")
def token_uses() -> Response:
    """?token=<biz_token or token_still>: how many verify calls sent that single-use token."""
    return jsonify({"uses": state().token_uses[request.args.get("token", "")]})


@controls.post("/sandbox/v1/clock")
def advance_clock() -> Response:
    """{"advance_seconds": N}: everything time-based in the sandbox sees N more seconds."""
    state().clock_offset += float((request.get_json(silent=True) or {}).get("advance_seconds", 0))
    return jsonify({"now": state().now()})


@controls.put("/sandbox/v1/permissions")
def permissions() -> Response:
    wanted = request.get_json(silent=True) or {}
    state().permissions.update({name: bool(wanted[name]) for name in PERMISSIONS if name in wanted})
    return jsonify(state().permissions)
