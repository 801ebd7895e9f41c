"""template.yaml, read for the local stack: functions, routes, stream sources and resources.

The local stack derives everything from here, so it cannot drift from what SAM deploys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from infra.language_extensions import created

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"


class _CfnLoader(yaml.SafeLoader):  # type: ignore[misc]
    """YAML loader that keeps CloudFormation short-form tags (!Ref, !GetAtt, !Sub...) as dicts."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


def load(path: Path = TEMPLATE) -> dict[str, Any]:
    with path.open() as handle:
        document: dict[str, Any] = yaml.load(handle, Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass
    return document


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    public: bool


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    code_dir: Path
    handler: str
    environment: dict[str, Any]
    routes: list[Route] = field(default_factory=list)
    stream: dict[str, Any] | None = None
    schedule: str | None = None
    timeout_seconds: int = 3
    queues: list[dict[str, Any]] = field(default_factory=list)  # its SQS event sources' properties
    condition: str | None = None  # the template's Condition: it exists only where that holds
    memory_mb: int = 128  # its MemorySize, or the Globals'; Lambda's default is 128


class Template:
    def __init__(self, document: dict[str, Any] | None = None) -> None:
        self.document = document or load()
        self.resources: dict[str, dict[str, Any]] = self.document["Resources"]
        self.parameters: dict[str, dict[str, Any]] = self.document.get("Parameters", {})

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {name: res for name, res in self.resources.items() if res["Type"] == resource_type}

    def parameter_defaults(self) -> dict[str, str]:
        return {name: str(spec.get("Default", "")) for name, spec in self.parameters.items()}

    def deployed(self, parameters: dict[str, str]) -> Template:
        """The template as a stack with these parameter values (the others at their defaults) has
        it: a resource whose `Condition:` does not hold is not there, as CloudFormation leaves it
        out (the Webhooks parameter's, when Disabled). Template() itself has them all."""
        return Template(created(self.document, parameters))

    def functions(self) -> list[FunctionSpec]:
        globals_ = self.document.get("Globals", {}).get("Function", {})
        global_env = globals_.get("Environment", {}).get("Variables", {})
        specs = []
        for name, resource in self.of_type("AWS::Serverless::Function").items():
            props = resource["Properties"]
            env = {**global_env, **props.get("Environment", {}).get("Variables", {})}
            routes, stream, schedule, queues = [], None, None, []
            for event in props.get("Events", {}).values():
                if event["Type"] == "HttpApi":
                    auth = event["Properties"].get("Auth", {}).get("Authorizer")
                    routes.append(
                        Route(event["Properties"]["Method"].upper(), event["Properties"]["Path"], auth == "NONE")
                    )
                elif event["Type"] == "DynamoDB":
                    stream = event["Properties"]
                elif event["Type"] == "Schedule":
                    schedule = event["Properties"]["Schedule"]
                elif event["Type"] == "SQS":
                    queues.append(event["Properties"])
            handler = props.get("Handler", globals_.get("Handler"))
            timeout = int(props.get("Timeout", globals_.get("Timeout", 3)))
            memory = int(props.get("MemorySize", globals_.get("MemorySize", 128)))
            specs.append(
                FunctionSpec(
                    name,
                    ROOT / props["CodeUri"],
                    handler,
                    env,
                    routes,
                    stream,
                    schedule,
                    timeout,
                    queues,
                    resource.get("Condition"),
                    memory,
                )
            )
        return specs


@dataclass
class Resolver:
    """What `!Ref`, `!GetAtt`, `!If` and the conditions resolve to: parameters' values, and the
    physical ids of resources once they exist (the local stack's)."""

    parameters: dict[str, str] = field(default_factory=dict)
    conditions: dict[str, Any] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)
    attrs: dict[tuple[str, str], str] = field(default_factory=dict)

    def holds(self, condition: Any) -> bool:
        """The template's conditions, as far as the local stack uses them: Equals, Not, Ref."""
        if isinstance(condition, str):
            return self.holds(self.conditions[condition])
        if "Fn::Not" in condition:
            return not self.holds(condition["Fn::Not"][0])
        left, right = (self.resolve(side) for side in condition["Fn::Equals"])
        return bool(left == right)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and "Fn::If" in value:
            condition, when_true, when_false = value["Fn::If"]
            return self.resolve(when_true if self.holds(condition) else when_false)
        if isinstance(value, dict) and "Ref" in value:
            name = value["Ref"]
            if name in self.parameters:
                return self.parameters[name]
            return self.refs[name]
        if isinstance(value, dict) and "Fn::Sub" in value:
            text, names = (value["Fn::Sub"], {}) if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"]

            def substitute(match: re.Match[str]) -> str:
                name = match.group(1)
                if name in names:
                    return str(self.resolve(names[name]))
                if "." in name:
                    logical_id, attribute = name.split(".", 1)
                    return str(self.attrs[(logical_id, attribute)])
                return str(self.resolve({"Ref": name}))

            return re.sub(r"\$\{([\w.:]+)\}", substitute, text)
        if isinstance(value, dict) and "Fn::GetAtt" in value:
            logical_id, attribute = value["Fn::GetAtt"]
            return self.attrs[(logical_id, attribute)]
        return value


def template_environment(spec: FunctionSpec, template: Template) -> dict[str, str]:
    """A function's environment as the template gives it: literal values as they are
    (PYDANTIC_DISABLE_PLUGINS...), parameters and conditions at their defaults (the FaceID hosts,
    which the function's model checks; POWERTOOLS_TRACE_DISABLED), and a stub for what only a
    deployed stack resolves (a table's name)."""
    defaults = Resolver(template.parameter_defaults(), template.document.get("Conditions", {}))

    def value(given: Any) -> str:
        try:
            return str(defaults.resolve(given))
        except KeyError:  # a resource's id or attribute
            return "bench"

    return {key: value(given) for key, given in spec.environment.items()}
