"""The FaceID adapter over real HTTP: the form it sends, retries with backoff, and error mapping."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest

from faceid_bridge import deadline
from faceid_bridge.adapters.faceid_client import FaceIdClient
from faceid_bridge.channels.h5_lite.contract import GetTokenOptions, get_result_call, get_token_call
from faceid_bridge.domain.secret_rotation import Credentials
from faceid_bridge.errors import (
    FaceIdBadResponse,
    FaceIdOutcomeUnknown,
    FaceIdRejected,
    RateLimited,
    UpstreamUnavailable,
)
from faceid_bridge.faceid.common import parse
from tests.support import valid_create_body

TOKEN = {"request_id": "r", "time_used": 5, "token": "tok", "biz_id": "1462259748,abc", "expired_time": 1462257765}


class ScriptedFaceId(BaseHTTPRequestHandler):
    """Answers each POST with the next scripted (status, body); records what it received."""

    script: list[tuple[int, Any]] = []
    received: list[dict[str, str]] = []
    paths: list[str] = []
    delay_seconds = 0.0

    def do_POST(self) -> None:
        self.paths.append(self.path)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + body
        )
        self.received.append(
            {str(p.get_param("name", header="content-disposition")): p.get_content() for p in message.iter_parts()}
        )
        self._answer()

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        self.paths.append(f"GET {path}")
        self.received.append(dict(parse_qsl(query)))
        self._answer()

    def _answer(self) -> None:
        status, payload = self.script.pop(0) if self.script else (200, TOKEN)
        time.sleep(self.delay_seconds)
        data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    ScriptedFaceId.script, ScriptedFaceId.received, ScriptedFaceId.paths = [], [], []
    ScriptedFaceId.delay_seconds = 0.0
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), ScriptedFaceId)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def client(endpoint: str, retries: int = 2) -> FaceIdClient:
    return FaceIdClient(endpoint, lambda: Credentials(api_key="k", api_secret="s"), timeout_seconds=2, retries=retries)


OPTIONS = parse(GetTokenOptions, valid_create_body(language="2"))
GET_TOKEN = get_token_call(OPTIONS, return_url="https://a", notify_url="https://b")


def test_get_token_posts_the_documented_form(server: str) -> None:
    token = client(server).send(
        get_token_call(OPTIONS, return_url="https://us/return", notify_url="https://us/notify")
    )[0]
    assert (token.token, token.biz_id) == ("tok", "1462259748,abc")
    sent = ScriptedFaceId.received[0]
    assert {k: v for k, v in sent.items() if k != "image_ref1"} == {
        "api_key": "k",
        "api_secret": "s",
        "return_url": "https://us/return",
        "notify_url": "https://us/notify",
        "biz_no": "order-1",
        "uuid": "customer-1",
        "comparison_type": "0",
        "language": "2",
    }
    assert sent["image_ref1"]  # sent as a file part


def test_internal_errors_are_retried_then_succeed(server: str) -> None:
    ScriptedFaceId.script = [(500, {"error_message": "INTERNAL_ERROR"}), (500, {"error_message": "INTERNAL_ERROR"})]
    assert client(server, retries=2).send(GET_TOKEN)[0].token == "tok"
    assert len(ScriptedFaceId.received) == 3


def test_internal_errors_past_the_retries_are_503(server: str) -> None:
    ScriptedFaceId.script = [(500, {"error_message": "INTERNAL_ERROR"})] * 3
    with pytest.raises(UpstreamUnavailable):
        client(server, retries=2).send(GET_TOKEN)[0]
    assert len(ScriptedFaceId.received) == 3


def test_client_errors_are_not_retried(server: str) -> None:
    ScriptedFaceId.script = [(400, {"error_message": "NO_FACE_FOUND"})]
    with pytest.raises(FaceIdRejected, match="NO_FACE_FOUND"):
        client(server).send(GET_TOKEN)[0]
    ScriptedFaceId.script = [(403, {"error_message": "CONCURRENCY_LIMIT_EXCEEDED"})]
    with pytest.raises(RateLimited):
        client(server).send(GET_TOKEN)[0]
    assert len(ScriptedFaceId.received) == 2


def test_an_unreachable_faceid_is_503() -> None:
    with pytest.raises(UpstreamUnavailable):
        client("http://127.0.0.1:9", retries=1).send(GET_TOKEN)[0]


def test_a_lost_answer_is_an_unknown_outcome_and_is_not_resent(server: str) -> None:
    # Given FaceID acts on the request but answers after our per-try timeout
    ScriptedFaceId.delay_seconds = 1.5
    faceid = FaceIdClient(server, lambda: Credentials(api_key="k", api_secret="s"), timeout_seconds=0.6, retries=2)
    # Then the outcome is unknown, and the request (which FaceID may have acted on) went once
    with pytest.raises(FaceIdOutcomeUnknown):
        faceid.send(GET_TOKEN)[0]
    assert len(ScriptedFaceId.received) == 1


def test_tries_fit_in_the_time_the_invocation_has_left(server: str) -> None:
    # Given FaceID keeps failing with INTERNAL_ERROR, and the invocation has 1.5 s left beyond its reserve
    ScriptedFaceId.script = [(500, {"error_message": "INTERNAL_ERROR"})] * 50
    ScriptedFaceId.delay_seconds = 0.4
    faceid = FaceIdClient(server, lambda: Credentials(api_key="k", api_secret="s"), timeout_seconds=10, retries=50)
    deadline.start(1500, reserve_seconds=0)
    started = time.monotonic()
    try:
        with pytest.raises(UpstreamUnavailable):
            faceid.send(GET_TOKEN)[0]
    finally:
        deadline.clear()
    # Then it gives up inside that time, not after 50 tries of up to 10 s
    assert time.monotonic() - started < 1.5
    assert 1 <= len(ScriptedFaceId.received) <= 4


@pytest.mark.parametrize("body", ["<html>gateway</html>", {"unexpected": True}, "[1, 2]"])
def test_an_unexpected_200_body_is_a_mapped_error(server: str, body: Any) -> None:
    ScriptedFaceId.script = [(200, body)]
    with pytest.raises(FaceIdBadResponse, match="FACEID_UNEXPECTED_RESPONSE:get_result"):
        client(server).send(get_result_call("biz-1"))


def test_get_result_is_a_get_with_the_documented_query_string(server: str) -> None:
    # Given FaceID's get_result (notes §2: GET, parameters in the query string)
    ScriptedFaceId.script = [(200, {"request_id": "r", "status": "NOT_STARTED", "biz_info": {"biz_id": "biz-1"}})]
    # When the client reads a result
    result, _ = client(server).send(get_result_call("biz-1"))
    # Then it sent a GET whose query string holds the three parameters
    assert result.status == "NOT_STARTED"
    assert ScriptedFaceId.paths == ["GET /faceid/lite/get_result"]
    assert ScriptedFaceId.received == [{"api_key": "k", "api_secret": "s", "biz_id": "biz-1"}]
