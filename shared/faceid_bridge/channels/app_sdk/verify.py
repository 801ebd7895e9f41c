"""The App SDK's verify: v3 verify (notes §4) with what the SDK produced, the single-use biz_token
sent to FaceID once (services/single_use.py); and what the reconciler does with a verification
whose verify never came."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from faceid_bridge.channels.app_sdk.contract import verify_call
from faceid_bridge.channels.app_sdk.evaluator import evaluate_app
from faceid_bridge.domain.audit import AuditEntry
from faceid_bridge.domain.changes import cancelled_by_customer
from faceid_bridge.domain.verification import Channel, Verification
from faceid_bridge.errors import ArgumentError, BridgeError, FaceIdOutcomeUnknown, NotFound
from faceid_bridge.observability import about_verification
from faceid_bridge.ports import FaceId, ScheduledStore, Verifications
from faceid_bridge.services import single_use
from faceid_bridge.services.transitions import advance_with_audit, expire, unchanged

BIZ_TOKEN = "biz_token"  # noqa: S105 - the parameter's name, not a credential
SOURCE = "app_verify"  # what its audit items are named by


def verify_app(
    verification_id: str,
    meglive_data: bytes | None,
    *,
    store: Verifications,
    faceid: FaceId,
    now: datetime | None = None,
) -> Verification:
    """Verify what the SDK produced, sending the single-use biz_token to FaceID once
    (services/single_use.py). Every caller reads the first call's verdict."""
    now = now or datetime.now(UTC)
    verification = store.get(verification_id)
    if verification is None or verification.channel is not Channel.APP_SDK:
        raise NotFound("NOT_FOUND:verification_id")
    about_verification(verification_id)
    if verification.status.terminal:
        return _answered(verification, store=store, now=now)
    # notes §4: meglive_data is required, except for raw_image, where FaceID compares the image sent
    # at get_biz_token.
    if not meglive_data and verification.liveness_type != "raw_image":
        raise ArgumentError.missing("meglive_data")
    if verification.token is None:
        raise NotFound("NOT_FOUND:verification_id")
    answered = single_use.mark_sent(verification, token_name=BIZ_TOKEN, store=store, now=now)
    if answered is not None:
        return _answered(answered, store=store, now=now)
    try:
        call = verify_call(verification.token, meglive_data or None)
        result, payload = faceid.send(call, channel=Channel.APP_SDK, region=verification.faceid_region)
    except single_use.UNKNOWN_ANSWERS:
        single_use.settle_unknown(verification, source=SOURCE, store=store, now=now)
        raise FaceIdOutcomeUnknown(f"{single_use.OUTCOME_UNKNOWN}:{BIZ_TOKEN}") from None
    except BridgeError:
        # FaceID refused it outright (an argument, its concurrency limit, an internal error it asks
        # to be resent): the token is not spent, and may be sent again.
        store.unmark_token_sent(verification, now)
        raise
    if verification.token_refusals and result.result_message == "BIZ_TOKEN_DENIED":
        # The token went to FaceID before (a refused call): this says nothing about the user.
        return single_use.settle_unknown(verification, source=SOURCE, store=store, now=now)
    outcome = evaluate_app(
        result,
        far_level=verification.far_level,
        references=verification.references,
        kyc=verification.comparison_type == "1",
    )
    return advance_with_audit(verification, outcome, source=SOURCE, payload=payload, store=store, now=now)


def _answered(verification: Verification, *, store: Verifications, now: datetime) -> Verification:
    """A verify that finds the verification ended reads its verdict. One after the customer's cancel
    is a late callback (docs/decisions.md §15), as H5 Lite's late notify is: the SDK's package is
    never sent to FaceID, and its arrival is audited (without the package) and counted."""
    if cancelled_by_customer(verification):
        unchanged(verification, answer=AuditEntry(SOURCE, {"sent_to_faceid": False}, now), store=store)
    return single_use.as_answered(verification, BIZ_TOKEN)


def settle_due(
    verification: Verification, *, store: ScheduledStore, faceid: FaceId, now: datetime, retry_after: timedelta
) -> str:
    """A biz_token never sent within its hour is abandoned; one that was sent has an outcome we
    cannot know (single_use.settle_due)."""
    if verification.token_sent_at is None:
        expire(verification, store=store, now=now)
        return "expired"
    return single_use.settle_due(verification, store=store, now=now)
