"""`make chaos`: thousands of verifications through the local stack under every fault at once,
then proof that nothing was lost, doubled or forged.

    python -m infra.local.chaos [--verifications 2000] [--outage-seconds 30]

The mix (per verification): 30% duplicated notifies, 10% reordered (a PROCESSING after the final
notify, then a signed second terminal that must be ignored), 5% forged notifies before the real
one, 5% dropped notifies (recovered by the reconciler through get_result), 3% cancelled by the
customer before the flow ends (FaceID's notify comes late and must change nothing), 3% redacted once
decided (one Redacted event more, under its own event_id), the rest plain. All the
while: EventBridge refuses 10% of PutEvents entries and has a full outage; FaceID answers
INTERNAL_ERROR and slowly on get_token and get_result, and some get_token answers come only after
our per-try timeout (FaceID took the biz_no; the client retries and must still get its verification).
Then the journeys of infra/local/chaos_single_use.py: App double submits, lost App and Raw verify
answers, and creates retried after an unknown outcome into FaceID's 429 or 5xx.
And a webhook endpoint subscribed to every event (infra/local/chaos_webhooks.py): each event the bus
carried reaches it verified, once per event_id, its first deliveries refused with a 500 and retried.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from faceid_bridge.channels.h5_lite.contract import lite_sign
from infra.local import chaos_listing
from infra.local.chaos_single_use import SingleUseJourneys, SingleUseTally, Tracked
from infra.local.chaos_webhooks import WebhookAccount, WebhookTally
from infra.local.client import LocalClient, Subscriber, face_image
from infra.local.endpoints import Endpoints
from infra.local.stack import start_stack, use_local_aws
from infra.local.webhook_receiver import Receiver

SCENARIOS = (
    ("duplicated", 30),
    ("reordered", 10),
    ("forged", 5),
    ("dropped", 5),
    ("cancelled", 3),
    ("redacted", 3),
    ("plain", 44),
)
OUTCOMES = {
    "pass": "Verification Approved",
    "mismatch": "Verification Rejected",
    "spoof_mask": "Verification Rejected",
    "liveness_fail": "Verification Rejected",
    "cancel": "Verification Abandoned",
    "timeout": "Verification Abandoned",
    "failed": "Verification Errored",
}
CANCELLED, REDACTED = "Verification Cancelled", "Verification Redacted"
TERMINAL_TYPES = frozenset(OUTCOMES.values()) | {CANCELLED}


def expected_types(item: Tracked) -> int:
    """How many distinct detail-types the verification announces: Created, its end, its redaction."""
    return 3 if item.scenario == "redacted" else 2


# The stack a chaos run needs: short token lives and a fast reconciler, so dropped notifies settle.
STACK_ENVIRONMENT = {
    "SANDBOX_TOKEN_TTL_SECONDS": "20",
    "FACEID_BRIDGE_PARAM_ReconcileGraceSeconds": "1",
    "RECONCILE_RETRY_SECONDS": "2",
    # A FaceID try that takes longer is an unknown outcome: short, so that slow answers show quickly.
    "FACEID_TIMEOUT_SECONDS": "4",
    # moto answers an index query by scanning the table, so a reconciler every second would
    # saturate it at thousands of verifications; AWS runs it every minute.
    "LOCAL_SCHEDULE_SECONDS": "3",
}


class BizNoLost(RuntimeError):
    """A create the client could not get through, whatever it retried."""


@dataclass
class Report:
    tracked: list[Tracked]
    events: dict[str, list[dict[str, Any]]]
    statuses: dict[str, str]
    dlq_depth: int
    refused_entries: int
    create_retries: int
    outcomes_unknown: int
    lost_biz_nos: list[str]
    seconds: float
    single_use: SingleUseTally = field(default_factory=SingleUseTally)
    webhooks: WebhookTally = field(default_factory=WebhookTally)
    problems: list[str] = field(default_factory=list)
    extra_rows: list[tuple[str, int]] = field(default_factory=list)  # chaos_listing's accounting

    def check(self) -> None:
        for item in self.tracked:
            unique = {
                event["detail"]["event_id"]: event["detail-type"] for event in self.events.get(item.verification_id, [])
            }
            kinds = Counter(unique.values())
            terminal = [kind for kind in kinds if kind in TERMINAL_TYPES]
            if kinds["Verification Created"] != 1:
                self.problems.append(f"{item.verification_id}: {kinds['Verification Created']} Created events")
            if sum(kinds[kind] for kind in terminal) != 1:
                self.problems.append(f"{item.verification_id} ({item.scenario}): terminal events {dict(kinds)}")
            elif terminal != [item.expected]:
                self.problems.append(
                    f"{item.verification_id} ({item.scenario}): {terminal[0]}, expected {item.expected}"
                )
            if kinds[REDACTED] != (item.scenario == "redacted"):
                self.problems.append(f"{item.verification_id} ({item.scenario}): {kinds[REDACTED]} Redacted events")
            if self.statuses.get(item.verification_id) in (None, "CREATED", "PROCESSING"):
                self.problems.append(f"{item.verification_id}: left {self.statuses.get(item.verification_id)}")
            if item.forged_accepted:
                self.problems.append(f"{item.verification_id}: a forged notify was accepted")
        if self.dlq_depth:
            self.problems.append(f"the DLQ holds {self.dlq_depth} message(s)")
        self.problems.extend(f"biz_no {biz_no}: the client never got its verification" for biz_no in self.lost_biz_nos)
        self.problems.extend(self.single_use.wrong_verdicts)
        self.problems.extend(self.single_use.tokens_resent)
        self.problems.extend(self.webhooks.problems)

    def table(self) -> str:
        deliveries = sum(len(events) for events in self.events.values())
        unique = sum(len({e["detail"]["event_id"] for e in events}) for events in self.events.values())
        scenarios = Counter(item.scenario for item in self.tracked)
        rows = [
            ("verifications", len(self.tracked)),
            *((f"  {name}", scenarios[name]) for name, _ in SCENARIOS),
            ("events delivered (at least once)", deliveries),
            ("distinct events, by event_id", unique),
            ("redeliveries (same event_id)", deliveries - unique),
            ("PutEvents entries refused by the injected faults", self.refused_entries),
            ("create calls retried (FaceID 503/429)", self.create_retries),
            ("slow get_token answers, client retried", self.outcomes_unknown),
            *((f"{journey}", count) for journey, count in self.single_use.journeys.items()),
            ("  wrong verdicts in those", len(self.single_use.wrong_verdicts)),
            ("  single-use tokens sent to FaceID twice", len(self.single_use.tokens_resent)),
            ("  biz_no lost (no verification after retries)", len(self.lost_biz_nos)),
            ("forged notifies sent", sum(item.forged_attempts for item in self.tracked)),
            ("forged notifies accepted", sum(item.forged_accepted for item in self.tracked)),
            (
                "verifications left non-terminal",
                sum(1 for s in self.statuses.values() if s in ("CREATED", "PROCESSING")),
            ),
            (
                "verifications missing an event (lost)",
                sum(
                    1
                    for item in self.tracked
                    if len({e["detail-type"] for e in self.events.get(item.verification_id, [])}) < expected_types(item)
                ),
            ),
            ("DLQ depth at the end", self.dlq_depth),
            *self.webhooks.rows(),
            *self.extra_rows,
            ("problems", len(self.problems)),
            ("seconds", round(self.seconds, 1)),
        ]
        width = max(len(name) for name, _ in rows)
        return "\n".join(f"{name:<{width}}  {value:>8}" for name, value in rows)


class ChaosRun:
    def __init__(
        self,
        endpoints: Endpoints,
        *,
        verifications: int,
        outage_seconds: float,
        seed: int = 11,
        receiver: Receiver | None = None,
    ) -> None:
        """`receiver`: the webhook endpoint the stack admits; one is started for the run if not given."""
        self.endpoints, self.count, self.outage_seconds = endpoints, verifications, outage_seconds
        self.receiver = receiver
        self.random = random.Random(seed)
        self.run_id = uuid.uuid4().hex[:8]
        self.local = threading.local()
        self.create_retries = 0
        self.outcomes_unknown = 0
        self.lost_biz_nos: list[str] = []
        self._lock = threading.Lock()

    def client(self) -> LocalClient:
        if not hasattr(self.local, "client"):
            self.local.client = LocalClient(self.endpoints)
        client: LocalClient = self.local.client
        return client

    def control(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client().http.post(f"{self.endpoints.gateway}{path}", json=body, timeout=10)
        result: dict[str, Any] = response.json()
        return result

    def sandbox_faults(self, faults: dict[str, Any]) -> None:
        self.client().http.put(
            f"{self.endpoints.sandbox}/sandbox/v1/faults", json=faults, timeout=10
        ).raise_for_status()

    def plan(self) -> list[tuple[str, str, bool]]:
        """(scenario, outcome, with a reference photo) per verification. A face mismatch needs a
        photo to mismatch; 20% of the others carry one too (face detection is the slow part)."""
        names, weights = [name for name, _ in SCENARIOS], [weight for _, weight in SCENARIOS]
        steps = []
        for _ in range(self.count):
            outcome = self.random.choice(list(OUTCOMES))
            steps.append(
                (self.random.choices(names, weights)[0], outcome, outcome == "mismatch" or self.random.random() < 0.2)
            )
        return steps

    def create(self, index: int, with_photo: bool) -> dict[str, Any]:
        body: dict[str, Any] = {"biz_no": f"chaos-{self.run_id}-{index}", "uuid": f"user-{index}"}
        body |= {"comparison_type": "0", "image_ref1": face_image()} if with_photo else {"comparison_type": "-1"}
        for _ in range(20):
            response = self.client().http.post(f"{self.endpoints.gateway}/v1/verifications", json=body, timeout=30)
            if response.status_code == 201:
                return dict(response.json())
            if response.status_code not in (409, 429, 503):
                break
            with self._lock:
                self.create_retries += 1
                self.outcomes_unknown += response.json().get("error_message") == "FACEID_OUTCOME_UNKNOWN"
            time.sleep(0.2)
        with self._lock:  # with the last answer, to tell why
            self.lost_biz_nos.append(f"{body['biz_no']} ({response.status_code} {response.text[:160]})")
        raise BizNoLost(f"{body['biz_no']}: {response.status_code} {response.text}")

    def verify(self, index: int, scenario: str, outcome: str, with_photo: bool) -> Tracked:
        client = self.client()
        created = self.create(index, with_photo)
        tracked = Tracked(created["verification_id"], scenario, OUTCOMES[outcome])
        if scenario == "cancelled":  # before the person finishes: FaceID's notify then comes late
            client.api.cancel_verification(created["verification_id"])
            tracked.expected = CANCELLED
        if scenario == "forged":  # an attacker claims a pass before the real result
            data = json.dumps(
                {"status": "OK", "biz_info": {"biz_id": created["biz_id"]}, "liveness_result": {"result": "PASS"}}
            )
            for sign in (lite_sign("attacker-guess", data), None, "0" * 40):
                tracked.forged_attempts += 1
                tracked.forged_accepted += client.notify(data, sign).status_code < 300
        faults = {"duplicated": {"duplicates": 2}, "reordered": {"out_of_order": True}, "dropped": {"drop": True}}.get(
            scenario, {}
        )
        finished = client.complete(created["token"], outcome, confidence=20.0, faults=faults)
        if scenario == "reordered":  # terminal A, then a signed terminal B: B must change nothing
            # Once A has landed, as FaceID sends B only after A (a notify it timed out on may still
            # be in our handler: B first would then be the terminal, rightly).
            self.until_terminal(created["verification_id"])
            other = json.loads(finished["data"]) | {"status": "TIMEOUT" if outcome == "cancel" else "CANCELLED"}
            text = json.dumps(other)
            client.notify(text, lite_sign("sandbox-secret", text))
        if (
            scenario == "redacted"
            and client.api.redact_verification(created["verification_id"]).decision == "CANCELLED"
        ):
            tracked.expected = CANCELLED  # its result had not landed yet: redaction cancelled it first
        return tracked

    def until_terminal(self, verification_id: str, seconds: float = 60) -> None:
        """Until the verification has ended (or `seconds` have passed: what it is then is reported)."""
        deadline = time.monotonic() + seconds
        while self.client().get(verification_id).json()["status"] in ("CREATED", "PROCESSING"):
            if time.monotonic() > deadline:
                return
            time.sleep(0.5)

    def run(self) -> Report:
        started = time.monotonic()
        since = datetime.now(UTC) - timedelta(seconds=1)  # what the listing accounts for
        subscriber = Subscriber(self.endpoints)
        receiver = self.receiver or Receiver().start()
        webhooks = WebhookAccount(
            self.client().api, receiver, failures=max(3, self.count // 100), dlq_depth=self.dlq_depth("WebhookDLQ")
        )
        self.control("/_local/eventbridge-faults", {"failed_entry_rate": 0.1})
        self.sandbox_faults(
            {
                "get_token": {
                    "latency_ms": 5,
                    "internal_errors": max(3, self.count // 100),
                    # Past the stack's FACEID_TIMEOUT_SECONDS (4 s): the answer is lost to us.
                    "slow_answers": max(3, self.count // 50),
                    "slow_answer_ms": 5000,
                },
                "get_result": {"latency_ms": 20, "internal_errors": 2},
            }
        )
        tracked: list[Tracked] = []
        single_use = SingleUseTally()
        try:
            with subscriber.draining(), ThreadPoolExecutor(max_workers=8) as pool:
                futures = [pool.submit(self.verify, i, *step) for i, step in enumerate(self.plan())]
                for done, future in enumerate(as_completed(futures), 1):
                    with contextlib.suppress(BizNoLost):  # counted, and a problem in the report
                        tracked.append(future.result())
                    if done == self.count // 3:
                        self.control("/_local/eventbridge-faults", {"outage_seconds": self.outage_seconds})
                        print(
                            f"  {done} verifications in: EventBridge outage for {self.outage_seconds:g} s", flush=True
                        )
            each = max(2, self.count // 100)
            print(f"  single-use tokens and kept biz_nos: {each} journeys of each kind", flush=True)
            SingleUseJourneys(self.client, self.sandbox_faults, single_use, tracked, self.lost_biz_nos).all(
                each, subscriber
            )
            elapsed = time.monotonic() - started
            print(f"  all {self.count} verifications in after {elapsed:.0f} s; waiting for their events", flush=True)
            events = self.wait_for_events(subscriber, {item.verification_id: expected_types(item) for item in tracked})
            webhooks.settle(events, quiet_seconds=120 + self.outage_seconds, backlog=self.webhook_backlog)
        finally:
            if receiver is not self.receiver:
                receiver.stop()
            self.control("/_local/eventbridge-faults", {"failed_entry_rate": 0.0, "outage_seconds": 0})
            self.sandbox_faults({})
        with ThreadPoolExecutor(max_workers=8) as pool:
            read = pool.map(
                lambda item: (item.verification_id, self.client().get(item.verification_id).json()["status"]), tracked
            )
            statuses = dict(read)
        refused = self.control("/_local/eventbridge-faults", {})["refused"]
        report = Report(
            tracked,
            events,
            statuses,
            self.dlq_depth(),
            refused,
            self.create_retries,
            self.outcomes_unknown,
            self.lost_biz_nos,
            time.monotonic() - started,
            single_use,
            webhooks.tally(events, self.dlq_depth("WebhookDLQ")),
        )
        report.check()
        # The run's own deliveries, apart from the replay's that follow (the subscriber's lists grow)
        report.events = {vid: list(delivered) for vid, delivered in events.items()}
        rows, problems = chaos_listing.account(
            self.client().api, subscriber, events, since=since, region=self.endpoints.region
        )
        report.extra_rows, report.problems = rows, report.problems + problems
        return report

    def wait_for_events(self, subscriber: Subscriber, ids: dict[str, int]) -> dict[str, list[dict[str, Any]]]:
        """Until every verification has its count of detail-types: a Created, a terminal event and,
        once redacted, a Redacted (or time is up), then a grace period to catch anything extra."""
        deadline = time.monotonic() + 120 + self.outage_seconds
        while time.monotonic() < deadline:
            subscriber.drain()
            if all(len({e["detail-type"] for e in subscriber.events[vid]}) >= count for vid, count in ids.items()):
                break
            time.sleep(0.5)
        time.sleep(3)
        subscriber.drain()
        return {vid: subscriber.events[vid] for vid in ids}

    def webhook_backlog(self) -> str:
        """The webhook queues' depths, for the progress lines while deliveries settle."""
        kinds = (
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        )
        shown = []
        for name in ("WebhookEventsQueue", "WebhookDeliveriesQueue"):
            visible, in_flight, delayed = self.queue_attributes(name, kinds)
            shown.append(f"{name}: {visible} visible, {in_flight} in flight, {delayed} delayed")
        return "; ".join(shown)

    def dlq_depth(self, name: str = "PublisherDLQ") -> int:
        return int(self.queue_attributes(name, ("ApproximateNumberOfMessages",))[0])

    def queue_attributes(self, name: str, kinds: tuple[str, ...]) -> list[str]:
        sqs = boto3.client("sqs", region_name=self.endpoints.region)
        url = sqs.get_queue_url(QueueName=f"faceid-bridge-{name}")["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(kinds))["Attributes"]
        return [attributes[kind] for kind in kinds]


def main() -> None:
    parser = argparse.ArgumentParser(description="chaos suite against the local stack")
    parser.add_argument("--verifications", type=int, default=2000)
    parser.add_argument("--outage-seconds", type=float, default=30)
    args = parser.parse_args()
    endpoints = Endpoints.from_environment()
    use_local_aws(endpoints)
    print("chaos: the stack's log is .local/chaos-stack.log", flush=True)
    stack = start_stack(STACK_ENVIRONMENT, "chaos-stack.log")
    try:
        print(f"chaos: {args.verifications} verifications, EventBridge outage {args.outage_seconds:g} s", flush=True)
        report = ChaosRun(endpoints, verifications=args.verifications, outage_seconds=args.outage_seconds).run()
    finally:
        stack.terminate()
        stack.wait(timeout=30)
    print("\n" + report.table())
    for problem in report.problems[:20]:
        print(f"  PROBLEM {problem}")
    print("\nPASS" if not report.problems else "\nFAIL")
    raise SystemExit(1 if report.problems else 0)


if __name__ == "__main__":
    main()
