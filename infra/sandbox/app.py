"""FaceID sandbox: FaceID's APIs as the docs describe them, for local runs, tests and people.

    create_app()          # a Flask app with a fresh SandboxState (or the one given)

Blueprints: lite.py (H5 Lite: get_token, the do page, get_result, automation), app_flows.py (App
SDK and H5 Raw), and here the sandbox's own controls. Each FaceID region is served under its own
prefix (/cn, /sgp, /idn: faceid/regions.py), which answers 404 API_NOT_FOUND for an API its host
does not serve; the unprefixed paths serve every API (see http.py for the key pairs).

| route                            | what                                                          |
| -------------------------------- | ------------------------------------------------------------- |
| PUT  /sandbox/v1/faults          | fault switches for the whole sandbox                          |
| GET  /sandbox/v1/token-uses      | how many verify calls sent one single-use token               |
| POST /sandbox/v1/clock           | move the sandbox's clock forward (token expiry, retention)    |
"""

from __future__ import annotations

import time

from flask import Blueprint, Flask, Response, g, jsonify, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from faceid_bridge.faceid.regions import Api, Region, serves
from infra.sandbox.app_flows import app_raw
from infra.sandbox.faults import Faults
from infra.sandbox.http import EXTENSION, error, state
from infra.sandbox.lite import lite
from infra.sandbox.state import SandboxState

controls = Blueprint("controls", __name__)


def create_app(sandbox: SandboxState | None = None) -> Flask:
    app = Flask(__name__)
    app.extensions[EXTENSION] = sandbox or SandboxState()
    app.after_request(_hold_answer)
    app.register_error_handler(HTTPException, _http_error)
    app.before_request(_enter_region)
    for blueprint in (lite, app_raw, controls):
        app.register_blueprint(blueprint)
    for region in Region:
        for blueprint in (lite, app_raw):
            app.register_blueprint(blueprint, url_prefix=f"/{region.value}", name=f"{blueprint.name}_{region.value}")
    return app


def _enter_region() -> Response | None:
    """A regional prefix: its region for the request, or FaceID's 404 for an API it does not serve."""
    prefix, _, path = request.path.lstrip("/").partition("/")
    if prefix not in {region.value for region in Region}:
        return None
    g.region = Region(prefix)
    if f"/{path}" in {api.value for api in Api} and not serves(g.region, f"/{path}"):
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
