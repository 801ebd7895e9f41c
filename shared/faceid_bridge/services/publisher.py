"""The outbox relay: DynamoDB stream records in, one normalized event per transition out.

At least once: entries PutEvents refuses are retried with backoff; whatever is still refused is
reported as a batch item failure so Lambda retries from there (events carry a stable event_id, so
consumers deduplicate the repeats). A record that can never become an event (poison) goes to the
DLQ with its full image, so it can be redriven once the cause is fixed; so does an event over
EventBridge's 256 KB entry limit once its optional biz_extra_data is dropped (never retried: it
would be refused again, and would hold up its shard).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from faceid_bridge.domain.events import event_for
from faceid_bridge.domain.verification import Verification
from faceid_bridge.metric_names import Metric
from faceid_bridge.observability import logger, metrics
from faceid_bridge.ports import Bus, DeadLetters

MAX_ENTRY_BYTES = 256 * 1024  # EventBridge's PutEvents entry limit


class EventTooLarge(ValueError):
    """An event over MAX_ENTRY_BYTES even without its optional fields."""


def entry_size(entry: dict[str, Any]) -> int:
    """An entry's size as EventBridge counts it: Time (14 bytes) plus the UTF-8 bytes of Source,
    DetailType, Detail and Resources."""
    parts = [entry.get("Source", ""), entry.get("DetailType", ""), entry.get("Detail", ""), *entry.get("Resources", [])]
    return (14 if entry.get("Time") else 0) + sum(len(part.encode()) for part in parts)


# A stream image (DynamoDB's typed form) as a verification: the store's codec, given by the wiring.
ImageDecoder = Callable[[dict[str, Any]], Verification]


def entry_for(
    record: dict[str, Any], *, source: str, bus_name: str, decode: ImageDecoder
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The PutEvents entry a stream record announces and the ids that trace it (the event, its
    verification, and the request that caused the transition), or None when it announces nothing."""
    if record.get("eventName") not in ("INSERT", "MODIFY"):
        return None
    images = record["dynamodb"]
    new_image = images.get("NewImage", {})
    if new_image.get("entity", {}).get("S") != "verification":
        return None
    old_version = images.get("OldImage", {}).get("version", {}).get("N")
    if old_version == new_image["version"]["N"]:
        return None  # rewritten without a transition
    return bus_entry(decode(new_image), source=source, bus_name=bus_name)


def bus_entry(
    verification: Verification, *, source: str, bus_name: str
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The PutEvents entry of the transition that produced this version of `verification`, and the
    ids that trace it, or None when it announces nothing. The publisher's, and a replay's
    (services/replay.py)."""
    event = event_for(verification)
    if event is None:
        return None
    detail_type, detail = event
    trace = {
        "event_id": detail.event_id,
        "verification_id": verification.verification_id,
        "detail_type": detail_type,
        "caused_by": verification.correlation_id,
    }
    entry = {
        "Source": source,
        "DetailType": detail_type,
        "Detail": detail.model_dump_json(),
        "EventBusName": bus_name,
        "Time": detail.occurred_at,
    }
    if entry_size(entry) > MAX_ENTRY_BYTES and detail.biz_extra_data is not None:
        metrics.add_metric(name=Metric.EVENTS_TRIMMED, unit="Count", value=1)
        logger.warning("event over 256 KB: biz_extra_data dropped", extra={"event_id": detail.event_id})
        entry["Detail"] = detail.model_copy(update={"biz_extra_data": None}).model_dump_json()
    if entry_size(entry) > MAX_ENTRY_BYTES:
        raise EventTooLarge(detail.event_id)
    return entry, trace


def publish_records(
    records: list[dict[str, Any]],
    *,
    bus: Bus,
    dead_letters: DeadLetters,
    source: str,
    bus_name: str,
    decode: ImageDecoder,
    attempts: int = 4,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Publish a stream batch. Returns Lambda's partial batch response."""
    failed: list[str] = []
    pending: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    for record in records:
        sequence = record["dynamodb"]["SequenceNumber"]
        try:
            announced = entry_for(record, source=source, bus_name=bus_name, decode=decode)
        except (KeyError, ValueError, ValidationError) as exc:
            metrics.add_metric(name=Metric.POISON_RECORDS, unit="Count", value=1)
            logger.error(
                "poison stream record sent to the DLQ", extra={"sequence": sequence, "error": type(exc).__name__}
            )
            try:
                dead_letters.send({"reason": type(exc).__name__, "record": record})
            except Exception:  # noqa: BLE001 - the DLQ is down too: let Lambda retry the record
                logger.exception("DLQ send failed")
                failed.append(sequence)
            continue
        if announced is not None:
            pending.append((sequence, *announced))

    for attempt in range(attempts):
        if not pending:
            break
        if attempt:
            sleep(min(0.1 * 2**attempt, 2.0))
            metrics.add_metric(name=Metric.PUBLISH_RETRIES, unit="Count", value=len(pending))
        refused = set(bus.put([entry for _, entry, _ in pending]))
        published = [trace for index, (_, _, trace) in enumerate(pending) if index not in refused]
        if published:
            metrics.add_metric(name=Metric.EVENTS_PUBLISHED, unit="Count", value=len(published))
            logger.info("events published", extra={"events": published})
        pending = [item for index, item in enumerate(pending) if index in refused]

    if pending:
        metrics.add_metric(name=Metric.PUBLISH_FAILURES, unit="Count", value=len(pending))
        logger.warning("events not accepted; the batch will be retried", extra={"count": len(pending)})
        failed.extend(sequence for sequence, _, _ in pending)
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in failed]}
