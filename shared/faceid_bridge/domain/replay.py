"""Which events a stored verification announced, rebuilt from the record alone (a replay reads the
table, not the stream: docs/decisions.md §17). Pure.

A verification announces its creation (version 1) and, once it has a decision, the transition that
gave it (its current version); PROCESSING announces nothing and a terminal state never changes
again (domain/lifecycle.py). So the record holds every announced version: version 1 is the record
as created (its lifecycle fields at their creation values, updated_at = created_at), and the current
one is the record itself. Each keeps its version, hence its event_id (domain/events.event_id).
A redacted record announced three: only a terminal record is redacted, one version after the
verdict (a terminal record is never written otherwise), so the verdict is rebuilt at that version
from what the redaction left (no personal data is replayed, and occurred_at reads the redaction's
time), and the redaction is the record itself.
"""

from __future__ import annotations

from faceid_bridge.domain.decision import Outcome
from faceid_bridge.domain.events import detail_type_of
from faceid_bridge.domain.lifecycle import Status
from faceid_bridge.domain.verification import Verification


def as_created(verification: Verification) -> Verification:
    """The verification as its creation stored it: version 1, CREATED, no verdict."""
    created = dict(Outcome(status=Status.CREATED))  # every lifecycle field at its creation value
    return verification.model_copy(
        update={**created, "version": 1, "updated_at": verification.created_at, "redacted_at": None}
    )


def announced_versions(verification: Verification) -> list[Verification]:
    """The versions of `verification` that announced an event, oldest first."""
    versions = [as_created(verification)]
    if verification.redacted_at is not None:
        versions.append(verification.model_copy(update={"version": verification.version - 1, "redacted_at": None}))
    if verification.version > 1 and detail_type_of(verification) is not None:
        versions.append(verification)
    return versions
