"""The sandbox's H5 Lite API.

| route                            | what                                                          |
| -------------------------------- | ------------------------------------------------------------- |
| POST /faceid/lite/get_token      | every rule of 000, the shared contract models, real face checks |
| GET  /faceid/lite/do?token=      | the liveness page: a person picks the outcome                 |
| GET  /faceid/lite/get_result     | notes §2: kept one day, three reads                           |
| POST /sandbox/v1/complete        | automation: finish a flow with an outcome (JSON)              |

At the end of a flow it POSTs the signed notify and sends the browser to return_url.
"""

from __future__ import annotations

import html
import json
import time
import uuid
from typing import Any, get_args
from urllib.parse import quote

import requests
from flask import Blueprint, Response, jsonify, request
from pydantic import ValidationError

from faceid_bridge.channels.h5_lite.contract import lite_sign
from faceid_bridge.faceid.common import MAX_IMAGE_BYTES, ContractError, parse
from infra.sandbox.contract import GetTokenRequest
from infra.sandbox.faces import check_references
from infra.sandbox.faults import NotifyFaults
from infra.sandbox.http import (
    KEY_PAIRS,
    authenticate,
    error,
    injected,
    region,
    request_id,
    state,
    too_large,
    uploads,
)
from infra.sandbox.outcomes import Outcome, OutcomeName, lite_result

RESULT_RETENTION_SECONDS = 86400  # get_result: kept one day ...
RESULT_READS = 3  # ... and read at most three times (notes §2)
SCENES = frozenset({"default"})
LANGUAGES = {"0": "en", "1": "zh", "2": "id", "3": "th", "4": "fil", "5": "vi", "6": "es"}

h5_lite = Blueprint("h5_lite", __name__)


@h5_lite.post("/faceid/lite/get_token")
def get_token() -> Response:
    files = uploads()
    form = request.form.to_dict()
    refused = too_large(files, per_file=MAX_IMAGE_BYTES) or authenticate(form) or injected("get_token")
    if refused:
        return refused
    try:
        token_request = parse(GetTokenRequest, {**form, **files})
    except ContractError as exc:
        return error(400, exc.message)
    if token_request.scene_id is not None and token_request.scene_id not in SCENES:
        return error(400, "BAD_ARGUMENTS:scene_id")
    image_error = check_references(
        token_request.files(),
        multi_oriented=token_request.multi_oriented_detection == "1",
        fail_when_multiple=token_request.fail_when_ref_multiple_faces != "0",  # default "1"
    )
    if image_error:
        return error(400, image_error)
    with state().lock:
        if token_request.biz_no in state().biz_nos:
            return error(400, "BAD_ARGUMENTS:biz_no")
        state().biz_nos.add(token_request.biz_no)
        token, biz_id = uuid.uuid4().hex, request_id()
        session = {
            "token": token,
            "biz_id": biz_id,
            "options": token_request.model_dump(
                mode="json", exclude_none=True, exclude={"image_ref1", "image_ref2", "api_secret"}
            ),
            "references": [ref for ref in ("ref1", "ref2") if getattr(token_request, f"image_{ref}") is not None],
            "created": state().now(),
            "expired_time": int(state().now()) + state().token_ttl_seconds,
            "used": False,
            "result": {"status": "NOT_STARTED"},
            "reads": 0,
            "region": region(),  # the token and biz_id belong to this region's key
        }
        state().sessions[token] = state().by_biz_id[biz_id] = session
    return jsonify(
        {
            "request_id": request_id(),
            "time_used": 3,
            "token": token,
            "biz_id": biz_id,
            "expired_time": session["expired_time"],
        }
    )


def _live(token: str) -> dict[str, Any] | None:
    session = state().sessions.get(token)
    if session is None or session["used"] or session["expired_time"] < state().now():
        return None
    return session


def _take(token: str) -> dict[str, Any] | None:
    """The session of a live, unused token, now used: tokens work once."""
    with state().lock:
        session = _live(token)
        if session is not None:
            session["used"] = True
        return session


def _post_notify(url: str, data: str, secret: str, faults: NotifyFaults) -> int | None:
    """One notify, resent while our side does not answer 2xx, as many times as the faults allow."""
    status = None
    for attempt in range(1 + faults.retries):
        if attempt:
            time.sleep(faults.retry_delay_ms / 1000)
        try:
            status = requests.post(url, data={"data": data, "sign": lite_sign(secret, data)}, timeout=10).status_code
        except requests.RequestException:
            status = None
        if status is not None and 200 <= status < 300:
            break
    return status


def _finish(session: dict[str, Any], choice: Outcome, notify_faults: NotifyFaults) -> dict[str, Any]:
    """End the flow: keep the result for get_result, notify the customer's server, and say where
    the browser goes next."""
    result = lite_result(session, choice)
    data = json.dumps(result, separators=(",", ":"))
    with state().lock:
        session["result"], session["finished"] = result, state().now()
    options, secret = session["options"], KEY_PAIRS[session["region"]][1]  # signed by the flow's region
    notify_statuses: list[int | None] = []
    if not notify_faults.drop:
        for _ in range(1 + notify_faults.duplicates):
            notify_statuses.append(_post_notify(options["notify_url"], data, secret, notify_faults))
        if notify_faults.out_of_order:
            late = json.dumps({**result, "status": "PROCESSING"}, separators=(",", ":"))
            notify_statuses.append(_post_notify(options["notify_url"], late, secret, notify_faults))
    return {
        "biz_id": session["biz_id"],
        "notify_status": notify_statuses[0] if notify_statuses else None,
        "notify_statuses": notify_statuses,
        "return_method": options.get("action_http_method", "POST"),
        "return_url": options["return_url"],
        "data": data,
        "sign": lite_sign(secret, data),
    }


