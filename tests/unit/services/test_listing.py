"""The listing's query and cursor: defaults and bounds of the range, and a cursor that is validated
(anything but one of ours is BAD_ARGUMENTS:cursor) and continues only its own query."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from faceid_bridge.domain.lifecycle import Status
from faceid_bridge.domain.listing import ListQuery, Position
from faceid_bridge.domain.verification import Channel, Verification
from faceid_bridge.errors import ArgumentError
from faceid_bridge.services.listing import DEFAULT_SPAN, Cursor, find_by_biz_no, list_verifications, query_of
from tests.support import make_verification

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def verification(index: int) -> Verification:
    at = NOW - timedelta(minutes=60 - index)
    return make_verification(f"vrf_{index:04d}", created_at=at, biz_no=f"order-{index}", biz_id=f"biz-{index}")


class FakeListing:
    """Implements faceid_bridge.ports.Listing over a list, in creation order."""

    def __init__(self, verifications: list[Verification]) -> None:
        self.verifications = verifications
        self.queries: list[ListQuery] = []

    def find_by_biz_no(self, biz_no: str) -> Verification | None:
        return next((item for item in self.verifications if item.biz_no == biz_no), None)

    def listed(self, query: ListQuery, *, expect: int) -> Iterator[Verification]:
        self.queries.append(query)
        after = query.after
        for item in self.verifications:
            if after is None or (item.created_at, item.verification_id) > (after.created_at, after.verification_id):
                yield item


def ask(**given: object) -> ListQuery:
    parameters: dict[str, object] = {
        "channel": Channel.H5_LITE,
        "status": None,
        "created_after": None,
        "created_before": None,
        "cursor": None,
    }
    return query_of(**(parameters | given), now=NOW)  # type: ignore[arg-type]


def test_the_range_defaults_to_the_last_seven_days() -> None:
    assert ask() == ListQuery(Channel.H5_LITE, NOW - DEFAULT_SPAN, NOW)


@pytest.mark.parametrize(
    ("given", "error"),
    [
        ({"channel": None}, "MISSING_ARGUMENTS:channel"),
        ({"created_after": NOW, "created_before": NOW}, "BAD_ARGUMENTS:created_before"),
        ({"created_after": NOW - timedelta(days=32)}, "BAD_ARGUMENTS:created_after"),
    ],
)
def test_a_query_without_channel_or_with_a_bad_range_is_refused(given: dict[str, object], error: str) -> None:
    with pytest.raises(ArgumentError) as refused:
        ask(**given)
    assert refused.value.message == error


def test_a_page_s_cursor_continues_the_same_query_after_its_last_item() -> None:
    # Given five verifications, listed two at a time
    store = FakeListing([verification(index) for index in range(5)])
    first, cursor = list_verifications(ask(status=Status.CREATED), limit=2, store=store)
    assert cursor is not None
    # When the cursor alone asks for the next page
    second, _ = list_verifications(ask(channel=None, cursor=cursor), limit=2, store=store)
    # Then it is the same query, from after the first page's last item
    assert [item.verification_id for item in first + second] == ["vrf_0000", "vrf_0001", "vrf_0002", "vrf_0003"]
    assert store.queries[1] == ListQuery(
        Channel.H5_LITE, NOW - DEFAULT_SPAN, NOW, Status.CREATED, Position(first[-1].created_at, "vrf_0001")
    )


def test_the_last_page_has_no_cursor() -> None:
    store = FakeListing([verification(index) for index in range(3)])
    page, cursor = list_verifications(ask(), limit=3, store=store)
    assert (len(page), cursor) == (3, None)


def test_a_cursor_may_repeat_its_filters_but_not_change_them() -> None:
    cursor = Cursor(
        channel=Channel.H5_LITE,
        status=None,
        created_after=NOW - timedelta(days=1),
        created_before=NOW,
        last_created_at=NOW - timedelta(hours=1),
        last_id="vrf_0001",
    ).encode()
    assert ask(cursor=cursor, channel=Channel.H5_LITE).after == Position(NOW - timedelta(hours=1), "vrf_0001")
    with pytest.raises(ArgumentError) as refused:
        ask(cursor=cursor, channel=Channel.APP_SDK)
    assert refused.value.message == "BAD_ARGUMENTS:channel"


def _encoded(fields: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(fields).encode()).decode().rstrip("=")


GOOD = {
    "v": 1,
    "channel": "h5_lite",
    "status": None,
    "created_after": "2026-11-21T09:00:00Z",
    "created_before": "2026-11-22T09:00:00Z",
    "last_created_at": "2026-11-22T08:00:00Z",
    "last_id": "vrf_0001",
}


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 !",
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        _encoded({**GOOD, "v": 2}),
        _encoded({**GOOD, "channel": "pc"}),
        _encoded({**GOOD, "last_id": "vrf_' OR 1=1"}),
        _encoded({**GOOD, "last_created_at": "2026-11-22T10:00:00Z"}),  # outside its own range
        _encoded({**GOOD, "created_after": "2026-11-21T09:00:00"}),  # no offset
        _encoded({**GOOD, "extra": 1}),
        _encoded([1, 2]),  # type: ignore[arg-type]
    ],
)
def test_anything_but_one_of_our_cursors_is_bad_arguments_cursor(cursor: str) -> None:
    # A well-formed one passes, so each refusal below is for what was changed
    assert ask(cursor=_encoded(GOOD)).after == Position(datetime(2026, 11, 22, 8, tzinfo=UTC), "vrf_0001")
    with pytest.raises(ArgumentError) as refused:
        ask(cursor=cursor)
    assert refused.value.message == "BAD_ARGUMENTS:cursor"


def test_a_biz_no_finds_its_one_verification_or_none() -> None:
    store = FakeListing([verification(1)])
    assert [item.verification_id for item in find_by_biz_no("order-1", store=store)] == ["vrf_0001"]
    assert find_by_biz_no("order-2", store=store) == []
