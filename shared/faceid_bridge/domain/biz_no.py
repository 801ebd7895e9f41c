"""The biz_no FaceID is sent on each attempt at a creation, and the mark that keeps the ones we
derive apart from the customer's. Pure.

FaceID refuses a biz_no it has seen (000: "must be unique"), so a retry after an unknown outcome
sends one derived from the customer's (see services/creation.py), within FaceID's 128 bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

BIZ_NO_MAX_BYTES = 128  # 000, 002, 003
# Marks a derived biz_no (`order-1~r1`). A customer's own biz_no may not contain it, so that the two
# namespaces never meet: a customer's `X~r1` would otherwise be the biz_no a lost-and-retried `X`
# needs at FaceID, or the reverse.
RETRY_MARK = "~"


def reserved(biz_no: str) -> bool:
    return RETRY_MARK in biz_no


def faceid_biz_no(biz_no: str, attempt: int) -> str:
    """The biz_no FaceID gets on `attempt`: the customer's on the first, then one derived from it
    that FaceID has not seen, within FaceID's 128 bytes."""
    if attempt == 0:
        return biz_no
    suffix = f"{RETRY_MARK}r{attempt}"
    if len((biz_no + suffix).encode()) > BIZ_NO_MAX_BYTES:
        # Too long to extend: a prefix plus a digest of the whole, so that two long biz_nos sharing
        # the prefix still differ.
        suffix = f"{RETRY_MARK}{hashlib.sha256(biz_no.encode()).hexdigest()[:12]}r{attempt}"
        biz_no = biz_no.encode()[: BIZ_NO_MAX_BYTES - len(suffix)].decode("utf-8", "ignore")
    return biz_no + suffix


@dataclass(frozen=True)
class BizNoClaim:
    """Who holds a biz_no: `claim_id` is ours when we won it; otherwise what the holder stored.
    `attempt` counts the FaceID calls made for it whose outcome we could not know (0: none)."""

    claim_id: str | None
    state: str
    request_hash: str
    verification_id: str | None = None
    attempt: int = 0
