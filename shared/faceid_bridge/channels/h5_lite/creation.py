"""H5 Lite's creation: get_token (000), whose token sends the user's browser to FaceID's do page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import urlencode

from faceid_bridge.channels.h5_lite.contract import GetTokenResponse, do_url, get_token_call
from faceid_bridge.config import CreationConfig
from faceid_bridge.domain.redirects import redirect_allowed
from faceid_bridge.domain.verification import Channel, Verification, new_verification_id
from faceid_bridge.errors import ArgumentError
from faceid_bridge.ports import CreationStore, FaceId
from faceid_bridge.services.creation import ChannelRequest, begin, create_once


class LiteRequest(ChannelRequest, Protocol):
    """An H5 Lite create request (channels/h5_lite/api.py's), as this service reads it."""

    @property
    def redirect_url(self) -> str | None: ...
    @property
    def biz_extra_data(self) -> str | None: ...


def callback_url(base_url: str, route: str, verification_id: str) -> str:
    """Where FaceID posts a verification's result (`notify`), or sends the browser back (`return`:
    FaceID adds its biz_id to the query, 001). The verification_id in the query saves the callback
    a read (see apply_result); nothing is trusted from it."""
    return f"{base_url}/v1/faceid/{route}?{urlencode({'verification_id': verification_id})}"


def create_verification(
    request: LiteRequest,
    *,
    base_url: str,
    settings: CreationConfig,
    redirect_origins: list[str],
    store: CreationStore,
    faceid: FaceId,
    hash_key: bytes,
    now: datetime | None = None,
) -> Verification:
    request, creating = begin(Channel.H5_LITE, request, settings=settings, faceid=faceid, hash_key=hash_key, now=now)
    if request.redirect_url is not None and not redirect_allowed(request.redirect_url, redirect_origins):
        raise ArgumentError.bad("redirect_url")

    verification_id = new_verification_id()  # before FaceID is called: notify_url carries it

    def build(token: GetTokenResponse, sent_biz_no: str) -> Verification:
        return creating.verification(
            sent_biz_no,
            expires_at=datetime.fromtimestamp(token.expired_time, UTC),
            verification_id=verification_id,
            biz_id=token.biz_id,
            token=token.token,
            verification_url=do_url(faceid.endpoint(Channel.H5_LITE), token.token),
            redirect_url=request.redirect_url,
            biz_extra_data=request.biz_extra_data,
        )

    def call_faceid(sent_biz_no: str) -> GetTokenResponse:
        call = get_token_call(
            request.model_copy(update={"biz_no": sent_biz_no}),
            return_url=callback_url(base_url, "return", verification_id),
            notify_url=callback_url(base_url, "notify", verification_id),
        )
        return faceid.send(call, channel=Channel.H5_LITE)[0]

    verification, _ = create_once(creating, store=store, call_faceid=call_faceid, build=build, index_biz_id=True)
    return verification
