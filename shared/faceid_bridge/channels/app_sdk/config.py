"""The App SDK's configuration: which regional hosts serve its APIs (its rows of notes §6), the
part of a model that reads its host, and the model of its function."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from faceid_bridge.channels.app_sdk.contract import GET_BIZ_TOKEN, VERIFY
from faceid_bridge.config import CreationConfig, FaceIdConfig, HostPart, StoreConfig
from faceid_bridge.faceid.regions import HOSTS, Hosting, Region

HOSTING = Hosting(
    "app",
    "FACEID_APP_HOST",
    calls={GET_BIZ_TOKEN: frozenset(Region), VERIFY: frozenset(Region)},
    default=Region.IDN,
)


class AppHost(HostPart):
    hosting: ClassVar[Hosting] = HOSTING
    faceid_app_host: str = Field(HOSTS[HOSTING.default], alias=HOSTING.variable)


class AppSdkConfig(StoreConfig, FaceIdConfig, AppHost, CreationConfig):
    pass
