"""The chaos suite, bounded for CI (`make chaos` runs 2,000 verifications with a 30 s outage)."""

from __future__ import annotations

import pytest

from tests.local_stack import ChaosRun, Endpoints, Receiver

pytestmark = pytest.mark.e2e


def test_chaos_bounded(endpoints: Endpoints, receiver: Receiver) -> None:
    # Given 150 verifications under duplicated, reordered, forged and dropped notifies, cancels and
    # redactions, refused PutEvents entries, a 5 s EventBridge outage, and FaceID errors, latency and
    # lost get_token answers, with a webhook endpoint subscribed that answers its first 3 deliveries 500
    report = ChaosRun(endpoints, verifications=150, outage_seconds=5, receiver=receiver).run()
    print("\n" + report.table())
    # Then each has exactly one Created and one (right) terminal event, none is left open, no
    # forged notify was accepted, and the DLQ is empty
    assert report.problems == []
    assert len(report.tracked) == 150 + 4 * 2 and report.refused_entries > 0
    # And among them customers cancelled some (FaceID's notify then late) and redacted others once
    # decided: each checked for its Cancelled, or its one Redacted event more, by event_id
    assert {"cancelled", "redacted"} <= {item.scenario for item in report.tracked}
    # And the creates whose get_token answer was lost were retried into their verifications
    assert report.outcomes_unknown >= 3 and report.lost_biz_nos == []
    # And the single-use journeys (double submits, lost App/Raw verify answers, retries into 429/5xx)
    # ran, with no wrong verdict and no token sent twice
    assert set(report.single_use.journeys.values()) == {2} and len(report.single_use.journeys) == 4
    assert report.single_use.wrong_verdicts == report.single_use.tokens_resent == []
    # And every event the bus carried reached the webhook endpoint, verified by standardwebhooks and
    # answered 204 once per event_id (report.check: nothing missing, no other webhook-id, none
    # unverified, nothing dead-lettered); the 3 refused with a 500 came back under their own ids
    bus_events = sum(len({e["detail"]["event_id"] for e in events}) for events in report.events.values())
    assert report.webhooks.distinct == bus_events and report.webhooks.refused_by_fault == 3
    assert report.webhooks.deliveries == bus_events + report.webhooks.redelivered + 3
