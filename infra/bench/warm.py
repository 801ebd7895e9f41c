"""Warm own CPU per notify: the callbacks function's handler, warm, with AWS I/O replaced by an
in-memory DynamoDB (so what is measured is our code, Powertools and pydantic, not the network).
CPU time of this process per call, median over many calls: a first notify (a transition) and a
duplicate (nothing to do)."""

from __future__ import annotations

import gc
import json
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from faceid_bridge.adapters.dynamodb import VerificationStore
from faceid_bridge.adapters.dynamodb.codec import verification_item
from faceid_bridge.channels.h5_lite.contract import lite_sign
from faceid_bridge.domain.secret_rotation import Credentials, FaceIdSecret
from faceid_bridge.domain.verification import Channel, Verification
from faceid_bridge.faceid.regions import Region
from infra.bench.cold import instructions
from infra.bench.warm_floor import floor_handler
from infra.local.functions import FunctionHost, LambdaContext
from infra.local.template import ROOT, Template, template_environment
from infra.sandbox.outcomes import Outcome, lite_result

SECRET = "bench-secret"  # noqa: S105 - a local test secret


class ConditionalCheckFailedException(Exception):
    pass


class TransactionCanceledException(Exception):
    pass


class InMemoryDynamoDB:
    """The DynamoDB operations the notify path uses, on a dict, with their conditions."""

    class exceptions:
        ConditionalCheckFailedException = ConditionalCheckFailedException
        TransactionCanceledException = TransactionCanceledException

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}
        self.by_biz_id: dict[str, dict[str, Any]] = {}

    @staticmethod
    def _key(key: dict[str, Any]) -> tuple[str, str]:
        return key["pk"]["S"], key["sk"]["S"]

    def put(self, item: dict[str, Any]) -> None:
        self.items[self._key(item)] = item

    def get_item(self, *, Key: dict[str, Any], **_: Any) -> dict[str, Any]:
        item = self.items.get(self._key(Key))
        return {"Item": dict(item)} if item else {}  # as a client returns a fresh response

    def query(self, *, ExpressionAttributeValues: dict[str, Any], **_: Any) -> dict[str, Any]:
        item = self.by_biz_id.get(ExpressionAttributeValues[":biz_id"]["S"])
        return {"Items": [{"pk": item["pk"], "sk": item["sk"]}] if item else []}

    def put_item(self, *, Item: dict[str, Any], **_: Any) -> dict[str, Any]:
        self.put(Item)
        return {}

    def transact_write_items(self, *, TransactItems: list[dict[str, Any]], **_: Any) -> dict[str, Any]:
        """The transition's update (its condition checked first) and its audit put."""
        try:
            for action in TransactItems:
                if "Update" in action:
                    self.update_item(**action["Update"])
                else:
                    self.put_item(**action["Put"])
        except ConditionalCheckFailedException:
            raise TransactionCanceledException from None
        return {}

    def update_item(
        self,
        *,
        Key: dict[str, Any],
        UpdateExpression: str,
        ExpressionAttributeValues: dict[str, Any],
        ExpressionAttributeNames: dict[str, str] | None = None,
        ConditionExpression: str = "",
        **_: Any,
    ) -> dict[str, Any]:
        names = ExpressionAttributeNames or {}
        item = self.items[self._key(Key)]
        if ConditionExpression == "#version = :expected" and item["version"] != ExpressionAttributeValues[":expected"]:
            raise ConditionalCheckFailedException
        sets, _remove, removes = UpdateExpression.removeprefix("SET ").partition(" REMOVE ")
        for assignment in sets.split(", "):
            name, _equals, value = assignment.partition(" = ")
            item[names.get(name, name)] = ExpressionAttributeValues[value]
        for name in removes.split(", ") if removes else []:
            item.pop(names.get(name, name), None)
        return {}


def _verification(n: int, now: datetime) -> Verification:
    return Verification(
        verification_id=f"vrf_bench{n}",
        channel=Channel.H5_LITE,
        biz_no=f"order-{n}",
        biz_id=f"1795338000,biz-{n}",
        token=f"token-{n}",
        comparison_type="0",
        references=1,
        far_level="1e-4",
        request_hash="0" * 64,
        created_at=now,
        updated_at=now,
        expires_at=now + timedelta(hours=1),
        due_at=int((now + timedelta(hours=1)).timestamp()),
    )


def _notify_event(verification_id: str, biz_id: str) -> dict[str, Any]:
    session = {"biz_id": biz_id, "options": {"biz_no": "order", "comparison_type": "0"}, "references": ["ref1"]}
    data = json.dumps(lite_result(session, Outcome(outcome="pass")), separators=(",", ":"))
    event: dict[str, Any] = json.loads((ROOT / "events" / "api" / "notify.json").read_text())
    return event | {
        "body": urlencode({"data": data, "sign": lite_sign(SECRET, data)}),
        "isBase64Encoded": False,
        "rawQueryString": urlencode({"verification_id": verification_id}),  # as notify_url carries it
        "queryStringParameters": {"verification_id": verification_id},
    }


@contextmanager
def _quiet() -> Iterator[None]:
    """Logs and metrics still written (their cost is ours), to /dev/null instead of the terminal."""
    saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(null)
        os.close(saved)


