"""GET /v1/verifications through its handler on moto: found by biz_no, listed a page at a time, and
refused in FaceID's form; every answer as api/openapi.json documents it."""

from __future__ import annotations

from typing import Any

import pytest

from faceid_bridge.adapters.dynamodb import VerificationStore
from tests.integration.conftest import FakeFaceId
from tests.integration.services.test_api_answers import assert_documented, assert_request_documented
from tests.local_stack import call, create, sample
from tests.support import valid_create_body


def listing(**query: str) -> tuple[int, dict[str, str], Any]:
    event = sample("verification_list", **query) if query else sample("verification_list")
    assert_request_documented("/v1/verifications", "get", event)
    answer = call("verification_read", event)
    assert_documented("/v1/verifications", "get", answer)
    return answer


def test_a_biz_no_finds_the_customer_s_order(faceid: FakeFaceId, store: VerificationStore) -> None:
    # Given two verifications
    created = create(valid_create_body(biz_no="order-find"))[2]
    create(valid_create_body(biz_no="order-other"))
    # When the customer looks for their order's
    status, _, body = listing(biz_no="order-find")
    # Then they get that one, as GET /v1/verifications/{id} reads it
    assert status == 200
    assert [item["verification_id"] for item in body["verifications"]] == [created["verification_id"]]
    assert body["next_cursor"] is None
    assert listing(biz_no="order-none")[2]["verifications"] == []


def test_a_channel_s_verifications_come_a_page_at_a_time(faceid: FakeFaceId, store: VerificationStore) -> None:
    # Given three H5 Lite verifications
    ids = [create(valid_create_body(biz_no=f"order-page-{index}"))[2]["verification_id"] for index in range(3)]
    # When they are listed two at a time, then from the cursor
    status, _, first = listing(channel="h5_lite", limit="2")
    _, _, second = listing(cursor=first["next_cursor"])
    # Then each comes once, oldest first, and the last page says it is the last
    assert status == 200 and len(first["verifications"]) == 2
    assert [item["verification_id"] for item in first["verifications"] + second["verifications"]] == ids
    assert second["next_cursor"] is None
    assert listing(channel="h5_lite", status="OK")[2]["verifications"] == []


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"limit": "20"}, "MISSING_ARGUMENTS:channel"),
        ({"channel": "pc"}, "BAD_ARGUMENTS:channel"),
        ({"channel": "h5_lite", "limit": "101"}, "BAD_ARGUMENTS:limit"),
        ({"channel": "h5_lite", "limit": "0"}, "BAD_ARGUMENTS:limit"),
        ({"channel": "h5_lite", "status": "DONE"}, "BAD_ARGUMENTS:status"),
        ({"channel": "h5_lite", "created_after": "yesterday"}, "BAD_ARGUMENTS:created_after"),
        ({"channel": "h5_lite", "created_before": "2026-11-22T09:00:00"}, "BAD_ARGUMENTS:created_before"),
        ({"channel": "h5_lite", "cursor": "eyJ2IjogOX0"}, "BAD_ARGUMENTS:cursor"),
        ({"biz_no": "order-1", "channel": "h5_lite"}, "BAD_ARGUMENTS:channel"),
        ({"biz_no": "order~r1"}, "BAD_ARGUMENTS:biz_no"),
    ],
)
def test_bad_parameters_are_refused_in_faceid_s_form(
    store: VerificationStore, query: dict[str, str], error: str
) -> None:
    status, _, body = call("verification_read", sample("verification_list", **query))
    assert (status, body["error_message"]) == (400, error)


def test_an_unknown_parameter_is_refused(store: VerificationStore) -> None:
    event = sample("verification_list", channel="h5_lite", page="2")
    status, _, body = call("verification_read", event)
    assert (status, body["error_message"]) == (400, "BAD_ARGUMENTS:page")
