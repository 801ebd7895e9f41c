"""The template deployed to moto's CloudFormation, as `sam deploy` would deploy it to AWS:
`sam package` uploads the built artifacts (.aws-sam/build) to an S3 bucket on the moto server, the
SAM translator expands AWS::Serverless resources, and CloudFormation creates the stack.

moto's CloudFormation skips resource types it does not implement; `created()` tells which were."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import boto3

from infra.local.template import ROOT

SAM_VENV = ROOT / ".venv-sam" / "bin"


def package(template_dir: Path, bucket: str, out: Path) -> Path:
    """`sam package` of the template in template_dir (a build, or a template with nothing to build),
    against whatever AWS_ENDPOINT_URL names (the moto server)."""
    boto3.client("s3").create_bucket(Bucket=bucket)
    template = template_dir / "template.yaml"
    subprocess.run(
        [
            SAM_VENV / "sam",
            "package",
            "--template-file",
            template,
            "--s3-bucket",
            bucket,
            "--output-template-file",
            out,
        ],
        env=os.environ | {"SAM_CLI_TELEMETRY": "0"},
        check=True,
        capture_output=True,
    )
    return out


def transform(packaged: Path, parameters: dict[str, str] | None = None) -> dict[str, Any]:
    """The SAM-transformed template; `parameters` are the values the transform resolves (SAM reads
    some, such as Tracing, at transform time), the rest at their defaults."""
    values = [f"{name}={value}" for name, value in (parameters or {}).items()]
    done = subprocess.run(
        [SAM_VENV / "python", ROOT / "infra" / "sam_transform.py", packaged, *values], check=True, capture_output=True
    )
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def create_stack(name: str, template: dict[str, Any], parameters: dict[str, str]) -> str:
    """Create the stack and wait for it to settle; its final status."""
    cloudformation = boto3.client("cloudformation")
    cloudformation.create_stack(
        StackName=name,
        TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": key, "ParameterValue": value} for key, value in parameters.items()],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    for _ in range(120):
        status: str = cloudformation.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
        if not status.endswith("_IN_PROGRESS"):
            return status
        time.sleep(0.5)
    raise TimeoutError(f"stack {name} still in progress")


def created(name: str) -> dict[str, dict[str, Any]]:
    """The stack's resources that were created, by logical id."""
    pages = boto3.client("cloudformation").get_paginator("list_stack_resources").paginate(StackName=name)
    return {
        summary["LogicalResourceId"]: summary
        for page in pages
        for summary in page["StackResourceSummaries"]
        if summary["LogicalResourceId"] and summary["ResourceStatus"] == "CREATE_COMPLETE"
    }
