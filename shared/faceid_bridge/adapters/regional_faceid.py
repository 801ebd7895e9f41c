"""The FaceId port over FaceID's regional hosts (notes §6, faceid/regions.py).

A channel's new flows go to the region configured for it, with that region's key pair. A later call
on a verification (get_result, App verify) goes to the region stored on it at creation: its token
or biz_id belongs to the key that made it, whatever the configuration says today.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from faceid_bridge.adapters.faceid_client import FaceIdClient
from faceid_bridge.faceid.calls import FaceIdCall
from faceid_bridge.faceid.regions import Region


class RegionalFaceId:
    def __init__(self, regions: Callable[[str], Region], client_for: Callable[[Region], FaceIdClient]) -> None:
        """`regions`: a channel's configured region; `client_for`: a region's client."""
        self._regions = regions
        self._client_for = client_for
        self._clients: dict[Region, FaceIdClient] = {}

    def region_of(self, channel: str) -> str:
        return self._regions(channel).value

    def _client(self, channel: str, region: str | None = None) -> FaceIdClient:
        chosen = Region(region) if region else self._regions(channel)
        if chosen not in self._clients:
            self._clients[chosen] = self._client_for(chosen)
        return self._clients[chosen]

    def endpoint(self, channel: str, region: str | None = None) -> str:
        return self._client(channel, region).endpoint

    def send[M: BaseModel](
        self, call: FaceIdCall[M], *, channel: str, region: str | None = None
    ) -> tuple[M, dict[str, Any]]:
        return self._client(channel, region).send(call)
