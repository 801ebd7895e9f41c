"""The local stack's SQS poller when moto goes away mid-delivery: quiet if the stack is stopping
(`make demo`'s end stops moto while a batch may be in the function), and nothing lost: what was not
delivered stays on the queue. While the stack runs, a failure is printed and the poller goes on."""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError

from infra.local.queue_poller import QueuePoller

MESSAGE = {"MessageId": "m-1", "ReceiptHandle": "rh-1", "Body": "{}", "MD5OfBody": "x"}


class FakeSqs:
    """What the poller calls of SQS besides receiving and deleting, and the stack's stop."""

    poller: QueuePoller | None = None

    def get_queue_url(self, **_: Any) -> dict[str, str]:
        return {"QueueUrl": "http://127.0.0.1:1/000000000000/WebhookDeliveriesQueue"}

    def stop(self) -> None:
        assert self.poller is not None
        self.poller.stopped.set()


def poller(
    monkeypatch: pytest.MonkeyPatch,
    sqs: FakeSqs,
    invoke: Callable[[dict[str, Any]], dict[str, Any]],
    properties: dict[str, Any] | None = None,
    **options: Any,
) -> QueuePoller:
    """A poller of `sqs`'s queue (BatchSize 1, and `properties`) for a function that is `invoke`."""
    monkeypatch.setattr(boto3, "client", lambda *_, **__: sqs)
    host = SimpleNamespace(spec=SimpleNamespace(logical_id="WebhookDeliveryFunction"), invoke=invoke)
    stack = SimpleNamespace(resolve=lambda value: value, region="us-east-1")
    queue = {"Queue": "arn:aws:sqs:us-east-1:000000000000:WebhookDeliveriesQueue", "BatchSize": 1}
    sqs.poller = QueuePoller(host, queue | (properties or {}), stack, **options)  # type: ignore[arg-type]
    return sqs.poller


class Sqs(FakeSqs):
    """A queue holding one message; its server goes away at the call named `gone_at` (the function's
    invocation or the delete), the stack's stop arriving then if `stopping`, else at the next receive."""

    def __init__(self, gone_at: str, *, stopping: bool) -> None:
        self.gone_at, self.stopping = gone_at, stopping
        self.receives = 0
        self.deleted: list[str] = []

    def receive_message(self, **_: Any) -> dict[str, Any]:
        self.receives += 1
        if self.receives > 1:  # the poller went on after the failure: the stack stops now
            self.stop()
            return {}
        return {"Messages": [MESSAGE]}

    def delete_message_batch(self, **request: Any) -> None:
        self.fail_if("delete")
        self.deleted += [entry["ReceiptHandle"] for entry in request["Entries"]]

    def fail_if(self, call: str) -> None:
        if call == self.gone_at:
            if self.stopping:
                self.stop()
            raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        self.fail_if("invoke")  # the function's own calls to moto fail
        return {"batchItemFailures": []}


@pytest.mark.parametrize("gone_at", ["invoke", "delete"])
def test_a_stopping_stack_stops_the_poller_quietly_and_the_batch_stays_on_the_queue(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], gone_at: str
) -> None:
    # Given a poller whose moto goes away, as the stack stops, while it delivers a batch
    sqs = Sqs(gone_at, stopping=True)
    stopping = poller(monkeypatch, sqs, sqs.invoke, concurrency=1)
    # When it polls
    stopping.run()
    # Then it ends after that batch, prints nothing, and deleted nothing: the message is still queued
    assert (sqs.receives, sqs.deleted) == (1, [])
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("gone_at", ["invoke", "delete"])
def test_a_running_stack_reports_the_failure_and_polls_again(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], gone_at: str
) -> None:
    # Given a poller whose moto fails mid-delivery while the stack still runs
    sqs = Sqs(gone_at, stopping=False)
    running = poller(monkeypatch, sqs, sqs.invoke, concurrency=1)
    # When it polls
    running.run()
    # Then the failure is printed once, nothing was deleted, and the poller received again
    assert (sqs.receives, sqs.deleted) == (2, [])
    assert capsys.readouterr().err.count("Traceback") == 1


class Backlog(FakeSqs):
    """A queue of `count` one-message batches, and a function invocation that waits until
    `at_once` of them run at the same time (or gives up after 5 s)."""

    def __init__(self, count: int, at_once: int) -> None:
        self.messages = [MESSAGE | {"MessageId": f"m-{n}", "ReceiptHandle": f"rh-{n}"} for n in range(count)]
        self.together = threading.Barrier(at_once, timeout=5)
        self.deleted: list[str] = []
        self.lock = threading.Lock()

    def receive_message(self, **_: Any) -> dict[str, Any]:
        with self.lock:
            if not self.messages:
                self.stop()
                return {}
            return {"Messages": [self.messages.pop()]}

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        self.together.wait()
        return {"batchItemFailures": []}

    def delete_message_batch(self, **request: Any) -> None:
        with self.lock:
            self.deleted += [entry["ReceiptHandle"] for entry in request["Entries"]]


@pytest.mark.parametrize(("properties", "at_once"), [({}, 5), ({"ScalingConfig": {"MaximumConcurrency": 2}}, 2)])
def test_the_function_takes_five_batches_at_once_as_lambda_starts_or_the_templates_cap(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], properties: dict[str, Any], at_once: int
) -> None:
    # Given a backlog of one-message batches, each invocation waiting for `at_once` to run together
    backlog = Backlog(count=at_once * 2, at_once=at_once)
    polling = poller(monkeypatch, backlog, backlog.invoke, properties)
    # When it polls the backlog
    polling.run()
    # Then every batch was delivered and deleted, `at_once` at a time: no invocation waited in vain
    assert sorted(backlog.deleted) == sorted(f"rh-{n}" for n in range(at_once * 2))
    assert "BrokenBarrierError" not in capsys.readouterr().err
