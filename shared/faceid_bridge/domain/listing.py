"""What a listing of verifications asks for: one channel's verifications created in a time range,
optionally of one status, in creation order, from a position on. Pure: the store answers it
(adapters/dynamodb/listing.py), the listing service pages it (services/listing.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from faceid_bridge.domain.lifecycle import Status
from faceid_bridge.domain.verification import Channel

DEFAULT_LIMIT, MAX_LIMIT = 20, 100  # a page's size, when not given, and at most


@dataclass(frozen=True)
class Position:
    """A verification's place in creation order: its creation instant, then its id (ties)."""

    created_at: datetime
    verification_id: str


@dataclass(frozen=True)
class ListQuery:
    """Verifications of `channel` created in [created_after, created_before), of `status` when
    given, strictly after `after` when given, in creation order."""

    channel: Channel
    created_after: datetime
    created_before: datetime
    status: Status | None = None
    after: Position | None = None
