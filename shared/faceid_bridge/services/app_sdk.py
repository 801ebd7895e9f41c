"""The App (SDK) channel: get_biz_token v3 for the phone's SDK, then v3 verify with what the SDK
produced. Same verification store, state machine and events as H5 Lite; channel "app"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from faceid_bridge.api_models import AppVerificationRequest
from faceid_bridge.config import Settings
from faceid_bridge.domain.decision import evaluate_app
from faceid_bridge.domain.verification import Channel, Verification
from faceid_bridge.errors import ArgumentError, BridgeError, FaceIdOutcomeUnknown, NotFound
from faceid_bridge.faceid.app import GetBizTokenResponse
from faceid_bridge.observability import about_verification
from faceid_bridge.ports import FaceId, Store
from faceid_bridge.services import single_use
from faceid_bridge.services.creation import create_once, new_verification, prepare
from faceid_bridge.services.transitions import advance_with_audit

BIZ_TOKEN_LIFETIME = timedelta(hours=1)  # 003: a biz_token is valid for one hour and used once
BIZ_TOKEN = "biz_token"  # noqa: S105 - the parameter's name, not a credential


def create_app_verification(
    request: AppVerificationRequest,
    *,
    settings: Settings,
    store: Store,
    faceid: FaceId,
    hash_key: bytes,
    now: datetime | None = None,
) -> Verification:
    now = now or datetime.now(UTC)
    request, fingerprint = prepare(request, settings, hash_key)
    expires_at = now + BIZ_TOKEN_LIFETIME

    def build(answer: GetBizTokenResponse, sent_biz_no: str) -> Verification:
        # biz_id is our own id (new_verification's default): the biz_token is a live credential for
        # the SDK, kept only in `token` until the verification ends.
        return new_verification(
            Channel.APP,
            request,
            fingerprint,
            sent_biz_no=sent_biz_no,
            settings=settings,
            now=now,
            token=answer.biz_token,
            faceid_region=faceid.region_of(Channel.APP),
            liveness_type=request.liveness_type,
            expires_at=expires_at,
            # Never verified within the hour: the reconciler ends it as EXPIRED.
            due_at=int(expires_at.timestamp()) + settings.reconcile_grace_seconds,
        )

    verification, _ = create_once(
        request.biz_no,
        fingerprint,
        store=store,
        now=now,
        call_faceid=lambda sent_biz_no: faceid.get_biz_token(request.model_copy(update={"biz_no": sent_biz_no})),
        build=build,
    )
    return verification


def verify_app(
    verification_id: str,
    meglive_data: bytes | None,
    *,
    store: Store,
    faceid: FaceId,
    now: datetime | None = None,
) -> Verification:
    """Verify what the SDK produced, sending the single-use biz_token to FaceID once
    (services/single_use.py). Every caller reads the first call's verdict."""
    now = now or datetime.now(UTC)
    verification = store.get(verification_id)
    if verification is None or verification.channel is not Channel.APP:
        raise NotFound("NOT_FOUND:verification_id")
    about_verification(verification_id)
    if verification.status.terminal:
        return single_use.as_answered(verification, BIZ_TOKEN)
    # notes §4: meglive_data is required, except for raw_image, where FaceID compares the image sent
    # at get_biz_token.
    if not meglive_data and verification.liveness_type != "raw_image":
        raise ArgumentError.missing("meglive_data")
    if verification.token is None:
        raise NotFound("NOT_FOUND:verification_id")
    answered = single_use.mark_sent(verification, token_name=BIZ_TOKEN, store=store, now=now)
    if answered is not None:
        return answered
    try:
        result, payload = faceid.app_verify(verification.token, meglive_data or None, region=verification.faceid_region)
    except single_use.UNKNOWN_ANSWERS:
        single_use.settle_unknown(verification, source="app_verify", store=store, now=now)
        raise FaceIdOutcomeUnknown(f"{single_use.OUTCOME_UNKNOWN}:{BIZ_TOKEN}") from None
    except BridgeError:
        # FaceID refused it outright (an argument, its concurrency limit, an internal error it asks
        # to be resent): the token is not spent, and may be sent again.
        store.unmark_token_sent(verification, now)
        raise
    if verification.token_refusals and result.result_message == "BIZ_TOKEN_DENIED":
        # The token went to FaceID before (a refused call): this says nothing about the user.
        return single_use.settle_unknown(verification, source="app_verify", store=store, now=now)
    outcome = evaluate_app(
        result,
        far_level=verification.far_level,
        references=verification.references,
        kyc=verification.comparison_type == "1",
    )
    return advance_with_audit(verification, outcome, source="app_verify", payload=payload, store=store, now=now)
