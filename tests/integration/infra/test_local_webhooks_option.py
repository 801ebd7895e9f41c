"""The local stack honours the template's Webhooks parameter (docs/decisions.md §21): by default it
runs them (make demo, make chaos and tests/e2e/test_webhooks.py deliver webhooks); with
FACEID_BRIDGE_PARAM_Webhooks=Disabled, the default deployment's shape, it creates none of their
queues, rule or key, and hosts neither webhook function nor route."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import boto3
import pytest

from infra.local.endpoints import Endpoints, wait_for
from infra.local.stack import PARAMETER_PREFIX, configure
from infra.local.template import ROOT
from tests.support import free_port

WEBHOOK_FUNCTIONS = {"WebhookSubscriptionsFunction", "WebhookDeliveryFunction"}


@pytest.fixture
def moto_url() -> Iterator[str]:
    """A moto server of this test's own, and this process's environment as it was after the test
    (configure() sets the functions' environment on it)."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "infra.local.moto_server", "-p", str(port)], cwd=ROOT, stderr=subprocess.DEVNULL
    )
    saved = dict(os.environ)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(url, process=server)
        yield url
    finally:
        os.environ.clear()
        os.environ.update(saved)
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize("webhooks", [None, "Disabled"])
def test_the_local_stack_creates_the_webhook_path_only_when_enabled(
    moto_url: str, webhooks: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the local stack's parameters: its own (webhooks on), or the default deployment's override
    monkeypatch.delenv(f"{PARAMETER_PREFIX}Webhooks", raising=False)
    if webhooks:
        monkeypatch.setenv(f"{PARAMETER_PREFIX}Webhooks", webhooks)
    # When it provisions its resources and configures its functions
    template, _stack = configure(Endpoints(aws=moto_url, region="us-east-1"))
    # Then with webhooks on it has their functions, routes, queues, rule and key; off, none of them
    enabled = webhooks is None
    functions = {spec.logical_id for spec in template.functions()}
    routes = {route.path for spec in template.functions() for route in spec.routes}
    queues = {url.rsplit("/", 1)[1] for url in boto3.client("sqs").list_queues().get("QueueUrls", [])}
    rules = {rule["Name"] for rule in boto3.client("events").list_rules(EventBusName="faceid-bridge")["Rules"]}
    aliases = {alias["AliasName"] for alias in boto3.client("kms").list_aliases()["Aliases"]}
    assert (WEBHOOK_FUNCTIONS & functions) == (WEBHOOK_FUNCTIONS if enabled else set())
    assert any("webhook" in path for path in routes) == enabled
    assert "/v1/verifications" in routes and "PublisherFunction" in functions  # the rest is there either way
    assert {q for q in queues if "Webhook" in q} == (
        {"faceid-bridge-WebhookEventsQueue", "faceid-bridge-WebhookDeliveriesQueue", "faceid-bridge-WebhookDLQ"}
        if enabled
        else set()
    )
    assert "faceid-bridge-PublisherDLQ" in queues
    assert ("faceid-bridge-WebhookEventsRule" in rules) == enabled
    assert ("alias/faceid-bridge-WebhookSecretsKey" in aliases) == enabled
    assert ("WEBHOOK_QUEUE_URL" in os.environ) == enabled
