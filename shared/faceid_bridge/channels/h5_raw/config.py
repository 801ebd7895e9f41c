"""H5 Raw's configuration: which regional hosts serve its APIs (its rows of notes §6), the part of
a model that reads its host, and the model of its function."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from faceid_bridge.channels.h5_raw.contract import VERIFY
from faceid_bridge.config import CreationConfig, FaceIdConfig, HostPart, StoreConfig
from faceid_bridge.faceid.regions import HOSTS, Hosting, Region

# The customer's page gets its token_still from validate_still, on the host raw/verify is then called on.
VALIDATE_STILL = "/faceid/lite/raw/validate_still"
HOSTING = Hosting(
    "h5_raw",
    "FACEID_RAW_HOST",
    calls={VERIFY: frozenset({Region.CN, Region.SGP})},
    default=Region.SGP,
    page_calls={VALIDATE_STILL: frozenset({Region.SGP})},
)


class RawHost(HostPart):
    hosting: ClassVar[Hosting] = HOSTING
    faceid_raw_host: str = Field(HOSTS[HOSTING.default], alias=HOSTING.variable)


class H5RawConfig(StoreConfig, FaceIdConfig, RawHost, CreationConfig):
    pass
