"""The interfaces the services depend on, one per concern: verifications, biz_no claims, the
reconciler's due index and leases, FaceID, the event bus and the dead-letter queue. The adapters
(adapters/) implement them for AWS and FaceID; the tests' fakes implement them too, and mypy checks
both against these. A service is typed with only the concerns it uses."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from pydantic import BaseModel

    from faceid_bridge.domain.audit import AuditEntry
    from faceid_bridge.domain.biz_no import BizNoClaim
    from faceid_bridge.domain.listing import ListQuery
    from faceid_bridge.domain.verification import Verification
    from faceid_bridge.faceid.calls import FaceIdCall


class Verifications(Protocol):
    """Each verification: its creation, reads, transitions and single-use token marks."""

    def create(self, verification: Verification, claim_id: str, *, index_biz_id: bool) -> None: ...
    def get(self, verification_id: str) -> Verification | None: ...
    def find_by_biz_id(self, biz_id: str, *, verification_id: str | None = None) -> Verification | None: ...
    def save_transition(self, before: Verification, after: Verification, audit: AuditEntry | None = None) -> bool: ...
    def save_late_answer(self, verification: Verification, audit: AuditEntry) -> bool: ...
    def mark_token_sent(self, verification: Verification, now: datetime) -> bool: ...
    def unmark_token_sent(self, verification: Verification, sent_at: datetime) -> None: ...


class Claims(Protocol):
    """biz_no claims: one verification per customer biz_no."""

    def claim_biz_no(self, biz_no: str, request_hash: str, now: datetime) -> BizNoClaim: ...
    def mark_ambiguous(self, biz_no: str, claim_id: str) -> None: ...
    def release_biz_no(self, biz_no: str, claim_id: str) -> None: ...


class DueIndex(Protocol):
    """The reconciler's schedule of non-terminal verifications, and its get_result bookkeeping."""

    def due(self, now: datetime, page_size: int = 100) -> Iterator[str]: ...
    def record_read(
        self, verification: Verification, *, result: dict[str, Any] | None, next_due: int | None
    ) -> None: ...
    def reschedule(self, verification: Verification, next_due: int) -> None: ...


class Listing(Protocol):
    """Finding verifications without a Scan: by the customer's biz_no, or by channel, creation time
    and status, in creation order, read lazily (the caller takes what it needs)."""

    def find_by_biz_no(self, biz_no: str) -> Verification | None: ...
    def listed(self, query: ListQuery, *, expect: int) -> Iterator[Verification]: ...


class Leases(Protocol):
    def take_lease(self, name: str, holder: str, now: datetime, until: datetime) -> bool: ...
    def end_lease(self, name: str, holder: str) -> None: ...


class Redactions(Protocol):
    """Redaction's writes: the record's, the biz_no claim's fingerprint, the audit items."""

    def save_redaction(self, before: Verification, after: Verification) -> bool: ...
    def forget_fingerprint(self, biz_no: str, verification_id: str) -> None: ...
    def delete_audit(self, verification_id: str) -> int: ...


class ChangesStore(Redactions, Verifications, Protocol):
    """What cancel and redact use."""


class CreationStore(Claims, Verifications, Protocol):
    """What a creation uses: the biz_no claim, then the verification."""


class ScheduledStore(DueIndex, Verifications, Protocol):
    """What settling a due verification uses."""


class ReconcilerStore(Leases, DueIndex, Verifications, Protocol):
    """What a reconciler run uses."""


class FaceId(Protocol):
    """FaceID's APIs, whatever the channel: a channel's contract builds its calls (faceid/calls.py).
    A new flow goes to its channel's region; a later call (`region`) to the region that made the
    verification's token."""

    def region_of(self, channel: str) -> str: ...
    def endpoint(self, channel: str, region: str | None = None) -> str: ...
    def send[M: BaseModel](
        self, call: FaceIdCall[M], *, channel: str, region: str | None = None
    ) -> tuple[M, dict[str, Any]]: ...


class Bus(Protocol):
    def put(self, entries: list[dict[str, Any]]) -> list[int]:
        """Put events; the indexes of the entries the bus refused."""
        ...


class DeadLetters(Protocol):
    def send(self, message: dict[str, Any]) -> None: ...
