"""The Lambda handlers on moto, driven by the sample events in events/api."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from faceid_bridge.adapters.dynamodb import VerificationStore
from faceid_bridge.channels.h5_lite.contract import lite_sign
from faceid_bridge.errors import FaceIdRejected, RateLimited, UpstreamMisconfigured, UpstreamUnavailable
from tests.integration.conftest import FakeFaceId
from tests.local_stack import (
    call,
    create,
    finished,
    sample,
    signed_form,
)
from tests.support import valid_create_body

# --- POST /v1/verifications ------------------------------------------------------------------


def test_sample_create_event_creates_a_verification(faceid: FakeFaceId, store: VerificationStore) -> None:
    status, _, body = call("h5_lite_create", sample("h5_lite_create"))
    assert status == 201
    assert set(body) == {"verification_id", "biz_id", "biz_no", "token", "verification_url", "expires_at"}
    assert body["verification_id"].startswith("vrf_") and body["verification_url"].endswith(body["token"])
    stored = store.get(body["verification_id"])
    assert stored is not None and stored.redirect_url == "https://shop.example.com/kyc/done"


def test_same_biz_no_and_body_returns_the_same_verification_without_a_second_token(faceid: FakeFaceId) -> None:
    first, second = create(), create()
    assert first[0] == second[0] == 201 and first[2] == second[2]
    assert len(faceid.calls) == 1


def test_same_biz_no_with_another_body_is_a_conflict(faceid: FakeFaceId) -> None:
    assert create()[0] == 201
    status, _, body = create(valid_create_body(uuid="someone-else"))
    assert (status, body["error_message"]) == (409, "CONFLICT:biz_no")
    assert len(faceid.calls) == 1


def test_bad_input_is_refused_before_faceid_is_called(faceid: FakeFaceId) -> None:
    status, _, body = create(valid_create_body(language="9"))
    assert (status, body["error_message"]) == (400, "BAD_ARGUMENTS:language")
    assert body["request_id"] == "sample-request-id"
    assert faceid.calls == []


def test_invalid_json_is_a_bad_body(faceid: FakeFaceId) -> None:
    status, _, body = call("h5_lite_create", sample("h5_lite_create", "{not json"))
    assert (status, body["error_message"]) == (400, "BAD_ARGUMENTS:body")


def test_an_off_list_redirect_url_is_refused(faceid: FakeFaceId) -> None:
    status, _, body = create(valid_create_body(redirect_url="https://evil.example.com/phish"))
    assert (status, body["error_message"]) == (400, "BAD_ARGUMENTS:redirect_url")
    assert faceid.calls == []


@pytest.mark.parametrize(
    ("error", "status", "retry_after"),
    [
        (FaceIdRejected("NO_FACE_FOUND"), 400, None),
        (FaceIdRejected("MULTIPLE_FACES"), 400, None),
        (UpstreamMisconfigured("FACEID_AUTHENTICATION_ERROR"), 502, None),
        (RateLimited("CONCURRENCY_LIMIT_EXCEEDED", retry_after=1), 429, "1"),
        (UpstreamUnavailable("FACEID_UNAVAILABLE", retry_after=1), 503, "1"),
    ],
)
def test_a_faceid_refusal_stores_nothing(
    faceid: FakeFaceId, store: VerificationStore, error: Exception, status: int, retry_after: str | None
) -> None:
    # Given FaceID refuses get_token
    faceid.error = error
    got, headers, _ = create()
    assert got == status and headers.get("Retry-After") == retry_after
    # Then biz_no is free again: a corrected retry is served by FaceID, not refused as a conflict
    faceid.error = None
    assert create(valid_create_body(uuid="fixed"))[0] == 201
    assert len(faceid.calls) == 2


# --- GET /v1/verifications/{id} ----------------------------------------------------------------


def test_read_returns_the_lifecycle_and_never_the_token(faceid: FakeFaceId) -> None:
    created = create()[2]
    event = sample("verification_read")
    event["pathParameters"] = {"verification_id": created["verification_id"]}
    event["rawPath"] = f"/v1/verifications/{created['verification_id']}"
    event["requestContext"]["http"]["path"] = event["rawPath"]
    status, _, body = call("verification_read", event)
    assert status == 200
    assert (body["status"], body["decision"], body["channel"], body["reasons"]) == ("CREATED", None, "h5_lite", [])
    assert "token" not in body and "request_hash" not in body


def test_read_of_an_unknown_id_is_404(stack: object) -> None:
    status, _, body = call("verification_read", sample("verification_read"))
    assert (status, body["error_message"]) == (404, "NOT_FOUND:verification_id")


# What API Gateway passes for an id that holds characters no route pattern takes: HTTP APIs pass
# rawPath and pathParameters percent-decoded (`a%22b` arrives as `a"b`).
ODD_IDS = ['a"b', "a\\b", "a`b", "a?b", "a#b", "a\x01b", "a\nb", "a\x7fb"]


@pytest.mark.parametrize("verification_id", ODD_IDS, ids=repr)
@pytest.mark.parametrize(
    ("function", "event_name", "path"),
    [
        ("verification_read", "verification_read", "/v1/verifications/{}"),
        ("app_sdk", "app_verify", "/v1/app-verifications/{}/verify"),
    ],
)
def test_an_id_no_route_pattern_takes_is_404_in_our_error_form(
    stack: object, function: str, event_name: str, path: str, verification_id: str
) -> None:
    # Given API Gateway's event for a path whose id holds such a character
    event = sample(event_name, "{}")
    event["rawPath"] = event["requestContext"]["http"]["path"] = path.format(verification_id)
    event["pathParameters"] = {"verification_id": verification_id}
    # When the function answers it
    status, headers, body = call(function, event)
    # Then it is our documented 404: FaceID's error form and the request id, as JSON
    assert (status, headers["Content-Type"]) == (404, "application/json")
    assert body == {"error_message": "NOT_FOUND:verification_id", "request_id": "sample-request-id"}


# --- FaceID callbacks ----------------------------------------------------------------------------


def test_signed_notify_approves(faceid: FakeFaceId, store: VerificationStore) -> None:
    created = create()[2]
    status, _, _ = call("h5_lite_callbacks", sample("notify", signed_form(finished(created["biz_id"]))))
    assert status == 200
    stored = store.get(created["verification_id"])
    assert stored is not None and (stored.status, stored.decision, stored.version) == ("OK", "APPROVED", 2)


@pytest.mark.parametrize(
    "form",
    [
        signed_form({"status": "OK", "biz_info": {"biz_id": "x"}}, secret="forged-secret"),
        urlencode({"data": '{"status":"OK"}'}),
        urlencode({"sign": "8d44fe2fc1336e4a4f644b417c6f276e441b2fab"}),
        "",
    ],
    ids=["forged", "no sign", "no data", "empty"],
)
def test_a_forged_or_missing_sign_is_401_and_changes_nothing(
    faceid: FakeFaceId, store: VerificationStore, form: str
) -> None:
    created = create()[2]
    status, _, body = call("h5_lite_callbacks", sample("notify", form))
    assert (status, body["error_message"]) == (401, "AUTHENTICATION_ERROR:sign")
    stored = store.get(created["verification_id"])
    assert stored is not None and (stored.status, stored.version) == ("CREATED", 1)


def test_a_forged_sign_for_a_real_verification_changes_nothing(faceid: FakeFaceId, store: VerificationStore) -> None:
    created = create()[2]
    status, _, _ = call("h5_lite_callbacks", sample("notify", signed_form(finished(created["biz_id"]), secret="wrong")))
    assert status == 401
    stored = store.get(created["verification_id"])
    assert stored is not None and stored.version == 1


def test_an_oversized_body_is_413_before_the_sign_is_checked(faceid: FakeFaceId) -> None:
    status, _, body = call("h5_lite_callbacks", sample("notify", "data=" + "x" * (1024 * 1024)))
    assert (status, body["error_message"]) == (413, "REQUEST_ENTITY_TOO_LARGE")


def test_a_signed_but_malformed_payload_is_400(faceid: FakeFaceId) -> None:
    for data in ("not json", '{"status":"DONE","biz_info":{"biz_id":"b"}}', '{"status":"OK"}'):
        status, _, body = call("h5_lite_callbacks", sample("notify", signed_form(data)))
        assert (status, body["error_message"]) == (400, "BAD_ARGUMENTS:data")


def test_a_signed_notify_for_an_unknown_biz_id_is_an_orphan_and_200(faceid: FakeFaceId) -> None:
    status, _, _ = call("h5_lite_callbacks", sample("notify", signed_form(finished("unknown-biz"))))
    assert status == 200


def test_duplicate_and_stale_callbacks_change_nothing(faceid: FakeFaceId, store: VerificationStore) -> None:
    created = create()[2]
    approve = signed_form(finished(created["biz_id"]))
    for form in (
        approve,
        approve,
        signed_form(finished(created["biz_id"], "processing")),
        signed_form(finished(created["biz_id"], "cancel")),
    ):
        assert call("h5_lite_callbacks", sample("notify", form))[0] == 200
    stored = store.get(created["verification_id"])
    assert stored is not None and (stored.status, stored.decision, stored.version) == ("OK", "APPROVED", 2)


def test_notify_as_multipart_form_is_accepted(faceid: FakeFaceId, store: VerificationStore) -> None:
    created = create()[2]
    data = json.dumps(finished(created["biz_id"], "cancel"))
    boundary = "b0undary"
    body = (
        "".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in (("data", data), ("sign", lite_sign("sandbox-secret", data)))
        )
        + f"--{boundary}--\r\n"
    )
    event = sample("notify", body)
    event["headers"]["content-type"] = f"multipart/form-data; boundary={boundary}"
    assert call("h5_lite_callbacks", event)[0] == 200
    stored = store.get(created["verification_id"])
    assert stored is not None and stored.status == "CANCELLED"


def test_get_return_redirects_to_the_stored_url_with_id_and_status(faceid: FakeFaceId) -> None:
    created = create(valid_create_body(redirect_url="https://shop.example.com/kyc/done?step=3#top"))[2]
    status, headers, _ = call(
        "h5_lite_callbacks", sample("return_get", biz_id=created["biz_id"], redirect_url="https://evil.example.com")
    )
    assert status == 303
    location = urlsplit(headers["Location"])
    assert (location.netloc, location.path, location.fragment) == ("shop.example.com", "/kyc/done", "top")
    assert parse_qs(location.query) == {
        "step": ["3"],
        "verification_id": [created["verification_id"]],
        "status": ["CREATED"],
    }


def test_post_return_applies_the_signed_result_and_redirects(faceid: FakeFaceId, store: VerificationStore) -> None:
    created = create(valid_create_body(biz_no="order-no-redirect"))[2]
    status, headers, _ = call(
        "h5_lite_callbacks",
        sample("return_post", signed_form(finished(created["biz_id"], "cancel", "order-no-redirect"))),
    )
    assert status == 303
    assert headers["Location"].startswith("https://api.test/v1/faceid/result?")
    assert "status=CANCELLED" in headers["Location"]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_return_reads_the_verification_its_return_url_names_once(
    faceid: FakeFaceId, store: VerificationStore, monkeypatch: pytest.MonkeyPatch, method: str
) -> None:
    # Given a verification, and the return_url FaceID was given for it
    created = create()[2]
    return_url = urlsplit(faceid.urls[0]["return_url"])
    assert (return_url.path, parse_qs(return_url.query)) == (
        "/v1/faceid/return",
        {"verification_id": [created["verification_id"]]},
    )
    reads: list[dict[str, Any]] = []
    get_item = store.dynamodb.get_item

    def counted(**request: Any) -> Any:
        reads.append(request)
        return get_item(**request)

    monkeypatch.setattr(store.dynamodb, "get_item", counted)
    # When the browser comes back to it (FaceID adds biz_id to its query on a GET, 001)
    query = parse_qs(return_url.query) | {"biz_id": [created["biz_id"]]}
    hint = {key: values[0] for key, values in query.items()}
    if method == "GET":
        event = sample("return_get", **hint)
    else:
        event = sample("return_post", signed_form(finished(created["biz_id"], "cancel")), **hint)
    status, headers, _ = call("h5_lite_callbacks", event)
    # Then it is sent on, after one read: the verification named, whose biz_id is the one returned
    assert status == 303 and f"verification_id={created['verification_id']}" in headers["Location"]
    assert [request["Key"]["pk"]["S"] for request in reads] == [f"VERIFICATION#{created['verification_id']}"]


def test_a_return_whose_hint_names_another_verification_finds_its_own(faceid: FakeFaceId) -> None:
    # Given two verifications, When one's biz_id comes back with the other's verification_id
    first, second = create()[2], create(valid_create_body(biz_no="order-2"))[2]
    event = sample("return_get", biz_id=first["biz_id"], verification_id=second["verification_id"])
    status, headers, _ = call("h5_lite_callbacks", event)
    # Then the browser is sent on with the biz_id's own verification: the hint is never trusted
    assert status == 303 and f"verification_id={first['verification_id']}" in headers["Location"]


def test_return_for_an_unknown_biz_id_is_404(faceid: FakeFaceId) -> None:
    assert call("h5_lite_callbacks", sample("return_get", biz_id="nope"))[0] == 404
    without_biz_id = sample("return_get")
    without_biz_id["queryStringParameters"], without_biz_id["rawQueryString"] = None, ""
    status, _, body = call("h5_lite_callbacks", without_biz_id)
    assert (status, body["error_message"]) == (400, "MISSING_ARGUMENTS:biz_id")


def test_result_page_displays_nothing_of_its_query(stack: object) -> None:
    status, _, body = call("h5_lite_callbacks", sample("result_page", status="<script>alert(1)</script>"))
    assert status == 200 and "alert" not in body and "script>" not in body


@pytest.mark.parametrize(
    ("outcome", "language", "title"),
    [
        ("pass", "en-GB,en;q=0.9", "Verified"),
        ("mismatch", "en-US", "Not verified"),
        ("pass", "zh-CN,zh;q=0.9,en;q=0.8", "验证通过"),
        ("mismatch", "zh-TW", "验证未通过"),
    ],
)
def test_the_result_page_says_what_the_stored_verification_decided(
    faceid: FakeFaceId, outcome: str, language: str, title: str
) -> None:
    # Given a verification FaceID settled, its user sent to our page with a status that says OK either way
    created = create()[2]
    assert call("h5_lite_callbacks", sample("notify", signed_form(finished(created["biz_id"], outcome))))[0] == 200
    event = sample("result_page", verification_id=created["verification_id"], status="OK")
    event["headers"]["accept-language"] = language
    # When the browser shows it
    status, headers, body = call("h5_lite_callbacks", event)
    # Then the page says the stored decision in the browser's language, and nothing personal
    assert status == 200 and f">{title}</h1>" in body
    assert headers["Content-Language"] == language[:2]
    assert created["verification_id"] not in body and "order-1" not in body


# --- secret rotation ------------------------------------------------------------------------------


def rotate(stack: Any, valid_until: str) -> None:
    """The rotation procedure of the README: new secret current, old one kept until `valid_until`."""
    import boto3

    secret = {
        "idn": {
            "api_key": "sandbox-key",
            "api_secret": "new-secret",
            "previous_api_secret": "sandbox-secret",
            "previous_valid_until": valid_until,
        }
    }
    boto3.client("secretsmanager", region_name=stack.region).put_secret_value(
        SecretId=stack.refs["FaceIdSecret"], SecretString=json.dumps(secret)
    )


@pytest.mark.parametrize(
    ("valid_until", "old_secret_status"),
    [("2999-01-01T00:00:00Z", 200), ("2000-01-01T00:00:00Z", 401)],
    ids=["inside the window", "after the window"],
)
def test_a_callback_signed_with_the_previous_secret(
    stack: Any, faceid: FakeFaceId, store: VerificationStore, valid_until: str, old_secret_status: int
) -> None:
    created = create()[2]
    rotate(stack, valid_until)
    # Given FaceID still signs with the old secret: accepted only inside the rotation window
    status, _, _ = call(
        "h5_lite_callbacks", sample("notify", signed_form(finished(created["biz_id"]), secret="sandbox-secret"))
    )
    assert status == old_secret_status
    stored = store.get(created["verification_id"])
    assert stored is not None and stored.status == ("OK" if old_secret_status == 200 else "CREATED")
    # And the new secret is accepted either way
    status, _, _ = call(
        "h5_lite_callbacks", sample("notify", signed_form(finished(created["biz_id"], "cancel"), secret="new-secret"))
    )
    assert status == 200


def test_bodies_that_are_not_utf8_are_refused_not_crashed_on(faceid: FakeFaceId) -> None:
    # Found by tests/fuzz: Powertools' decoded_body raised UnicodeDecodeError, a 500
    assert call("h5_lite_callbacks", sample("notify", b"\x80"))[0] == 401
    assert call("h5_lite_callbacks", sample("return_post", b"\xff\xfe"))[0] == 401
    status, _, body = call("h5_lite_create", sample("h5_lite_create", b"\x80"))
    assert (status, body["error_message"]) == (400, "BAD_ARGUMENTS:body")
