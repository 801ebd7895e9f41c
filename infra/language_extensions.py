"""What CloudFormation's AWS::LanguageExtensions transform does to template.yaml before the SAM
transform, for the places that run SAM's translator themselves (infra/sam_transform.py: the moto
deployments and the template tests): each Fn::If whose condition the parameters decide becomes its
chosen branch, and a property whose branch is AWS::NoValue goes. template.yaml needs it for the
SnapStart parameter: SAM reads AutoPublishAlias only as a string or a parameter's Ref.

Conditions are evaluated from the parameters alone (Fn::Equals, Not, And, Or, Condition, and the
Ref, Join, Select and Split they use); an Fn::If whose condition needs more (a resource's attribute)
is left for CloudFormation, as the transform leaves it. Standard library only: it runs in the SAM
CLI's venv."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

NO_VALUE = {"Ref": "AWS::NoValue"}


class Unresolved(Exception):
    """The value depends on more than the parameters."""


def parameter_values(document: dict[str, Any], given: dict[str, str]) -> dict[str, Any]:
    """Each parameter's value, given or its default; a CommaDelimitedList's as a list."""
    values: dict[str, Any] = {}
    for name, spec in document.get("Parameters", {}).items():
        if name in given or "Default" in spec:
            value = str(given.get(name, spec.get("Default")))
            values[name] = value.split(",") if spec.get("Type") == "CommaDelimitedList" else value
    return values


def _evaluator(document: dict[str, Any], given: dict[str, str]) -> Callable[[Any], Any]:
    """What a condition's expression is worth with these parameter values; Unresolved if it needs more."""
    parameters = parameter_values(document, given)
    conditions: dict[str, Any] = document.get("Conditions", {})

    def value(node: Any) -> Any:
        if isinstance(node, list):
            return [value(item) for item in node]
        if not isinstance(node, dict):
            return node
        if len(node) != 1:
            raise Unresolved
        ((function, argument),) = node.items()
        if function == "Ref" and argument in parameters:
            return parameters[argument]
        if function == "Condition":
            return value(conditions[argument])
        if function == "Fn::Equals":
            first, second = value(argument)
            return str(first) == str(second)
        if function == "Fn::Not":
            return not value(argument[0])
        if function == "Fn::And":
            return all(value(item) for item in argument)
        if function == "Fn::Or":
            return any(value(item) for item in argument)
        if function == "Fn::Join":
            separator, items = argument
            return separator.join(str(item) for item in value(items))
        if function == "Fn::Select":
            index, items = argument
            return value(items)[int(value(index))]
        if function == "Fn::Split":
            separator, text = argument
            return str(value(text)).split(separator)
        raise Unresolved

    return value


def holding(document: dict[str, Any], given: dict[str, str]) -> dict[str, bool]:
    """Each condition the parameters decide, and whether it holds (the local stack creates a
    resource with a `Condition:` only where it holds, as CloudFormation does)."""
    value, decided = _evaluator(document, given), dict[str, bool]()
    for name, expression in document.get("Conditions", {}).items():
        try:
            decided[name] = bool(value(expression))
        except Unresolved:
            continue
    return decided


def resolve(document: dict[str, Any], given: dict[str, str]) -> dict[str, Any]:
    """The document with every Fn::If in its resources that the parameters decide resolved."""
    value, conditions = _evaluator(document, given), document.get("Conditions", {})

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [item for item in (walk(each) for each in node) if item != NO_VALUE]
        if not isinstance(node, dict):
            return node
        if set(node) == {"Fn::If"}:
            condition, chosen, other = node["Fn::If"]
            try:
                decided = bool(value(conditions[condition]))
            except Unresolved:
                return {"Fn::If": [condition, walk(chosen), walk(other)]}
            return walk(chosen if decided else other)
        walked = {key: walk(item) for key, item in node.items()}
        return {key: item for key, item in walked.items() if item != NO_VALUE}

    return document | {"Resources": walk(document.get("Resources", {}))}


def created(document: dict[str, Any], given: dict[str, str]) -> dict[str, Any]:
    """What CloudFormation then creates from the document, with these parameter values: its Fn::Ifs
    resolved, and no resource or output whose `Condition:` does not hold (the Webhooks parameter's,
    when Disabled). The template tests read a stack from it, and the local stack its resources."""
    holds, resolved = holding(document, given), resolve(document, given)

    def kept(section: str) -> dict[str, Any]:
        entries: dict[str, Any] = resolved.get(section, {})
        return {name: entry for name, entry in entries.items() if holds.get(entry.get("Condition", ""), True)}

    return resolved | {section: kept(section) for section in ("Resources", "Outputs") if section in resolved}
