"""The Webhooks parameter (docs/decisions.md §21): Disabled by default, and then the stack has none
of the webhook path's resources (nothing that runs or bills per event), no webhook route, no
output naming them, and nothing left that refers to them; Enabled, all of them. Proven on the
template as CloudFormation creates it (tests/unit/infra/conftest.py)."""

from __future__ import annotations

import json
import re
from typing import Any

from infra.local.template import ROOT, load
from tests.unit.infra.conftest import Stack

PSEUDO = {"AWS::Region", "AWS::AccountId", "AWS::Partition", "AWS::StackName", "AWS::URLSuffix", "AWS::NoValue"}


def webhook_resources() -> set[str]:
    """The template's resources that exist only with webhooks on."""
    return {name for name, resource in load()["Resources"].items() if resource.get("Condition") == "WebhooksEnabled"}


def references(node: Any) -> set[str]:
    """Every logical id a Ref, GetAtt or Sub of the document names."""
    if isinstance(node, list):
        return set().union(*(references(item) for item in node))
    if not isinstance(node, dict):
        return set()
    found = set().union(*(references(item) for item in node.values()))
    if isinstance(node.get("Ref"), str):
        found.add(node["Ref"])
    if isinstance(node.get("Fn::GetAtt"), list):
        found.add(node["Fn::GetAtt"][0])
    sub = node.get("Fn::Sub")
    text = sub if isinstance(sub, str) else sub[0] if isinstance(sub, list) else ""
    local = set(sub[1]) if isinstance(sub, list) else set()
    found |= {name.split(".")[0] for name in re.findall(r"\$\{([\w:.]+)\}", text)} - local
    return found


def test_the_parameter_is_off_unless_asked_for() -> None:
    parameter = load()["Parameters"]["Webhooks"]
    assert parameter["Default"] == "Disabled" and parameter["AllowedValues"] == ["Disabled", "Enabled"]


def test_every_resource_of_the_webhook_path_is_conditional() -> None:
    # Given the template as written: whatever is named for webhooks carries the condition
    resources = load()["Resources"]
    named = {name for name in resources if name.startswith("Webhook")}
    assert named == webhook_resources()
    assert {"WebhookEventsRule", "WebhookDeliveryFunction", "WebhookSecretsKey", "WebhookDLQNotEmptyAlarm"} <= named


def test_disabled_by_default_the_stack_has_no_webhook_resource_route_or_output(stack_with: Stack) -> None:
    # Given a stack with the default parameters (webhooks off)
    stack = stack_with({"CallerAccountIds": "333333333333"})
    resources = stack["Resources"]
    # Then none of the webhook resources, nor any SAM makes for their functions (role, permissions,
    # event source mappings), exists; no queue, key or rule is left but the publisher's DLQ and
    # the alarm topic's key
    assert not {name for name in resources if name.startswith("Webhook")}
    assert {n for n, r in resources.items() if r["Type"] == "AWS::SQS::Queue"} == {"PublisherDLQ"}
    assert {n for n, r in resources.items() if r["Type"] == "AWS::KMS::Key"} == {"AlarmTopicKey"}
    assert not [r for r in resources.values() if r["Type"] == "AWS::Lambda::EventSourceMapping" and "Webhook" in str(r)]
    # ... no route of the API names a webhook path, and the caller role may not invoke one
    paths = resources["HttpApi"]["Properties"]["Body"]["paths"]
    assert paths and not [path for path in paths if "webhook" in path]
    assert "webhook" not in str(resources["ApiCallerRole"]["Properties"]["Policies"])
    # ... no output names them, and nothing in the stack refers to a resource it does not have
    assert "WebhookDLQUrl" not in stack["Outputs"]
    assert references(stack) - set(resources) - set(stack["Parameters"]) - PSEUDO == set()


def test_enabled_the_stack_has_every_webhook_resource_and_route(stack_with: Stack) -> None:
    stack = stack_with({"Webhooks": "Enabled"})
    resources = stack["Resources"]
    assert webhook_resources() <= set(resources)
    paths = resources["HttpApi"]["Properties"]["Body"]["paths"]
    assert {"/v1/webhook-subscriptions", "/v1/webhook-events/{event_id}/attempts"} <= set(paths)
    assert "WebhookDLQUrl" in stack["Outputs"]
    assert references(stack) - set(resources) - set(stack["Parameters"]) - PSEUDO == set()


def test_the_api_document_lists_the_webhook_routes_as_existing_only_with_webhooks_enabled() -> None:
    # Given api/openapi.json (make schemas; its drift test keeps it current)
    paths = json.loads((ROOT / "api" / "openapi.json").read_text())["paths"]
    # Then exactly the webhook routes say they exist only in a stack with Webhooks=Enabled
    marked = {(path, method) for path, ops in paths.items() for method, op in ops.items() if "x-deployed-only-if" in op}
    webhook = {(path, method) for path, ops in paths.items() for method in ops if "/v1/webhook-" in path}
    assert marked == webhook and len(webhook) == 5
    for path, method in marked:
        operation = paths[path][method]
        assert operation["x-deployed-only-if"] == "Webhooks=Enabled"
        assert operation["description"].endswith("Only in a stack deployed with Webhooks=Enabled.")
