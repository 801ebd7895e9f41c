"""The HTTP API's OpenAPI document (api/openapi.json): generated from the handlers' resolvers,
committed, and kept in step with the code and template.yaml by these tests."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra import openapi
from infra.local.template import Template

GENERATED = openapi.generate()
ROUTES = {(route.method.lower(), route.path): route for spec in Template().functions() for route in spec.routes}


def test_the_committed_document_is_what_the_code_generates() -> None:
    # Given the handlers' routes and models as they are; Then api/openapi.json was regenerated from them
    assert openapi.OPENAPI.read_text() == openapi.render(GENERATED), "run `make schemas`"


def test_the_document_has_exactly_the_templates_routes_and_their_auth() -> None:
    operations = {(method, path): op for path, ops in GENERATED["paths"].items() for method, op in ops.items()}
    assert set(operations) == set(ROUTES)
    for key, operation in operations.items():
        assert operation["security"] == ([] if ROUTES[key].public else [{"sigv4": []}]), key


@pytest.mark.parametrize(
    ("method", "path"), sorted((method, path) for path, ops in GENERATED["paths"].items() for method in ops)
)
def test_every_route_documents_its_answer_and_errors_with_the_error_body(method: str, path: str) -> None:
    responses: dict[str, Any] = GENERATED["paths"][path][method]["responses"]
    successes = [code for code in responses if int(code) < 400]
    errors = [answer for code, answer in responses.items() if int(code) >= 400]
    assert len(successes) == 1 and responses[successes[0]]["description"]
    assert len(errors) >= (0 if path == "/v1/faceid/result" else 1)  # the result page is static
    for answer in errors:
        assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}


def test_client_routes_take_their_request_model_and_faceids_routes_its_signed_form() -> None:
    bodies = {
        (method, path): op["requestBody"]["content"]
        for path, ops in GENERATED["paths"].items()
        for method, op in ops.items()
        if "requestBody" in op
    }
    models = {
        path: content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        for (_, path), content in bodies.items()
        if "application/json" in content
    }
    assert models == {
        "/v1/verifications": "CreateVerificationRequest",
        "/v1/app-verifications": "AppVerificationRequest",
        "/v1/app-verifications/{verification_id}/verify": "AppVerifyRequest",
        "/v1/raw-verifications": "RawVerificationRequest",
        "/v1/webhook-subscriptions": "CreateSubscriptionRequest",
    }
    # FaceID's callbacks (001): a form of data and sign, which the handlers read raw
    forms = {key: content for key, content in bodies.items() if "application/json" not in content}
    assert set(forms) == {("post", "/v1/faceid/notify"), ("post", "/v1/faceid/return")}
    for content in forms.values():
        assert content["application/x-www-form-urlencoded"]["schema"]["required"] == ["data", "sign"]


def test_answers_never_document_a_request_hash_or_images() -> None:
    answers = ("VerificationView", "H5LiteCreated", "AppCreated", "ErrorBody", "NotifyAnswer")
    fields = {field for name in answers for field in GENERATED["components"]["schemas"][name]["properties"]}
    assert not {field for field in fields if "hash" in field or "image" in field or "secret" in field}
    assert json.dumps(GENERATED).count("request_hash") == 0
