"""Create an H5 Lite verification: validate, claim biz_no, get a FaceID token, store."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from pydantic import model_validator

from faceid_bridge.adapters.faceid_client import FaceIdClient
from faceid_bridge.adapters.store import VerificationStore
from faceid_bridge.config import Settings
from faceid_bridge.domain.verification import Channel, Verification, new_verification_id
from faceid_bridge.errors import ArgumentError, BridgeError, Conflict
from faceid_bridge.faceid.contract import FarLevel, GetTokenOptions, HttpUrl, parse
from faceid_bridge.observability import logger, metrics


class CreateVerificationRequest(GetTokenOptions):
    """POST /v1/verifications: every get_token option under its own name, plus ours."""

    redirect_url: HttpUrl | None = None
    far_level: FarLevel | None = None

    @model_validator(mode="after")
    def _no_unused_references(self) -> CreateVerificationRequest:
        # Photos FaceID would not compare are personal data we have no reason to send.
        if self.comparison_type == "-1" and self.reference_count:
            raise ArgumentError.bad("image_ref1")
        return self


def create_verification(
    body: object,
    *,
    base_url: str,
    settings: Settings,
    store: VerificationStore,
    faceid: FaceIdClient,
    now: datetime | None = None,
) -> Verification:
    now = now or datetime.now(UTC)
    request = parse(CreateVerificationRequest, body)
    if request.redirect_url is not None and not settings.redirect_allowed(request.redirect_url):
        raise ArgumentError.bad("redirect_url")
    request = request.model_copy(update={"far_level": request.far_level or settings.default_far_level})
    request_hash = hashlib.sha256(request.model_dump_json().encode()).hexdigest()

    claim = store.claim_biz_no(request.biz_no, request_hash, now)
    if claim.claim_id is None:
        if claim.request_hash != request_hash:
            raise Conflict("CONFLICT:biz_no")
        if claim.state == "CREATED" and claim.verification_id:
            existing = store.get(claim.verification_id)
            if existing is not None:
                metrics.add_metric(name="IdempotentReplays", unit="Count", value=1)
                return existing
        raise Conflict("REQUEST_IN_PROGRESS:biz_no", retry_after=1)

    try:
        token = faceid.get_token(
            request, return_url=f"{base_url}/v1/faceid/return", notify_url=f"{base_url}/v1/faceid/notify"
        )
    except BridgeError as exc:
        store.release_biz_no(request.biz_no, claim.claim_id)
        logger.warning("FaceID refused get_token", extra={"error": exc.message, "status": exc.status})
        raise

    verification = Verification(
        verification_id=new_verification_id(),
        channel=Channel.H5_LITE,
        biz_no=request.biz_no,
        biz_id=token.biz_id,
        token=token.token,
        verification_url=faceid.do_url(token.token),
        comparison_type=request.comparison_type,
        references=request.reference_count,
        far_level=request.far_level or settings.default_far_level,
        redirect_url=request.redirect_url,
        biz_extra_data=request.biz_extra_data,
        request_hash=request_hash,
        created_at=now,
        updated_at=now,
        expires_at=datetime.fromtimestamp(token.expired_time, UTC),
        due_at=token.expired_time + settings.reconcile_grace_seconds,
    )
    store.create(verification, claim.claim_id)
    metrics.add_metric(name="VerificationsCreated", unit="Count", value=1)
    logger.info("verification created", extra={"verification_id": verification.verification_id})
    return verification
