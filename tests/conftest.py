"""Fixtures for the tests that run through the local stack (e2e and browser): the stack as
`make serve` runs it, in a subprocess, started only when a test asks for it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from infra.local.chaos import STACK_ENVIRONMENT
from infra.local.client import LocalClient, Subscriber
from infra.local.stack import Endpoints, reachable, use_local_aws, wait_for
from infra.local.template import ROOT

TOKEN_TTL_SECONDS = 25


@pytest.fixture(scope="session")
def endpoints() -> Iterator[Endpoints]:
    endpoints = Endpoints.from_environment()
    use_local_aws(endpoints)
    stack = None
    if not reachable(endpoints.gateway):
        log = (ROOT / ".local").joinpath("e2e-stack.log")
        log.parent.mkdir(exist_ok=True)
        # Short token lives and a fast reconciler, so that expiry and reconciliation can be watched.
        env = os.environ | STACK_ENVIRONMENT | {"SANDBOX_TOKEN_TTL_SECONDS": str(TOKEN_TTL_SECONDS)}
        stack = subprocess.Popen(
            [sys.executable, "-m", "infra.local.stack"],
            cwd=ROOT,
            env=env,
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
