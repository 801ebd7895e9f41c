"""A notify's hot path, by calls counted rather than time (issue 17, item 4): through the warm
callbacks handler `make bench` measures, neither a first notify nor a duplicate searches the event
with jmespath for its correlation id, scans its data with bounded_json's regexes, or percent-decodes
its form in Python; and the correlation id is still API Gateway's request id."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any
from unittest import mock
from urllib.parse import unquote_to_bytes

import pytest
from aws_lambda_powertools.utilities import jmespath_utils

from faceid_bridge import bounded_json, forms
from faceid_bridge.config import load
from faceid_bridge.observability import logger
from infra.bench import warm


@pytest.fixture
def counted() -> Iterator[dict[str, mock.MagicMock]]:
    """The long ways, each counted; the environment and settings the warm handler sets, undone after."""
    with (
        mock.patch.dict(os.environ),
        mock.patch.object(jmespath_utils, "query", wraps=jmespath_utils.query) as query,
        mock.patch.object(bounded_json, "check_bounds", wraps=bounded_json.check_bounds) as scan,
        mock.patch.object(forms, "unquote_to_bytes", wraps=unquote_to_bytes) as unquote,
    ):
        yield {"jmespath": query, "regex scan": scan, "urllib unquote": unquote}
    load.cache_clear()


def test_a_notify_and_its_duplicate_take_the_short_ways(counted: dict[str, mock.MagicMock]) -> None:
    seen: list[Any] = []
    # Given the warm callbacks handler, When a notify arrives, and then again
    with warm._warm_handler(1) as (call, events):
        for _ in range(2):
            for way in counted.values():
                way.reset_mock()
            assert call(events[0])["statusCode"] == 200
            seen.append(logger.get_correlation_id())
            # Then none of the long ways was taken
            assert {name: way.call_count for name, way in counted.items()} == dict.fromkeys(counted, 0)
    # And the log lines still name the request by API Gateway's id
    assert seen == [events[0]["requestContext"]["requestId"]] * 2
