"""Fixtures every level shares: the FaceID sandbox in this process (the sandbox's own tests, and the
integration tests' FaceID), and, for the tests that run through the local stack (e2e and browser),
the stack as `make serve` runs it, in a subprocess, started only when a test asks for it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from infra.local.chaos import STACK_ENVIRONMENT
from infra.local.client import LocalClient, Subscriber
from infra.local.endpoints import Endpoints, reachable
from infra.local.stack import start_stack, use_local_aws
from infra.sandbox.server import create_server
from tests.parallel import GroupScheduling

TOKEN_TTL_SECONDS = 25


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook, for `make test`'s `-n auto`
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> GroupScheduling:
    return GroupScheduling(config, log)


@pytest.fixture(scope="session")
def endpoints() -> Iterator[Endpoints]:
    endpoints = Endpoints.from_environment()
    use_local_aws(endpoints)
    stack = None
    if not reachable(endpoints.gateway):
        # Short token lives and a fast reconciler, so that expiry and reconciliation can be watched.
        environment = STACK_ENVIRONMENT | {"SANDBOX_TOKEN_TTL_SECONDS": str(TOKEN_TTL_SECONDS)}
        stack = start_stack(environment, "e2e-stack.log")
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


@pytest.fixture
def sandbox_server() -> Flask:
    """A FaceID sandbox of the test's own: a fresh state, nothing left by another test."""
    return create_server()


@pytest.fixture
def sandbox_client(sandbox_server: Flask) -> FlaskClient:
    """The test's sandbox through Flask's test client."""
    return sandbox_server.test_client()
