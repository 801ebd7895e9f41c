"""Re-emit verifications' events from the table, with their original event_ids, to one subscriber.

    make replay STACK=name REPLAY_ARGS="--verification-id vrf_... --rule their-rule"
    make replay REPLAY_ARGS="--channel h5_lite --created-after 2026-11-01T00:00:00Z \
        --created-before 2026-11-02T00:00:00Z --event-bus-name their-bus"      # the local stack

What: one verification (--verification-id, repeatable), or a channel's verifications created in a
time range (--channel, --created-after, --created-before, optionally --status), found through the
ByChannelDay index: never a Scan. It reads the table, so it works as long as a verification is kept,
long after the stream's 24 hours. Each verification's announced events (services/replay.py) keep
their event_ids, so a subscriber that had them deduplicates.

Where: --event-bus-name, a bus of the subscriber's (every rule on it sees the events); or --rule, a
rule on our bus: it is copied (pattern and targets) onto the stack's replay bus for the time of the
replay and removed after, so only that rule's targets receive them (docs/decisions.md §17). Without
either, our own bus: every subscriber gets them again.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import boto3

from faceid_bridge.adapters.bus import EventBus
from faceid_bridge.adapters.dynamodb import VerificationStore
from faceid_bridge.domain.lifecycle import Status
from faceid_bridge.domain.listing import ListQuery
from faceid_bridge.domain.verification import Channel, Verification
from faceid_bridge.services.replay import ReplayReport, in_range, of_verification, replay
from infra.redrive import stack_description


@dataclass(frozen=True)
class Stack:
    """What a replay works on: the table, our bus, its replay bus and the events' source."""

    table_name: str = "faceid-bridge-VerificationsTable"  # the local stack's
    bus_name: str = "faceid-bridge"
    replay_bus_name: str = "faceid-bridge-replay"
    source: str = "faceid.bridge"


def deployed(stack: str, region: str) -> Stack:
    outputs, parameters = stack_description(stack, region)
    return Stack(
        table_name=outputs["VerificationsTableName"],
        bus_name=outputs["EventBusName"],
        replay_bus_name=outputs["ReplayBusName"],
        source=parameters.get("EventSource") or "faceid.bridge",
    )


def copy_name(rule: str) -> str:
    return f"replay-{rule}"[:64]  # EventBridge's longest rule name


@contextmanager
def rule_copy(events: Any, rule: str, *, bus_name: str, replay_bus_name: str, settle_seconds: float) -> Iterator[str]:
    """`rule` of `bus_name` (its pattern and targets) on the replay bus while the block runs; the
    replay bus's name. EventBridge applies a new rule, and matches events put, after a short delay
    (eventually consistent): `settle_seconds` is waited after creating the copy and before removing it."""
    described = events.describe_rule(Name=rule, EventBusName=bus_name)
    if "EventPattern" not in described:
        raise SystemExit(f"rule {rule} has no event pattern (a schedule?): nothing to replay to")
    targets: list[dict[str, Any]] = []
    pages = events.get_paginator("list_targets_by_rule").paginate(Rule=rule, EventBusName=bus_name)
    for page in pages:
        targets += page["Targets"]
    name = copy_name(rule)
    events.put_rule(
        Name=name,
        EventBusName=replay_bus_name,
        EventPattern=described["EventPattern"],
        State="ENABLED",
        Description=f"make replay's copy of {rule}: removed when the replay ends",
    )
    try:
        if targets:
            events.put_targets(Rule=name, EventBusName=replay_bus_name, Targets=targets)
        time.sleep(settle_seconds)
        yield replay_bus_name
        time.sleep(settle_seconds)
    finally:
        if targets:
            events.remove_targets(Rule=name, EventBusName=replay_bus_name, Ids=[target["Id"] for target in targets])
        events.delete_rule(Name=name, EventBusName=replay_bus_name)


def run(
    verifications: Iterable[Verification],
    *,
    stack: Stack,
    region: str,
    target_bus: str | None = None,
    rule: str | None = None,
    settle_seconds: float = 0,
) -> ReplayReport:
    """Replay `verifications`' events to `target_bus`, or to `rule`'s targets only, or to our bus."""
    if rule is None:
        return replay(verifications, bus=EventBus(), source=stack.source, bus_name=target_bus or stack.bus_name)
    events = boto3.client("events", region_name=region)
    with rule_copy(
        events, rule, bus_name=stack.bus_name, replay_bus_name=stack.replay_bus_name, settle_seconds=settle_seconds
    ) as replay_bus:
        return replay(verifications, bus=EventBus(events), source=stack.source, bus_name=replay_bus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", help="a deployed stack: its table, buses and event source from its outputs")
    which = parser.add_argument_group("which verifications")
    which.add_argument("--verification-id", action="append", default=[], help="one verification (repeatable)")
    which.add_argument("--channel", choices=[channel.value for channel in Channel])
    which.add_argument("--created-after", type=datetime.fromisoformat, help="ISO 8601 with offset, inclusive")
    which.add_argument("--created-before", type=datetime.fromisoformat, help="ISO 8601 with offset, exclusive")
    which.add_argument("--status", choices=[status.value for status in Status])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--event-bus-name", help="the subscriber's bus")
    where.add_argument("--rule", help="a rule on our bus: only its targets get the events")
    parser.add_argument("--settle-seconds", type=float, help="wait for a rule copy to apply (default 30; local 0)")
    parser.add_argument("--region")
    args = parser.parse_args()
    region = args.region or boto3.Session().region_name
    stack = deployed(args.stack, region) if args.stack else Stack()
    store = VerificationStore(stack.table_name)
    if args.verification_id:
        verifications: Iterable[Verification] = (
            found for verification_id in args.verification_id for found in of_verification(verification_id, store=store)
        )
    elif args.channel and args.created_after and args.created_before:
        query = ListQuery(
            Channel(args.channel),
            args.created_after,
            args.created_before,
            Status(args.status) if args.status else None,
        )
        verifications = in_range(query, store=store)
    else:
        parser.error("give --verification-id, or --channel with --created-after and --created-before")
    settle = args.settle_seconds if args.settle_seconds is not None else (30 if args.stack else 0)
    report = run(
        verifications, stack=stack, region=region, target_bus=args.event_bus_name, rule=args.rule, settle_seconds=settle
    )
    print(
        f"replayed: {len(report.event_ids)} event(s) of {report.verifications} verification(s);"
        f" refused: {len(report.refused)}"
    )
    print(json.dumps({"event_ids": report.event_ids, "refused": report.refused}))
    raise SystemExit(1 if report.refused else 0)


if __name__ == "__main__":
    main()
