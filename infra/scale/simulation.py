"""One day of traffic on a virtual clock, through the real services against in-memory fakes.

Running the services' code on each of 86.4 million verifications takes hours, so the simulation
runs a 1/`scale` slice of the traffic at full fidelity and scales what is shared: every
verification of the slice is created by `create_verification`, settled by `apply_result` (its
notify) or by `reconcile_due` (a lost callback), and announced by `publish_records`, in virtual-time
order. The reconciler is the one thing the slice shares with the rest of the traffic: one run at a
time reads for everyone, `read_concurrency` at once (ReconcilerConcurrency), so each read of the
slice costs the run `scale / read_concurrency` reads' time (FaceID's latency and the DynamoDB calls
around it), and a run stops as the handler stops it, when its Lambda time is nearly up. The slice's
share of the run's workers is `read_concurrency / scale`, less than one: its verifications go
through the run's pool one at a time, which keeps the day deterministic and lets the clock see each
read end before the run decides whether to start another. The publisher forms full batches (at
1,000/s a shard fills a batch within its batching window), so the slice's batch count times `scale`
is the day's.
"""

from __future__ import annotations

import heapq
import json
import math
import random
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel

from infra.fakes import FakeBus, FakeDeadLetters, MemoryStore
from infra.local.poller import matches
from infra.local.template import Template
from infra.sandbox.outcomes import Outcome, lite_result
from infra.scale import services as s

START = datetime(2026, 1, 1, tzinfo=UTC)
RECONCILER_MARGIN_SECONDS = 30  # the reconciler handler stops taking items with this much time left
FACEID_RETENTION = timedelta(days=1)  # get_result answers for a day (docs/faceid.md, notes §2)
FACEID_READ_CAP = 3  # and reads a result at most three times (notes §2): FaceID's, not the reconciler's
BACKLOG_ALARM_SECONDS = 900  # ReconcilerBacklogAlarm's threshold in template.yaml
SLICE_CONCURRENCY = 1  # the slice's share of a run's workers, under one (the module's docstring)


@dataclass(frozen=True)
class Scenario:
    rate: float = 1000.0  # verifications per second at full scale
    seconds: int = 86_400  # how long they arrive
    drain_seconds: int = 86_400  # then no arrivals, so every verification's last read could happen
    scale: int = 4000  # the slice simulated: 1/scale of the traffic
    lost: float = 0.10  # callbacks that never come
    lost_finished: float = 0.80  # of those, FaceID has the result (the callback was lost in transit)
    lost_not_started: float = 0.15  # of those, the user never opened the page; the rest stay PROCESSING
    token_seconds: int = 3600  # FaceID's token lifetime (the console's flow timeout, 60 min default)
    user_seconds: tuple[int, int] = (30, 900)  # when a finished user's notify arrives after creation
    faceid_seconds: float = 0.3  # assumed get_result latency (FaceID's, not measurable here)
    dynamodb_seconds: float = 0.005  # assumed per DynamoDB call ("single-digit milliseconds")
    # Reads a run makes at once: the reconciler's concurrency, the deployment's default unless varied.
    read_concurrency: int = s.ReconcileConfig.model_fields["reconcile_concurrency"].default
    seed: int = 17

    @property
    def verifications(self) -> int:
        return round(self.rate * self.seconds / self.scale)


@dataclass(frozen=True)
class Deployment:
    """What the template sets for the reconciler and the publisher (its defaults)."""

    reconciler_timeout: int
    reconciler_every: int
    grace_seconds: int
    batch_size: int
    stream_filters: list[Any]

    @classmethod
    def from_template(cls, template: Template | None = None) -> Deployment:
        template = template or Template()
        functions = {spec.logical_id: spec for spec in template.functions()}
        reconciler, publisher = functions["ReconcilerFunction"], functions["PublisherFunction"]
        assert reconciler.schedule == "rate(1 minute)", reconciler.schedule
        defaults = template.parameter_defaults()
        assert publisher.stream is not None
        return cls(
            reconciler_timeout=reconciler.timeout_seconds,
            reconciler_every=60,
            grace_seconds=int(defaults["ReconcileGraceSeconds"]),
            batch_size=int(defaults[publisher.stream["BatchSize"]["Ref"]]),
            stream_filters=[f["Pattern"] for f in publisher.stream["FilterCriteria"]["Filters"]],
        )


