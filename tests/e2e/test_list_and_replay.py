"""List, find and replay through the local stack: the typed client's list and find calls on the
gateway, and `make replay`'s run from the table to one subscriber's rule, with the original ids."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from faceid_bridge.adapters.dynamodb import VerificationStore
from faceid_bridge.services.replay import of_verification
from tests.local_stack import Endpoints, LocalClient, ReplayStack, Subscriber, replay

pytestmark = pytest.mark.e2e


def test_the_client_finds_by_biz_no_and_pages_a_channel_s_list(client: LocalClient) -> None:
    # Given three verifications created now, with biz_nos of this run
    run = uuid.uuid4().hex[:8]
    since = datetime.now(UTC) - timedelta(seconds=1)
    ids = [
        client.api.create_verification(client.h5_lite_body(biz_no=f"list-{run}-{i}")).verification_id for i in range(3)
    ]
    # When the customer finds one by biz_no, and lists the channel's since then two at a time
    found = client.api.find_verification(f"list-{run}-1")
    first = client.api.list_verifications(channel="h5_lite", created_after=since, limit=2)
    rest = client.api.list_verifications(cursor=first.next_cursor or "", limit=100)
    # Then the one is found, and the pages hold each of the three once, oldest first
    assert found is not None and found.verification_id == ids[1]
    listed = [item.verification_id for item in first.verifications + rest.verifications]
    assert [vid for vid in listed if vid in ids] == ids and len(set(listed)) == len(listed)
    assert client.api.find_verification(f"list-{run}-none") is None


def test_a_replay_reaches_one_subscriber_with_the_original_event_ids(
    endpoints: Endpoints, client: LocalClient, subscriber: Subscriber
) -> None:
    # Given a verification whose Created event reached a subscriber, and another subscriber
    other = Subscriber(endpoints)
    vid = client.api.create_verification(client.h5_lite_body()).verification_id
    [published] = [event["detail"]["event_id"] for event in subscriber.wait_for({vid: 1})[vid]]
    other.wait_for({vid: 1})
    # When it is replayed from the table to the first subscriber's rule alone
    stack = ReplayStack()
    verifications = of_verification(vid, store=VerificationStore(stack.table_name))
    report = replay(verifications, stack=stack, region=endpoints.region, rule=subscriber.rule)
    # Then that subscriber gets it again with the same event_id, and the other nothing more
    assert report.event_ids == [published] and report.refused == []
    assert [event["detail"]["event_id"] for event in subscriber.wait_for({vid: 2})[vid]] == [published, published]
    assert len(other.wait_for({vid: 1}, seconds=2)[vid]) == 1
