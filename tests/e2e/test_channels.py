"""The App and H5 Raw channels through the local stack: each verification gives exactly one Created
and one terminal event, with its channel, so consumers can filter on it."""

from __future__ import annotations

import json

import pytest

from tests.local_stack import LocalClient, Subscriber, face_image

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
    created = client.create_app_sdk().json()
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


def test_no_event_of_any_channel_carries_a_token_image_secret_or_id_number(
    client: LocalClient, subscriber: Subscriber
) -> None:
    # Given one finished verification per channel, the App one a KYC check with a name and ID number
    lite = client.create(biz_extra_data="order=42").json()
    client.complete(lite["token"], "pass")
    kyc = {"comparison_type": "1", "idcard_name": "Zhang San", "idcard_number": "11010519491231002X"}
    app = client.create_app_sdk(**kyc, uuid=None, image_ref1=None).json()
    assert client.verify_app(app["verification_id"], client.sdk_package(app["biz_token"], "pass")).status_code == 200
    raw = client.create_raw("pass")
    assert raw.status_code == 201, raw.text
    ids = [lite["verification_id"], app["verification_id"], raw.json()["verification_id"]]
    events = subscriber.wait_for(dict.fromkeys(ids, 2))
    # Then none of their events holds any of them
    text = json.dumps(events)
    assert {event["detail"]["channel"] for per in events.values() for event in per} == {"h5_lite", "app", "h5_raw"}
    for secret in (
        lite["token"],
        app["biz_token"],
        "Zhang San",
        "11010519491231002X",
        "sandbox-secret",
        face_image()[:64],  # any reference photo
    ):
        assert secret not in text
