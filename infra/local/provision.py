"""Create the template's stateful resources (table, bus, secrets, keys, queues, rules) on the moto server, and
resolve the functions' environment against them, the way CloudFormation would."""

from __future__ import annotations

import json
import secrets as random_secrets
from dataclasses import dataclass
from typing import Any

import boto3

from infra.local.template import Resolver, Template

ACCOUNT = "123456789012"  # moto's default account
STACK_NAME = "faceid-bridge"  # what AWS::StackName resolves to, as in infra/samconfig.toml


@dataclass
class LocalStack(Resolver):
    """Physical ids of the provisioned resources, by logical id: what `!Ref` and `!GetAtt` resolve to."""

    region: str = "us-east-1"

    def environment(self, template: Template) -> dict[str, str]:
        """The union of every function's environment (the local stack hosts them in one process)."""
        env: dict[str, str] = {}
        for function in template.functions():
            env.update({key: str(self.resolve(value)) for key, value in function.environment.items()})
        return env


def provision(
    template: Template, *, region: str, parameters: dict[str, str], secrets: dict[str, dict[str, Any]]
) -> LocalStack:
    """Create every resource idempotently, so a restarted stack finds its state intact. A
    parameter the template does not declare is refused: a misspelt override would otherwise be
    ignored without a word."""
    unknown = sorted(set(parameters) - set(template.parameter_defaults()))
    if unknown:
        raise ValueError(f"template.yaml has no parameter {', '.join(unknown)}")
    stack = LocalStack(
        region=region,
        parameters={**template.parameter_defaults(), "AWS::StackName": STACK_NAME, **parameters},
        conditions=template.document.get("Conditions", {}),
    )
    dynamodb, events = boto3.client("dynamodb", region_name=region), boto3.client("events", region_name=region)
    sqs, secretsmanager = boto3.client("sqs", region_name=region), boto3.client("secretsmanager", region_name=region)

    for name, resource in template.of_type("AWS::DynamoDB::Table").items():
        props = {key: stack.resolve(value) for key, value in resource["Properties"].items()}
        table_name = f"faceid-bridge-{name}"
        if table_name not in dynamodb.list_tables()["TableNames"]:
            dynamodb.create_table(
                TableName=table_name,
                BillingMode=props["BillingMode"],
                AttributeDefinitions=props["AttributeDefinitions"],
                KeySchema=props["KeySchema"],
                GlobalSecondaryIndexes=props.get("GlobalSecondaryIndexes", []),
                StreamSpecification={"StreamEnabled": True, **props["StreamSpecification"]},
            )
            ttl = props.get("TimeToLiveSpecification")
            if ttl:
                dynamodb.update_time_to_live(TableName=table_name, TimeToLiveSpecification=ttl)
        description = dynamodb.describe_table(TableName=table_name)["Table"]
        stack.refs[name] = table_name
        stack.attrs[(name, "Arn")] = description["TableArn"]
        stack.attrs[(name, "StreamArn")] = description["LatestStreamArn"]

    for name, resource in template.of_type("AWS::Events::EventBus").items():
        bus_name = stack.resolve(resource["Properties"]["Name"])
        if bus_name not in [bus["Name"] for bus in events.list_event_buses()["EventBuses"]]:
            events.create_event_bus(Name=bus_name)
        stack.refs[name] = bus_name
        stack.attrs[(name, "Arn")] = f"arn:aws:events:{region}:{ACCOUNT}:event-bus/{bus_name}"
        stack.attrs[(name, "Name")] = bus_name

    queues = template.of_type("AWS::SQS::Queue")
    for name in queues:
        url = sqs.create_queue(QueueName=f"faceid-bridge-{name}")["QueueUrl"]
        stack.refs[name] = url
        stack.attrs[(name, "Arn")] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        stack.attrs[(name, "QueueName")] = f"faceid-bridge-{name}"
    for name, resource in queues.items():  # once every queue exists: a redrive policy names another
        redrive = resource.get("Properties", {}).get("RedrivePolicy")
        if redrive:
            policy = {key: stack.resolve(value) for key, value in redrive.items()}
            sqs.set_queue_attributes(QueueUrl=stack.refs[name], Attributes={"RedrivePolicy": json.dumps(policy)})

    for name, resource in template.of_type("AWS::Events::Rule").items():
        props = resource["Properties"]
        bus_name = stack.resolve(props["EventBusName"])
        pattern = {key: [stack.resolve(item) for item in values] for key, values in props["EventPattern"].items()}
        rule_name = f"faceid-bridge-{name}"
        arn = events.put_rule(Name=rule_name, EventBusName=bus_name, EventPattern=json.dumps(pattern))["RuleArn"]
        targets = [{"Id": target["Id"], "Arn": stack.resolve(target["Arn"])} for target in props["Targets"]]
        events.put_targets(Rule=rule_name, EventBusName=bus_name, Targets=targets)
        stack.refs[name], stack.attrs[(name, "Arn")] = rule_name, arn

    kms = boto3.client("kms", region_name=region)
    for name in template.of_type("AWS::KMS::Key"):
        alias = f"alias/faceid-bridge-{name}"  # a key has no name: found again through its alias
        try:
            key = kms.describe_key(KeyId=alias)["KeyMetadata"]
        except kms.exceptions.NotFoundException:
            key = kms.create_key(Description=name)["KeyMetadata"]
            kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
        stack.refs[name], stack.attrs[(name, "Arn")] = key["KeyId"], key["Arn"]

    for name, resource in template.of_type("AWS::SecretsManager::Secret").items():
        secret_name = f"faceid-bridge-{name}"
        generated = "GenerateSecretString" in resource.get("Properties", {})
        # A generated secret is made once, as CloudFormation does; one we are given is (re)set.
        value = random_secrets.token_urlsafe(48) if generated else json.dumps(secrets[name])
        try:
            arn = secretsmanager.create_secret(Name=secret_name, SecretString=value)["ARN"]
        except secretsmanager.exceptions.ResourceExistsException:
            if generated:
                arn = secretsmanager.describe_secret(SecretId=secret_name)["ARN"]
            else:
                arn = secretsmanager.put_secret_value(SecretId=secret_name, SecretString=value)["ARN"]
        stack.refs[name] = arn
    return stack
