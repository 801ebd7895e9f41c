"""The typed client and the API's documents, through the local stack."""

from __future__ import annotations

import base64
import json

import pytest
import urllib3
from faceid_bridge_client import ApiError, parse_event

from faceid_bridge.channels.app_sdk.api import AppVerificationRequest, AppVerifyRequest
from faceid_bridge.channels.h5_lite.api import CreateVerificationRequest
from faceid_bridge.channels.h5_raw.api import RawVerificationRequest
from faceid_bridge.domain.events import VerificationApproved, VerificationCreated
from tests.local_stack import FACES, OPENAPI, LocalClient, Subscriber

pytestmark = pytest.mark.e2e


def test_the_stack_serves_the_committed_openapi_document_and_swagger_ui(client: LocalClient) -> None:
    # When a developer opens the local stack's API documents
    spec = urllib3.request("GET", f"{client.endpoints.gateway}/v1/openapi.json")
    docs = urllib3.request("GET", f"{client.endpoints.gateway}/v1/docs")
    # Then the JSON is api/openapi.json, and the page is Swagger UI on it, with its assets inline
    assert spec.status == 200 and json.loads(spec.data) == json.loads(OPENAPI.read_text())
    page = docs.data.decode()
    assert docs.status == 200 and "SwaggerUIBundle" in page and '"/v1/verifications"' in page


def test_typed_client_round_trip_and_typed_events(client: LocalClient, subscriber: Subscriber) -> None:
    # Given a verification created and finished through the typed client
    created = client.api.create_verification(client.h5_lite_body())
    client.complete(created.token or "", "pass")
    # When the customer reads it, and the subscriber parses its events
    view = client.api.get_verification(created.verification_id)
    events = subscriber.wait_for({created.verification_id: 2})[created.verification_id]
    details = [parse_event(event) for event in events]
    # Then both are typed, and agree
    assert (view.status, view.decision) == ("OK", "APPROVED")
    assert [type(detail) for detail in details] == [VerificationCreated, VerificationApproved]
    assert details[1].verification_id == view.verification_id and details[1].biz_no == view.biz_no


def test_typed_client_raises_faceids_error_form(client: LocalClient) -> None:
    with pytest.raises(ApiError) as refused:
        client.api.create_verification(client.h5_lite_body(language="9"))
    assert (refused.value.status, refused.value.error_message) == (400, "BAD_ARGUMENTS:language")
    assert refused.value.request_id
    with pytest.raises(ApiError) as missing:
        client.api.get_verification("vrf_nope")
    assert (missing.value.status, missing.value.error_message) == (404, "NOT_FOUND:verification_id")


def test_the_typed_client_sends_its_own_request_models_on_every_channel(client: LocalClient) -> None:
    # Given each channel's request model with its photo as bytes (their JSON is URL-safe base64)
    photo = (FACES / "one_face.jpg").read_bytes()
    h5_lite = CreateVerificationRequest.model_validate(client.h5_lite_body(image_ref1=photo))
    app = AppVerificationRequest.model_validate(client.app_body(image_ref1=photo))
    raw = RawVerificationRequest.model_validate(client.raw_body("pass", image_ref1=photo))
    # When the typed client sends them, and the SDK's package as a model too
    created = client.api.create_verification(h5_lite)
    app_created = client.api.create_app_verification(app)
    package = base64.b64decode(client.sdk_package(app_created.biz_token or "", "pass"))
    verified = client.api.verify_app(app_created.verification_id, AppVerifyRequest(meglive_data=package))
    raw_verified = client.api.create_raw_verification(raw)
    # Then every channel took them: FaceID got the same photo and package, and approved
    assert created.token and created.verification_url
    assert (verified.status, verified.decision) == ("OK", "APPROVED")
    assert (raw_verified.status, raw_verified.decision) == ("OK", "APPROVED")


@pytest.mark.parametrize("encoded_id", ["a%22b", "a%5Cb", "a%60b", "a%3Fb", "a%23b", "a%01b", "a%0Ab", "a%7Fb"])
@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/v1/verifications/{}"), ("POST", "/v1/app-verifications/{}/verify")]
)
def test_an_id_no_route_pattern_takes_is_404_in_our_error_form(
    client: LocalClient, method: str, path: str, encoded_id: str
) -> None:
    # When a client asks for an id holding a character Powertools' route patterns refuse
    answer = client.api.send(method, path.format(encoded_id), {} if method == "POST" else None)
    # Then it gets the documented 404: FaceID's error form and the request id, not Powertools' own
    assert (answer.status_code, answer.headers["Content-Type"]) == (404, "application/json")
    body = answer.json()
    assert body["error_message"] == "NOT_FOUND:verification_id" and body["request_id"]
    assert set(body) == {"error_message", "request_id"}
