"""A second stack from the same template in the same account (staging beside production), and
`make redrive STACK=name` against a deployed stack: both on moto's CloudFormation, the way
test_cloudformation.py deploys."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra import cloudformation
from infra.local.template import ROOT
from tests.support import EVENTS, load_json

STACKS = ("faceid-bridge", "faceid-bridge-staging")


@pytest.fixture(scope="module")
def stacks(build: Path, aws_environment: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Both stacks created with the defaults: their created resources, by stack."""
    packaged = cloudformation.package(
        build, "faceid-bridge-artifacts", tmp_path_factory.mktemp("two") / "packaged.yaml"
    )
    parameters = {"FaceIdLiteHost": "https://api.megvii.com"}
    template = cloudformation.transform(packaged, parameters)
    for name in STACKS:
        assert cloudformation.create_stack(name, template, parameters) == "CREATE_COMPLETE"
    return {name: cloudformation.created(name) for name in STACKS}


def physical_names(created: dict[str, dict[str, Any]]) -> set[str]:
    """What the resources are called in the account, where moto tells (it leaves some empty)."""
    return {summary["PhysicalResourceId"] for summary in created.values()} - {""}


def test_two_stacks_in_one_account_name_nothing_alike(stacks: dict[str, Any]) -> None:
    # Given production and staging created from the same template with the same parameters
    production, staging = (stacks[name] for name in STACKS)
    # Then they share no physical name
    assert set(production) == set(staging)
    assert physical_names(production) & physical_names(staging) == set()
    # And each has its own bus, named after it (a name moto leaves out of the summaries). (moto
    # names layers itself, so the layer's LayerName is checked on the template, in tests/unit.)
    assert {name: outputs(name)["EventBusName"] for name in STACKS} == {name: name for name in STACKS}


def test_a_stack_with_the_default_parameters_has_no_webhook_resource(stacks: dict[str, Any]) -> None:
    # Given production, created with the defaults (Webhooks=Disabled)
    production = stacks["faceid-bridge"]
    # Then moto's CloudFormation created none of the webhook path's resources (template.yaml's
    # Condition WebhooksEnabled, and what SAM makes for their functions), and no output names one
    assert not [name for name in production if name.startswith("Webhook")]
    assert {s["ResourceType"] for s in production.values()} >= {"AWS::Lambda::Function", "AWS::SQS::Queue"}
    queues = [name for name, s in production.items() if s["ResourceType"] == "AWS::SQS::Queue"]
    assert queues == ["PublisherDLQ"]
    functions = boto3.client("lambda").list_functions()["Functions"]
    assert functions and not [f for f in functions if "Webhook" in f["FunctionName"]]
    assert "WebhookDLQUrl" not in outputs("faceid-bridge")


def outputs(stack: str) -> dict[str, str]:
    (described,) = boto3.client("cloudformation").describe_stacks(StackName=stack)["Stacks"]
    return {output["OutputKey"]: output["OutputValue"] for output in described["Outputs"]}


def test_make_redrive_finds_a_deployed_stacks_dlq_and_bus_from_its_outputs(
    stacks: dict[str, Any], aws_environment: dict[str, str]
) -> None:
    # Given staging's DLQ holding a poison record whose cause is fixed, and a failed batch of
    # another table's stream; and a subscriber's queue behind a rule on staging's bus
    stack = outputs("faceid-bridge-staging")
    sqs, events = boto3.client("sqs"), boto3.client("events")
    record = load_json(EVENTS / "api" / "publisher_stream.json")["Records"][0]
    sqs.send_message(
        QueueUrl=stack["PublisherDLQUrl"], MessageBody=json.dumps({"reason": "ValidationError", "record": record})
    )
    foreign = {"streamArn": "arn:aws:dynamodb:us-east-1:123456789012:table/other/stream/2026", "shardId": "s"}
    sqs.send_message(QueueUrl=stack["PublisherDLQUrl"], MessageBody=json.dumps({"DDBStreamBatchInfo": foreign}))
    subscriber = sqs.create_queue(QueueName="staging-subscriber")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=subscriber, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(
        Name="all", EventBusName=stack["EventBusName"], EventPattern=json.dumps({"source": ["faceid.bridge"]})
    )
    events.put_targets(Rule="all", EventBusName=stack["EventBusName"], Targets=[{"Id": "q", "Arn": arn}])
    # When on-call runs `make redrive STACK=faceid-bridge-staging` with credentials for the account
    done = subprocess.run(
        [str(shutil.which("make")), "-s", "redrive", "STACK=faceid-bridge-staging"],
        cwd=ROOT,
        env=os.environ | aws_environment,
        capture_output=True,
        text=True,
        check=False,
    )
    # Then the record's event reaches staging's bus, and the foreign batch stays, said so
    assert done.returncode != 0, done.stderr  # make reports the redrive's exit 1: a message stayed
    assert "redriven: 1 message(s); still in the DLQ: 1" in done.stdout
    assert "another table's stream" in done.stdout
    (message,) = sqs.receive_message(QueueUrl=subscriber, MaxNumberOfMessages=10)["Messages"]
    assert json.loads(message["Body"])["source"] == "faceid.bridge"
    depth = sqs.get_queue_attributes(
        QueueUrl=stack["PublisherDLQUrl"],
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    assert sum(int(value) for value in depth.values()) == 1