@dataclass
class SimulatedFaceId:
    """faceid_bridge.ports.FaceId for H5 Lite, on the virtual clock: get_token's tokens expire
    `token_seconds` later; get_result answers what each flow's fate says, refuses a biz_id past its
    day or past its reads (as FaceID does), and counts every read."""

    scenario: Scenario
    now: datetime = START
    fates: dict[str, str] = field(default_factory=dict)  # biz_id -> finished | not_started | processing
    created: dict[str, datetime] = field(default_factory=dict)
    reads: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)  # why: retention | read_out

    def region_of(self, channel: str) -> str:
        return s.hosting(s.Channel(channel)).default.value

    def endpoint(self, channel: str, region: str | None = None) -> str:
        return "https://faceid.test"

    def send[M: BaseModel](
        self, call: s.FaceIdCall[M], *, channel: str, region: str | None = None
    ) -> tuple[M, dict[str, Any]]:
        """The port's one method: get_token and get_result, as FaceID answers them (H5 Lite only)."""
        if call.path == s.lite_paths.GET_TOKEN:
            token = self.get_token(call.fields["biz_no"])
            answer: tuple[Any, dict[str, Any]] = token, token.model_dump()
        else:
            assert call.path == s.lite_paths.GET_RESULT, "the simulation runs H5 Lite only"
            answer = self.get_result(call.fields["biz_id"])
        assert isinstance(answer[0], call.answer)
        return answer

    def get_token(self, biz_no: str) -> s.lite.GetTokenResponse:
        biz_id = f"{int(self.now.timestamp())},{biz_no}"
        self.created[biz_id] = self.now
        expired = int(self.now.timestamp()) + self.scenario.token_seconds
        return s.lite.GetTokenResponse(request_id="sim", token=f"token-{biz_no}", biz_id=biz_id, expired_time=expired)

    def get_result(self, biz_id: str) -> tuple[s.lite.LiteResult, dict[str, Any]]:
        if self.now > self.created[biz_id] + FACEID_RETENTION:
            self.refused["retention"] += 1
            raise s.FaceIdRejected("BAD_ARGUMENTS:biz_id")
        if self.reads[biz_id] >= FACEID_READ_CAP:
            self.refused["read_out"] += 1
            raise s.FaceIdRejected("BAD_ARGUMENTS:biz_id")
        self.reads[biz_id] += 1
        payload = result_payload(biz_id, self.fates[biz_id])
        return s.lite.LiteResult.model_validate(payload), payload


def result_payload(biz_id: str, fate: str) -> dict[str, Any]:
    """FaceID's answer for a flow: the sandbox's passed result, or a status with no result yet."""
    if fate in ("not_started", "processing"):
        return {"request_id": "sim", "status": fate.upper(), "biz_info": {"biz_id": biz_id}}
    session = {"biz_id": biz_id, "options": {"biz_no": biz_id, "comparison_type": "-1"}, "references": []}
    return {"request_id": "sim", **lite_result(session, Outcome(outcome="pass"))}


@dataclass
class Tally:
    runs: int = 0
    runs_out_of_time: int = 0
    ticks_skipped: int = 0  # scheduled while the previous run still held the lease
    outcomes: Counter[str] = field(default_factory=Counter)
    due_max: int = 0
    due_age_max: float = 0.0
    backlog: list[tuple[int, int]] = field(default_factory=list)  # (virtual second, due after a run), hourly
    records: int = 0
    records_filtered_out: int = 0
    batches: int = 0
    events: int = 0
    put_events_calls: int = 0
    redelivered: int = 0