@contextmanager
def _warm_handler(
    calls: int, *, floor: bool = False
) -> Iterator[tuple[Callable[[dict[str, Any]], Any], list[dict[str, Any]]]]:
    """The callbacks handler (or, with `floor`, warm_floor's), warm (one call made), over an
    in-memory DynamoDB holding `calls` verifications, and a first notify for each: (call, notifies)."""
    from faceid_bridge import wiring
    from faceid_bridge.config import load

    template = Template()
    spec = next(s for s in template.functions() if s.code_dir.name == "h5_lite_callbacks")
    for key, value in template_environment(spec, template).items():
        os.environ.setdefault(key, value)
    os.environ.update({"PUBLIC_BASE_URL": "https://bench", "DEFAULT_FAR_LEVEL": "1e-4", "ALLOWED_REDIRECT_ORIGINS": ""})
    os.environ.update({"AUDIT_RETENTION_DAYS": "30", "VERIFICATION_RETENTION_DAYS": "365", "KEEP_IDCARD_INFO": "false"})
    os.environ.update({"RECONCILE_GRACE_SECONDS": "300"})
    load.cache_clear()
    dynamodb = InMemoryDynamoDB()
    store = VerificationStore("bench", dynamodb=dynamodb)
    credentials = FaceIdSecret(pairs={Region.IDN: Credentials(api_key="bench", api_secret=SECRET)})
    wiring.store.cache_clear()
    wiring.credentials.cache_clear()
    originals = (wiring.store, wiring.credentials)
    wiring.store = lambda: store  # type: ignore[assignment]
    wiring.credentials = lambda: lambda: credentials  # type: ignore[assignment]
    try:
        host = FunctionHost(spec)
        now = datetime.now(UTC)
        events = []
        for n in range(calls + 1):
            verification = _verification(n, now)
            dynamodb.put(verification_item(verification, int(now.timestamp()) + 86400))
            events.append(_notify_event(verification.verification_id, verification.biz_id))
        context = LambdaContext(function_name="bench", aws_request_id="bench")
        handler = floor_handler(dynamodb, "bench", SECRET) if floor else host.module.lambda_handler

        def call(event: dict[str, Any]) -> Any:
            return handler(event, context)

        with _quiet():
            call(events[-1])  # the first call after import is not warm
            yield call, events[:-1]
    finally:
        wiring.store, wiring.credentials = originals


RUNS = 5  # the calls are measured as this many runs, each run's median kept


def _cpu_per_notify(calls: int, *, floor: bool) -> dict[str, float]:
    """CPU microseconds per notify, first and duplicate: the median of all calls, and the least of
    RUNS runs' medians (what the machine's other work leaves of the handler's)."""
    first: list[float] = []
    duplicate: list[float] = []
    with _warm_handler(calls, floor=floor) as (call, events):
        for event in events:
            started = time.process_time_ns()
            response = call(event)
            first.append((time.process_time_ns() - started) / 1000)
            assert response["statusCode"] == 200, response
        for event in events:
            started = time.process_time_ns()
            call(event)
            duplicate.append((time.process_time_ns() - started) / 1000)

    def least_run_median(samples: list[float]) -> float:
        size = max(1, len(samples) // RUNS)
        return round(min(statistics.median(samples[i : i + size]) for i in range(0, len(samples), size)), 1)

    return {
        "first_us_median": round(statistics.median(first), 1),
        "duplicate_us_median": round(statistics.median(duplicate), 1),
        "first_us_least_run": least_run_median(first),
        "duplicate_us_least_run": least_run_median(duplicate),
    }


def measure(calls: int, *, count_floor: bool = True) -> dict[str, Any]:
    """Our warm handler's CPU per notify and its instructions, counted by cachegrind over COUNTED
    notifies (deterministic); and the same of warm_floor's handler, its `floor_` figures (its
    instructions only with `count_floor`)."""
    ours = _cpu_per_notify(calls, floor=False) | instructions_per_notify(*COUNTED)
    floor = _cpu_per_notify(calls, floor=True) | (instructions_per_notify(*COUNTED, floor=True) if count_floor else {})
    return {"calls": calls} | ours | {f"floor_{name}": value for name, value in floor.items()}


# Counted notifies: the same warm handler and the same verifications made in both runs, only how
# many are notified differs, so the difference of the two counts is the notifies' own. A notify's
# count depends a little on how many came before it (10/20 and 50/100 differ by up to a fifth), so
# the smoke run and the full one count the same ones, for their counts to compare with one ceiling.
COUNTED = (25, 50)


def instructions_per_notify(few: int, many: int, *, floor: bool = False) -> dict[str, int]:
    """Instructions per first and per duplicate notify, from cachegrind runs of this module."""

    def counted(firsts: int, duplicates: int) -> int:
        code = f"from infra.bench.warm import notify; notify({many}, {firsts}, {duplicates}, floor={floor})"
        # One hash seed for every run: with a random one each process's count moves by about 0.1%,
        # which the difference of two whole processes' counts turns into several % per notify.
        return instructions(code, os.environ | {"PYTHONPATH": f"{ROOT / 'shared'}:{ROOT}", "PYTHONHASHSEED": "0"})

    firsts = counted(many, 0) - counted(few, 0)
    duplicates = counted(many, many) - counted(many, few)
    return {
        "first_instructions": round(firsts / (many - few)),
        "duplicate_instructions": round(duplicates / (many - few)),
    }


def notify(calls: int, firsts: int, duplicates: int, *, floor: bool = False) -> None:
    """`firsts` first notifies, then `duplicates` duplicates, of `calls` verifications. The garbage
    collector is paused: its passes fall on whichever call crosses its threshold, which would make
    the difference of two counts depend on how many notifies are counted."""
    with _warm_handler(calls, floor=floor) as (call, events):
        gc.collect()
        gc.disable()
        try:
            for event in events[:firsts]:
                call(event)
            for event in events[:duplicates]:
                call(event)
        finally:
            gc.enable()
