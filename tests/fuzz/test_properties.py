"""Property-based tests (Hypothesis) of everything that parses untrusted input: the notify and
return callbacks, and the create request. Whatever arrives: no 5xx, no state change without a
valid sign, and every error in the documented form."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faceid_bridge.adapters.store import VerificationStore
from faceid_bridge.faceid.contract import lite_sign
from faceid_bridge.services.create import CreateVerificationRequest
from tests.integration.conftest import FakeFaceId
from tests.integration.test_handlers import call, create, sample

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
DOCUMENTED = re.compile(r"^(MISSING_ARGUMENTS|BAD_ARGUMENTS):[^\s:]+$")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
content_types = st.sampled_from(
    [
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "multipart/form-data",
        "text/plain",
        "",
        "application/json",
    ]
)
forms = st.dictionaries(st.sampled_from(["data", "sign", "biz_id", "x"]), st.text(max_size=200), max_size=4).map(
    urlencode
)
bodies = st.one_of(st.binary(max_size=3000), forms, st.text(max_size=500))


def with_content_type(event: dict[str, Any], content_type: str) -> dict[str, Any]:
    event["headers"]["content-type"] = content_type
    return event


def unchanged(store: VerificationStore, verification_id: str) -> bool:
    stored = store.get(verification_id)
    return stored is not None and (stored.status, stored.version) == ("CREATED", 1)


@FUZZ
@given(body=bodies, content_type=content_types)
def test_unsigned_notify_bodies(faceid: FakeFaceId, store: VerificationStore, body: Any, content_type: str) -> None:
    created = create(json.loads(json.dumps({"biz_no": "fuzz-notify", "uuid": "u", "comparison_type": "-1"})))[2]
    status, _, answer = call("faceid_callbacks", with_content_type(sample("notify", body), content_type))
    assert status in (401, 413)
    assert answer["error_message"] in ("AUTHENTICATION_ERROR:sign", "REQUEST_ENTITY_TOO_LARGE")
    assert unchanged(store, created["verification_id"])


@FUZZ
@given(data=st.one_of(st.text(max_size=300), json_values.map(json.dumps)))
def test_signed_notify_payloads(faceid: FakeFaceId, data: str) -> None:
    form = urlencode({"data": data, "sign": lite_sign("sandbox-secret", data)})
    status, _, answer = call("faceid_callbacks", sample("notify", form))
    assert status in (200, 400)
    if status == 400:
        assert answer["error_message"] == "BAD_ARGUMENTS:data"


@FUZZ
@given(body=bodies, biz_id=st.text(max_size=80), post=st.booleans())
def test_return_requests(faceid: FakeFaceId, store: VerificationStore, body: Any, biz_id: str, post: bool) -> None:
    created = create(json.loads(json.dumps({"biz_no": "fuzz-return", "uuid": "u", "comparison_type": "-1"})))[2]
    event = sample("return_post", body) if post else sample("return_get", biz_id=biz_id)
    status, headers, _ = call("faceid_callbacks", event)
    assert status in (303, 400, 401, 404, 413)
    if status == 303:  # only ever to our own result page here: this verification has no redirect_url
        assert headers["Location"].startswith("https://api.test/v1/faceid/result?")
    assert unchanged(store, created["verification_id"])


fields = st.sampled_from([*CreateVerificationRequest.model_fields, "api_key", "notify_url", "zzz"])


@FUZZ
@given(body=st.one_of(st.dictionaries(fields, json_values, max_size=8), json_values))
def test_create_requests(faceid: FakeFaceId, body: Any) -> None:
    status, _, answer = call("create_verification", sample("create_verification", json.dumps(body)))
    assert status in (201, 400, 409)
    if status == 400:
        assert DOCUMENTED.match(answer["error_message"]), answer
