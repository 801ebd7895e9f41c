"""template.yaml, read for the local stack: functions, routes, stream sources and resources.

The local stack derives everything from here, so it cannot drift from what SAM deploys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

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


class Template:
    def __init__(self, document: dict[str, Any] | None = None) -> None:
        self.document = document or load()
        self.resources: dict[str, dict[str, Any]] = self.document["Resources"]
        self.parameters: dict[str, dict[str, Any]] = self.document.get("Parameters", {})

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {name: res for name, res in self.resources.items() if res["Type"] == resource_type}

    def parameter_defaults(self) -> dict[str, str]:
        return {name: str(spec.get("Default", "")) for name, spec in self.parameters.items()}

    def functions(self) -> list[FunctionSpec]:
        globals_ = self.document.get("Globals", {}).get("Function", {})
        global_env = globals_.get("Environment", {}).get("Variables", {})
        specs = []
        for name, resource in self.of_type("AWS::Serverless::Function").items():
            props = resource["Properties"]
            env = {**global_env, **props.get("Environment", {}).get("Variables", {})}
            routes, stream, schedule = [], None, None
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
            handler = props.get("Handler", globals_.get("Handler"))
            timeout = int(props.get("Timeout", globals_.get("Timeout", 3)))
            specs.append(FunctionSpec(name, ROOT / props["CodeUri"], handler, env, routes, stream, schedule, timeout))
        return specs


def template_environment(spec: FunctionSpec, template: Template) -> dict[str, str]:
    """A function's environment as the template gives it: literal values as they are
    (PYDANTIC_DISABLE_PLUGINS...), a parameter's default for its Ref (the FaceID hosts, which
    the function's model checks), and a stub for what only a deployed stack resolves (a table's name)."""
    defaults = template.parameter_defaults()

    def value(given: Any) -> str:
        if isinstance(given, str):
            return given
        reference = given.get("Ref") if isinstance(given, dict) else None
        return (defaults.get(reference) or "bench") if isinstance(reference, str) else "bench"

    return {key: value(given) for key, given in spec.environment.items()}
