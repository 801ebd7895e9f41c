"""Event contract v1: schemas on disk match the models, samples match the schemas."""

import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from faceid_bridge.domain.decision import Decision
from faceid_bridge.domain.events import DETAIL_TYPES, EVENT_TYPES, event_for, event_id
from faceid_bridge.domain.lifecycle import Status
from infra.schemas import CATALOG, SCHEMA_DIR, catalog, file_name, render, schemas, strict
from tests.support import EVENTS, load_json

SAMPLES = sorted((EVENTS / "samples").glob("*/*.json"))


@pytest.mark.parametrize("name", sorted(schemas()))
def test_schema_files_match_the_models(name: str) -> None:
    # Fails when a model changes without `make schemas`
    assert (SCHEMA_DIR / name).read_text() == render(schemas()[name])


def test_the_event_table_has_one_event_for_the_creation_each_decision_and_the_redaction() -> None:
    # A Decision without its event would be a poison record when a verification reached it
    assert [kind.decision for kind in EVENT_TYPES if not kind.redaction] == [None, *Decision]
    assert [kind.detail_type for kind in EVENT_TYPES if kind.redaction] == ["Verification Redacted"]
    assert len(DETAIL_TYPES) == len(EVENT_TYPES)


def test_the_catalog_is_generated_from_the_table() -> None:
    # Fails when the table changes without `make schemas`; each detail-type has its rule and schema link
    assert CATALOG.read_text() == catalog()
    for kind in EVENT_TYPES:
        assert f'"{kind.detail_type}"' in catalog() and f"(schemas/{file_name(kind.detail_type)})" in catalog()


def test_every_detail_type_has_a_schema_per_channel_and_samples() -> None:
    expected = {file_name(detail_type) for detail_type in DETAIL_TYPES}
    assert {path.name for path in SCHEMA_DIR.glob("*.json")} == expected
    for channel in ("h5_lite", "app", "h5_raw"):
        assert {path.name for path in (SCHEMA_DIR / channel).glob("*.json")} == expected
    assert {path.name for path in (EVENTS / "samples" / "h5_lite").glob("*.json")} == expected
    assert {path.name for path in (EVENTS / "samples" / "app").glob("*.json")} == expected
    assert {path.parent.name for path in SAMPLES} == {"h5_lite", "app", "h5_raw"}


@pytest.mark.parametrize("sample", SAMPLES, ids=[f"{path.parent.name}/{path.stem}" for path in SAMPLES])
def test_samples_validate_against_their_schemas(sample: Path) -> None:
    event = load_json(sample)
    jsonschema.validate(event["detail"], strict(event["detail-type"]))
    jsonschema.validate(event["detail"], load_json(SCHEMA_DIR / file_name(event["detail-type"])))
    jsonschema.validate(event["detail"], load_json(SCHEMA_DIR / sample.parent.name / file_name(event["detail-type"])))
    assert (event["source"], event["detail"]["channel"]) == ("faceid.bridge", sample.parent.name)


def test_a_channel_schema_refuses_another_channel() -> None:
    event = load_json(EVENTS / "samples" / "app" / "verification-approved.json")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(event["detail"], load_json(SCHEMA_DIR / "h5_raw" / "verification-approved.json"))


@pytest.mark.parametrize("name", sorted(schemas()))
def test_the_schema_files_accept_a_field_a_later_minor_version_adds(name: str) -> None:
    # Given a detail of this schema's detail-type with a field 1.0 does not have, at the top and nested
    event = load_json(EVENTS / "samples" / "h5_lite" / Path(name).name)
    channel = Path(name).parent.name or event["detail"]["channel"]  # a per-channel schema fixes its channel
    later = event["detail"] | {"schema_version": "1.1", "risk_score": 0.2, "channel": channel}
    if later["liveness"]:
        later["liveness"] = later["liveness"] | {"device": "ios"}
    # Then the published file accepts it, and the strict check of what we emit refuses it
    jsonschema.validate(later, load_json(SCHEMA_DIR / name))
    with pytest.raises(jsonschema.ValidationError, match="Additional properties are not allowed"):
        jsonschema.validate(later, strict(event["detail-type"]))
    assert '"additionalProperties": false' not in (SCHEMA_DIR / name).read_text()


def test_what_we_emit_is_checked_strictly() -> None:
    # Given the event of a created verification, as the publisher builds it
    from faceid_bridge.adapters.dynamodb.codec import verification_from_image

    stream = load_json(EVENTS / "api" / "publisher_stream.json")
    detail_type, detail = event_for(verification_from_image(stream["Records"][0]["dynamodb"]["NewImage"])) or ("", None)
    assert detail is not None
    emitted = detail.model_dump(mode="json")
    # Then it passes its model's strict schema, which a field we did not mean to add would fail
    jsonschema.validate(emitted, strict(detail_type))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(emitted | {"token": "x"}, strict(detail_type))


