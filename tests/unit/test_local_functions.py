"""The local stack hosts handlers as Lambda does: an execution environment serves one invocation
at a time, and concurrent invocations get environments of their own (found by `make chaos`: the
Powertools resolver keeps the current request on its module-level app)."""

from __future__ import annotations

import threading
from pathlib import Path

from infra.local.functions import FunctionHost
from infra.local.template import FunctionSpec

HANDLER = """
import time

STATE = {"current": None}


def lambda_handler(event, context):
    STATE["current"] = event["n"]
    time.sleep(0.2)  # another invocation would overwrite STATE meanwhile if it shared this module
    return {"n": event["n"], "seen": STATE["current"], "environment": id(STATE)}
"""


def test_concurrent_invocations_never_share_an_environment_and_idle_ones_are_reused(tmp_path: Path) -> None:
    # Given a handler that keeps per-invocation state in its module, as Powertools' resolver does
    (tmp_path / "app.py").write_text(HANDLER)
    host = FunctionHost(FunctionSpec("Fn", tmp_path, "app.lambda_handler", {}, timeout_seconds=5))
    results: list[dict[str, int]] = []
    # When four invocations run at once, and then one more after them
    threads = [threading.Thread(target=lambda n=n: results.append(host.invoke({"n": n}))) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    later = host.invoke({"n": 9})
    # Then each saw only its own state, in an environment of its own, and the later one reused one
    assert sorted((result["n"], result["seen"]) for result in results) == [(0, 0), (1, 1), (2, 2), (3, 3)]
    environments = {result["environment"] for result in results}
    assert len(environments) == 4 and later["environment"] in environments
