"""The adapters each function uses, built once per process from Settings on first use.

Tests replace them with fakes by patching these factories' results (see tests/conftest.py).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from faceid_bridge.config import settings

if TYPE_CHECKING:
    from faceid_bridge.adapters.bus import DeadLetterQueue, EventBus
    from faceid_bridge.adapters.credentials import SecretCredentials, SecretKey
    from faceid_bridge.adapters.regional_faceid import RegionalFaceId
    from faceid_bridge.adapters.store import VerificationStore
    from faceid_bridge.faceid.regions import Region


@cache
def store() -> VerificationStore:
    from faceid_bridge.adapters.store import VerificationStore

    config = settings()
    return VerificationStore(
        config.table_name,
        verification_retention_days=config.verification_retention_days,
        audit_retention_days=config.audit_retention_days,
        keep_idcard_info=config.keep_idcard_info,
    )


@cache
def credentials() -> SecretCredentials:
    from faceid_bridge.adapters.credentials import SecretCredentials

    return SecretCredentials(settings().faceid_secret_id, max_age=settings().secret_cache_seconds)


@cache
def request_hash_key() -> SecretKey:
    from faceid_bridge.adapters.credentials import SecretKey

    if not settings().request_hash_key_secret_id:
        raise RuntimeError("REQUEST_HASH_KEY_SECRET_ID is not configured")
    return SecretKey(settings().request_hash_key_secret_id or "", max_age=settings().secret_cache_seconds)


@cache
def faceid() -> RegionalFaceId:
    from faceid_bridge.adapters.faceid_client import FaceIdClient
    from faceid_bridge.adapters.regional_faceid import RegionalFaceId
    from faceid_bridge.faceid.regions import CHANNEL_APIS

    config = settings()

    def client_for(region: Region) -> FaceIdClient:
        return FaceIdClient(
            config.faceid_url(region),
            lambda: credentials().pair(region),
            timeout_seconds=config.faceid_timeout_seconds,
            retries=config.faceid_retries,
            region=region.value,
        )

    return RegionalFaceId({channel: config.faceid_region(channel) for channel in CHANNEL_APIS}, client_for)


@cache
def bus() -> EventBus:
    from faceid_bridge.adapters.bus import EventBus

    return EventBus()


@cache
def dead_letters() -> DeadLetterQueue:
    from faceid_bridge.adapters.bus import DeadLetterQueue

    if not settings().dlq_url:
        raise RuntimeError("DLQ_URL is not configured")
    return DeadLetterQueue(settings().dlq_url or "")
