"""`make demo`: start the local stack, subscribe to the bus and a webhook endpoint, run verifications
that end in each way (one cancelled by the customer before FaceID's late notify, one redacted once
decided), print what happened, and exit 0 only if every verification got exactly the expected events."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from faceid_bridge_client import parse_event

from faceid_bridge.adapters.dynamodb import VerificationStore
from faceid_bridge.services.replay import of_verification
from infra import replay
from infra.local import demo_webhooks
from infra.local.client import LocalClient, Subscriber
from infra.local.endpoints import Endpoints, wait_for
from infra.local.stack import use_local_aws
from infra.local.template import ROOT


@dataclass(frozen=True)
class Scenario:
    name: str
    outcome: str
    options: dict[str, object]
    expected: str
    change: str = ""  # "cancel": before the flow finishes (its notify comes late); "redact": after

    def events(self) -> list[str]:
        return ["Verification Created", self.expected] + (["Verification Redacted"] if self.change == "redact" else [])


SCENARIOS = [
    Scenario("approved", "pass", {}, "Verification Approved"),
    Scenario("face mismatch", "mismatch", {"confidence": 41.0}, "Verification Rejected"),
    Scenario("spoof (mask)", "spoof_mask", {}, "Verification Rejected"),
    Scenario("cancelled", "cancel", {}, "Verification Abandoned"),
    Scenario("failed", "failed", {}, "Verification Errored"),
    Scenario("cancel by us", "pass", {}, "Verification Cancelled", change="cancel"),
    Scenario("redacted", "mismatch", {"confidence": 41.0}, "Verification Rejected", change="redact"),
]


def run(endpoints: Endpoints) -> bool:
    """Every call to our API goes through the typed client (client.api); every event is parsed
    with parse_event, as a subscriber's Lambda would."""
    client, subscriber = LocalClient(endpoints), Subscriber(endpoints)
    api = client.api
    print('subscribed a queue to the bus with an EventBridge rule: {"source": ["faceid.bridge"]}')
    receiver = demo_webhooks.subscribe(api)
    print()
    started = {}
    for scenario in SCENARIOS:
        created = api.create_verification(client.h5_lite_body(redirect_url="http://localhost:3000/kyc/done"))
        if scenario.change == "cancel":
            cancelled = api.cancel_verification(created.verification_id)
            print(f"{scenario.name:<14} cancelled {created.verification_id}: {cancelled.status}, {cancelled.reasons}")
        finished = client.complete(created.token or "", scenario.outcome, **scenario.options)
        back = client.follow_return(finished)
        print(
            f"{scenario.name:<14} created {created.verification_id}  sandbox {scenario.outcome:<11} "
            f"notify -> {finished['notify_status']}  return -> {back.status_code}"
        )
        if scenario.change == "redact":
            redacted = api.redact_verification(created.verification_id)
            print(f"{scenario.name:<14} redacted {created.verification_id} at {redacted.redacted_at:%H:%M:%S}")
        started[created.verification_id] = scenario
    app = api.create_app_verification(client.app_body())
    verified = api.verify_app(app.verification_id, client.sdk_package(app.biz_token or "", "pass"))
    print(f"{'app (SDK)':<14} created {app.verification_id}  SDK verify decided {verified.decision}")
    started[app.verification_id] = Scenario("app (SDK)", "pass", {}, "Verification Approved")
    raw = api.create_raw_verification(client.raw_body("mask"))
    print(f"{'h5 raw':<14} created {raw.verification_id}  raw/verify decided {raw.decision}")
    started[raw.verification_id] = Scenario("h5 raw (mask)", "mask", {}, "Verification Rejected")
    received = subscriber.wait_for({vid: len(scenario.events()) for vid, scenario in started.items()})

    print(f"\n{'scenario':<14} {'verification':<27} {'channel':<8} {'status':<10} {'decision':<10} events received")
    ok = True
    for vid, scenario in started.items():
        state = api.get_verification(vid)
        events = received[vid]
        names = [event["detail-type"] for event in events]
        details = [parse_event(event) for event in events]
        good = names == scenario.events() and len({d.event_id for d in details}) == len(names)
        ok &= good
        print(
            f"{scenario.name:<14} {vid:<27} {state.channel:<8} {state.status:<10} {state.decision!s:<10} "
            f"{', '.join(names)}  {'OK' if good else 'UNEXPECTED'}"
        )
    ok &= demo_webhooks.report(api, receiver, {vid: len(s.events()) for vid, s in started.items()})
    print(
        f"\n{'PASS' if ok else 'FAIL'}: every verification got exactly one Created, its expected terminal event"
        " and, once redacted, one Redacted, on the bus and at the webhook endpoint"
        if ok
        else "\nFAIL"
    )
    first = next(iter(started))
    return replayed(first, received[first], subscriber, endpoints) and ok


def replayed(vid: str, events: list[dict[str, Any]], subscriber: Subscriber, endpoints: Endpoints) -> bool:
    """`make replay` of one verification to the subscriber's rule alone: its events again, rebuilt
    from the table, with the event_ids they were first published with."""
    print(f"\nreplay of {vid} from the table to rule {subscriber.rule} (make replay):")
    events = list(events)  # a copy: the subscriber appends what arrives to its own list
    stack = replay.Stack()
    report = replay.run(
        of_verification(vid, store=VerificationStore(stack.table_name)),
        stack=stack,
        region=endpoints.region,
        rule=subscriber.rule,
    )
    print(
        f"  put {len(report.event_ids)} event(s) of {report.verifications} verification(s),"
        f" refused {len(report.refused)}"
    )
    again = subscriber.wait_for({vid: 2 * len(events)})[vid][len(events) :]
    good = not report.refused
    for first, second in zip(events, again, strict=False):
        same = first["detail"]["event_id"] == second["detail"]["event_id"]
        good &= same
        verdict = "= the original" if same else "DIFFERS"
        print(f"  {second['detail-type']:<24} event_id {second['detail']['event_id']}  {verdict}")
    good &= len(again) == len(events)
    print(f"{'PASS' if good else 'FAIL'}: the replayed events carry the original event_ids")
    return good


def main() -> None:
    endpoints = Endpoints.from_environment()
    use_local_aws(endpoints)
    stack = subprocess.Popen([sys.executable, "-m", "infra.local.stack"], cwd=ROOT, env=os.environ.copy())
    try:
        wait_for(endpoints.gateway, 60)
        ok = run(endpoints)
    finally:
        stack.terminate()
        stack.wait(timeout=30)
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