@h5_lite.post("/sandbox/v1/complete")
def complete() -> Response:
    """Automation: finish the flow of `token` with a chosen outcome, without a browser.
    Body: {"token", "outcome", "confidence"?, "fail_reason"?, "faults"?: {NotifyFaults}}."""
    body = request.get_json(silent=True) or {}
    session = _take(str(body.pop("token", "")))
    if session is None:
        return error(400, "INVALID_TOKEN")
    try:
        chosen = body.pop("faults", None) or state().faults.faults.notify.model_dump()
        notify_faults = NotifyFaults.model_validate(chosen)
        choice = Outcome.model_validate(body)
    except ValidationError as exc:
        return error(400, f"BAD_ARGUMENTS:{exc.errors()[0]['loc'][0]}")
    return jsonify(_finish(session, choice, notify_faults))


PAGE = """<!doctype html><html lang="{lang}"><meta charset="utf-8"><title>FaceID sandbox</title>
<style>body{{font-family:sans-serif;max-width:36rem;margin:2rem auto}}label{{display:block;margin:.6rem 0}}</style>
<h1>FaceID sandbox: liveness check</h1>
<p>This page stands in for FaceID's liveness flow. Choose how this verification ends.</p>
<form method="post" action="do"><input type="hidden" name="token" value="{token}">
<label>Outcome <select name="outcome" id="outcome">{outcomes}</select></label>
<label>Face comparison confidence, for a mismatch (0-100)
<input name="confidence" id="confidence" value="40" size="5"></label>
<label>fail_reason, for WebRTC unsupported <select name="fail_reason" id="fail_reason">
<option>SUPPORT_ERROR</option><option>NETWORK_ERROR</option><option>PERMISSIONS_ERROR</option></select></label>
<button type="submit" id="finish">Finish</button></form></html>"""
OUTCOMES = [name for name in get_args(OutcomeName) if name != "processing"]


@h5_lite.get("/faceid/lite/do")
def do_page() -> Response:
    token = request.args.get("token", "")
    with state().lock:
        session = _live(token)
        if session is not None and session["result"]["status"] == "NOT_STARTED":
            session["result"] = {"status": "PROCESSING"}
    if session is None:
        return error(400, "INVALID_TOKEN")
    outcomes = "".join(f'<option value="{name}">{name}</option>' for name in OUTCOMES)
    lang = LANGUAGES.get(session["options"].get("language", "0"), "en")
    return Response(PAGE.format(token=html.escape(token), outcomes=outcomes, lang=lang), content_type="text/html")


@h5_lite.post("/faceid/lite/do")
def do_finish() -> Response:
    session = _take(request.form.get("token", ""))
    if session is None:
        return error(400, "INVALID_TOKEN")
    try:
        choice = Outcome.model_validate({key: value for key, value in request.form.items() if key != "token"})
    except ValidationError as exc:
        return error(400, f"BAD_ARGUMENTS:{exc.errors()[0]['loc'][0]}")
    result = _finish(session, choice, state().faults.faults.notify)
    replace = session["options"].get("redirect_type") == "1"
    if result["return_method"] == "GET":
        separator = "&" if "?" in result["return_url"] else "?"
        location = f"{result['return_url']}{separator}biz_id={quote(result['biz_id'])}"
        if replace:  # redirect_type=1: location.replace, which leaves no history entry
            script = f"<script>location.replace({json.dumps(location)})</script>"
            return Response(f"<!doctype html><title>Returning</title>{script}", content_type="text/html")
        return Response(status=303, headers={"Location": location})
    form = (
        f'<form id="r" method="post" action="{html.escape(result["return_url"])}">'
        f'<input type="hidden" name="data" value="{html.escape(result["data"])}">'
        f'<input type="hidden" name="sign" value="{result["sign"]}"></form>'
        '<script>document.getElementById("r").submit()</script>'
    )
    return Response(f"<!doctype html><title>Returning</title>{form}", content_type="text/html")


@h5_lite.get("/faceid/lite/get_result")
def get_result() -> Response:
    # GET with a query string, as notes §2 documents: another method gets FaceID's answer for a
    # wrong method (app._http_error).
    values = request.args.to_dict()
    refused = authenticate(values) or injected("get_result")
    if refused:
        return refused
    biz_id = values.get("biz_id")
    if not biz_id:
        return error(400, "MISSING_ARGUMENTS:biz_id")
    for flag in ("return_verify_time", "return_image"):
        if values.get(flag, "0") not in ("0", "1"):
            return error(400, f"BAD_ARGUMENTS:{flag}")
    with state().lock:
        session = state().by_biz_id.get(biz_id)
        # Unknown, past retention, or read three times already. The docs do not give the exact
        # message for these (notes §2), so the sandbox answers with the general form.
        expired = session is not None and state().now() - session["created"] > RESULT_RETENTION_SECONDS
        elsewhere = session is not None and session["region"] != region()  # another region's key made it
        if session is None or expired or elsewhere or session["reads"] >= RESULT_READS:
            return error(400, "BAD_ARGUMENTS:biz_id")
        session["reads"] += 1
        result = json.loads(json.dumps(session["result"]))
    result["biz_info"] = {"biz_id": biz_id, "biz_no": session["options"]["biz_no"]}
    if values.get("return_verify_time") == "1" and "verify_result" in result:
        result["verify_result"]["verify_time"] = int(session.get("finished", state().now()))
    return jsonify({"request_id": request_id(), "time_used": 4, **result})
