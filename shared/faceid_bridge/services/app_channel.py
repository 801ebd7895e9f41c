"""The App (SDK) channel: get_biz_token v3 for the phone's SDK, then v3 verify with what the SDK
produced. Same verification store, state machine and events as H5 Lite; channel "app"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from faceid_bridge.adapters.faceid_client import FaceIdClient
from faceid_bridge.adapters.store import VerificationStore
from faceid_bridge.config import Settings
from faceid_bridge.domain.decision import evaluate_app
from faceid_bridge.domain.verification import Channel, Verification
from faceid_bridge.errors import ArgumentError, NotFound
from faceid_bridge.faceid.contract import BizNo, FarLevel, GetBizTokenOptions, GetBizTokenResponse
from faceid_bridge.services.create import create_once, new_verification, prepare
from faceid_bridge.services.transitions import advance

BIZ_TOKEN_LIFETIME = timedelta(hours=1)  # 003: a biz_token is valid for one hour and used once


class AppVerificationRequest(GetBizTokenOptions):
    """POST /v1/app-verifications: every get_biz_token parameter of 003, plus ours. biz_no is
    required here: it is what makes creation idempotent."""

    biz_no: BizNo
    far_level: FarLevel | None = None


def create_app_verification(
    body: object, *, settings: Settings, store: VerificationStore, faceid: FaceIdClient, now: datetime | None = None
) -> Verification:
    now = now or datetime.now(UTC)
    request, fingerprint = prepare(AppVerificationRequest, body, settings)
    expires_at = now + BIZ_TOKEN_LIFETIME

    def build(answer: GetBizTokenResponse) -> Verification:
        return new_verification(
            Channel.APP,
            request,
            fingerprint,
            settings=settings,
            now=now,
            biz_id=answer.biz_token,
            token=answer.biz_token,
            expires_at=expires_at,
            # Never verified within the hour: the reconciler ends it as EXPIRED.
            due_at=int(expires_at.timestamp()) + settings.reconcile_grace_seconds,
        )

    verification, _ = create_once(
        request.biz_no,
        fingerprint,
        store=store,
        now=now,
        call_faceid=lambda: faceid.get_biz_token(request),
        build=build,
    )
    return verification


def verify_app(
    verification_id: str,
    meglive_data: bytes | None,
    *,
    store: VerificationStore,
    faceid: FaceIdClient,
    now: datetime | None = None,
) -> Verification:
    """Verify what the SDK produced. Idempotent: a verification already decided is returned as it is."""
    now = now or datetime.now(UTC)
    verification = store.get(verification_id)
    if verification is None or verification.channel is not Channel.APP:
        raise NotFound("NOT_FOUND:verification_id")
    if verification.status.terminal:
        return verification
    if not meglive_data:
        raise ArgumentError.missing("meglive_data")
    result, payload = faceid.app_verify(verification.token or verification.biz_id, meglive_data)
    store.put_audit(verification.verification_id, "app_verify", payload, now)
    outcome = evaluate_app(
        result,
        far_level=verification.far_level,
        references=verification.references,
        kyc=verification.comparison_type == "1",
    )
    return advance(verification, outcome.status, lambda _: outcome, store=store, now=now)
