"""faceid_bridge_client: SigV4 signing for the deployed API, request models that round-trip, and
parse_event for subscribers."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from faceid_bridge_client import ApiError, FaceIdBridgeClient, parse_event
from pydantic import BaseModel
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from faceid_bridge.channels.app_sdk.api import AppVerificationRequest, AppVerifyRequest
from faceid_bridge.channels.h5_lite.api import CreateVerificationRequest
from faceid_bridge.channels.h5_raw.api import RawVerificationRequest
from faceid_bridge.domain.events import DETAIL_TYPES
from faceid_bridge.faceid.common import ContractError, parse
from tests.support import EVENTS, load_json

SAMPLES = sorted((EVENTS / "samples").rglob("*.json"))


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[Request]]]:
    """An HTTP server that records each request and answers 404 in our error form."""
    seen: list[Request] = []

    @Request.application
    def answer(request: Request) -> Response:
        request.get_data()
        seen.append(request)
        body = {"error_message": "NOT_FOUND:verification_id", "request_id": "r-1"}
        return Response(json.dumps(body), status=404, content_type="application/json")

    server = make_server("127.0.0.1", 0, answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", seen
    server.shutdown()


def test_the_deployed_client_signs_requests_with_sigv4_for_execute_api(
    recorder: tuple[str, list[Request]],
) -> None:
    # Given the client for a deployed API, with an IAM identity
    url, seen = recorder
    session = boto3.Session(aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret", region_name="eu-west-1")
    api = FaceIdBridgeClient.deployed(url, session=session)
    # When it reads a verification and creates one
    with pytest.raises(ApiError):
        api.get_verification("vrf_1")
    api.send("POST", "/v1/verifications", {"biz_no": "b"})
    # Then each request carries a SigV4 signature scoped to execute-api in the session's region
    for request in seen:
        authorization = request.headers["Authorization"]
        assert authorization.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
        assert "/eu-west-1/execute-api/aws4_request" in authorization and "Signature=" in authorization
        assert request.headers["X-Amz-Date"]
    assert seen[1].get_data() == b'{"biz_no": "b"}'


def test_the_local_client_does_not_sign_and_errors_carry_the_error_form(recorder: tuple[str, list[Request]]) -> None:
    url, seen = recorder
    with pytest.raises(ApiError) as refused:
        FaceIdBridgeClient(url).get_verification("vrf_1/../x")
    assert (refused.value.status, refused.value.error_message, refused.value.request_id) == (
        404,
        "NOT_FOUND:verification_id",
        "r-1",
    )
    assert "Authorization" not in seen[0].headers and seen[0].environ["RAW_URI"] == "/v1/verifications/vrf_1%2F..%2Fx"


@pytest.mark.parametrize("action", ["cancel", "redact"])
def test_cancel_and_redact_post_to_the_verifications_own_route_with_its_id_quoted(
    recorder: tuple[str, list[Request]], action: str
) -> None:
    # Given the client; When it cancels or redacts an id holding a path separator
    url, seen = recorder
    client = FaceIdBridgeClient(url)
    with pytest.raises(ApiError) as refused:
        (client.cancel_verification if action == "cancel" else client.redact_verification)("vrf_1/../x")
    # Then it POSTed, without a body, to that verification's route, and raised the error form
    assert (seen[0].method, seen[0].environ["RAW_URI"], seen[0].get_data()) == (
        "POST",
        f"/v1/verifications/vrf_1%2F..%2Fx/{action}",
        b"",
    )
    assert refused.value.error_message == "NOT_FOUND:verification_id"


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_parse_event_types_every_sample_event_and_its_detail_alone(sample: Path) -> None:
    event = load_json(sample)
    # Given a sample event from the bus; When a subscriber parses it, whole or only its detail
    whole, detail_only = parse_event(event), parse_event(event["detail"])
    # Then it gets its detail-type's model either way
    assert type(whole) is type(detail_only) is DETAIL_TYPES[event["detail-type"]]
    assert whole.event_id == event["detail"]["event_id"]


def test_parse_event_ignores_fields_a_later_minor_version_adds_and_refuses_another_major() -> None:
    event: dict[str, Any] = load_json(EVENTS / "samples" / "h5_lite" / "verification-approved.json")
    newer = event | {"detail": event["detail"] | {"schema_version": "1.4", "risk_score": 0.2}}
    assert parse_event(newer).decision == "APPROVED"
    with pytest.raises(ValueError, match="schema_version"):
        parse_event(event | {"detail": event["detail"] | {"schema_version": "2.0"}})
    with pytest.raises(ValueError):
        parse_event({"detail-type": "Verification Approved", "detail": event["detail"] | {"decision": "REJECTED"}})


# Bytes whose standard and URL-safe base64 differ (0xfb 0xff 0xbf -> "+/+/" or "-_-_"), at every
# padding length.
TRICKY_BYTES = [b"\xfb\xff\xbf" * 4, b"\xfb\xff\xbf" * 4 + b"\xfe", b"\xfb\xff\xbf" * 4 + b"\xfe\xff"]
ROUND_TRIPS = [
    # model, route, the request's other fields, its byte fields
    (
        CreateVerificationRequest,
        "/v1/verifications",
        {"biz_no": "b-1", "uuid": "u-1", "comparison_type": "0"},
        ("image_ref1", "image_ref2"),
    ),
    (
        AppVerificationRequest,
        "/v1/app-verifications",
        {"biz_no": "b-1", "uuid": "u-1", "liveness_type": "still", "comparison_type": "0"},
        ("image_ref1", "image_ref2"),
    ),
    (
        AppVerificationRequest,
        "/v1/app-verifications",
        {"biz_no": "b-1", "uuid": "u-1", "liveness_type": "raw_image", "comparison_type": "0", "image_ref1": b"r"},
        ("image",),
    ),
    (
        RawVerificationRequest,
        "/v1/raw-verifications",
        {"biz_no": "b-1", "uuid": "u-1", "token": "t-1", "comparison_type": "0"},
        ("image_ref1", "image_ref2", "image_ref3"),
    ),
    (AppVerifyRequest, "/v1/app-verifications/vrf_1/verify", {}, ("meglive_data",)),
]


@pytest.mark.parametrize(
    ("model", "route", "fields", "byte_fields", "data"),
    [
        pytest.param(*case, data, id=f"{case[0].__name__}-{'+'.join(case[3])}-{len(data)}B")
        for case in ROUND_TRIPS
        for data in TRICKY_BYTES
    ],
)
def test_a_request_model_sent_by_the_client_parses_back_to_the_same_bytes(
    recorder: tuple[str, list[Request]],
    model: type[BaseModel],
    route: str,
    fields: dict[str, Any],
    byte_fields: tuple[str, ...],
    data: bytes,
) -> None:
    # Given a channel's request model holding bytes in every byte field
    url, seen = recorder
    request = model.model_validate(fields | dict.fromkeys(byte_fields, data))
    # When the client sends it
    FaceIdBridgeClient(url).send("POST", route, request)
    # Then the server's parser reads back the same bytes from what was sent
    parsed = parse(model, json.loads(seen[0].get_data()))
    assert [getattr(parsed, name) for name in byte_fields] == [data] * len(byte_fields)


@pytest.mark.parametrize(
    ("text", "decoded"),
    [
        ("+/+/", b"\xfb\xff\xbf"),  # standard alphabet (RFC 4648 §4)
        ("-_-_", b"\xfb\xff\xbf"),  # URL-safe alphabet (§5), as pydantic writes bytes
        ("+_-/", None),  # both alphabets in one string
        ("+/+", None),  # padding missing
        ("+/ +/", None),  # not base64
        ("λλλλ", None),  # not ASCII
    ],
)
def test_base64_fields_take_either_alphabet_and_nothing_else(text: str, decoded: bytes | None) -> None:
    # Given an image and an SDK package as base64 text; When the server parses them
    cases: list[tuple[type[BaseModel], dict[str, Any], str]] = [
        (CreateVerificationRequest, {"biz_no": "b-1", "uuid": "u-1", "comparison_type": "0"}, "image_ref1"),
        (AppVerifyRequest, {}, "meglive_data"),
    ]
    for model, fields, key in cases:
        if decoded is None:
            # Then what is not base64 in one alphabet is refused in FaceID's form
            with pytest.raises(ContractError, match=f"^BAD_ARGUMENTS:{key}$"):
                parse(model, fields | {key: text})
        else:
            # Then either alphabet gives the same bytes
            assert getattr(parse(model, fields | {key: text}), key) == decoded


@pytest.mark.parametrize("version", ["1", "1.0", "1.4", "1.4.2"])
def test_parse_event_takes_every_1_x_version(version: str) -> None:
    event: dict[str, Any] = load_json(EVENTS / "samples" / "h5_lite" / "verification-approved.json")
    assert parse_event(event | {"detail": event["detail"] | {"schema_version": version}}).schema_version == "1.0"


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"detail": "text"}, "no event detail"),
        ({"detail": {"decision": "APPROVED"}}, "unsupported schema_version None"),
        ({"detail": {"schema_version": "2.0"}}, "unsupported schema_version '2.0'"),
        ({"detail": {"schema_version": "10.1"}}, "unsupported schema_version '10.1'"),
        ({"detail": {"schema_version": "1.0", "decision": "MAYBE"}}, "unknown decision 'MAYBE'"),
    ],
)
def test_parse_event_says_why_it_refuses_an_event(event: dict[str, Any], message: str) -> None:
    # The message is what a subscriber logs: it names what was wrong, as it came
    with pytest.raises(ValueError) as raised:
        parse_event(event)
    assert str(raised.value) == message
