"""Local notify throughput: our callbacks handler against a minimal one ("check the sign, one
conditional UpdateItem"), all in this process, at concurrency 8, on the same moto server and table,
at growing table sizes. The ratio says how much of the local stack's time is our code's; its trend
with the table's size says whether a notify's cost grows with the table. Beside them, the floor: a
minimal handler making our calls (a GetItem and a transaction of the transition and its audit
record), so the floor's ratio is the most our call pattern allows on moto, whatever our code."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from faceid_bridge.adapters import aws
from faceid_bridge.adapters.credentials import secrets_provider
from faceid_bridge.adapters.dynamodb import VerificationStore
from faceid_bridge.channels.h5_lite.contract import lite_sign, lite_sign_valid
from faceid_bridge.forms import parse_form
from infra.bench.warm import _quiet, _verification
from infra.local.functions import FunctionHost
from infra.local.template import ROOT, Template
from infra.sandbox.outcomes import Outcome, lite_result

# Beside the local stack's 4566; FACEID_BRIDGE_BENCH_PORT moves it, so two runs on one machine do not collide.
PORT = int(os.environ.get("FACEID_BRIDGE_BENCH_PORT", "4567"))
SECRET = "sandbox-secret"  # noqa: S105 - the local stack's sandbox secret
CONCURRENCY = 8


def _form(biz_id: str) -> str:
    session = {"biz_id": biz_id, "options": {"biz_no": "order", "comparison_type": "0"}, "references": ["ref1"]}
    data = json.dumps(lite_result(session, Outcome(outcome="pass")), separators=(",", ":"))
    return urlencode({"data": data, "sign": lite_sign(SECRET, data)})


def _signed_biz_id(body: str) -> str:
    form = parse_form(body.encode(), "application/x-www-form-urlencoded")
    data, sign = form["data"][0].decode(), form["sign"][0].decode()
    if not lite_sign_valid([SECRET], data, sign):
        raise RuntimeError("bad sign")
    return str(json.loads(data)["biz_info"]["biz_id"])


def _transition(table: str, key: dict[str, Any]) -> dict[str, Any]:
    return {
        "TableName": table,
        "Key": key,
        "UpdateExpression": "SET #status = :ok",
        "ConditionExpression": "attribute_not_exists(#status)",
        "ExpressionAttributeNames": {"#status": "status"},
        "ExpressionAttributeValues": {":ok": {"S": "OK"}},
    }


def _baseline(table: str, body: str) -> None:
    """The least a notify handler can do: check the sign, make one conditional write."""
    biz_id = _signed_biz_id(body)
    aws.client("dynamodb").update_item(
        **_transition(table, {"pk": {"S": f"BASELINE#{biz_id}"}, "sk": {"S": "BASELINE"}})
    )


def _floor(table: str, body: str) -> None:
    """The least a notify handler making our calls can do: check the sign, read the verification,
    write its transition and its audit record in one transaction (the floor of our ratio: moto's
    time for our two calls, with none of our code around them)."""
    biz_id = _signed_biz_id(body)
    key = {"pk": {"S": f"FLOOR#{biz_id}"}, "sk": {"S": "FLOOR"}}
    client = aws.client("dynamodb")
    client.get_item(TableName=table, Key=key, ConsistentRead=True)
    audit = {"pk": {"S": f"FLOOR#{biz_id}"}, "sk": {"S": "AUDIT#1"}, "detail": {"S": body}}
    client.transact_write_items(
        TransactItems=[{"Update": _transition(table, key)}, {"Put": {"TableName": table, "Item": audit}}]
    )


def _forget_configuration() -> None:
    """Settings and adapters are built once per process; the warm section built them for its fakes."""
    from faceid_bridge import wiring
    from faceid_bridge.config import load

    load.cache_clear()
    for factory in (wiring.store, wiring.credentials, wiring.request_hash_key, wiring.faceid, wiring.bus):
        factory.cache_clear()
    aws.client.cache_clear()
    secrets_provider.cache_clear()


def _process_cpu_seconds(pid: int) -> float:
    """A process's CPU time (user + system), from Linux's /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Throughput:
    def __init__(self, table: str, moto_pid: int) -> None:
        _forget_configuration()
        self.table, self.moto_pid = table, moto_pid
        self.store = VerificationStore(table)
        spec = next(s for s in Template().functions() if s.code_dir.name == "h5_lite_callbacks")
        self.host = FunctionHost(spec)
        self.event: dict[str, Any] = json.loads((ROOT / "events" / "api" / "notify.json").read_text())
        self.seeded = 0

    def seed(self, total: int) -> None:
        """Verifications (as creation stores them) until the table holds `total`."""
        now = datetime.now(UTC)
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            list(pool.map(lambda n: self._seed_one(n, now), range(self.seeded, total)))
        self.seeded = max(self.seeded, total)

    def _seed_one(self, n: int, now: datetime) -> None:
        verification = _verification(n, now).model_copy(update={"verification_id": f"vrf_tp{n}"})
        verification = verification.model_copy(update={"biz_no": f"tp-{n}", "biz_id": f"tp-biz-{n}"})
        claim = self.store.claim_biz_no(verification.biz_no, verification.request_hash, now)
        assert claim.claim_id
        self.store.create(verification, claim.claim_id, index_biz_id=True)

    def _ours(self, biz_id: str) -> None:
        # The production path: the notify_url FaceID calls names the verification (one GetItem).
        verification_id = "vrf_tp" + biz_id.removeprefix("tp-biz-")
        query = {"queryStringParameters": {"verification_id": verification_id}}
        event = self.event | query | {"rawQueryString": f"verification_id={verification_id}"}
        event |= {"body": _form(biz_id), "isBase64Encoded": False}
        response = self.host.invoke(event)
        if response["statusCode"] != 200:
            raise RuntimeError(response)

    def rate(self, which: str, biz_ids: list[str]) -> tuple[float, float, float]:
        """Notifies per second for these (first) notifies, and the CPU ms each took in moto's
        process and in this one (the handler's, botocore's and the threads')."""
        bodies = {biz_id: _form(biz_id) for biz_id in biz_ids}
        minimal = {"baseline": _baseline, "floor": _floor}.get(which)
        work = self._ours if minimal is None else (lambda biz_id: minimal(self.table, bodies[biz_id]))
        moto, ours, started = _process_cpu_seconds(self.moto_pid), time.process_time(), time.perf_counter()
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            list(pool.map(work, biz_ids))
        elapsed, n = time.perf_counter() - started, len(biz_ids)
        moto_ms = (_process_cpu_seconds(self.moto_pid) - moto) * 1000 / n
        return n / elapsed, moto_ms, (time.process_time() - ours) * 1000 / n


