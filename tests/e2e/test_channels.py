"""The App and H5 Raw channels through the local stack: each verification gives exactly one Created
and one terminal event, with its channel, so consumers can filter on it."""

from __future__ import annotations

import pytest

from infra.local.client import LocalClient, Subscriber

pytestmark = pytest.mark.e2e


def names(events: list[dict]) -> list[str]:  # type: ignore[type-arg]
    return [event["detail-type"] for event in events]


@pytest.mark.parametrize(
    ("outcome", "detail_type"),
    [("pass", "Verification Approved"), ("attack", "Verification Rejected"), ("cancel", "Verification Abandoned")],
)
def test_an_app_verification_end_to_end(
    client: LocalClient, subscriber: Subscriber, outcome: str, detail_type: str
) -> None:
    # Given an App verification whose biz_token the phone's SDK used
    created = client.create_app().json()
    package = client.sdk_package(created["biz_token"], outcome)
    # When our server verifies what the SDK produced (twice: the repeat changes nothing)
    first = client.verify_app(created["verification_id"], package)
    assert first.status_code == 200
    assert client.verify_app(created["verification_id"], package).json() == first.json()
    # Then exactly one Created and one terminal event, with channel "app"
    vid = created["verification_id"]
    events = subscriber.wait_for({vid: 2})[vid]
    assert names(events) == ["Verification Created", detail_type]
    assert {event["detail"]["channel"] for event in events} == {"app"}
    assert events[1]["detail"]["reasons"][0].startswith("FACEID_")


@pytest.mark.parametrize(
    ("outcome", "detail_type", "reasons"),
    [("pass", "Verification Approved", []), ("screen_replay", "Verification Rejected", ["SPOOF_SCREEN_REPLAY"])],
)
def test_a_raw_verification_end_to_end(
    client: LocalClient, subscriber: Subscriber, outcome: str, detail_type: str, reasons: list[str]
) -> None:
    created = client.create_raw(outcome)
    assert created.status_code == 201, created.text
    vid = created.json()["verification_id"]
    events = subscriber.wait_for({vid: 2})[vid]
    assert names(events) == ["Verification Created", detail_type]
    assert {event["detail"]["channel"] for event in events} == {"h5_raw"}
    assert events[1]["detail"]["reasons"] == reasons
