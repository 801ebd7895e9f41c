"""template.yaml deployed to moto's CloudFormation the way `sam deploy` deploys it: the built
artifacts packaged to S3, the SAM transform applied, the stack created. Every resource moto
implements must be created; the ones it does not are listed here and in the README, and a change
to either side fails this test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra import cloudformation
from infra.local.template import ROOT, Template

# Resource types moto's CloudFormation (5.2) does not create. README "Deploying" lists them too.
NOT_CREATED_BY_MOTO = {
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::Stage",
    "AWS::CloudWatch::Alarm",
    "AWS::Events::EventBusPolicy",
    "AWS::EventSchemas::Registry",
    "AWS::EventSchemas::RegistryPolicy",
    "AWS::EventSchemas::Schema",
    "AWS::Lambda::LayerVersionPermission",
    "AWS::SecretsManager::Secret",
    "AWS::SNS::Subscription",
    "AWS::SQS::QueuePolicy",
}
STACK = "faceid-bridge"
# Every optional resource switched on, so that each is created or known not to be.
PARAMETERS = {
    "FaceIdLiteHost": "https://api.megvii.com",
    "AlarmEmail": "oncall@example.com",
    "SubscriberAccountIds": "111111111111,222222222222",
    "SubscriberOrganizationId": "o-abcdefghij",
    "CallerAccountIds": "333333333333",
    "SharedLayerConsumer": "o-abcdefghij",
    "Webhooks": "Enabled",
}


@pytest.fixture(scope="module")
def deployed(build: Path, aws_environment: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    packaged = cloudformation.package(
        build, "faceid-bridge-artifacts", tmp_path_factory.mktemp("cfn") / "packaged.yaml"
    )
    template = cloudformation.transform(packaged, PARAMETERS)  # its transforms see the stack's parameters
    status = cloudformation.create_stack(STACK, template, PARAMETERS)
    return {"template": template, "status": status, "created": cloudformation.created(STACK)}


def test_the_stack_is_created_with_every_resource_moto_implements(deployed: dict[str, Any]) -> None:
    # Given the SAM-transformed template; When moto's CloudFormation creates it
    resources = deployed["template"]["Resources"]
    # Then the stack completes, and what was not created is exactly the types moto lacks
    assert deployed["status"] == "CREATE_COMPLETE"
    not_created = {resources[name]["Type"] for name in set(resources) - set(deployed["created"])}
    assert not_created == NOT_CREATED_BY_MOTO
    assert {"AWS::Lambda::Function", "AWS::Lambda::LayerVersion", "AWS::DynamoDB::Table"} <= {
        summary["ResourceType"] for summary in deployed["created"].values()
    }


def test_the_readme_lists_what_moto_does_not_create() -> None:
    deploying = (ROOT / "README.md").read_text().split("## Deploying", 1)[1].split("\n## ", 1)[0]
    assert all(f"`{resource_type}`" in deploying for resource_type in NOT_CREATED_BY_MOTO)


def test_functions_run_python313_on_arm64_with_the_layer(deployed: dict[str, Any]) -> None:
    resources = deployed["template"]["Resources"]
    functions = {
        name: resources[name]["Properties"] for name in resources if resources[name]["Type"] == "AWS::Lambda::Function"
    }
    (layer,) = [name for name in resources if resources[name]["Type"] == "AWS::Lambda::LayerVersion"]
    assert len(functions) == len(Template().functions()) and set(functions) <= set(deployed["created"])
    assert layer in deployed["created"]
    lambda_ = boto3.client("lambda")
    assert len(lambda_.list_layers()["Layers"]) == 1
    for name, properties in functions.items():
        # moto's CloudFormation drops Architectures and Layers, so those are read from what it was given
        assert properties["Architectures"] == ["arm64"] and properties["Layers"] == [{"Ref": layer}], name
        configuration = lambda_.get_function_configuration(FunctionName=deployed["created"][name]["PhysicalResourceId"])
        assert (configuration["Runtime"], configuration["Handler"]) == ("python3.13", "handler.lambda_handler"), name
        variables = configuration["Environment"]["Variables"]
        if name == "PublisherFunction":  # the one function that puts events: each is given only its own
            assert variables["EVENT_BUS_NAME"] == "faceid-bridge", name
        else:
            assert variables["TABLE_NAME"] and "EVENT_BUS_NAME" not in variables, name


def test_the_publisher_reads_the_table_stream_through_its_filter(deployed: dict[str, Any]) -> None:
    mappings = boto3.client("lambda").list_event_source_mappings()["EventSourceMappings"]
    (mapping,) = [m for m in mappings if "/stream/" in m["EventSourceArn"]]  # the others: webhook queues
    assert '"entity": {"S": ["verification"]}' in mapping["FilterCriteria"]["Filters"][0]["Pattern"]
    # PublisherBatchSize reaches the mapping through the SAM transform and CloudFormation, at its default
    assert mapping["BatchSize"] == 10


def test_the_alarm_topic_key_logs_and_caller_role_are_created_as_the_template_says(deployed: dict[str, Any]) -> None:
    created = {name: summary["PhysicalResourceId"] for name, summary in deployed["created"].items()}
    # The alarm topic is encrypted with the stack's key, whose policy lets CloudWatch alarms publish
    topic = boto3.client("sns").get_topic_attributes(TopicArn=created["AlarmTopic"])["Attributes"]
    assert topic["KmsMasterKeyId"] == created["AlarmTopicKey"]
    # (moto's CloudFormation stores the policy as it was given, an object; AWS answers a JSON string)
    policy = boto3.client("kms").get_key_policy(KeyId=created["AlarmTopicKey"], PolicyName="default")["Policy"]
    policy = policy if isinstance(policy, dict) else json.loads(policy)
    (grant,) = [s for s in policy["Statement"] if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}]
    assert grant["Condition"]["StringEquals"]["aws:SourceAccount"] == "123456789012"
    assert grant["Condition"]["ArnLike"]["aws:SourceArn"].endswith(":cloudwatch:us-east-1:123456789012:alarm:*")
    # Every log group expires after LogRetentionDays (its default)
    logs = boto3.client("logs")
    groups = [name for name, summary in deployed["created"].items() if summary["ResourceType"] == "AWS::Logs::LogGroup"]
    assert len(groups) == len(Template().functions()) + 1  # and the API's access logs
    for name in groups:
        (group,) = logs.describe_log_groups(logGroupNamePrefix=created[name])["logGroups"]
        assert group.get("retentionInDays") == 30, name
    # Callers in CallerAccountIds may assume the caller role
    role = boto3.client("iam").get_role(RoleName=created["ApiCallerRole"])["Role"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"]["AWS"] in ("333333333333", ["333333333333"])
