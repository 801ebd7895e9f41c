"""The SnapStart parameter (issue 17 item 3), proven on the template as CloudFormation gets it after
its transforms (infra/sam_transform.py): moto runs no SnapStart, so the template is the proof. Off
(the default): no snapshot, no version, no alias. On: every API function snapshots its published
versions, the alias "live" is what API Gateway calls and what API Gateway may invoke, a replaced
version is deleted; the reconciler and the publisher, which no caller waits on, stay as they are."""

from __future__ import annotations

import re
from typing import Any

import pytest

from infra.local.template import load
from tests.unit.infra.conftest import Stack

API_FUNCTIONS = {
    "CreateVerificationFunction",
    "GetVerificationFunction",
    "VerificationChangesFunction",
    "FaceIdCallbacksFunction",
    "AppVerificationsFunction",
    "RawVerificationsFunction",
    "WebhookSubscriptionsFunction",
}
BACKGROUND_FUNCTIONS = {"ReconcilerFunction", "PublisherFunction", "WebhookDeliveryFunction"}


@pytest.fixture(scope="module")
def stacks(stack_with: Stack) -> dict[str, dict[str, Any]]:
    """The stack with SnapStart off (by default) and on; webhooks on, so that every function is there."""
    return {
        "off": stack_with({"Webhooks": "Enabled"}),
        "on": stack_with({"SnapStart": "true", "Webhooks": "Enabled"}),
    }


def of_type(stack: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: resource for name, resource in stack["Resources"].items() if resource["Type"] == kind}


def integrations(stack: dict[str, Any]) -> list[str]:
    """What each route of the HTTP API invokes (its integration's URI)."""
    paths = stack["Resources"]["HttpApi"]["Properties"]["Body"]["paths"]
    return [
        operation["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
        for methods in paths.values()
        for operation in methods.values()
    ]


def test_the_parameter_is_off_unless_asked_for() -> None:
    parameter = load()["Parameters"]["SnapStart"]
    assert parameter["Default"] == "false" and parameter["AllowedValues"] == ["false", "true"]


def test_off_no_function_snapshots_and_none_has_a_version_or_an_alias(stacks: dict[str, dict[str, Any]]) -> None:
    # Given the stack with the parameter at its default
    stack = stacks["off"]
    # Then no function has SnapStart, nothing is published or aliased, and the API calls the functions
    assert all("SnapStart" not in f["Properties"] for f in of_type(stack, "AWS::Lambda::Function").values())
    assert of_type(stack, "AWS::Lambda::Version") == {} and of_type(stack, "AWS::Lambda::Alias") == {}
    assert all(re.search(r"\$\{\w+Function\.Arn\}", uri) for uri in integrations(stack))


def test_on_every_api_function_snapshots_its_published_versions(stacks: dict[str, dict[str, Any]]) -> None:
    functions = of_type(stacks["on"], "AWS::Lambda::Function")
    for name in API_FUNCTIONS:
        assert functions[name]["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    for name in BACKGROUND_FUNCTIONS:
        assert "SnapStart" not in functions[name]["Properties"]


def test_on_each_api_function_has_the_alias_live_on_a_version_deleted_when_replaced(
    stacks: dict[str, dict[str, Any]],
) -> None:
    stack = stacks["on"]
    aliases = of_type(stack, "AWS::Lambda::Alias")
    versions = of_type(stack, "AWS::Lambda::Version")
    assert {alias["Properties"]["FunctionName"]["Ref"] for alias in aliases.values()} == API_FUNCTIONS
    for alias in aliases.values():
        version = versions[alias["Properties"]["FunctionVersion"]["Fn::GetAtt"][0]]
        assert alias["Properties"]["Name"] == "live"
        assert version["DeletionPolicy"] == "Delete"  # its cached snapshot is charged while it exists


def test_on_api_gateway_calls_and_may_invoke_only_the_aliases(stacks: dict[str, dict[str, Any]]) -> None:
    stack = stacks["on"]
    aliases = set(of_type(stack, "AWS::Lambda::Alias"))
    # Then every route's integration invokes an alias ...
    invoked = {re.findall(r"\$\{(\w+)\}/invocations", uri)[0] for uri in integrations(stack)}
    assert invoked == aliases
    # ... and API Gateway's permissions name the aliases, never the unqualified functions
    granted = {
        permission["Properties"]["FunctionName"]["Ref"]
        for permission in of_type(stack, "AWS::Lambda::Permission").values()
        if permission["Properties"]["Principal"] == "apigateway.amazonaws.com"
    }
    assert granted == aliases


def test_on_the_background_functions_keep_their_event_sources(stacks: dict[str, dict[str, Any]]) -> None:
    stack = stacks["on"]
    mappings = of_type(stack, "AWS::Lambda::EventSourceMapping").values()
    assert sorted(mapping["Properties"]["FunctionName"]["Ref"] for mapping in mappings) == [
        "PublisherFunction",
        "WebhookDeliveryFunction",  # its two queues
        "WebhookDeliveryFunction",
    ]
    rules = of_type(stack, "AWS::Events::Rule").values()
    targets = [target["Arn"] for rule in rules for target in rule["Properties"]["Targets"]]
    assert {"Fn::GetAtt": ["ReconcilerFunction", "Arn"]} in targets


def test_the_transform_resolves_only_what_the_parameters_decide() -> None:
    # Given a template whose Fn::If depends on a parameter, and one that depends on a resource
    from infra.language_extensions import resolve

    document = {
        "Parameters": {"On": {"Type": "String", "Default": "false"}},
        "Conditions": {"IsOn": {"Fn::Equals": [{"Ref": "On"}, "true"]}, "Later": {"Fn::Equals": [{"Ref": "R"}, "x"]}},
        "Resources": {
            "R": {
                "Properties": {
                    "A": {"Fn::If": ["IsOn", "yes", {"Ref": "AWS::NoValue"}]},
                    "B": {"Fn::If": ["Later", 1, 2]},
                    "C": [{"Fn::If": ["IsOn", {"Ref": "AWS::NoValue"}, "kept"]}],
                }
            }
        },
    }
    # Then the parameter's Fn::If is decided both ways, the resource's is left for CloudFormation
    off = resolve(document, {})["Resources"]["R"]["Properties"]
    on = resolve(document, {"On": "true"})["Resources"]["R"]["Properties"]
    assert off == {"B": {"Fn::If": ["Later", 1, 2]}, "C": ["kept"]}
    assert on == {"A": "yes", "B": {"Fn::If": ["Later", 1, 2]}, "C": []}
