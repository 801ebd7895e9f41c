"""Read a verification for the customer's services."""

from __future__ import annotations

from faceid_bridge.domain.verification import Verification
from faceid_bridge.errors import NotFound
from faceid_bridge.observability import about_verification
from faceid_bridge.ports import Verifications


def get_verification(verification_id: str, *, store: Verifications) -> Verification:
    verification = store.get(verification_id)
    if verification is None:
        raise NotFound("NOT_FOUND:verification_id")
    about_verification(verification_id)
    return verification
