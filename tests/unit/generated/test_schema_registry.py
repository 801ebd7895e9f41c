"""The Schema Registry (issue 16, item 5): template.yaml publishes one JSON Schema draft 4 per
detail-type, generated from events/schemas, open to fields a later 1.x adds, and readable by nothing
of ours at run time."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from faceid_bridge.domain.events import EVENT_TYPES
from infra.local.template import TEMPLATE, Template
from infra.schema_registry import BEGIN, END, spliced
from infra.schemas import registry_schema_name
from tests.support import EVENTS, load_json

SAMPLES = sorted((EVENTS / "samples").glob("*/*.json"))
# Every keyword of JSON Schema draft 4 (its validation and core specifications), and EventBridge's two.
DRAFT_4_KEYWORDS = {
    "$schema", "id", "$ref", "title", "description", "default", "format", "type", "enum",
    "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
    "maxLength", "minLength", "pattern", "items", "additionalItems", "maxItems", "minItems", "uniqueItems",
    "properties", "patternProperties", "additionalProperties", "required", "maxProperties", "minProperties",
    "dependencies", "definitions", "allOf", "anyOf", "oneOf", "not",
    "x-amazon-events-detail-type", "x-amazon-events-source",
}  # fmt: skip


def _published() -> dict[str, dict[str, Any]]:
    """Each AWS::EventSchemas::Schema's content by its detail-type, with the EventSource parameter
    at its default (the Content is a !Sub of it)."""
    template = Template()
    source = template.parameter_defaults()["EventSource"]
    contents = {}
    for resource in template.of_type("AWS::EventSchemas::Schema").values():
        content = json.loads(resource["Properties"]["Content"]["Fn::Sub"].replace("${EventSource}", source))
        contents[content["x-amazon-events-detail-type"]] = content
    return contents


def _keywords(schema: Any) -> set[str]:
    """The keywords a schema uses, at any depth (property and definition names are not keywords)."""
    if isinstance(schema, list):
        return set().union(*(_keywords(item) for item in schema))
    if not isinstance(schema, dict):
        return set()
    used = set(schema)
    for key, value in schema.items():
        if key in ("properties", "patternProperties", "definitions"):
            used |= set().union(*(_keywords(item) for item in value.values()))
        elif key in ("items", "additionalItems", "additionalProperties", "allOf", "anyOf", "oneOf", "not"):
            used |= _keywords(value)
    return used


def _closed(value: Any) -> bool:
    if isinstance(value, list):
        return any(_closed(item) for item in value)
    if isinstance(value, dict):
        return value.get("additionalProperties") is False or any(_closed(item) for item in value.values())
    return False


def test_template_yaml_holds_the_block_make_schemas_writes() -> None:
    # Fails when the events or their schemas change without `make schemas`
    text = TEMPLATE.read_text()
    assert text.count(BEGIN) == text.count(END) == 1
    assert spliced(text) == text, "run `make schemas`"


def test_one_draft_4_schema_per_detail_type_in_the_stacks_registry() -> None:
    # Given the template's registry and schemas
    template = Template()
    (registry,) = template.of_type("AWS::EventSchemas::Registry")
    schemas = template.of_type("AWS::EventSchemas::Schema").values()
    # Then each detail-type has one, named source@Model, of the type EventBridge accepts for JSON Schema
    assert sorted(resource["Properties"]["SchemaName"]["Fn::Sub"] for resource in schemas) == sorted(
        registry_schema_name(kind, "${EventSource}") for kind in EVENT_TYPES
    )
    for resource in schemas:
        assert resource["Properties"]["Type"] == "JSONSchemaDraft4"
        assert resource["Properties"]["RegistryName"] == {"Fn::GetAtt": [registry, "RegistryName"]}
    assert set(_published()) == {kind.detail_type for kind in EVENT_TYPES}
    # and the stack's output names the registry
    registry_name = template.resources[registry]["Properties"]["RegistryName"]
    assert template.document["Outputs"]["EventSchemaRegistryName"]["Value"] == registry_name


@pytest.mark.parametrize("kind", EVENT_TYPES, ids=lambda kind: kind.detail_type)
def test_each_published_content_is_a_draft_4_schema_of_the_whole_event(kind: Any) -> None:
    schema = _published()[kind.detail_type]
    # Then it is valid against draft 4's meta-schema, says only draft 4's keywords (no const, no $defs)...
    jsonschema.Draft4Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert _keywords(schema) <= DRAFT_4_KEYWORDS, _keywords(schema) - DRAFT_4_KEYWORDS
    # ...names its event for EventBridge's code bindings, and has the detail's model as `detail`
    assert (schema["x-amazon-events-source"], schema["title"]) == ("faceid.bridge", kind.model.__name__)
    assert schema["properties"]["detail"] == {"$ref": f"#/definitions/{kind.model.__name__}"}
    assert set(schema["definitions"][kind.model.__name__]["properties"]) == set(kind.model.model_fields)


@pytest.mark.parametrize("kind", EVENT_TYPES, ids=lambda kind: kind.detail_type)
def test_no_published_schema_refuses_a_field_a_later_minor_version_adds(kind: Any) -> None:
    assert not _closed(_published()[kind.detail_type])


@pytest.mark.parametrize("sample", SAMPLES, ids=[f"{path.parent.name}/{path.stem}" for path in SAMPLES])
def test_every_sample_event_validates_against_its_published_schema_with_fields_added(sample: Path) -> None:
    # Given a sample event, and the same with fields a 1.1 might add: at the top, in a nested summary
    event = load_json(sample)
    validator = jsonschema.Draft4Validator(
        _published()[event["detail-type"]], format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    later = copy.deepcopy(event)
    later["detail"] |= {"schema_version": "1.1", "risk_score": 0.2}
    if later["detail"]["liveness"]:
        later["detail"]["liveness"]["device"] = "ios"
    # Then both validate
    validator.validate(event)
    validator.validate(later)


def test_a_published_schema_still_refuses_another_detail_types_event() -> None:
    # Given an Approved event checked against the Rejected schema
    event = load_json(EVENTS / "samples" / "h5_lite" / "verification-approved.json")
    # Then it fails: on its detail-type and on its decision
    errors = list(jsonschema.Draft4Validator(_published()["Verification Rejected"]).iter_errors(event))
    assert {tuple(error.absolute_path) for error in errors} == {("detail-type",), ("detail", "decision")}


def test_nothing_in_the_stack_is_granted_the_registry_only_subscriber_accounts_read_it() -> None:
    # Given every resource of the template
    template = Template()
    granting = {
        name for name, resource in template.resources.items() if "schemas:" in json.dumps(resource.get("Properties"))
    }
    # Then the only grant is the subscribers' read policy, and it grants no change to a schema
    assert granting == {"SubscriberAccountsSchemaPolicy"}
    policy = template.resources["SubscriberAccountsSchemaPolicy"]
    (statement,) = policy["Properties"]["Policy"]["Statement"]
    assert policy["Condition"] == "HasSubscriberAccounts"
    assert statement["Principal"] == {"AWS": {"Ref": "SubscriberAccountIds"}}
    assert not {
        action for action in statement["Action"] if action.split(":")[1].startswith(("Create", "Update", "Delete"))
    }
