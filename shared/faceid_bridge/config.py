"""Configuration, read once from the environment into one validated model.

template.yaml sets these variables on every function; the local stack derives the same ones from it.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from faceid_bridge.faceid.common import FarLevel


def _split(value: object) -> object:
    return [item.strip() for item in value.split(",") if item.strip()] if isinstance(value, str) else value


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    table_name: str = Field(alias="TABLE_NAME")
    event_bus_name: str = Field("faceid-bridge", alias="EVENT_BUS_NAME")
    event_source: str = Field("faceid.bridge", alias="EVENT_SOURCE")
    faceid_endpoint: str = Field(alias="FACEID_ENDPOINT")
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


@cache
def settings() -> Settings:
    return Settings.model_validate(os.environ)
