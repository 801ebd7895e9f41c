"""The H5 Raw channel: the customer's own page uploaded the selfie video (validate_still gave a
token); raw/verify judges it at once. Same store, state machine and events; channel "h5_raw"."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from faceid_bridge.api_models import RawVerificationRequest
from faceid_bridge.config import Settings
from faceid_bridge.domain.decision import evaluate_raw
from faceid_bridge.domain.verification import Channel, Verification
from faceid_bridge.faceid.raw import RawVerifyResult
from faceid_bridge.ports import FaceId, Store
from faceid_bridge.services import single_use
from faceid_bridge.services.creation import SingleUseToken, create_once, new_verification, prepare
from faceid_bridge.services.transitions import advance_with_audit


def create_raw_verification(
    request: RawVerificationRequest,
    *,
    settings: Settings,
    store: Store,
    faceid: FaceId,
    hash_key: bytes,
    now: datetime | None = None,
) -> Verification:
    now = now or datetime.now(UTC)
    request, fingerprint = prepare(request, settings, hash_key)
    answers: list[tuple[RawVerifyResult, dict[str, Any]]] = []

    def unanswered(sent_biz_no: str, **fields: Any) -> Verification:
        return new_verification(
            Channel.H5_RAW,
            request,
            fingerprint,
            sent_biz_no=sent_biz_no,
            settings=settings,
            now=now,
            faceid_region=faceid.region_of(Channel.H5_RAW),
            expires_at=now,
            # Decided in this same call; due only if the process dies before the decision is stored.
            due_at=int(now.timestamp()) + settings.reconcile_grace_seconds,
            **fields,
        )

    def build(answer: tuple[RawVerifyResult, dict[str, Any]], sent_biz_no: str) -> Verification:
        answers.append(answer)
        return unanswered(sent_biz_no, biz_id=answer[0].request_id)

    verification, created = create_once(
        request.biz_no,
        fingerprint,
        store=store,
        now=now,
        call_faceid=lambda sent_biz_no: faceid.raw_verify(request.model_copy(update={"biz_no": sent_biz_no})),
        build=build,
        # token_still works once (002): a lost answer is never followed by a second raw/verify.
        single_use_token=SingleUseToken("token", unanswered),
    )
    if not created:
        return single_use.as_answered(verification, "token")  # a replay: decided the first time
    result, payload = answers[0]
    outcome = evaluate_raw(result, far_level=verification.far_level, references=verification.references)
    return advance_with_audit(verification, outcome, source="raw_verify", payload=payload, store=store, now=now)
