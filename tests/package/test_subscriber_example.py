"""examples/subscriber: a downstream team's SAM template, deployed to moto's CloudFormation as
`sam deploy` would, its rule tested against the sample events, and its consumer run on them."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest

from infra import cloudformation
from infra.local.template import ROOT
from tests.support import EVENTS, load_json

EXAMPLE = ROOT / "examples" / "subscriber"
LAYER = "arn:aws:lambda:us-east-1:123456789012:layer:faceid-bridge-shared:1"


def sample(channel: str, name: str) -> dict[str, Any]:
    event: dict[str, Any] = load_json(EVENTS / "samples" / channel / f"verification-{name}.json")
    return event


CASES = [
    ("h5_lite", "approved", True),
    ("app", "approved", False),
    ("h5_raw", "approved", False),
    ("h5_lite", "rejected", False),
    ("h5_lite", "created", False),
    ("h5_lite", "abandoned", False),
]


@pytest.fixture(scope="module")
def deployed(aws_environment: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """faceid-bridge's bus, and the example deployed for the h5_lite channel: its transformed
    template and its created resources."""
    boto3.client("events").create_event_bus(Name="faceid-bridge")
    packaged = cloudformation.package(EXAMPLE, "example-artifacts", tmp_path_factory.mktemp("ex") / "packaged.yaml")
    parameters = {"FaceIdBridgeLayerArn": LAYER, "Channel": "h5_lite"}
    template = cloudformation.transform(packaged, parameters)
    assert cloudformation.create_stack("subscriber", template, parameters) == "CREATE_COMPLETE"
    return {"template": template, "created": cloudformation.created("subscriber")}


@pytest.fixture(scope="module")
def delivered(deployed: dict[str, Any]) -> set[tuple[str, str]]:
    """(detail-type, channel) of the sample events put on the bus that the example's rule delivers."""
    events, sqs = boto3.client("events"), boto3.client("sqs")
    (rule,) = [s for s in deployed["created"].values() if s["ResourceType"] == "AWS::Events::Rule"]
    name = rule["PhysicalResourceId"].rsplit("/", 1)[-1].split("|", 1)[0]
    targets = events.list_targets_by_rule(Rule=name, EventBusName="faceid-bridge")["Targets"]
    assert [target["Arn"].split(":")[5] for target in targets] == ["function"]  # the consumer
    # moto cannot run a Lambda target (it fails PutEvents), so a queue stands in for the consumer
    events.remove_targets(Rule=name, EventBusName="faceid-bridge", Ids=[target["Id"] for target in targets])
    queue = sqs.create_queue(QueueName="probe")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_targets(Rule=name, EventBusName="faceid-bridge", Targets=[{"Id": "probe", "Arn": arn}])
    # When faceid-bridge puts each sample event on the bus
    for channel, kind, _ in CASES:
        event = sample(channel, kind)
        entry = {"Source": event["source"], "DetailType": event["detail-type"], "Detail": json.dumps(event["detail"])}
        assert events.put_events(Entries=[entry | {"EventBusName": "faceid-bridge"}])["FailedEntryCount"] == 0
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
    bodies = [json.loads(message["Body"]) for message in messages]
    return {(body["detail-type"], body["detail"]["channel"]) for body in bodies}


@pytest.mark.parametrize(("channel", "kind", "expected"), CASES)
def test_the_rule_delivers_only_approvals_of_its_channel(
    delivered: set[tuple[str, str]], channel: str, kind: str, expected: bool
) -> None:
    # Then the rule delivered the event only if it is an approval of its channel
    assert ((sample(channel, kind)["detail-type"], channel) in delivered) is expected


def consumer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("example_consumer", EXAMPLE / "consumer" / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_consumer_parses_an_approval_with_one_call() -> None:
    event = sample("h5_lite", "approved")
    assert consumer().lambda_handler(event, None) == {
        "opened_for": event["detail"]["biz_no"],
        "verification_id": event["detail"]["verification_id"],
    }


def test_the_consumer_refuses_what_its_rule_should_not_have_delivered() -> None:
    with pytest.raises(ValueError, match="REJECTED"):
        consumer().lambda_handler(sample("h5_lite", "rejected"), None)
    with pytest.raises(ValueError):
        consumer().lambda_handler({"detail-type": "Something Else", "detail": {"schema_version": "1.0"}}, None)


def test_the_example_uses_the_main_stacks_outputs() -> None:
    import tomllib

    from infra.local.template import load

    example, main = load(EXAMPLE / "template.yaml"), load()
    assert {"EventBusName", "SharedLayerArn"} <= set(main["Outputs"])
    # the bus of a stack deployed as infra/samconfig.toml names it (a bus is named after its stack)
    config = tomllib.loads((ROOT / "infra" / "samconfig.toml").read_text())["default"]["global"]["parameters"]
    assert main["Parameters"]["EventBusName"]["Default"] == ""
    assert example["Parameters"]["EventBusName"]["Default"] == config["stack_name"]
    rule = example["Resources"]["ApprovedConsumerFunction"]["Properties"]["Events"]["Approved"]["Properties"]
    assert rule["Pattern"]["source"] == [main["Parameters"]["EventSource"]["Default"]]
    assert Path(EXAMPLE / "consumer" / "app.py").is_file()


def lambda_invokes_asynchronously(handler: Any, event: dict[str, Any], config: dict[str, Any], queue_url: str) -> None:
    """Lambda's part, which moto does not play: an asynchronous invocation is tried once and
    retried MaximumRetryAttempts times; when every try raised, Lambda sends its on-failure record
    (the event as requestPayload, the error as responsePayload) to the OnFailure destination."""
    tries = 1 + config["MaximumRetryAttempts"]
    for _ in range(tries):
        try:
            handler(event, None)
            return
        except Exception as error:  # noqa: BLE001 - Lambda catches whatever the handler raises
            failure = error
    record = {
        "version": "1.0",
        "requestContext": {"condition": "RetriesExhausted", "approximateInvokeCount": tries},
        "requestPayload": event,
        "responsePayload": {"errorType": type(failure).__name__, "errorMessage": str(failure)},
    }
    boto3.client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps(record))


def test_an_event_the_consumer_fails_on_ends_up_in_its_failure_queue(deployed: dict[str, Any]) -> None:
    # Given the deployed consumer's asynchronous-invoke configuration, and the queue it names
    resources = deployed["template"]["Resources"]
    (config,) = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::EventInvokeConfig"]
    destination = config["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
    queue_url = deployed["created"][destination]["PhysicalResourceId"]
    sqs = boto3.client("sqs")
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    # And the consumer may send to it (the statement SAM adds to its role)
    role = resources[resources["ApprovedConsumerFunction"]["Properties"]["Role"]["Fn::GetAtt"][0]]["Properties"]
    statements = [s for policy in role["Policies"] for s in policy["PolicyDocument"]["Statement"]]
    assert any(
        s["Action"] == "sqs:SendMessage" and s["Resource"] == {"Fn::GetAtt": [destination, "Arn"]} for s in statements
    )
    assert queue_arn.endswith(deployed["created"][destination]["PhysicalResourceId"].rsplit("/", 1)[-1])
    # When EventBridge delivers an event the consumer raises on, and Lambda retries it
    event = sample("h5_lite", "rejected")
    lambda_invokes_asynchronously(consumer().lambda_handler, event, config, queue_url)
    # Then the event is in the failure queue, with the error, instead of dropped
    (message,) = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    failed = json.loads(message["Body"])
    assert failed["requestPayload"] == event and failed["requestContext"]["approximateInvokeCount"] == 3
    assert "REJECTED" in failed["responsePayload"]["errorMessage"]
