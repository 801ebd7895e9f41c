"""The local stack's stream poller when moto goes away: quiet if the stack is stopping (moto stops
before the poller's thread at `make demo`'s end), a traceback and another try if it is not."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError

from infra.local.poller import StreamPoller


class GoneStreams:
    """A streams client whose server is gone; the stack's stop arrives after `calls_before_stop` calls."""

    def __init__(self, poller: StreamPoller, calls_before_stop: int) -> None:
        self.poller, self.calls, self.calls_before_stop = poller, 0, calls_before_stop

    def describe_stream(self, **_: Any) -> dict[str, Any]:
        self.calls += 1
        if self.calls > self.calls_before_stop:
            self.poller.stopped.set()
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")


def poller(calls_before_stop: int) -> tuple[StreamPoller, GoneStreams]:
    spec = SimpleNamespace(logical_id="PublisherFunction", stream={"Stream": "arn:aws:dynamodb:stream/x"})
    stack = SimpleNamespace(resolve=lambda value: value, region="us-east-1")
    stream_poller = StreamPoller(SimpleNamespace(spec=spec), stack, interval=0)  # type: ignore[arg-type]
    gone = GoneStreams(stream_poller, calls_before_stop)
    stream_poller.streams = gone
    return stream_poller, gone


def test_a_stopping_stack_stops_the_poller_without_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    # Given a poller whose moto went away as the stack stops
    stopping, streams = poller(calls_before_stop=0)
    # When it polls
    stopping.run()
    # Then it ends after the one failed call, and prints nothing
    assert streams.calls == 1
    assert capsys.readouterr().err == ""


def test_a_running_stack_reports_the_failure_and_polls_again(capsys: pytest.CaptureFixture[str]) -> None:
    # Given a poller whose moto fails while the stack still runs, and stops on the next call
    running, streams = poller(calls_before_stop=1)
    # When it polls
    running.run()
    # Then the first failure is printed and the poller tried again
    assert streams.calls == 2
    assert capsys.readouterr().err.count("Traceback") == 1