def measure(sizes: list[int], notifies: int, rounds: int = 3) -> list[dict[str, Any]]:
    """At each table size, interleaved rounds of ours and the baseline, each on fresh verifications,
    on a moto server started for this (DynamoDB's atomic writes, as in the local stack)."""
    from infra.local.endpoints import Endpoints, wait_for
    from infra.local.provision import provision
    from infra.local.stack import SANDBOX_CREDENTIALS, use_local_aws

    endpoints = Endpoints(aws=f"http://127.0.0.1:{PORT}", region="us-east-1")
    server = subprocess.Popen(
        [sys.executable, "-m", "infra.local.moto_server", "-H", "127.0.0.1", "-p", str(PORT)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(endpoints.aws, 30)
        use_local_aws(endpoints)
        template = Template()
        local = provision(
            template, region=endpoints.region, parameters={}, secrets={"FaceIdSecret": SANDBOX_CREDENTIALS}
        )
        os.environ.update(local.environment(template) | {"POWERTOOLS_METRICS_DISABLED": "true"})
        with _quiet():  # the function's log lines, as in warm.py
            return _rates(Throughput(local.refs["VerificationsTable"], server.pid), sizes, notifies, rounds)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _rates(bench: Throughput, sizes: list[int], notifies: int, rounds: int) -> list[dict[str, Any]]:
    results = []
    used = 0
    for size in sizes:
        bench.seed(size)
        runs: dict[str, list[tuple[float, float, float]]] = {"ours": [], "baseline": [], "floor": []}
        for _ in range(rounds):
            batch = [f"tp-biz-{n}" for n in range(used, used + notifies)]
            used += notifies
            if used > bench.seeded:
                bench.seed(used)
            for which, measured in runs.items():
                measured.append(bench.rate(which, batch))
        medians = {
            which: [statistics.median(run[i] for run in measured) for i in range(3)] for which, measured in runs.items()
        }
        ours, baseline, floor = (medians[which][0] for which in ("ours", "baseline", "floor"))
        results.append(
            {
                "table_verifications": bench.seeded,
                "ours_per_second": round(ours, 1),
                "baseline_per_second": round(baseline, 1),
                "floor_per_second": round(floor, 1),
                "ratio": round(ours / baseline, 2),
                "floor_ratio": round(floor / baseline, 2),
                "moto_cpu_ms_per_notify": {which: round(m[1], 1) for which, m in medians.items()},
                "client_cpu_ms_per_notify": {which: round(m[2], 1) for which, m in medians.items()},
            }
        )
    return results
