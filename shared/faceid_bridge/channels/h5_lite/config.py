"""H5 Lite's configuration: which regional hosts serve its APIs (its rows of notes §6), the part
of a model that reads its host, and the models of the functions that call FaceID for it."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from faceid_bridge.channels.h5_lite.paths import DO, GET_RESULT, GET_TOKEN
from faceid_bridge.config import (
    CallbackConfig,
    CreationConfig,
    FaceIdConfig,
    HostPart,
    PublicUrlConfig,
    ReconcileConfig,
    RedirectConfig,
    StoreConfig,
)
from faceid_bridge.faceid.regions import HOSTS, Hosting, Region

_SERVING = frozenset({Region.CN, Region.IDN})
HOSTING = Hosting(
    "h5_lite",
    "FACEID_LITE_HOST",
    calls={GET_TOKEN: _SERVING, GET_RESULT: _SERVING},
    default=Region.IDN,
    page_calls={DO: _SERVING},
)


class LiteHost(HostPart):
    hosting: ClassVar[Hosting] = HOSTING
    faceid_lite_host: str = Field(HOSTS[HOSTING.default], alias=HOSTING.variable)


class H5LiteCreateConfig(StoreConfig, FaceIdConfig, LiteHost, CreationConfig, PublicUrlConfig, RedirectConfig):
    pass


class H5LiteCallbacksConfig(StoreConfig, FaceIdConfig, LiteHost, CallbackConfig, PublicUrlConfig):
    pass


# The reconciler calls FaceID only for H5 Lite (get_result): the other channels' settle_due do not.
class ReconcilerConfig(StoreConfig, FaceIdConfig, LiteHost, ReconcileConfig):
    pass
