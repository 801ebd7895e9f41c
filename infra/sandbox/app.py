"""FaceID sandbox: the H5 Lite API as the docs describe it, for local runs, tests and people.

- POST /faceid/lite/get_token   every rule of 000, with the shared contract models
- GET  /faceid/lite/do          the liveness page; a person picks the outcome
- POST /sandbox/v1/complete     the same for tests and the demo (JSON)
At the end of a flow it POSTs the signed notify and sends the browser to return_url.
"""

from __future__ import annotations

import html
import json
import secrets
import threading
import time
import uuid
from typing import Any, get_args
from urllib.parse import quote

import requests
from flask import Flask, Response, jsonify, request
from pydantic import ValidationError

from faceid_bridge.errors import ArgumentError
from faceid_bridge.faceid.contract import MAX_IMAGE_BYTES, GetTokenRequest, lite_sign, parse
from infra.sandbox.outcomes import Outcome, OutcomeName, lite_result

API_KEY, API_SECRET = "sandbox-key", "sandbox-secret"
TOKEN_TTL_SECONDS = 3600  # the console's default whole-flow timeout (notes §1)
SCENES = frozenset({"default"})

app = Flask(__name__)
_lock = threading.Lock()
_sessions: dict[str, dict[str, Any]] = {}  # by token
_biz_nos: set[str] = set()


def _request_id() -> str:
    return f"{int(time.time())},{uuid.uuid4()}"


def _error(status: int, message: str, key: str = "error_message") -> Response:
    response = jsonify({key: message, "request_id": _request_id(), "time_used": 1})
    response.status_code = status
    return response


@app.post("/faceid/lite/get_token")
def get_token() -> Response:
    files = {name: storage.read() for name, storage in request.files.items()}
    if any(len(content) > MAX_IMAGE_BYTES for content in files.values()):
        return Response("Request Entity Too Large", status=413, content_type="text/plain")
    form = request.form.to_dict()
    for key in ("api_key", "api_secret"):
        if not form.get(key):
            return _error(400, f"MISSING_ARGUMENTS:{key}")
    if not (
        secrets.compare_digest(form["api_key"], API_KEY) and secrets.compare_digest(form["api_secret"], API_SECRET)
    ):
        return _error(403, "AUTHENTICATION_ERROR", key="error")
    try:
        token_request = parse(GetTokenRequest, {**form, **files})
    except ArgumentError as exc:
        return _error(400, exc.message)
    if token_request.scene_id is not None and token_request.scene_id not in SCENES:
        return _error(400, "BAD_ARGUMENTS:scene_id")
    with _lock:
        if token_request.biz_no in _biz_nos:
            return _error(400, "BAD_ARGUMENTS:biz_no")
        _biz_nos.add(token_request.biz_no)
        token, biz_id = uuid.uuid4().hex, _request_id()
        expired_time = int(time.time()) + TOKEN_TTL_SECONDS
        _sessions[token] = {
            "biz_id": biz_id,
            "options": token_request.model_dump(
                mode="json", exclude_none=True, exclude={"image_ref1", "image_ref2", "api_secret"}
            ),
            "references": [ref for ref in ("ref1", "ref2") if getattr(token_request, f"image_{ref}") is not None],
            "expired_time": expired_time,
            "used": False,
        }
    return jsonify(
        {"request_id": _request_id(), "time_used": 3, "token": token, "biz_id": biz_id, "expired_time": expired_time}
    )


def _take(token: str) -> dict[str, Any] | None:
    """The session of a live, unused token, now used: tokens work once."""
    with _lock:
        session = _sessions.get(token)
        if session is None or session["used"] or session["expired_time"] < time.time():
            return None
        session["used"] = True
        return session


def _finish(session: dict[str, Any], choice: Outcome) -> dict[str, Any]:
    """Notify the customer's server, and say where the browser goes next."""
    data = json.dumps(lite_result(session, choice), separators=(",", ":"))
    sign = lite_sign(API_SECRET, data)
    options = session["options"]
    try:
        notify = requests.post(options["notify_url"], data={"data": data, "sign": sign}, timeout=10).status_code
    except requests.RequestException:
        notify = None
    method = options.get("action_http_method", "POST")
    return {
        "biz_id": session["biz_id"],
        "notify_status": notify,
        "return_method": method,
        "return_url": options["return_url"],
        "data": data,
        "sign": sign,
    }


@app.post("/sandbox/v1/complete")
def complete() -> Response:
    """Automation: finish the flow of `token` with a chosen outcome, without a browser."""
    body = request.get_json(silent=True) or {}
    session = _take(str(body.pop("token", "")))
    if session is None:
        return _error(400, "INVALID_TOKEN")
    try:
        choice = Outcome.model_validate(body)
    except ValidationError as exc:
        return _error(400, f"BAD_ARGUMENTS:{exc.errors()[0]['loc'][0]}")
    return jsonify(_finish(session, choice))


PAGE = """<!doctype html><meta charset="utf-8"><title>FaceID sandbox</title>
<h1>FaceID sandbox: liveness check</h1><p>Choose how this verification ends.</p>
<form method="post" action="/faceid/lite/do"><input type="hidden" name="token" value="{token}">
<label>Outcome <select name="outcome" id="outcome">{options}</select></label>
<label>Confidence <input name="confidence" value="40" size="5"></label>
<button type="submit" id="finish">Finish</button></form>"""
OUTCOMES = get_args(OutcomeName)


@app.get("/faceid/lite/do")
def do_page() -> Response:
    token = request.args.get("token", "")
    with _lock:
        session = _sessions.get(token)
        valid = session is not None and not session["used"] and session["expired_time"] >= time.time()
    if not valid:
        return _error(400, "INVALID_TOKEN")
    options = "".join(f'<option value="{name}">{name}</option>' for name in OUTCOMES)
    return Response(PAGE.format(token=html.escape(token), options=options), content_type="text/html")


@app.post("/faceid/lite/do")
def do_finish() -> Response:
    session = _take(request.form.get("token", ""))
    if session is None:
        return _error(400, "INVALID_TOKEN")
    choice = Outcome(
        outcome=request.form.get("outcome", "pass"), confidence=float(request.form.get("confidence") or 40)
    )
    result = _finish(session, choice)
    if result["return_method"] == "GET":
        separator = "&" if "?" in result["return_url"] else "?"
        return Response(
            status=303,
            headers={"Location": f"{result['return_url']}{separator}biz_id={quote(result['biz_id'])}"},
        )
    form = (
        f'<form id="r" method="post" action="{html.escape(result["return_url"])}">'
        f'<input type="hidden" name="data" value="{html.escape(result["data"])}">'
        f'<input type="hidden" name="sign" value="{result["sign"]}"></form>'
        '<script>document.getElementById("r").submit()</script>'
    )
    return Response(f"<!doctype html><title>Returning</title>{form}", content_type="text/html")
