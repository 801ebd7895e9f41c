"""Cancel and redact through the local stack: the typed client in, events out of EventBridge."""

from __future__ import annotations

from typing import Any

import pytest
from faceid_bridge_client import ApiError, parse_event

from tests.local_stack import LocalClient, Subscriber

pytestmark = pytest.mark.e2e


def detail_types(events: list[dict[str, Any]]) -> list[str]:
    return [event["detail-type"] for event in events]


def test_cancel_then_a_late_notify_changes_nothing(client: LocalClient, subscriber: Subscriber) -> None:
    # Given a verification the customer cancelled before the person finished
    created = client.api.create_verification(client.h5_lite_body())
    cancelled = client.api.cancel_verification(created.verification_id)
    assert (cancelled.status, cancelled.decision, cancelled.reasons) == (
        "CANCELLED",
        "CANCELLED",
        ["CANCELLED_BY_CUSTOMER"],
    )
    # When the person passes in FaceID's flow, whose signed notify then reaches us
    finished = client.complete(created.token or "", "pass")
    # Then the notify is acknowledged, the verification stays cancelled, and only Cancelled was announced
    assert finished["notify_status"] == 200
    assert client.api.get_verification(created.verification_id) == cancelled
    events = subscriber.wait_for({created.verification_id: 2})[created.verification_id]
    assert detail_types(events) == ["Verification Created", "Verification Cancelled"]
    # And a second cancel of it answers the same; one of an approved verification is refused
    assert client.api.cancel_verification(created.verification_id) == cancelled
    approved = client.api.create_verification(client.h5_lite_body())
    client.complete(approved.token or "", "pass")
    with pytest.raises(ApiError) as refused:
        client.api.cancel_verification(approved.verification_id)
    assert (refused.value.status, refused.value.error_message) == (409, "CONFLICT:status")


def test_redact_then_get_shows_it_redacted_and_one_redacted_event_carries_nothing_personal(
    client: LocalClient, subscriber: Subscriber
) -> None:
    # Given a rejected verification with a redirect_url and biz_extra_data
    body = client.h5_lite_body(redirect_url="http://localhost:3000/done", biz_extra_data="customer=Zhang Wei")
    created = client.api.create_verification(body)
    client.complete(created.token or "", "mismatch", confidence=20.0)
    vid = created.verification_id
    # When it is redacted, twice
    redacted = client.api.redact_verification(vid)
    again = client.api.redact_verification(vid)
    # Then GET shows it redacted, its status and decision kept, and the second call changed nothing
    view = client.api.get_verification(vid)
    assert view == redacted == again and view.redacted_at is not None
    assert (view.status, view.decision, view.reasons, view.liveness, view.comparison) == (
        "OK",
        "REJECTED",
        [],
        None,
        [],
    )
    # And the bus got one Redacted event after the Rejected one, with nothing personal in it
    events = subscriber.wait_for({vid: 3})[vid]
    assert detail_types(events) == ["Verification Created", "Verification Rejected", "Verification Redacted"]
    detail = parse_event(events[-1])
    assert (detail.biz_extra_data, detail.reasons, detail.liveness, detail.comparison) == (None, [], None, [])
    assert "Zhang Wei" not in str(events[-1]) and len({event["detail"]["event_id"] for event in events}) == 3
