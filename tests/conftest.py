"""Fixtures every level shares: the FaceID sandbox in this process (the sandbox's own tests, and the
integration tests' FaceID), and, for the tests that run through the local stack (e2e and browser),
the stack as `make serve` runs it, in a subprocess, started only when a test asks for it."""

from __future__ import annotations

import os
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
from tests.parallel import GroupScheduling, sees_the_stacks_endpoint

TOKEN_TTL_SECONDS = 25


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook, for `make test`'s `-n auto`
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> GroupScheduling:
    return GroupScheduling(config, log)


# The moto server's URL that `endpoints` pointed this process's boto3 at, for the session.
STACK_AWS_URL = pytest.StashKey[str]()


@pytest.fixture(autouse=True)
def local_stack_endpoint_only_in_its_group(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test outside the local stack's group, run later in the same worker, must not send its calls
    to the stack's moto server (its in-process moto would not see them): for that test the stack's
    endpoint is unset. One a test's own fixture sets (tests/package's moto server) stays."""
    stack_url = request.config.stash.get(STACK_AWS_URL, None)
    if sees_the_stacks_endpoint(request.node.nodeid, stack_url, os.environ.get("AWS_ENDPOINT_URL")):
        monkeypatch.delenv("AWS_ENDPOINT_URL")


@pytest.fixture(scope="session")
def endpoints(pytestconfig: pytest.Config) -> Iterator[Endpoints]:
    endpoints = Endpoints.from_environment()
    use_local_aws(endpoints)
    pytestconfig.stash[STACK_AWS_URL] = endpoints.aws
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
