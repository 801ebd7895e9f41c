"""What generic code asks a channel (channels/__init__.py finds a channel's spec)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from faceid_bridge.domain.verification import Channel, Verification
from faceid_bridge.ports import FaceId, ScheduledStore


class SettleDue(Protocol):
    def __call__(
        self,
        verification: Verification,
        *,
        store: ScheduledStore,
        faceid: FaceId,
        now: datetime,
        retry_after: timedelta,
    ) -> str:
        """Settle or reschedule one of the channel's non-terminal verifications that is due (the
        reconciler checked that): what happened, for the run's report."""
        ...


@dataclass(frozen=True)
class ChannelSpec:
    channel: Channel
    settle_due: SettleDue
