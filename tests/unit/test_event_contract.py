"""Event contract v1: schemas on disk match the models, samples match the schemas."""

from pathlib import Path

import jsonschema
import pytest

from faceid_bridge.domain.events import DETAIL_TYPES, event_for, event_id
from faceid_bridge.domain.lifecycle import Status
from infra.schemas import SCHEMA_DIR, file_name, render, schemas
from tests.support import EVENTS, load_json

SAMPLES = sorted((EVENTS / "samples").glob("*.json"))


@pytest.mark.parametrize("name", sorted(schemas()))
def test_schema_files_match_the_models(name: str) -> None:
    # Fails when a model changes without `make schemas`
    assert (SCHEMA_DIR / name).read_text() == render(schemas()[name])


def test_every_detail_type_has_a_schema_and_a_sample() -> None:
    expected = {file_name(detail_type) for detail_type in DETAIL_TYPES}
    assert {path.name for path in SCHEMA_DIR.glob("*.json")} == expected
    assert {path.name for path in SAMPLES} == expected


@pytest.mark.parametrize("sample", SAMPLES, ids=[path.stem for path in SAMPLES])
def test_samples_validate_against_their_schema(sample: Path) -> None:
    event = load_json(sample)
    schema = load_json(SCHEMA_DIR / file_name(event["detail-type"]))
    jsonschema.validate(event["detail"], schema)
    assert event["source"] == "faceid.bridge"


def test_a_detail_with_the_wrong_decision_fails_its_schema() -> None:
    event = load_json(EVENTS / "samples" / "verification-approved.json")
    event["detail"]["decision"] = "REJECTED"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(event["detail"], load_json(SCHEMA_DIR / "verification-approved.json"))


def test_event_ids_are_stable_per_version_and_distinct_across_versions() -> None:
    assert event_id("vrf_a", 1) == event_id("vrf_a", 1)
    assert len({event_id("vrf_a", 1), event_id("vrf_a", 2), event_id("vrf_b", 1)}) == 3


def test_events_never_carry_tokens_urls_or_images() -> None:
    from faceid_bridge.adapters.store import verification_from_image

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
        assert secret not in detail


def test_processing_announces_nothing() -> None:
    from faceid_bridge.adapters.store import verification_from_image

    stream = load_json(EVENTS / "api" / "publisher_stream.json")
    verification = verification_from_image(stream["Records"][0]["dynamodb"]["NewImage"])
    assert event_for(verification.model_copy(update={"status": Status.PROCESSING, "version": 2})) is None
