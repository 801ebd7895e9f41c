"""The App SDK's creation: get_biz_token v3 (003), whose biz_token the phone's SDK uses once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from faceid_bridge.channels.app_sdk.contract import GetBizTokenResponse, get_biz_token_call
from faceid_bridge.config import CreationConfig
from faceid_bridge.domain.verification import Channel, Verification
from faceid_bridge.ports import CreationStore, FaceId
from faceid_bridge.services.creation import ChannelRequest, begin, create_once

BIZ_TOKEN_LIFETIME = timedelta(hours=1)  # 003: a biz_token is valid for one hour and used once


class AppRequest(ChannelRequest, Protocol):
    """An App SDK create request (channels/app_sdk/api.py's), as this service reads it."""

    @property
    def liveness_type(self) -> str: ...


def create_app_verification(
    request: AppRequest,
    *,
    settings: CreationConfig,
    store: CreationStore,
    faceid: FaceId,
    hash_key: bytes,
    now: datetime | None = None,
) -> Verification:
    request, creating = begin(Channel.APP_SDK, request, settings=settings, faceid=faceid, hash_key=hash_key, now=now)

    def build(answer: GetBizTokenResponse, sent_biz_no: str) -> Verification:
        # biz_id is our own id (the default): the biz_token is a live credential for the SDK, kept
        # only in `token` until the verification ends. Never verified within the hour: the
        # reconciler ends it as EXPIRED.
        return creating.verification(
            sent_biz_no,
            expires_at=creating.now + BIZ_TOKEN_LIFETIME,
            token=answer.biz_token,
            liveness_type=request.liveness_type,
        )

    verification, _ = create_once(
        creating,
        store=store,
        call_faceid=lambda sent_biz_no: faceid.send(
            get_biz_token_call(request.model_copy(update={"biz_no": sent_biz_no})), channel=Channel.APP_SDK
        )[0],
        build=build,
    )
    return verification
