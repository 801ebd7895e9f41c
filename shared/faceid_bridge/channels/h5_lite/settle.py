"""H5 Lite's reconciliation: a due verification settled by get_result (notes §2).

get_result is precious (kept one day, read at most three times, once on some doc versions), so
reads are scheduled for one read to settle a verification normally, keeping the rest as a last
chance before retention ends:

| read | when                                   | if FaceID still says PROCESSING |
| ---- | -------------------------------------- | ------------------------------- |
| 1    | token expiry + grace                   | look again an hour later        |
| 2    | + 1 hour                               | last chance before retention    |
| 3    | created + 23 hours                     | EXPIRED                         |

NOT_STARTED (the user never opened the page), a refused read (retention over, reads used up,
unknown biz_id) or three reads without a result all end the verification as EXPIRED. A read whose
answer is unusable (not JSON, not the documented model, another biz_id, or lost to a timeout) still
counts as one of the three: FaceID may have spent it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from faceid_bridge.channels.h5_lite.callbacks import apply_result
from faceid_bridge.channels.h5_lite.contract import get_result_call
from faceid_bridge.domain.verification import Channel, Verification
from faceid_bridge.errors import (
    FaceIdBadResponse,
    FaceIdOutcomeUnknown,
    FaceIdRejected,
    RateLimited,
    UpstreamMisconfigured,
    UpstreamUnavailable,
)
from faceid_bridge.metric_names import Metric
from faceid_bridge.observability import logger, metrics
from faceid_bridge.ports import FaceId, ScheduledStore
from faceid_bridge.services.transitions import expire

MAX_READS = 3
SECOND_READ_AFTER = timedelta(hours=1)
LAST_READ_AFTER_CREATION = timedelta(hours=23)  # FaceID keeps results for one day


def _next_read(verification: Verification, reads_after_this: int, now: datetime) -> datetime | None:
    if reads_after_this >= MAX_READS:
        return None
    if reads_after_this == 1:
        return now + SECOND_READ_AFTER
    return max(verification.created_at + LAST_READ_AFTER_CREATION, now + SECOND_READ_AFTER)


def _unreadable(verification: Verification, *, store: ScheduledStore, now: datetime, error: str) -> str:
    """A read FaceID may have spent without giving us a usable answer: count it, look again later."""
    metrics.add_metric(name=Metric.GET_RESULT_UNREADABLE, unit="Count", value=1)
    logger.warning(
        "get_result answer unusable; the read is counted",
        extra={"verification_id": verification.verification_id, "error": error},
    )
    next_read = _next_read(verification, verification.get_result_reads + 1, now)
    store.record_read(verification, result=None, next_due=int(next_read.timestamp()) if next_read else None)
    if next_read is None:
        expire(verification, store=store, now=now)
        return "expired"
    return "unreadable"


def settle_due(
    verification: Verification, *, store: ScheduledStore, faceid: FaceId, now: datetime, retry_after: timedelta
) -> str:
    """Read get_result for a due verification, and apply, expire or reschedule."""
    if verification.get_result_reads >= MAX_READS:
        expire(verification, store=store, now=now)
        return "expired"
    try:
        result, payload = faceid.send(
            get_result_call(verification.biz_id), channel=Channel.H5_LITE, region=verification.faceid_region
        )
    except FaceIdRejected as exc:  # unknown, past retention or read out: nothing left to learn
        metrics.add_metric(name=Metric.GET_RESULT_REFUSED, unit="Count", value=1)
        logger.warning(
            "get_result refused; expiring",
            extra={"verification_id": verification.verification_id, "error": exc.message},
        )
        expire(verification, store=store, now=now)
        return "expired"
    except (FaceIdBadResponse, FaceIdOutcomeUnknown) as exc:
        return _unreadable(verification, store=store, now=now, error=exc.message)
    except (UpstreamUnavailable, RateLimited, UpstreamMisconfigured) as exc:
        metrics.add_metric(name=Metric.GET_RESULT_ERRORS, unit="Count", value=1)
        logger.warning(
            "get_result failed; retrying later",
            extra={"verification_id": verification.verification_id, "error": exc.message},
        )
        store.reschedule(verification, int((now + retry_after).timestamp()))
        return "error"
    if result.biz_info.biz_id != verification.biz_id:
        return _unreadable(verification, store=store, now=now, error="FACEID_UNEXPECTED_RESPONSE:biz_id")

    metrics.add_metric(name=Metric.GET_RESULT_READS, unit="Count", value=1)
    reads = verification.get_result_reads + 1
    settles = result.status not in ("NOT_STARTED", "PROCESSING")
    next_read = None if settles else _next_read(verification, reads, now)
    store.record_read(
        verification,
        result=payload if settles else None,
        next_due=int(next_read.timestamp()) if next_read else None,
    )
    if settles:
        apply_result(result, payload, source="get_result", store=store, now=now)
        return "settled"
    if result.status == "NOT_STARTED" or next_read is None:
        expire(verification, store=store, now=now)
        return "expired"
    return "waiting"
