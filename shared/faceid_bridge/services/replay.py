"""Replay: the events of stored verifications, rebuilt from the table and put on a bus again, each
with the event_id it was first published with (docs/decisions.md §2 and §17). It reads the table,
not the stream, so it works for as long as the verification is kept (VerificationRetentionDays).

The events are the publisher's own entries (publisher.bus_entry) for each announced version
(domain/replay.py): a consumer that had them deduplicates on event_id; one that missed them gets
them as they were.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import batched
from typing import Any

from faceid_bridge.domain.listing import ListQuery
from faceid_bridge.domain.replay import announced_versions
from faceid_bridge.domain.verification import Verification
from faceid_bridge.ports import Bus, Listing, Verifications
from faceid_bridge.services.publisher import bus_entry

PUT_BATCH = 10  # PutEvents' entries per call


@dataclass
class ReplayReport:
    verifications: int = 0
    event_ids: list[str] = field(default_factory=list)  # put and accepted, in order
    refused: list[str] = field(default_factory=list)  # still refused after every attempt


def of_verification(verification_id: str, *, store: Verifications) -> list[Verification]:
    found = store.get(verification_id)
    return [found] if found is not None else []


def in_range(query: ListQuery, *, store: Listing, page: int = 100) -> Iterator[Verification]:
    """Every verification of `query`, through the listing index (never a Scan)."""
    return store.listed(query, expect=page)


def replay(verifications: Iterable[Verification], *, bus: Bus, source: str, bus_name: str) -> ReplayReport:
    """Put the announced events of `verifications` on `bus_name`, ten to a call. What the bus
    refuses is reported, not retried here: running the replay again is safe (the same event_ids)."""
    report = ReplayReport()

    def entries() -> Iterator[tuple[dict[str, Any], str]]:
        for verification in verifications:
            report.verifications += 1
            for version in announced_versions(verification):
                announced = bus_entry(version, source=source, bus_name=bus_name)
                if announced is not None:
                    entry, trace = announced
                    yield entry, trace["event_id"]

    for batch in batched(entries(), PUT_BATCH):
        refused = set(bus.put([entry for entry, _ in batch]))
        for index, (_, event_id) in enumerate(batch):
            (report.refused if index in refused else report.event_ids).append(event_id)
    return report
