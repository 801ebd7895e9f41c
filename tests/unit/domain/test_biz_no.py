"""The biz_no FaceID is sent on each attempt (issue 8, item 1): the customer's first, then a fresh
one derived from it, always within FaceID's 128 bytes (000: biz_no "cannot exceed 128 bytes")."""

from __future__ import annotations

import pytest

from faceid_bridge.domain import biz_no as biz_no_rules
from faceid_bridge.domain.biz_no import faceid_biz_no

LONG = "x" * 128
LONG_OTHER = "x" * 127 + "y"
UNICODE = "订单" * 21  # 126 bytes in UTF-8
DOCUMENTED_MAX_BYTES = 128  # 000, 002, 003; the tests do not read the module's constant


# Known answers, computed outside this code: the digest is sha256 of the customer's biz_no in UTF-8, e.g.
#   printf 'x%.0s' $(seq 126) | sha256sum    -> 19981abaa977...
@pytest.mark.parametrize(
    ("biz_no", "attempt", "expected"),
    [
        ("order-1", 0, "order-1"),
        ("order-1", 1, "order-1~r1"),
        ("order-1", 2, "order-1~r2"),
        (LONG, 0, LONG),
        ("x" * 125, 1, "x" * 125 + "~r1"),  # exactly 128 bytes with its suffix: it still fits
        ("x" * 126, 1, "x" * 113 + "~19981abaa977r1"),  # 129 bytes: a prefix and 12 hex digits of the digest
        (LONG, 2, "x" * 113 + "~24da1b81d0b1r2"),
        # 113 bytes left for the prefix: 37 whole characters, the cut one dropped
        (UNICODE, 1, "订单" * 18 + "订" + "~e78d49dacc54r1"),
    ],
)
def test_faceid_biz_no(biz_no: str, attempt: int, expected: str) -> None:
    assert faceid_biz_no(biz_no, attempt) == expected
    assert len(expected.encode()) <= DOCUMENTED_MAX_BYTES


@pytest.mark.parametrize("biz_no", [LONG, LONG_OTHER, UNICODE, "a" * 125])
def test_a_derived_biz_no_fits_and_is_new(biz_no: str) -> None:
    derived = [faceid_biz_no(biz_no, attempt) for attempt in range(4)]
    assert all(len(value.encode()) <= DOCUMENTED_MAX_BYTES for value in derived)
    assert len(set(derived)) == 4  # every attempt gets a biz_no FaceID has not seen


def test_two_long_biz_nos_sharing_a_prefix_stay_apart() -> None:
    assert faceid_biz_no(LONG, 1) != faceid_biz_no(LONG_OTHER, 1)


@pytest.mark.parametrize(
    ("biz_no", "reserved"),
    [("order-1", False), ("order-1~r1", True), ("~", True), ("a~b", True), ("order_1-r1", False), ("", False)],
)
def test_the_retry_mark_is_reserved(biz_no: str, reserved: bool) -> None:
    assert biz_no_rules.reserved(biz_no) is reserved


@pytest.mark.parametrize("biz_no", ["order-1", "x" * 128, "订单" * 21])
def test_every_derived_biz_no_carries_the_mark_no_customer_biz_no_may(biz_no: str) -> None:
    # So a derived biz_no can never be a customer's own (the API refuses the mark), nor the reverse
    assert not biz_no_rules.reserved(biz_no)
    assert all(biz_no_rules.reserved(biz_no_rules.faceid_biz_no(biz_no, attempt)) for attempt in (1, 2, 12))
