"""Configuration, read once from the environment into one validated model.

template.yaml sets these variables on every function; the local stack derives the same ones from it.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from faceid_bridge.faceid.common import FarLevel
from faceid_bridge.faceid.regions import (
    CHANNEL_APIS,
    DEFAULT_REGIONS,
    HOSTS,
    Region,
    region_of_host,
    regions_serving,
)


def _split(value: object) -> object:
    return [item.strip() for item in value.split(",") if item.strip()] if isinstance(value, str) else value


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    table_name: str = Field(alias="TABLE_NAME")
    event_bus_name: str = Field("faceid-bridge", alias="EVENT_BUS_NAME")
    event_source: str = Field("faceid.bridge", alias="EVENT_SOURCE")
    # Each channel's FaceID host (notes §6: no host serves all three; faceid/regions.py).
    faceid_lite_host: str = Field(HOSTS[DEFAULT_REGIONS["h5_lite"]], alias="FACEID_LITE_HOST")
    faceid_raw_host: str = Field(HOSTS[DEFAULT_REGIONS["h5_raw"]], alias="FACEID_RAW_HOST")
    faceid_app_host: str = Field(HOSTS[DEFAULT_REGIONS["app"]], alias="FACEID_APP_HOST")
    # Empty when deployed. Locally, a stand-in that serves each region under /<region> (the sandbox).
    faceid_base_url: str = Field("", alias="FACEID_BASE_URL")
    faceid_secret_id: str = Field(alias="FACEID_SECRET_ID")
    request_hash_key_secret_id: str | None = Field(None, alias="REQUEST_HASH_KEY_SECRET_ID")
    faceid_timeout_seconds: float = Field(10.0, alias="FACEID_TIMEOUT_SECONDS")
    faceid_retries: int = Field(2, alias="FACEID_RETRIES")
    # Empty when deployed without a custom domain: the API's own domain is taken from API Gateway's
    # request context instead (see faceid_bridge.api.public_base_url).
    public_base_url: str = Field("", alias="PUBLIC_BASE_URL")
    default_far_level: FarLevel = Field("1e-4", alias="DEFAULT_FAR_LEVEL")
    # Origins the user's browser may be sent back to. "http://localhost:*" allows any port.
    allowed_redirect_origins: Annotated[list[str], BeforeValidator(_split)] = Field(
        default_factory=list, alias="ALLOWED_REDIRECT_ORIGINS"
    )
    audit_retention_days: int = Field(30, ge=1, alias="AUDIT_RETENTION_DAYS")
    # At least two days: a verification must outlive get_result's one-day retention (reconciler).
    verification_retention_days: int = Field(365, ge=2, alias="VERIFICATION_RETENTION_DAYS")
    keep_idcard_info: bool = Field(False, alias="KEEP_IDCARD_INFO")
    max_callback_body_bytes: int = Field(1024 * 1024, alias="MAX_CALLBACK_BODY_BYTES")
    secret_cache_seconds: int = Field(300, alias="SECRET_CACHE_SECONDS")
    dlq_url: str | None = Field(None, alias="DLQ_URL")
    # The reconciler first looks this long after a token expired without a terminal callback.
    reconcile_grace_seconds: int = Field(300, ge=0, alias="RECONCILE_GRACE_SECONDS")
    # ... and looks again this long after FaceID failed to answer get_result.
    reconcile_retry_seconds: int = Field(120, ge=1, alias="RECONCILE_RETRY_SECONDS")

    @model_validator(mode="after")
    def _hosts_serve_their_channels(self) -> Settings:
        for channel in CHANNEL_APIS:
            if self.faceid_region(channel) not in regions_serving(channel):
                raise ValueError(f"the FaceID host for {channel} does not serve it (faceid/regions.py)")
        return self

    def faceid_region(self, channel: str) -> Region:
        """The region whose host serves `channel` (h5_lite, h5_raw or app) in this deployment."""
        hosts = {"h5_lite": self.faceid_lite_host, "h5_raw": self.faceid_raw_host, "app": self.faceid_app_host}
        return region_of_host(hosts[channel])

    def faceid_url(self, region: Region) -> str:
        """Where `region`'s APIs are: its host, or its prefix on the local stand-in."""
        return f"{self.faceid_base_url.rstrip('/')}/{region.value}" if self.faceid_base_url else HOSTS[region]


@cache
def settings() -> Settings:
    return Settings.model_validate(os.environ)
