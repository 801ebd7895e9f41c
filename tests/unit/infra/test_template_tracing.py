"""Tracing in template.yaml (issue 14, item 7): every function traced (Lambda's Tracing: Active, the
Powertools Tracer on) unless the Tracing parameter says Disabled, which turns off Lambda's tracing,
its X-Ray permissions and the X-Ray SDK. Checked on the SAM-transformed template, what
CloudFormation gets: SAM resolves the parameter at transform time. (HTTP APIs have no X-Ray tracing
of their own; Lambda's is what applies.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra import cloudformation
from infra.local.provision import LocalStack
from infra.local.template import ROOT, Template, load

X_RAY_POLICY = "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"


def transformed(directory: Path, parameters: dict[str, str]) -> dict[str, Any]:
    """template.yaml through the SAM transform with these parameter values; the code locations
    stand in for what `sam package` uploads (the transform takes only S3 URIs)."""
    document = load(ROOT / "template.yaml")
    for resource in document["Resources"].values():
        for key in ("CodeUri", "ContentUri"):
            if key in resource.get("Properties", {}):
                resource["Properties"][key] = "s3://artifacts/code.zip"
    (directory / "template.json").write_text(json.dumps(document))
    return cloudformation.transform(directory / "template.json", parameters)


def environment_value(template: dict[str, Any], name: str, parameters: dict[str, str]) -> Any:
    """A function's environment variable as CloudFormation resolves it with these parameters."""
    defaults = {key: str(spec.get("Default", "")) for key, spec in template["Parameters"].items()}
    stack = LocalStack(parameters=defaults | parameters, conditions=template["Conditions"], region="us-east-1")
    return stack.resolve(name)


@pytest.fixture(scope="module")
def transforms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")  # the transform asks for a region
        return {
            setting: transformed(tmp_path_factory.mktemp(setting), {} if setting == "default" else {"Tracing": setting})
            for setting in ("default", "Active", "Disabled")
        }


def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {name: r for name, r in template["Resources"].items() if r["Type"] == "AWS::Lambda::Function"}
    assert len(found) == len(Template().functions())
    return found


def role_policies(template: dict[str, Any], function: dict[str, Any]) -> dict[str, Any]:
    role: dict[str, Any] = template["Resources"][function["Properties"]["Role"]["Fn::GetAtt"][0]]["Properties"]
    return role


@pytest.mark.parametrize("setting", ["default", "Active"])
def test_every_function_is_traced_with_the_x_ray_sdk_on_by_default(
    transforms: dict[str, dict[str, Any]], setting: str
) -> None:
    # Given the transformed template, the Tracing parameter at its default or Active
    template = transforms[setting]
    parameters = {} if setting == "default" else {"Tracing": setting}
    assert template["Parameters"]["Tracing"]["Default"] == "Active"
    for name, function in functions(template).items():
        # Then Lambda traces each function, Active, and its role may write traces
        mode = function["Properties"]["TracingConfig"]["Mode"]
        assert environment_value(template, mode, parameters) == "Active", name
        assert X_RAY_POLICY in role_policies(template, function)["ManagedPolicyArns"], name
        # And the Powertools Tracer is on in it
        variables = function["Properties"]["Environment"]["Variables"]
        assert environment_value(template, variables["POWERTOOLS_TRACE_DISABLED"], parameters) == "false", name


def test_tracing_disabled_traces_nothing_grants_nothing_and_keeps_the_sdk_off(
    transforms: dict[str, dict[str, Any]],
) -> None:
    # Given the transformed template with Tracing Disabled
    template = transforms["Disabled"]
    for name, function in functions(template).items():
        # Then no function is traced, no role may write traces, and the Tracer never loads the SDK
        assert "TracingConfig" not in function["Properties"], name
        assert X_RAY_POLICY not in role_policies(template, function)["ManagedPolicyArns"], name
        variables = function["Properties"]["Environment"]["Variables"]
        assert environment_value(template, variables["POWERTOOLS_TRACE_DISABLED"], {"Tracing": "Disabled"}) == "true"


def test_x_ray_permissions_are_only_the_write_only_policy(transforms: dict[str, dict[str, Any]]) -> None:
    # Given the default transform: X-Ray's actions take no resource, so the least there is to grant
    # is AWS's write-only policy (traces and telemetry, and the sampling rules the SDK may read)
    template = transforms["default"]
    for function in functions(template).values():
        role = role_policies(template, function)
        x_ray = [arn for arn in role["ManagedPolicyArns"] if "xray" in json.dumps(arn).lower()]
        inline = json.dumps(role.get("Policies", [])).lower()
        # Then that is the one X-Ray grant, and no inline statement adds another
        assert x_ray == [X_RAY_POLICY] and "xray" not in inline
