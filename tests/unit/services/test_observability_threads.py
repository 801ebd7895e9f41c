"""The shared Metrics and Logger used from several threads at once (the reconciler's workers):
every metric value emitted exactly once, every log line naming its own thread's verification."""

from __future__ import annotations

import io
import json
import logging
import sys
import threading
from collections.abc import Callable, Iterator

import pytest

from faceid_bridge.observability import about_verification, logger, metrics

THREADS, EACH = 8, 2_000


@pytest.fixture
def switching_often() -> Iterator[None]:
    """Threads switched every microsecond instead of every 5 ms, so that a race shows up in a test's
    time (unguarded, Powertools' metric set loses or repeats values within a few thousand adds)."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def in_threads(work: Callable[[int], None]) -> None:
    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_metrics_added_from_many_threads_are_each_emitted_once(
    switching_often: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given metrics switched on, as deployed (a set is printed each time a metric reaches 100 values)
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    metrics.clear_metrics()
    capsys.readouterr()

    # When eight threads add 2,000 values each to one metric
    def add(_: int) -> None:
        for _ in range(EACH):
            metrics.add_metric(name="ThreadedCount", unit="Count", value=1)

    in_threads(add)
    # Then every printed line is one whole EMF document, and the values printed and still held add up
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    emitted = sum(len(document["ThreadedCount"]) for document in printed)
    held = len(metrics.metric_set.get("ThreadedCount", {}).get("Value", []))
    metrics.clear_metrics()
    assert emitted + held == THREADS * EACH


def test_each_threads_log_lines_name_its_own_verification(switching_often: None) -> None:
    # Given the functions' Logger writing to a stream, formatted as it writes (in the writing thread)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logging.getLogger(logger.name).addHandler(handler)

    # When threads that each name a verification log about it at once
    def log(n: int) -> None:
        about_verification(f"vrf_{n}")
        try:
            for _ in range(50):
                logger.info("about one", extra={"expected": f"vrf_{n}"})
        finally:
            logger.thread_safe_remove_keys(["verification_id"])

    before = dict(logger.thread_safe_get_current_keys())  # this thread's, whatever an earlier test left
    try:
        in_threads(log)
    finally:
        logging.getLogger(logger.name).removeHandler(handler)
    # Then each line names the verification of the thread that wrote it, and this thread's keys are its own
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) == THREADS * 50
    assert all(line["verification_id"] == line["expected"] for line in lines)
    assert logger.thread_safe_get_current_keys() == before
