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

from faceid_bridge.adapters.dynamodb import VerificationStore
from faceid_bridge.channels.h5_lite.api import CreateVerificationRequest
from faceid_bridge.channels.h5_lite.contract import lite_sign
from tests.integration.conftest import FakeFaceId
from tests.local_stack import call, create, sample
from tests.support import FIXTURES, load_json, valid_create_body

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
    status, _, answer = call("h5_lite_callbacks", with_content_type(sample("notify", body), content_type))
    assert status in (401, 413)
    assert answer["error_message"] in ("AUTHENTICATION_ERROR:sign", "REQUEST_ENTITY_TOO_LARGE")
    assert unchanged(store, created["verification_id"])


@FUZZ
@given(data=st.one_of(st.text(max_size=300), json_values.map(json.dumps)))
def test_signed_notify_payloads(faceid: FakeFaceId, data: str) -> None:
    form = urlencode({"data": data, "sign": lite_sign("sandbox-secret", data)})
    status, _, answer = call("h5_lite_callbacks", sample("notify", form))
    assert status in (200, 400)
    if status == 400:
        assert answer["error_message"] == "BAD_ARGUMENTS:data"


DOCUMENTED_DATA = load_json(FIXTURES / "callback_tolerance.json")["base"]
known_keys: set[str] = set()


def _keys(value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            known_keys.add(key)
            _keys(item)


_keys(DOCUMENTED_DATA)
extra_names = st.text(min_size=1, max_size=12).filter(lambda name: name not in known_keys)


@st.composite
def with_extra_fields(draw: st.DrawFn, value: Any) -> Any:
    """`value` with new fields of any JSON type added to every object, at every level."""
    if not isinstance(value, dict):
        return value
    extended = {key: draw(with_extra_fields(item)) for key, item in value.items()}
    extended.update(draw(st.dictionaries(extra_names, json_values, min_size=1, max_size=3)))
    return extended


@FUZZ
@given(data=with_extra_fields(DOCUMENTED_DATA))
def test_extra_fields_at_every_level_change_nothing(faceid: FakeFaceId, store: VerificationStore, data: Any) -> None:
    # Given a verification and FaceID's documented result for it, with fields added at every level
    created = create(
        json.loads(json.dumps({"biz_no": "fuzz-extra", "uuid": "u", "comparison_type": "0"}))
        | {"image_ref1": valid_create_body()["image_ref1"]}
    )[2]
    data = data | {"biz_info": data["biz_info"] | {"biz_id": created["biz_id"]}}
    text = json.dumps(data)
    # When FaceID signs and sends it
    status, _, _ = call(
        "h5_lite_callbacks", sample("notify", urlencode({"data": text, "sign": lite_sign("sandbox-secret", text)}))
    )
    # Then it is accepted and decided as the documented fields say
    assert status == 200
    stored = store.get(created["verification_id"])
    assert stored is not None and stored.decision == "APPROVED"


nesting = st.integers(min_value=33, max_value=6000).flatmap(
    lambda depth: st.sampled_from(["[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth])
)


@FUZZ
@given(extra=st.one_of(nesting, st.integers(min_value=65 * 1024, max_value=900_000).map(lambda n: json.dumps("x" * n))))
def test_signed_nesting_and_field_size_are_bounded(faceid: FakeFaceId, store: VerificationStore, extra: str) -> None:
    # Given a verification and FaceID's documented result for it, with one field too deep or too large
    created = create(json.loads(json.dumps({"biz_no": "fuzz-bounds", "uuid": "u", "comparison_type": "-1"})))[2]
    result = DOCUMENTED_DATA | {"biz_info": {"biz_id": created["biz_id"]}}
    data = json.dumps(result)[:-1] + ',"extra":' + extra + "}"
    form = urlencode({"data": data, "sign": lite_sign("sandbox-secret", data)})
    # Then it is refused in the documented form, and changes nothing
    status, _, answer = call("h5_lite_callbacks", sample("notify", form))
    assert (status, answer["error_message"]) == (400, "BAD_ARGUMENTS:data")
    assert unchanged(store, created["verification_id"])


@FUZZ
@given(body=nesting)
def test_create_nesting_is_bounded(faceid: FakeFaceId, body: str) -> None:
    status, _, answer = call("h5_lite_create", sample("h5_lite_create", body))
    assert (status, answer["error_message"]) == (400, "BAD_ARGUMENTS:body")


@FUZZ
@given(body=bodies, biz_id=st.text(max_size=80), post=st.booleans())
def test_return_requests(faceid: FakeFaceId, store: VerificationStore, body: Any, biz_id: str, post: bool) -> None:
    created = create(json.loads(json.dumps({"biz_no": "fuzz-return", "uuid": "u", "comparison_type": "-1"})))[2]
    event = sample("return_post", body) if post else sample("return_get", biz_id=biz_id)
    status, headers, _ = call("h5_lite_callbacks", event)
    assert status in (303, 400, 401, 404, 413)
    if status == 303:  # only ever to our own result page here: this verification has no redirect_url
        assert headers["Location"].startswith("https://api.test/v1/faceid/result?")
    assert unchanged(store, created["verification_id"])


fields = st.sampled_from([*CreateVerificationRequest.model_fields, "api_key", "notify_url", "zzz"])


@FUZZ
@given(body=st.one_of(st.dictionaries(fields, json_values, max_size=8), json_values))
def test_create_requests(faceid: FakeFaceId, body: Any) -> None:
    status, _, answer = call("h5_lite_create", sample("h5_lite_create", json.dumps(body)))
    assert status in (201, 400, 409)
    if status == 400:
        assert DOCUMENTED.match(answer["error_message"]), answer
