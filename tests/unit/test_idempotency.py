"""The biz_no FaceID is sent on each attempt (issue 8, item 1): the customer's first, then a fresh
one derived from it, always within FaceID's 128 bytes (000)."""

from __future__ import annotations

import pytest

from faceid_bridge.services.creation import BIZ_NO_MAX_BYTES, faceid_biz_no

LONG = "x" * 128
LONG_OTHER = "x" * 127 + "y"
UNICODE = "订单" * 21  # 126 bytes in UTF-8


@pytest.mark.parametrize(
    ("biz_no", "attempt", "expected"),
    [
        ("order-1", 0, "order-1"),
        ("order-1", 1, "order-1~r1"),
        ("order-1", 2, "order-1~r2"),
        (LONG, 0, LONG),
    ],
)
def test_faceid_biz_no(biz_no: str, attempt: int, expected: str) -> None:
    assert faceid_biz_no(biz_no, attempt) == expected


@pytest.mark.parametrize("biz_no", [LONG, LONG_OTHER, UNICODE, "a" * 125])
def test_a_derived_biz_no_fits_and_is_new(biz_no: str) -> None:
    derived = [faceid_biz_no(biz_no, attempt) for attempt in range(4)]
    assert all(len(value.encode()) <= BIZ_NO_MAX_BYTES for value in derived)
    assert len(set(derived)) == 4  # every attempt gets a biz_no FaceID has not seen


def test_two_long_biz_nos_sharing_a_prefix_stay_apart() -> None:
    assert faceid_biz_no(LONG, 1) != faceid_biz_no(LONG_OTHER, 1)
