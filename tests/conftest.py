"""Fixtures for the tests that run through the local stack (e2e and browser): the stack as
`make serve` runs it, in a subprocess, started only when a test asks for it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from infra.local.client import LocalClient, Subscriber
from infra.local.stack import Endpoints, reachable, use_local_aws, wait_for
from infra.local.template import ROOT


@pytest.fixture(scope="session")
def endpoints() -> Iterator[Endpoints]:
    endpoints = Endpoints.from_environment()
    use_local_aws(endpoints)
    stack = None
    if not reachable(endpoints.gateway):
        log = (ROOT / ".local").joinpath("e2e-stack.log")
        log.parent.mkdir(exist_ok=True)
        stack = subprocess.Popen(
            [sys.executable, "-m", "infra.local.stack"],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        wait_for(endpoints.gateway, 60)
    yield endpoints
    if stack is not None:
        stack.terminate()
        stack.wait(timeout=30)


@pytest.fixture(scope="session")
def client(endpoints: Endpoints) -> LocalClient:
    return LocalClient(endpoints)


@pytest.fixture(scope="session")
def subscriber(endpoints: Endpoints) -> Subscriber:
    return Subscriber(endpoints)
