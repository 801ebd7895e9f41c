"""The request's one line (request_line.py): what it defers, and every case where it writes at once
or apart, as before, because one line could not mean the same."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from aws_lambda_powertools import Logger

from faceid_bridge.request_line import RequestLineProvider

SERVICE = "request-line-test"
# Powertools configures one logging.Logger per service name once: each test's Logger a name of its own.
_INSTANCES = iter(range(1_000_000))


class Written:
    """What a provider of its own writes: the Logger's lines and the metric sets printed alone."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.stream = io.StringIO()
        name = f"{SERVICE}-{next(_INSTANCES)}"
        self.logger = Logger(service=name, logger_handler=logging.StreamHandler(self.stream))
        self.provider = RequestLineProvider(logger=self.logger, lock=threading.RLock(), namespace="Test", service=name)
        self.capsys = capsys

    def logged(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]

    def printed(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.capsys.readouterr().out.splitlines()]

    def request(self, work: Any) -> None:
        self.provider.log_metrics(lambda event, context: work())({}, None)


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[Written]:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    capsys.readouterr()
    yield Written(capsys)


def dimension_sets(document: dict[str, Any]) -> list[list[str]]:
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    return list(directive["Dimensions"])


def test_outside_a_request_a_note_and_a_count_are_written_at_once(written: Written) -> None:
    # When a note and a count come with no request open (a worker thread, a script)
    written.provider.note("noted", verification_id="vrf_1")
    written.provider.count("Things", {"channel": "h5_lite"})
    # Then each is its own line, at once, the note's naming where it was noted
    (line,) = written.logged()
    assert line["message"] == "noted" and line["location"].startswith("test_outside_a_request")
    (document,) = written.printed()
    assert dimension_sets(document) == [["service", "channel"]] and document["Things"] == [1.0]


def test_a_request_with_one_count_of_its_one_metric_writes_one_line(written: Written) -> None:
    def work() -> None:
        written.provider.add_metric(name="Things", unit="Count", value=1)
        written.provider.count("Things", {"channel": "h5_lite"})
        written.provider.note("noted", verification_id="vrf_1")

    # When a request counts one thing, per channel too, and notes what it did
    written.request(work)
    # Then it wrote one line, the Logger's, with both dimension sets and the note's facts
    assert written.printed() == []
    (line,) = written.logged()
    assert (line["message"], line["verification_id"], line["location"].split(":")[0]) == ("noted", "vrf_1", "work")
    assert dimension_sets(line) == [["service"], ["service", "channel"]] and line["Things"] == [1.0]


def test_a_count_one_document_cannot_carry_is_written_apart(written: Written) -> None:
    def work() -> None:
        written.provider.add_metric(name="Things", unit="Count", value=1)
        written.provider.add_metric(name="Others", unit="Count", value=1)
        written.provider.count("Things", {"channel": "h5_lite"})
        written.provider.note("noted")

    # When the metric set holds another metric (a second dimension set would apply to it too)
    written.request(work)
    # Then the per-channel count is its own line, and the set's line carries the note alone
    (alone,) = written.printed()
    assert dimension_sets(alone) == [["service", "channel"]] and alone["Things"] == [1.0]
    (line,) = written.logged()
    assert dimension_sets(line) == [["service"]] and (line["Things"], line["Others"]) == ([1.0], [1.0])


def test_a_second_note_is_logged_at_once(written: Written) -> None:
    def work() -> None:
        written.provider.add_metric(name="Things", unit="Count", value=2)
        written.provider.note("first")
        written.provider.note("second")

    written.request(work)
    # Then one line carries one message: the second at once, the first with the metric set
    assert [line["message"] for line in written.logged()] == ["second", "first"]
    assert written.printed() == []


def test_below_the_log_level_the_metrics_are_still_printed(written: Written) -> None:
    written.logger.setLevel(logging.WARNING)

    def work() -> None:
        written.provider.add_metric(name="Things", unit="Count", value=1)
        written.provider.note("noted")

    written.request(work)
    assert written.logged() == []
    (document,) = written.printed()
    assert document["Things"] == [1.0] and "message" not in document


def test_with_metrics_off_the_note_is_still_logged(written: Written, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")

    def work() -> None:
        written.provider.add_metric(name="Things", unit="Count", value=1)
        written.provider.count("Things", {"channel": "h5_lite"})
        written.provider.note("noted")

    written.request(work)
    assert written.printed() == []
    (line,) = written.logged()
    assert line["message"] == "noted" and "_aws" not in line


def test_a_request_that_fails_still_writes_its_line(written: Written) -> None:
    def work() -> None:
        written.provider.add_metric(name="Things", unit="Count", value=1)
        written.provider.note("noted")
        raise RuntimeError("after the transition")

    with pytest.raises(RuntimeError):
        written.request(work)
    (line,) = written.logged()
    assert line["message"] == "noted" and line["Things"] == [1.0]
