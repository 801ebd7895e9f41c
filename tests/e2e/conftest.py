"""Fixtures of the e2e tests: the sandbox's fault switches, reset after each test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from infra.local.client import LocalClient
from infra.local.webhook_receiver import Receiver


@pytest.fixture
def faults(client: LocalClient) -> Iterator[Any]:
    def set_faults(**switches: Any) -> None:
        client.http.put(f"{client.endpoints.sandbox}/sandbox/v1/faults", json=switches, timeout=10).raise_for_status()

    yield set_faults
    client.http.delete(f"{client.endpoints.sandbox}/sandbox/v1/faults", timeout=10)


@pytest.fixture(scope="session")
def receiver() -> Iterator[Receiver]:
    """The webhook endpoint the local stack admits (its allow-list), verifying with standardwebhooks."""
    started = Receiver().start()
    yield started
    started.stop()
