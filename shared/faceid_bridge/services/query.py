"""Read a verification for the customer's services."""

from __future__ import annotations

from faceid_bridge.adapters.store import VerificationStore
from faceid_bridge.domain.verification import Verification
from faceid_bridge.errors import NotFound


def get_verification(verification_id: str, *, store: VerificationStore) -> Verification:
    verification = store.get(verification_id)
    if verification is None:
        raise NotFound("NOT_FOUND:verification_id")
    return verification
