"""H5 Raw's creation: the customer's own page uploaded the selfie video (validate_still gave a
token); raw/verify (002) judges it at once, in the same call. And what the reconciler does with a
verification whose process died before FaceID's answer was stored."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from faceid_bridge.channels.h5_raw.contract import RawVerifyResult, verify_call
from faceid_bridge.channels.h5_raw.evaluator import evaluate_raw
from faceid_bridge.config import CreationConfig
from faceid_bridge.domain.verification import Channel, Verification
from faceid_bridge.ports import CreationStore, FaceId, ScheduledStore
from faceid_bridge.services import single_use
from faceid_bridge.services.creation import ChannelRequest, SingleUseToken, begin, create_once
from faceid_bridge.services.transitions import advance_with_audit


def create_raw_verification(
    request: ChannelRequest,
    *,
    settings: CreationConfig,
    store: CreationStore,
    faceid: FaceId,
    hash_key: bytes,
    now: datetime | None = None,
) -> Verification:
    request, creating = begin(Channel.H5_RAW, request, settings=settings, faceid=faceid, hash_key=hash_key, now=now)
    answers: list[tuple[RawVerifyResult, dict[str, Any]]] = []

    def unanswered(sent_biz_no: str, **fields: Any) -> Verification:
        # Decided in this same call; due only if the process dies before the decision is stored.
        return creating.verification(sent_biz_no, expires_at=creating.now, **fields)

    def build(answer: tuple[RawVerifyResult, dict[str, Any]], sent_biz_no: str) -> Verification:
        answers.append(answer)
        return unanswered(sent_biz_no, biz_id=answer[0].request_id)

    verification, created = create_once(
        creating,
        store=store,
        call_faceid=lambda sent_biz_no: faceid.send(
            verify_call(request.model_copy(update={"biz_no": sent_biz_no})), channel=Channel.H5_RAW
        ),
        build=build,
        # token_still works once (002): a lost answer is never followed by a second raw/verify.
        single_use_token=SingleUseToken("token", unanswered),
    )
    if not created:
        return single_use.as_answered(verification, "token")  # a replay: decided the first time
    result, payload = answers[0]
    outcome = evaluate_raw(result, far_level=verification.far_level, references=verification.references)
    return advance_with_audit(
        verification, outcome, source="raw_verify", payload=payload, store=store, now=creating.now
    )


def settle_due(
    verification: Verification, *, store: ScheduledStore, faceid: FaceId, now: datetime, retry_after: timedelta
) -> str:
    """Due only when the process died between FaceID's answer and storing its decision: the
    token_still went to FaceID, and its outcome cannot be known."""
    return single_use.settle_due(verification, store=store, now=now)