def test_a_detail_with_the_wrong_decision_fails_its_schema() -> None:
    event = load_json(EVENTS / "samples" / "h5_lite" / "verification-approved.json")
    event["detail"]["decision"] = "REJECTED"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(event["detail"], load_json(SCHEMA_DIR / "verification-approved.json"))


def test_event_ids_are_stable_per_version_and_distinct_across_versions() -> None:
    assert event_id("vrf_a", 1) == event_id("vrf_a", 1)
    assert len({event_id("vrf_a", 1), event_id("vrf_a", 2), event_id("vrf_b", 1)}) == 3


def test_events_never_carry_tokens_urls_or_images() -> None:
    from faceid_bridge.adapters.dynamodb.codec import verification_from_image

    stream = load_json(EVENTS / "api" / "publisher_stream.json")
    verification = verification_from_image(stream["Records"][0]["dynamodb"]["NewImage"])
    event = event_for(verification)
    assert event is not None
    detail = event[1].model_dump_json()
    for secret in (
        verification.token,
        verification.verification_url,
        verification.request_hash,
        "redirect_url",
        "image",
    ):
        assert secret is not None and secret not in detail


FORBIDDEN = re.compile(r"token|image|secret|sign|idcard|url|hash|meglive", re.IGNORECASE)


def _names(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value).union(*(_names(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(_names(item) for item in value))
    return set()


@pytest.mark.parametrize("detail_type", sorted(DETAIL_TYPES))
def test_no_event_has_room_for_a_credential_image_or_id_number(detail_type: str) -> None:
    # The models forbid extra fields, so what their strict schemas name is all an event can carry
    schema = strict(detail_type)
    properties = _names(schema.get("$defs", {})) | _names(schema["properties"])
    assert not {name for name in properties if FORBIDDEN.search(name)}


@pytest.mark.parametrize("sample", SAMPLES, ids=[f"{path.parent.name}/{path.stem}" for path in SAMPLES])
def test_no_sample_carries_a_credential(sample: Path) -> None:
    detail = load_json(sample)["detail"]
    assert not {name for name in _names(detail) if FORBIDDEN.search(name)}
    if detail["channel"] == "app":  # the biz_token is a live credential: never the biz_id
        assert detail["biz_id"] == detail["verification_id"]


def test_processing_announces_nothing() -> None:
    from faceid_bridge.adapters.dynamodb.codec import verification_from_image

    stream = load_json(EVENTS / "api" / "publisher_stream.json")
    verification = verification_from_image(stream["Records"][0]["dynamodb"]["NewImage"])
    assert event_for(verification.model_copy(update={"status": Status.PROCESSING, "version": 2})) is None


def test_a_terminal_event_carries_the_verification_as_it_was_decided() -> None:
    from faceid_bridge.adapters.dynamodb.codec import verification_from_image
    from faceid_bridge.domain.decision import ComparisonSummary, Decision, LivenessSummary

    # Given a verification at its second version, rejected with its summaries and the customer's extra data
    stream = load_json(EVENTS / "api" / "publisher_stream.json")
    created = verification_from_image(stream["Records"][0]["dynamodb"]["NewImage"])
    liveness = LivenessSummary(result="PASS", procedure_type="flash")
    comparison = [ComparisonSummary(reference="ref1", confidence=60.0, threshold=74.0, far_level="1e-5", matched=False)]
    verification = created.model_copy(
        update={
            "status": Status.OK,
            "version": 2,
            "decision": Decision.REJECTED,
            "reasons": ["FACE_MISMATCH_REF1"],
            "liveness": liveness,
            "comparison": comparison,
            "biz_extra_data": "cart=7",
        }
    )
    # When its event is built
    event = event_for(verification)
    # Then it is a Rejected event with every field of the verification, and the id of this version
    assert event is not None
    assert (event[0], event[1].model_dump()) == (
        "Verification Rejected",
        {
            "schema_version": "1.0",
            "event_id": event_id(created.verification_id, 2),
            "verification_id": created.verification_id,
            "biz_id": created.biz_id,
            "biz_no": created.biz_no,
            "channel": created.channel,
            "status": Status.OK,
            "decision": "REJECTED",
            "reasons": ["FACE_MISMATCH_REF1"],
            "liveness": liveness.model_dump(),
            "comparison": [summary.model_dump() for summary in comparison],
            "biz_extra_data": "cart=7",
            "occurred_at": created.updated_at,
        },
    )
    assert event[1].event_id not in {event_id(created.verification_id, 1), event_id("vrf_other", 2)}
