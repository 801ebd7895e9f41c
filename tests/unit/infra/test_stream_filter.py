"""The publisher's stream filter in template.yaml (issue 9): only records that can announce an
event invoke it. Checked with the local poller's matcher, which implements Lambda's filtering for
the forms the template uses."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from infra.local.poller import matches
from infra.local.template import Template
from tests.support import EVENTS, load_json

SAMPLE = load_json(EVENTS / "api" / "publisher_stream.json")["Records"][0]


def record(event_name: str = "INSERT", **new_image: str | None) -> dict[str, Any]:
    changed = copy.deepcopy(SAMPLE)
    changed["eventName"] = event_name
    for name, value in new_image.items():
        if value is None:
            changed["dynamodb"]["NewImage"].pop(name, None)
        else:
            changed["dynamodb"]["NewImage"][name] = {"S": value}
    if event_name == "REMOVE":
        changed["dynamodb"].pop("NewImage")
    result: dict[str, Any] = changed
    return result


def passes(candidate: dict[str, Any]) -> bool:
    (publisher,) = [spec for spec in Template().functions() if spec.stream]
    patterns = [json.loads(f["Pattern"]) for f in publisher.stream["FilterCriteria"]["Filters"]]  # type: ignore[index]
    return any(matches(pattern, candidate) for pattern in patterns)


@pytest.mark.parametrize(
    ("candidate", "invokes"),
    [
        (record(), True),  # Verification Created
        (record("MODIFY", status="OK"), True),  # a terminal transition
        (record("MODIFY", status="EXPIRED"), True),
        (record("MODIFY", status="PROCESSING"), False),  # announces nothing
        (record(entity="biz_no", status=None), False),  # a biz_no claim
        (record(entity="biz_id", status=None), False),  # a biz_id key
        (record(entity="audit", status=None), False),  # an audit record
        (record("REMOVE"), False),  # TTL expiry
    ],
    ids=["created", "ok", "expired", "processing", "claim", "biz_id key", "audit", "ttl removal"],
)
def test_only_records_that_can_announce_an_event_invoke_the_publisher(candidate: dict[str, Any], invokes: bool) -> None:
    assert passes(candidate) is invokes
