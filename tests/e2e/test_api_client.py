"""The typed client and the API's documents, through the local stack."""

from __future__ import annotations

import json

import pytest
import urllib3
from faceid_bridge_client import ApiError, parse_event

from faceid_bridge.domain.events import VerificationApproved, VerificationCreated
from infra.local.client import LocalClient, Subscriber
from infra.openapi import OPENAPI

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
