"""biz_no: the customer's order number, and the ones faceid-bridge derives from it for FaceID."""

from __future__ import annotations

# Marks a biz_no derived for a retry (services/creation.py faceid_biz_no: `order-1~r1`). A
# customer's own biz_no may not contain it, so that the two namespaces can never meet: a customer's
# `X~r1` would otherwise be the biz_no a lost-and-retried `X` needs at FaceID, or the reverse.
RETRY_MARK = "~"


def reserved(biz_no: str) -> bool:
    return RETRY_MARK in biz_no
