"""In-memory implementations of faceid_bridge.ports, for the tests and `make scale` (mypy checks them
wherever they are passed as the port).

`MemoryStore` keeps what the DynamoDB adapter keeps, with the same rules the services rely on (a
transition writes only if the version is unchanged and sets only the lifecycle's fields; the due
index holds the non-terminal verifications, bucket by bucket, oldest first), and appends a stream
record, as NEW_AND_OLD_IMAGES has it, for every write to a verification item. It counts the
DynamoDB calls each operation makes. The adapter itself is tested against moto (tests/integration).
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from faceid_bridge.adapters.dynamodb.claims import CLAIM_LEASE
from faceid_bridge.adapters.dynamodb.codec import DUE_BUCKETS, due_bucket, verification_item
from faceid_bridge.adapters.dynamodb.verifications import LIFECYCLE_FIELDS
from faceid_bridge.domain.audit import AuditEntry
from faceid_bridge.domain.biz_no import BizNoClaim
from faceid_bridge.domain.verification import Verification
from faceid_bridge.errors import RequestInProgress


@dataclass
class FakeBus:
    """faceid_bridge.ports.Bus: records each put; refuses the entries it is told to, per call."""

    refuse: dict[int, set[int]] = field(default_factory=dict)  # call -> indexes refused
    calls: list[list[dict[str, Any]]] = field(default_factory=list)

    def put(self, entries: list[dict[str, Any]]) -> list[int]:
        self.calls.append(entries)
        return sorted(self.refuse.get(len(self.calls) - 1, set()))


@dataclass
class FakeDeadLetters:
    """faceid_bridge.ports.DeadLetters: keeps the messages, or fails like an SQS outage."""

    down: bool = False
    messages: list[dict[str, Any]] = field(default_factory=list)

    def send(self, message: dict[str, Any]) -> None:
        if self.down:
            raise ConnectionError("sqs down")
        self.messages.append(message)


@dataclass
class _Claim:
    claim_id: str
    state: str
    request_hash: str
    claimed_at: datetime
    attempt: int
    verification_id: str | None = None


class MemoryStore:
    """faceid_bridge.ports.Store in memory (see the module's docstring)."""

    def __init__(self) -> None:
        self.verifications: dict[str, Verification] = {}
        self.by_biz_id: dict[str, str] = {}
        self.claims: dict[str, _Claim] = {}
        self.leases: dict[str, tuple[str, datetime]] = {}
        self.due_index: list[dict[str, int]] = [{} for _ in range(DUE_BUCKETS)]  # bucket: id -> due_at
        self.audits = 0
        self.calls: Counter[str] = Counter()  # DynamoDB operation -> calls
        self.stream: list[dict[str, Any]] = []  # records not yet taken by a reader
        self._sequence = 0

    # --- what DynamoDB would do ------------------------------------------------------------------

    def _write(self, before: Verification | None, after: Verification) -> None:
        self.verifications[after.verification_id] = after
        bucket = self.due_index[int(due_bucket(after.verification_id).removeprefix("DUE#"))]
        if after.due_at is None:
            bucket.pop(after.verification_id, None)
        else:
            bucket[after.verification_id] = after.due_at
        self._sequence += 1
        images = {"NewImage": verification_item(after, 0), "SequenceNumber": str(self._sequence)}
        if before is not None:
            images["OldImage"] = verification_item(before, 0)
        self.stream.append({"eventName": "INSERT" if before is None else "MODIFY", "dynamodb": images})

    def _stored(self, verification: Verification) -> Verification | None:
        stored = self.verifications.get(verification.verification_id)
        return stored if stored is not None and stored.version == verification.version else None

    # --- creation ----------------------------------------------------------------------------------

    def claim_biz_no(self, biz_no: str, request_hash: str, now: datetime) -> BizNoClaim:
        self.calls["UpdateItem"] += 1
        held = self.claims.get(biz_no)
        takes_over = held is not None and (
            held.request_hash == request_hash
            and (held.state == "AMBIGUOUS" or (held.state == "PENDING" and held.claimed_at < now - CLAIM_LEASE))
        )
        if held is None or takes_over:
            attempt = 0 if held is None else held.attempt + 1
            claim = _Claim(secrets.token_hex(8), "PENDING", request_hash, now, attempt)
            self.claims[biz_no] = claim
            return BizNoClaim(claim_id=claim.claim_id, state="PENDING", request_hash=request_hash, attempt=attempt)
        assert held is not None
        self.calls["GetItem"] += 1
        return BizNoClaim(None, held.state, held.request_hash, held.verification_id, held.attempt)

    def mark_ambiguous(self, biz_no: str, claim_id: str) -> None:
        self.calls["UpdateItem"] += 1
        held = self.claims.get(biz_no)
        if held is not None and held.claim_id == claim_id and held.state == "PENDING":
            held.state = "AMBIGUOUS"

    def release_biz_no(self, biz_no: str, claim_id: str) -> None:
        self.calls["DeleteItem"] += 1
        held = self.claims.get(biz_no)
        if held is not None and held.claim_id == claim_id and held.state == "PENDING":
            del self.claims[biz_no]

    def create(self, verification: Verification, claim_id: str, *, index_biz_id: bool) -> None:
        self.calls["TransactWriteItems"] += 1
        held = self.claims.get(verification.biz_no)
        if held is None or held.claim_id != claim_id or verification.verification_id in self.verifications:
            raise RequestInProgress("REQUEST_IN_PROGRESS:biz_no", retry_after=1)
        held.state, held.verification_id = "CREATED", verification.verification_id
        if index_biz_id:
            self.by_biz_id[verification.biz_id] = verification.verification_id
        self._write(None, verification)

    # --- reads -------------------------------------------------------------------------------------

    def get(self, verification_id: str) -> Verification | None:
        self.calls["GetItem"] += 1
        return self.verifications.get(verification_id)

    def find_by_biz_id(self, biz_id: str, *, verification_id: str | None = None) -> Verification | None:
        if verification_id:
            candidate = self.get(verification_id)
            if candidate is not None and candidate.biz_id == biz_id:
                return candidate
        self.calls["GetItem"] += 1  # the biz_id key item, then the verification
        found = self.by_biz_id.get(biz_id)
        return self.get(found) if found else None

    # --- transitions -------------------------------------------------------------------------------

    def save_transition(self, before: Verification, after: Verification, audit: AuditEntry | None = None) -> bool:
        self.calls["UpdateItem" if audit is None else "TransactWriteItems"] += 1
        stored = self._stored(before)
        if stored is None:
            return False
        update: dict[str, Any] = {name: getattr(after, name) for name in LIFECYCLE_FIELDS}
        if after.due_at is None:
            update["due_at"] = None
        if after.status.terminal:
            update |= {"token": None, "verification_url": None}
        self.audits += audit is not None
        self._write(stored, stored.model_copy(update=update))
        return True

    def save_late_answer(self, verification: Verification, audit: AuditEntry) -> bool:
        self.calls["TransactWriteItems"] += 1
        stored = self._stored(verification)
        if stored is None or stored.redacted_at is not None:
            return False
        self.audits += 1
        return True

    def mark_token_sent(self, verification: Verification, now: datetime) -> bool:
        self.calls["UpdateItem"] += 1
        stored = self._stored(verification)
        if stored is None or stored.token_sent_at is not None:
            return False
        self._write(stored, stored.model_copy(update={"token_sent_at": now}))
        return True

    def unmark_token_sent(self, verification: Verification, sent_at: datetime) -> None:
        self.calls["UpdateItem"] += 1
        stored = self.verifications.get(verification.verification_id)
        if stored is not None and stored.token_sent_at == sent_at:
            update = {"token_sent_at": None, "token_refusals": stored.token_refusals + 1}
            self._write(stored, stored.model_copy(update=update))

    # --- leases ------------------------------------------------------------------------------------

    def take_lease(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        self.calls["UpdateItem"] += 1
        current = self.leases.get(name)
        if current is not None and current[1] > now and current[0] != holder:
            return False
        self.leases[name] = (holder, until)
        return True

    def end_lease(self, name: str, holder: str) -> None:
        self.calls["UpdateItem"] += 1
        current = self.leases.get(name)
        if current is not None and current[0] == holder:
            self.leases[name] = (holder, datetime.min.replace(tzinfo=current[1].tzinfo))

    # --- reconciliation ----------------------------------------------------------------------------

    def due(self, now: datetime, page_size: int = 100) -> Iterator[str]:
        for bucket in self.due_index:
            due = sorted(
                (due_at, verification_id) for verification_id, due_at in bucket.items() if due_at <= now.timestamp()
            )
            self.calls["Query"] += 1 + len(due) // page_size
            yield from (verification_id for _, verification_id in due)

    def record_read(self, verification: Verification, *, result: dict[str, Any] | None, next_due: int | None) -> None:
        self.calls["UpdateItem"] += 1
        stored = self.verifications.get(verification.verification_id)
        if stored is None or (next_due is not None and stored.version != verification.version):
            return  # the adapter's condition: a new due time only for a record no transition has moved
        update: dict[str, Any] = {"get_result_reads": stored.get_result_reads + 1}
        if result is not None and stored.first_result is None:
            update["first_result"] = "kept"  # the adapter keeps the redacted answer; only its presence matters here
        if next_due is not None:
            update["due_at"] = next_due
        self._write(stored, stored.model_copy(update=update))

    def reschedule(self, verification: Verification, next_due: int) -> None:
        self.calls["UpdateItem"] += 1
        stored = self._stored(verification)
        if stored is not None:
            self._write(stored, stored.model_copy(update={"due_at": next_due}))

    def due_count(self, now: datetime) -> int:
        """How many verifications are due by `now` (not a port method: the simulation's measure)."""
        return sum(due_at <= now.timestamp() for bucket in self.due_index for due_at in bucket.values())