class Simulation:
    def __init__(self, scenario: Scenario, deployment: Deployment | None = None) -> None:
        self.scenario, self.deployment = scenario, deployment or Deployment.from_template()
        self.store, self.faceid = MemoryStore(), SimulatedFaceId(scenario)
        self.bus, self.dead_letters = FakeBus(), FakeDeadLetters()
        self.filters = [json.loads(pattern) for pattern in self.deployment.stream_filters]
        self.settings = s.CreationConfig.model_validate(
            {"REQUEST_HASH_KEY_SECRET_ID": "sim", "RECONCILE_GRACE_SECONDS": str(self.deployment.grace_seconds)}
        )
        self.random = random.Random(scenario.seed)
        self.tally = Tally()
        self.fates: Counter[str] = Counter()  # fate -> verifications (lost_* for lost callbacks)
        self.lost: set[str] = set()  # the biz_ids whose callback never comes
        self.pending: list[dict[str, Any]] = []
        self._events: list[tuple[float, int, str, Any]] = []
        self._sequence = 0

    # --- the clock ---------------------------------------------------------------------------------

    def _at(self, second: float, kind: str, payload: Any = None) -> None:
        self._sequence += 1
        heapq.heappush(self._events, (second, self._sequence, kind, payload))

    def run(self) -> dict[str, Any]:
        scenario = self.scenario
        interval = scenario.seconds / scenario.verifications
        self._at(0.0, "create", 0)
        self._at(float(self.deployment.reconciler_every), "reconcile")
        end = scenario.seconds + scenario.drain_seconds
        at_day_end: dict[str, int] | None = None
        while self._events and self._events[0][0] <= end:
            second, _, kind, payload = heapq.heappop(self._events)
            if at_day_end is None and second > scenario.seconds:
                at_day_end = self._standing(scenario.seconds)
            self.faceid.now = START + timedelta(seconds=second)
            if kind == "create":
                self._create(payload, second)
                if payload + 1 < scenario.verifications:
                    self._at((payload + 1) * interval, "create", payload + 1)
            elif kind == "notify":
                verification_id, biz_id = payload
                result = result_payload(biz_id, "finished")
                s.apply_result(
                    s.lite.LiteResult.model_validate(result),
                    result,
                    source="notify",
                    store=self.store,
                    now=self.faceid.now,
                    verification_id=verification_id,
                )
            else:
                self._reconcile(second)
            self._publish(final=False)
        self._publish(final=True)
        return self.report(at_day_end or self._standing(scenario.seconds), self._standing(end))

    # --- the traffic -------------------------------------------------------------------------------

    def _create(self, n: int, second: float) -> None:
        request = s.CreateVerificationRequest.model_validate(
            {"biz_no": f"order-{n}", "uuid": f"user-{n}", "comparison_type": "-1"}
        )
        verification = s.create_verification(
            request,
            base_url="https://sim",
            settings=self.settings,
            redirect_origins=[],
            store=self.store,
            faceid=self.faceid,
            hash_key=b"sim",
            now=self.faceid.now,
        )
        lost = self.random.random() < self.scenario.lost
        if not lost:
            fate = "finished"
            notified = second + self.random.uniform(*self.scenario.user_seconds)
            self._at(notified, "notify", (verification.verification_id, verification.biz_id))
        else:
            draw = self.random.random()
            fate = (
                "finished"
                if draw < self.scenario.lost_finished
                else "not_started"
                if draw < self.scenario.lost_finished + self.scenario.lost_not_started
                else "processing"
            )
            fate = f"lost_{fate}"
            self.lost.add(verification.biz_id)
        self.faceid.fates[verification.biz_id] = fate.removeprefix("lost_")
        self.fates[fate] += 1

    def _reconcile(self, second: float) -> None:
        scenario, deployment = self.scenario, self.deployment
        now = START + timedelta(seconds=second)
        reads_before, calls_before = sum(self.faceid.reads.values()), sum(self.store.calls.values())

        def elapsed() -> float:
            reads = sum(self.faceid.reads.values()) + sum(self.faceid.refused.values()) - reads_before
            calls = sum(self.store.calls.values()) - calls_before
            work = reads * scenario.faceid_seconds + calls * scenario.dynamodb_seconds
            return scenario.scale * work / scenario.read_concurrency

        budget = deployment.reconciler_timeout - RECONCILER_MARGIN_SECONDS
        report = s.reconcile_due(
            store=self.store,
            faceid=self.faceid,
            now=now,
            out_of_time=lambda: elapsed() > budget,
            lease_until=now + timedelta(seconds=deployment.reconciler_timeout),
            concurrency=SLICE_CONCURRENCY,
        )
        self.tally.runs += 1
        self.tally.runs_out_of_time += elapsed() > budget
        self.tally.outcomes.update(report.outcomes.values())
        self.tally.due_age_max = max(self.tally.due_age_max, report.backlog_age_seconds(now))
        due_after = self.store.due_count(now)
        self.tally.due_max = max(self.tally.due_max, due_after)
        if int(second) % 3600 < deployment.reconciler_every:
            self.tally.backlog.append((int(second), due_after))
        # The next run starts at the first tick after this one ends; the ticks between find the lease held.
        ends = second + max(elapsed(), 1.0)
        following = deployment.reconciler_every * math.floor(ends / deployment.reconciler_every + 1)
        self.tally.ticks_skipped += int((following - second) / deployment.reconciler_every) - 1
        self._at(float(following), "reconcile")

    def _publish(self, *, final: bool) -> None:
        taken, self.store.stream = self.store.stream, []
        self.tally.records += len(taken)
        for record in taken:
            if any(matches(pattern, record) for pattern in self.filters):
                self.pending.append(record)
            else:
                self.tally.records_filtered_out += 1
        size = self.deployment.batch_size
        while len(self.pending) >= size or (final and self.pending):
            batch, self.pending = self.pending[:size], self.pending[size:]
            answer = s.publish_records(
                batch,
                bus=self.bus,
                dead_letters=self.dead_letters,
                source=s.BusConfig.model_fields["event_source"].default,
                bus_name="sim",
                decode=s.verification_from_image,
                sleep=lambda _: None,
            )
            self.tally.batches += 1
            self.tally.redelivered += len(answer["batchItemFailures"])
            for entries in self.bus.calls:
                self.tally.events += len(entries)
                self.tally.put_events_calls += math.ceil(len(entries) / s.PUT_EVENTS_LIMIT)
            self.bus.calls.clear()

    # --- the report ----------------------------------------------------------------------------------

    def _standing(self, second: float) -> dict[str, int]:
        now = (START + timedelta(seconds=second)).timestamp()
        standing: Counter[str] = Counter()
        for verification in self.store.verifications.values():
            if verification.status.terminal:
                standing[f"terminal_{verification.status.value.lower()}"] += 1
            elif verification.due_at is not None and verification.due_at <= now:
                standing["due_backlog"] += 1
            else:
                standing["not_yet_due"] += 1
        return dict(sorted(standing.items()))

    def report(self, at_day_end: dict[str, int], at_end: dict[str, int]) -> dict[str, Any]:
        scenario, tally = self.scenario, self.tally
        reads_per_verification = Counter(self.faceid.reads.values())
        lost = sum(n for fate, n in self.fates.items() if fate.startswith("lost_"))
        bounded = tally.due_age_max <= BACKLOG_ALARM_SECONDS and at_end.get("due_backlog", 0) == 0
        return {
            "scenario": asdict(scenario) | {"verifications_simulated": scenario.verifications},
            "deployment": asdict(self.deployment) | {"stream_filters": len(self.deployment.stream_filters)},
            "fates": dict(sorted(self.fates.items())),
            "reconciler": {
                "runs": tally.runs,
                "runs_out_of_time": tally.runs_out_of_time,
                "ticks_skipped_lease_held": tally.ticks_skipped,
                "outcomes": dict(sorted(tally.outcomes.items())),
                "due_backlog_max": tally.due_max,
                "due_backlog_age_max_seconds": round(tally.due_age_max),
                "due_backlog_hourly": tally.backlog,
                "bounded": bounded,
            },
            "get_result": {
                "reads": sum(self.faceid.reads.values()),
                "budget": FACEID_READ_CAP * lost,
                "verifications_read": len(self.faceid.reads),
                "per_verification": {str(k): v for k, v in sorted(reads_per_verification.items())},
                "max_per_verification": max(self.faceid.reads.values(), default=0),
                "refused": dict(self.faceid.refused),
                "full_scale_reads_per_second": round(
                    sum(self.faceid.reads.values()) * scenario.scale / scenario.seconds, 1
                ),
            },
            "publisher": {
                "stream_records": tally.records,
                "filtered_out": tally.records_filtered_out,
                "batches": tally.batches,
                "events": tally.events,
                "put_events_calls": tally.put_events_calls,
                "redelivered": tally.redelivered,
                "dead_lettered": len(self.dead_letters.messages),
                "full_scale_batches": tally.batches * scenario.scale,
                "full_scale_events": tally.events * scenario.scale,
            },
            "standing_at_day_end": at_day_end,
            "standing_at_end": at_end,
            "dynamodb_calls": dict(sorted(self.store.calls.items())),
        }
