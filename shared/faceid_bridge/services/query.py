"""Read a verification for the customer's services."""

from __future__ import annotations

from typing import Any

from faceid_bridge.adapters.store import VerificationStore
from faceid_bridge.domain.verification import Verification
from faceid_bridge.errors import NotFound

# What a client may read. Never the FaceID token or our internal request hash.
PUBLIC_FIELDS = frozenset(
    {
        "verification_id",
        "biz_no",
        "biz_id",
        "channel",
        "status",
        "decision",
        "reasons",
        "liveness",
        "comparison",
        "far_level",
        "created_at",
        "updated_at",
        "expires_at",
    }
)


def public_view(verification: Verification) -> dict[str, Any]:
    return verification.model_dump(mode="json", include=set(PUBLIC_FIELDS))


def get_verification(verification_id: str, *, store: VerificationStore) -> dict[str, Any]:
    verification = store.get(verification_id)
    if verification is None:
        raise NotFound("NOT_FOUND:verification_id")
    return public_view(verification)
