"""The template as CloudFormation creates it, for given parameter values: `sam package`'s S3 code
locations, the SAM transform (infra/sam_transform.py), then the conditions applied
(infra/language_extensions.created). moto runs no SnapStart and skips the HTTP API, so for those the
template is the proof."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from infra import cloudformation
from infra.language_extensions import created
from infra.local.template import load

Stack = Callable[[dict[str, str]], dict[str, Any]]


@pytest.fixture(scope="session")
def stack_with(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A function: parameter values -> the resources (and outputs) a stack with them has."""
    document = load()
    for resource in document["Resources"].values():
        properties = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):  # as `sam package` leaves them
            if isinstance(properties.get(key), str):
                properties[key] = f"s3://artifacts/{properties[key].strip('/')}"
    path = tmp_path_factory.mktemp("transformed") / "template.json"
    path.write_text(json.dumps(document))

    def stack(parameters: dict[str, str]) -> dict[str, Any]:
        return created(cloudformation.transform(path, parameters), parameters)

    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("AWS_DEFAULT_REGION", "us-east-1")  # the translator names ARNs by region
        yield stack
