"""The FaceID sandbox against the documents: get_token (000), callbacks (001), get_result (notes §2),
token lifetime, and its fault switches."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import cv2
import numpy as np
import pytest
from flask.testing import FlaskClient

from infra.sandbox.h5_lite import RESULT_RETENTION_SECONDS
from infra.sandbox.outcomes import Outcome, lite_result
from infra.sandbox.state import SandboxState
from tests.support import FIXTURES, body_for, get_token_rules, json_of, sandbox_form, valid_create_body

RULES = [rule for rule in get_token_rules() if rule.get("sandbox") != "not applicable"]
FACES = FIXTURES / "faces"


def get_token(client: FlaskClient, body: dict[str, Any] | None = None, /, **fields: str) -> Any:
    form, files = sandbox_form(body or valid_create_body())
    form.update(fields)
    data: dict[str, Any] = {**form, **{name: (io.BytesIO(content), f"{name}.jpg") for name, content in files.items()}}
    return client.post("/faceid/lite/get_token", data=data, content_type="multipart/form-data")


def with_images(**images: bytes | str) -> dict[str, Any]:
    import base64

    body = valid_create_body()
    for name, image in images.items():
        content = (FACES / image).read_bytes() if isinstance(image, str) else image
        body[name] = base64.b64encode(content).decode()
    return body


# --- get_token --------------------------------------------------------------------------------


@pytest.mark.parametrize("rule", RULES, ids=[rule["rule"] for rule in RULES])
def test_get_token_rule(sandbox_client: FlaskClient, rule: dict[str, Any]) -> None:
    response = get_token(sandbox_client, body_for(rule))
    expected = rule.get("sandbox", rule["error"])
    if expected is None:
        assert response.status_code == 200, response.json
        assert set(response.json) == {"request_id", "time_used", "token", "biz_id", "expired_time"}
    elif expected == "413":
        assert (response.status_code, response.data) == (413, b"Request Entity Too Large")
    else:
        assert (response.status_code, response.json["error_message"]) == (400, expected)


@pytest.mark.parametrize(
    ("change", "status", "key", "message"),
    [
        ({"api_key": ""}, 400, "error_message", "MISSING_ARGUMENTS:api_key"),
        ({"api_secret": ""}, 400, "error_message", "MISSING_ARGUMENTS:api_secret"),
        ({"api_key": "someone-else"}, 403, "error", "AUTHENTICATION_ERROR"),
        ({"api_secret": "wrong"}, 403, "error", "AUTHENTICATION_ERROR"),
        ({"scene_id": "no-such-scene"}, 400, "error_message", "BAD_ARGUMENTS:scene_id"),
        ({"notify_url": "https://shop.example.com:8080/n"}, 400, "error_message", "BAD_ARGUMENTS:notify_url"),
        ({"notify_url": "http://shop.example.com/n"}, 400, "error_message", "BAD_ARGUMENTS:notify_url"),
        ({"return_url": ""}, 400, "error_message", "BAD_ARGUMENTS:return_url"),
    ],
)
def test_get_token_credentials_urls_and_scenes(
    sandbox_client: FlaskClient, change: dict[str, str], status: int, key: str, message: str
) -> None:
    response = get_token(sandbox_client, **change)
    assert (response.status_code, response.json[key]) == (status, message)


def test_get_token_accepts_a_known_scene_and_every_callback_port(sandbox_client: FlaskClient) -> None:
    assert get_token(sandbox_client, valid_create_body(biz_no="s"), scene_id="default").status_code == 200
    for n, port in enumerate((443, 5000, 16003, 8883, 8028)):
        response = get_token(
            sandbox_client, valid_create_body(biz_no=f"p{n}"), notify_url=f"https://shop.example.com:{port}/n"
        )
        assert response.status_code == 200


def test_biz_no_must_be_unique(sandbox_client: FlaskClient) -> None:
    assert get_token(sandbox_client).status_code == 200
    response = get_token(sandbox_client)
    assert (response.status_code, response.json["error_message"]) == (400, "BAD_ARGUMENTS:biz_no")


def _png(width: int, height: int) -> bytes:
    ok, encoded = cv2.imencode(".png", np.zeros((height, width, 3), np.uint8))
    assert ok
    return encoded.tobytes()


@pytest.mark.parametrize(
    ("images", "options", "error"),
    [
        ({"image_ref1": "one_face.jpg"}, {}, None),
        ({"image_ref1": "no_face.jpg"}, {}, "NO_FACE_FOUND"),
        ({"image_ref1": "two_faces.jpg"}, {}, "MULTIPLE_FACES"),  # fail_when_ref_multiple_faces defaults to 1
        ({"image_ref1": "two_faces.jpg"}, {"fail_when_ref_multiple_faces": "1"}, "MULTIPLE_FACES"),
        ({"image_ref1": "two_faces.jpg"}, {"fail_when_ref_multiple_faces": "0"}, None),  # the largest face is used
        ({"image_ref1": "one_face_rotated.jpg"}, {}, "NO_FACE_FOUND"),
        ({"image_ref1": "one_face_rotated.jpg"}, {"multi_oriented_detection": "1"}, None),
        ({"image_ref1": "one_face_rotated.jpg"}, {"multi_oriented_detection": "0"}, "NO_FACE_FOUND"),
        ({"image_ref1": b"GIF89a not really"}, {}, "IMAGE_ERROR_UNSUPPORTED_FORMAT:image_ref1"),
        (
            {"image_ref1": "one_face.jpg", "image_ref2": b"\x00\x01garbage"},
            {},
            "IMAGE_ERROR_UNSUPPORTED_FORMAT:image_ref2",
        ),
        ({"image_ref1": "one_face.jpg", "image_ref2": "no_face.jpg"}, {}, "NO_FACE_FOUND"),
        ({"image_ref1": _png(4097, 8)}, {}, "INVALID_IMAGE_SIZE:image_ref1"),
        ({"image_ref1": _png(8, 4097)}, {}, "INVALID_IMAGE_SIZE:image_ref1"),
    ],
)
def test_reference_photos_are_judged_by_a_real_face_detector(
    sandbox_client: FlaskClient, images: dict[str, Any], options: dict[str, str], error: str | None
) -> None:
    response = get_token(sandbox_client, with_images(**images) | options)
    if error is None:
        assert response.status_code == 200, response.json
    else:
        assert (response.status_code, response.json["error_message"]) == (400, error)


# --- tokens and the do page --------------------------------------------------------------------


def test_a_token_works_once(sandbox_client: FlaskClient) -> None:
    token = get_token(sandbox_client).json["token"]
    assert sandbox_client.get(f"/faceid/lite/do?token={token}").status_code == 200
    assert sandbox_client.post("/faceid/lite/do", data={"token": token, "outcome": "cancel"}).status_code in (
        200,
        303,
    )
    assert json_of(sandbox_client.get(f"/faceid/lite/do?token={token}"))["error_message"] == "INVALID_TOKEN"
    assert (
        json_of(sandbox_client.post("/sandbox/v1/complete", json={"token": token}))["error_message"] == "INVALID_TOKEN"
    )


def test_a_token_expires(sandbox_client: FlaskClient) -> None:
    token = get_token(sandbox_client).json["token"]
    sandbox_client.post("/sandbox/v1/clock", json={"advance_seconds": SandboxState().token_ttl_seconds + 1})
    assert json_of(sandbox_client.get(f"/faceid/lite/do?token={token}"))["error_message"] == "INVALID_TOKEN"
    assert (
        json_of(sandbox_client.post("/sandbox/v1/complete", json={"token": token}))["error_message"] == "INVALID_TOKEN"
    )


def test_unknown_tokens_are_invalid(sandbox_client: FlaskClient) -> None:
    assert json_of(sandbox_client.get("/faceid/lite/do?token=nope"))["error_message"] == "INVALID_TOKEN"


def test_the_do_page_offers_every_outcome_and_follows_the_language(sandbox_client: FlaskClient) -> None:
    token = get_token(sandbox_client, valid_create_body(language="2")).json["token"]
    page = sandbox_client.get(f"/faceid/lite/do?token={token}").get_data(as_text=True)
    assert '<html lang="id">' in page
    for outcome in (
        "pass",
        "mismatch",
        "liveness_fail",
        "spoof_synthetic_face",
        "spoof_mask",
        "spoof_screen_replay",
        "cancel",
        "timeout",
        "webrtc_unsupported",
    ):
        assert f'value="{outcome}"' in page
    for reason in ("NETWORK_ERROR", "PERMISSIONS_ERROR", "SUPPORT_ERROR"):
        assert reason in page


@pytest.mark.parametrize(
    ("options", "kind"),
    [
        ({"action_http_method": "GET"}, "303"),
        ({"action_http_method": "GET", "redirect_type": "1"}, "replace"),
        ({"action_http_method": "POST"}, "form"),
        ({}, "form"),
    ],
)
def test_the_browser_returns_as_action_http_method_and_redirect_type_say(
    sandbox_client: FlaskClient, options: dict[str, str], kind: str
) -> None:
    created = get_token(sandbox_client, valid_create_body(**options))
    token, biz_id = created.json["token"], created.json["biz_id"]
    response = sandbox_client.post("/faceid/lite/do", data={"token": token, "outcome": "pass"})
    expected_url = "http://127.0.0.1:8028/v1/faceid/return?biz_id=" + biz_id.replace(",", "%2C")
    if kind == "303":
        assert (response.status_code, response.headers["Location"]) == (303, expected_url)
    elif kind == "replace":
        assert f"location.replace({json.dumps(expected_url)})" in response.get_data(as_text=True)
    else:
        page = response.get_data(as_text=True)
        assert 'method="post" action="http://127.0.0.1:8028/v1/faceid/return"' in page and 'name="sign"' in page


# --- get_result --------------------------------------------------------------------------------


def read(client: FlaskClient, **query: str) -> Any:
    credentials = {"api_key": "sandbox-key", "api_secret": "sandbox-secret"}
    return client.get("/faceid/lite/get_result", query_string=credentials | query)


def test_get_result_follows_the_flow_and_allows_three_reads(sandbox_client: FlaskClient) -> None:
    created = get_token(sandbox_client).json
    assert read(sandbox_client, biz_id=created["biz_id"]).json["status"] == "NOT_STARTED"
    sandbox_client.get(f"/faceid/lite/do?token={created['token']}")
    assert read(sandbox_client, biz_id=created["biz_id"]).json["status"] == "PROCESSING"
    sandbox_client.post("/sandbox/v1/complete", json={"token": created["token"], "outcome": "pass"})
    result = read(sandbox_client, biz_id=created["biz_id"], return_verify_time="1").json
    assert (result["status"], result["liveness_result"]["result"]) == ("OK", "PASS")
    assert result["biz_info"] == {"biz_id": created["biz_id"], "biz_no": "order-1"}
    assert "verify_time" in result["verify_result"] and "request_id" in result
    fourth = read(sandbox_client, biz_id=created["biz_id"])  # every read counts
    assert (fourth.status_code, fourth.json["error_message"]) == (400, "BAD_ARGUMENTS:biz_id")


def test_get_result_is_a_get_only_as_documented(sandbox_client: FlaskClient) -> None:
    # Given a finished flow
    created = get_token(sandbox_client).json
    sandbox_client.post("/sandbox/v1/complete", json={"token": created["token"], "outcome": "pass"})
    # When get_result is asked with a POST form rather than the documented GET (notes §2)
    credentials = {"api_key": "sandbox-key", "api_secret": "sandbox-secret", "biz_id": created["biz_id"]}
    response = sandbox_client.post("/faceid/lite/get_result", data=credentials)
    # Then it gets FaceID's answer for a wrong method, and no read is spent
    assert (response.status_code, json_of(response)["error"]) == (403, "AUTHORIZATION_ERROR:Denied")
    assert read(sandbox_client, biz_id=created["biz_id"]).json["status"] == "OK"


@pytest.mark.parametrize(
    ("method", "path", "status", "message"),
    [
        ("get", "/faceid/lite/no_such_api", 404, "API_NOT_FOUND"),
        ("post", "/faceid/v9/unknown", 404, "API_NOT_FOUND"),
        ("get", "/faceid/lite/get_token", 403, "AUTHORIZATION_ERROR:Denied"),
    ],
)
def test_unknown_apis_answer_in_faceids_error_form(
    sandbox_client: FlaskClient, method: str, path: str, status: int, message: str
) -> None:
    # When an API that does not exist (or with a method it does not take) is called
    response = getattr(sandbox_client, method)(path)
    # Then the answer is FaceID's JSON error (000's general table), never an HTML page
    assert response.status_code == status
    assert response.is_json and response.json["error"] == message and "request_id" in response.json


def test_get_result_is_kept_one_day(sandbox_client: FlaskClient) -> None:
    created = get_token(sandbox_client).json
    sandbox_client.post("/sandbox/v1/complete", json={"token": created["token"], "outcome": "pass"})
    sandbox_client.post("/sandbox/v1/clock", json={"advance_seconds": RESULT_RETENTION_SECONDS + 1})
    assert read(sandbox_client, biz_id=created["biz_id"]).json["error_message"] == "BAD_ARGUMENTS:biz_id"


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ({"biz_id": ""}, 400, "MISSING_ARGUMENTS:biz_id"),
        ({"api_secret": "x"}, 403, "AUTHENTICATION_ERROR"),
        ({"return_image": "7"}, 400, "BAD_ARGUMENTS:return_image"),
        ({"biz_id": "unknown"}, 400, "BAD_ARGUMENTS:biz_id"),
    ],
)
def test_get_result_errors(sandbox_client: FlaskClient, query: dict[str, str], status: int, message: str) -> None:
    created = get_token(sandbox_client).json
    response = read(sandbox_client, **({"biz_id": created["biz_id"]} | query))
    assert response.status_code == status
    assert message in (response.json.get("error_message"), response.json.get("error"))


# --- the callback data (001) ------------------------------------------------------------------


def session(**options: str) -> dict[str, Any]:
    return {"biz_id": "b1", "options": {"biz_no": "n1", "comparison_type": "0", **options}, "references": ["ref1"]}


@pytest.mark.parametrize(
    ("options", "outcome", "present", "absent"),
    [
        ({"get_fail_reason": "1"}, "webrtc_unsupported", {"fail_reason": "SUPPORT_ERROR"}, ["liveness_result"]),
        ({"get_fail_reason": "0"}, "webrtc_unsupported", {}, ["fail_reason", "liveness_result"]),
        ({"get_shooting_error": "1"}, "timeout", {"shooting_error": True}, []),
        ({"get_shooting_error": "1"}, "pass", {"shooting_error": False}, []),
        ({}, "pass", {}, ["shooting_error", "multifaces_tag", "fail_reason"]),
        ({"return_multifaces_tag": "1"}, "pass", {"multifaces_tag": "0"}, []),
        ({"comparison_type": "-1"}, "pass", {}, ["verify_result"]),
        ({}, "cancel", {"status": "CANCELLED"}, ["liveness_result", "verify_result"]),
        (
            {"biz_extra_data": "x=1"},
            "pass",
            {"biz_info": {"biz_id": "b1", "biz_no": "n1", "biz_extra_data": "x=1"}},
            [],
        ),
    ],
)
def test_callback_data_honours_the_get_token_options(
    options: dict[str, str], outcome: Any, present: dict[str, Any], absent: list[str]
) -> None:
    data = lite_result(session(**options), Outcome(outcome=outcome))
    for key, value in present.items():
        assert data[key] == value
    for key in absent:
        assert key not in data


def test_callback_data_follows_procedure_type_and_spoof_choice() -> None:
    data = lite_result(session(procedure_type="still"), Outcome(outcome="spoof_screen_replay"))
    liveness = data["liveness_result"]
    assert liveness["procedure_type"] == "still" and "UPLOAD_TIMES" in liveness["details"]
    genuineness = liveness["face_genuineness"]
    assert genuineness["screen_replay_confidence"] > genuineness["screen_replay_threshold"]
    assert genuineness["mask_confidence"] < genuineness["mask_threshold"]


def test_a_mismatch_carries_the_chosen_confidence_and_every_threshold() -> None:
    verify = lite_result(session(), Outcome(outcome="mismatch", confidence=12.5))["verify_result"]
    assert verify["result_ref1"]["confidence"] == 12.5 and set(verify["result_ref1"]["thresholds"]) == {
        "1e-3",
        "1e-4",
        "1e-5",
        "1e-6",
    }


# --- fault switches -----------------------------------------------------------------------------


def test_api_faults_fire_the_set_number_of_times(sandbox_client: FlaskClient) -> None:
    sandbox_client.put("/sandbox/v1/faults", json={"get_token": {"internal_errors": 2, "concurrency_limits": 1}})
    statuses = [get_token(sandbox_client, valid_create_body(biz_no=f"f{i}")).status_code for i in range(4)]
    assert statuses == [500, 500, 403, 200]


def test_get_result_faults_fire_and_do_not_count_as_reads(sandbox_client: FlaskClient) -> None:
    created = get_token(sandbox_client).json
    sandbox_client.put("/sandbox/v1/faults", json={"get_result": {"internal_errors": 1, "concurrency_limits": 1}})
    answers = [read(sandbox_client, biz_id=created["biz_id"]) for _ in range(5)]
    assert [answer.status_code for answer in answers] == [500, 403, 200, 200, 200]
    assert answers[1].json["error_message"] == "CONCURRENCY_LIMIT_EXCEEDED"
    assert read(sandbox_client, biz_id=created["biz_id"]).json["error_message"] == "BAD_ARGUMENTS:biz_id"


def test_a_slow_answer_comes_after_the_call_took_effect(sandbox_client: FlaskClient) -> None:
    # Given the next get_token answer is held back
    sandbox_client.put("/sandbox/v1/faults", json={"get_token": {"slow_answers": 1, "slow_answer_ms": 300}})
    started = time.monotonic()
    first = get_token(sandbox_client)
    # Then it arrives late, but the call took effect: the biz_no is spent, and the switch is used up
    assert first.status_code == 200 and time.monotonic() - started >= 0.3
    assert json_of(sandbox_client.get("/sandbox/v1/faults"))["get_token"]["slow_answers"] == 0
    again = get_token(sandbox_client)
    assert (again.status_code, again.json["error_message"]) == (400, "BAD_ARGUMENTS:biz_no")


def test_unknown_fault_switches_are_refused(sandbox_client: FlaskClient) -> None:
    assert sandbox_client.put("/sandbox/v1/faults", json={"get_token": {"explode": 1}}).status_code == 400


class CountingCallback(BaseHTTPRequestHandler):
    """Our side, played by a server that fails the first `failures` notifies."""

    failures, received = 0, []  # type: int, list[str]

    def do_POST(self) -> None:
        self.received.append(self.rfile.read(int(self.headers["Content-Length"])).decode())
        self.send_response(500 if len(self.received) <= self.failures else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def callback_url() -> Iterator[str]:
    CountingCallback.failures, CountingCallback.received = 0, []
    # FaceID calls back only on 443, 5000, 16003, 8883 and 8028 (8028 is the local stack's gateway)
    server = ThreadingHTTPServer(("127.0.0.1", 16003), CountingCallback)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield "http://127.0.0.1:16003/notify"
    server.shutdown()


@pytest.mark.parametrize(
    ("faults", "failures", "sent", "first_status"),
    [
        ({}, 0, 1, 200),
        ({"drop": True}, 0, 0, None),
        ({"duplicates": 3}, 0, 4, 200),
        ({"out_of_order": True}, 0, 2, 200),
        ({"retries": 2, "retry_delay_ms": 0}, 2, 3, 200),  # resent while our side answers non-2xx
        ({"retries": 1, "retry_delay_ms": 0}, 5, 2, 500),
    ],
)
def test_notify_faults(
    sandbox_client: FlaskClient,
    callback_url: str,
    faults: dict[str, Any],
    failures: int,
    sent: int,
    first_status: int | None,
) -> None:
    CountingCallback.failures = failures
    token = get_token(sandbox_client, notify_url=callback_url).json
    finished = json_of(
        sandbox_client.post("/sandbox/v1/complete", json={"token": token["token"], "outcome": "pass", "faults": faults})
    )
    assert len(CountingCallback.received) == sent
    assert finished["notify_status"] == first_status
    if faults.get("out_of_order"):
        assert "%22PROCESSING%22" in CountingCallback.received[-1]
