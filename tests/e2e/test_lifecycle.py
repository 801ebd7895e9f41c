"""The core acceptance criteria, through the local stack: HTTP in, events out of EventBridge."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from faceid_bridge.channels.h5_lite.contract import lite_sign
from tests.local_stack import LocalClient, Subscriber
from tests.support import body_for, get_token_rules

pytestmark = pytest.mark.e2e


def detail_types(events: list[dict[str, Any]]) -> list[str]:
    return [event["detail-type"] for event in events]


def test_each_outcome_maps_to_its_detail_type(client: LocalClient, subscriber: Subscriber) -> None:
    table = {
        "pass": "Verification Approved",
        "mismatch": "Verification Rejected",
        "liveness_fail": "Verification Rejected",
        "spoof_synthetic_face": "Verification Rejected",
        "spoof_mask": "Verification Rejected",
        "spoof_screen_replay": "Verification Rejected",
        "data_source_error": "Verification Errored",
        "cancel": "Verification Abandoned",
        "timeout": "Verification Abandoned",
        "failed": "Verification Errored",
        "webrtc_unsupported": "Verification Errored",
    }
    # Given one verification per outcome, each finished in the sandbox
    started = {}
    for outcome in table:
        created = client.create(get_fail_reason="1").json()
        client.complete(created["token"], outcome, confidence=30.0)
        started[created["verification_id"]] = outcome
    # When the subscriber has received their events
    received = subscriber.wait_for({vid: 2 for vid in started})
    # Then each got exactly Created and the terminal event of its outcome, with the API agreeing
    for vid, outcome in started.items():
        assert detail_types(received[vid]) == ["Verification Created", table[outcome]], outcome
        terminal = received[vid][1]["detail"]
        assert client.get(vid).json()["decision"] == terminal["decision"]
    webrtc = next(vid for vid, outcome in started.items() if outcome == "webrtc_unsupported")
    assert received[webrtc][1]["detail"]["reasons"] == ["WEBRTC_UNSUPPORTED:SUPPORT_ERROR"]


def test_forged_or_missing_sign_is_401_and_changes_nothing(client: LocalClient, subscriber: Subscriber) -> None:
    created = client.create().json()
    data = json.dumps(
        {"status": "OK", "biz_info": {"biz_id": created["biz_id"]}, "liveness_result": {"result": "PASS"}}
    )
    for sign in (lite_sign("not-the-secret", data), None, "0" * 40):
        assert client.notify(data, sign).status_code == 401
    assert client.get(created["verification_id"]).json()["status"] == "CREATED"
    assert detail_types(subscriber.wait_for({created["verification_id"]: 1})[created["verification_id"]]) == [
        "Verification Created"
    ]


def test_a_valid_notify_sent_many_times_at_once_gives_one_terminal_event(
    client: LocalClient, subscriber: Subscriber
) -> None:
    # Given a finished flow whose signed notify we captured
    created = client.create().json()
    finished = client.complete(created["token"], "pass")
    # When the same notify arrives 24 times concurrently
    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(lambda _: client.notify(finished["data"], finished["sign"]).status_code, range(24)))
    # Then all are acknowledged, and exactly one Approved event is published
    assert set(statuses) == {200}
    events = subscriber.wait_for({created["verification_id"]: 2})[created["verification_id"]]
    assert detail_types(events) == ["Verification Created", "Verification Approved"]


def test_a_stale_callback_after_a_terminal_one_changes_nothing(client: LocalClient, subscriber: Subscriber) -> None:
    created = client.create().json()
    finished = client.complete(created["token"], "mismatch", confidence=20.0)
    before = client.get(created["verification_id"]).json()
    # Given the verification is REJECTED; When PROCESSING and then CANCELLED arrive late
    for status in ("PROCESSING", "CANCELLED"):
        data = json.loads(finished["data"]) | {"status": status}
        text = json.dumps(data)
        assert client.notify(text, lite_sign("sandbox-secret", text)).status_code == 200
    # Then nothing changed and no further event went out
    assert client.get(created["verification_id"]).json() == before
    events = subscriber.wait_for({created["verification_id"]: 2})[created["verification_id"]]
    assert detail_types(events) == ["Verification Created", "Verification Rejected"]


def test_idempotent_creation_by_biz_no(client: LocalClient, subscriber: Subscriber) -> None:
    body = {"biz_no": f"e2e-idempotent-{uuid.uuid4()}", "uuid": "u"}
    first, second = client.create(**body), client.create(**body)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    conflict = client.create(**(body | {"uuid": "someone-else"}))
    assert (conflict.status_code, conflict.json()["error_message"]) == (409, "CONFLICT:biz_no")
    vid = first.json()["verification_id"]
    assert detail_types(subscriber.wait_for({vid: 1})[vid]) == ["Verification Created"]


def test_an_off_list_redirect_url_is_refused(client: LocalClient) -> None:
    response = client.create(redirect_url="https://evil.example.com/")
    assert (response.status_code, response.json()["error_message"]) == (400, "BAD_ARGUMENTS:redirect_url")


def test_return_sends_the_browser_to_the_stored_redirect(client: LocalClient) -> None:
    created = client.create(redirect_url="http://localhost:3000/done", action_http_method="GET").json()
    finished = client.complete(created["token"], "pass")
    response = client.follow_return(finished)
    assert response.status_code == 303
    assert (
        response.headers["location"]
        == f"http://localhost:3000/done?verification_id={created['verification_id']}&status=OK"
    )


RULES = get_token_rules()


@pytest.mark.parametrize("rule", RULES, ids=[rule["rule"] for rule in RULES])
def test_every_get_token_rule_is_enforced_through_the_api(client: LocalClient, rule: dict[str, Any]) -> None:
    # The same table as the unit tests, as a client sees it. A rerun replays accepted bodies (201).
    body = body_for(rule, biz_no=f"e2e-rule-{RULES.index(rule)}")
    response = client.http.post(f"{client.endpoints.gateway}/v1/verifications", json=body, timeout=30)
    if rule["error"] is None:
        assert response.status_code == 201, response.text
    else:
        assert (response.status_code, response.json()["error_message"]) == (400, rule["error"])
