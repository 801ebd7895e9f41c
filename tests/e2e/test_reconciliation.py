"""Expiry and reconciliation through the local stack: a lost notify is recovered through
get_result, and a flow nobody started ends EXPIRED, each with exactly one terminal event."""

from __future__ import annotations

import pytest

from tests.conftest import TOKEN_TTL_SECONDS
from tests.local_stack import LocalClient, Subscriber

pytestmark = pytest.mark.e2e
WAIT = TOKEN_TTL_SECONDS + 15  # expiry, the 1 s grace, the 1 s schedule, and slack


def test_lost_notifies_are_recovered_and_unstarted_flows_expire(client: LocalClient, subscriber: Subscriber) -> None:
    # Given one flow finished with its notify dropped, and one never started
    lost = client.create().json()
    client.complete(lost["token"], "mismatch", confidence=10.0, faults={"drop": True})
    never_started = client.create().json()
    assert client.get(lost["verification_id"]).json()["status"] == "CREATED"
    # When their tokens expire and the reconciler runs
    received = subscriber.wait_for({lost["verification_id"]: 2, never_started["verification_id"]: 2}, seconds=WAIT)
    # Then get_result settled the first through the state machine, and the second expired
    assert [e["detail-type"] for e in received[lost["verification_id"]]] == [
        "Verification Created",
        "Verification Rejected",
    ]
    assert received[lost["verification_id"]][1]["detail"]["reasons"] == ["FACE_MISMATCH_REF1"]
    expired = received[never_started["verification_id"]]
    assert [e["detail-type"] for e in expired] == ["Verification Created", "Verification Abandoned"]
    assert (expired[1]["detail"]["status"], expired[1]["detail"]["reasons"]) == ("EXPIRED", ["EXPIRED"])
