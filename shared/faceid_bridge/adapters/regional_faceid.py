"""The FaceId port over FaceID's regional hosts (notes §6, faceid/regions.py).

A channel's new flows go to the region configured for it, with that region's key pair. A later call
on a verification (get_result, App verify) goes to the region stored on it at creation: its token
or biz_id belongs to the key that made it, whatever the configuration says today.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from faceid_bridge.adapters.faceid_client import FaceIdClient
from faceid_bridge.faceid.app import AppVerifyResult, GetBizTokenOptions, GetBizTokenResponse
from faceid_bridge.faceid.lite import GetTokenOptions, GetTokenResponse, LiteResult
from faceid_bridge.faceid.raw import RawVerifyOptions, RawVerifyResult
from faceid_bridge.faceid.regions import Region


class RegionalFaceId:
    def __init__(self, regions: Mapping[str, Region], client_for: Callable[[Region], FaceIdClient]) -> None:
        """`regions`: each channel's configured region; `client_for`: a region's client."""
        self._regions = dict(regions)
        self._client_for = client_for
        self._clients: dict[Region, FaceIdClient] = {}

    def region_of(self, channel: str) -> str:
        return self._regions[channel].value

    def _client(self, channel: str, region: str | None = None) -> FaceIdClient:
        chosen = Region(region) if region else self._regions[channel]
        if chosen not in self._clients:
            self._clients[chosen] = self._client_for(chosen)
        return self._clients[chosen]

    def do_url(self, token: str) -> str:
        return self._client("h5_lite").do_url(token)

    def get_token(self, options: GetTokenOptions, *, return_url: str, notify_url: str) -> GetTokenResponse:
        return self._client("h5_lite").get_token(options, return_url=return_url, notify_url=notify_url)

    def get_result(self, biz_id: str, *, region: str | None = None) -> tuple[LiteResult, dict[str, Any]]:
        return self._client("h5_lite", region).get_result(biz_id)

    def get_biz_token(self, options: GetBizTokenOptions) -> GetBizTokenResponse:
        return self._client("app").get_biz_token(options)

    def app_verify(
        self, biz_token: str, meglive_data: bytes | None, *, region: str | None = None
    ) -> tuple[AppVerifyResult, dict[str, Any]]:
        return self._client("app", region).app_verify(biz_token, meglive_data)

    def raw_verify(self, options: RawVerifyOptions) -> tuple[RawVerifyResult, dict[str, Any]]:
        return self._client("h5_raw").raw_verify(options)
