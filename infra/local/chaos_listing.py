"""`make chaos`'s accounting of the list route and of replay, after the run: every verification is
listed exactly once (GET /v1/verifications, by channel, page after page), and a replay from the
table to the run's subscriber brings each sampled verification's events again under the event_ids
they were first delivered with: nothing new, nothing under another id."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from faceid_bridge_client import FaceIdBridgeClient

from faceid_bridge.adapters.dynamodb import VerificationStore
from faceid_bridge.domain.verification import Channel
from faceid_bridge.services.replay import of_verification
from infra import replay
from infra.local.client import Subscriber

REPLAYED = 20  # verifications replayed: enough to cover each scenario's kinds of event


def listed(api: FaceIdBridgeClient, since: datetime) -> Counter[str]:
    """How many times each verification created since `since` is listed, over every channel."""
    seen: Counter[str] = Counter()
    for channel in Channel:
        page = api.list_verifications(channel=channel.value, created_after=since, limit=100)
        seen.update(item.verification_id for item in page.verifications)
        while page.next_cursor:
            page = api.list_verifications(cursor=page.next_cursor, limit=100)
            seen.update(item.verification_id for item in page.verifications)
    return seen


def account(
    api: FaceIdBridgeClient,
    subscriber: Subscriber,
    events: dict[str, list[dict[str, Any]]],
    *,
    since: datetime,
    region: str,
) -> tuple[list[tuple[str, int]], list[str]]:
    """The report's rows for listing and replay, and the problems found."""
    problems: list[str] = []
    seen = listed(api, since)
    for vid in events:
        if seen[vid] != 1:
            problems.append(f"{vid}: listed {seen[vid]} times")
    sample = sorted(events)[:REPLAYED]
    first = {vid: {event["detail"]["event_id"] for event in events[vid]} for vid in sample}
    before = {vid: len(subscriber.events[vid]) for vid in sample}
    stack = replay.Stack()
    store = VerificationStore(stack.table_name)
    found = (verification for vid in sample for verification in of_verification(vid, store=store))
    report = replay.run(found, stack=stack, region=region, rule=subscriber.rule)
    arrived = subscriber.wait_for({vid: before[vid] + len(first[vid]) for vid in sample})
    for vid in sample:
        again = {event["detail"]["event_id"] for event in arrived[vid][before[vid] :]}
        if again != first[vid]:
            problems.append(f"{vid}: replayed {sorted(again)}, first delivered {sorted(first[vid])}")
    problems += [f"replay: EventBridge refused {event_id}" for event_id in report.refused]
    rows = [
        ("verifications listed exactly once (GET /v1/verifications)", sum(seen[vid] == 1 for vid in events)),
        ("replayed from the table (make replay)", report.verifications),
        ("  their events again, under their first event_ids", len(report.event_ids)),
    ]
    return rows, problems
