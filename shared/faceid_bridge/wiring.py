"""The adapters each function uses, built once per process from Settings on first use.

Tests replace them with fakes by patching these factories' results (see tests/conftest.py).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from faceid_bridge.config import settings

if TYPE_CHECKING:
    from faceid_bridge.adapters.bus import DeadLetterQueue, EventBus
    from faceid_bridge.adapters.credentials import SecretCredentials
    from faceid_bridge.adapters.faceid_client import FaceIdClient
    from faceid_bridge.adapters.store import VerificationStore


@cache
def store() -> VerificationStore:
    from faceid_bridge.adapters.store import VerificationStore

    return VerificationStore(settings().table_name, audit_retention_days=settings().audit_retention_days)


@cache
def credentials() -> SecretCredentials:
    from faceid_bridge.adapters.credentials import SecretCredentials

    return SecretCredentials(settings().faceid_secret_id, max_age=settings().secret_cache_seconds)


@cache
def faceid() -> FaceIdClient:
    from faceid_bridge.adapters.faceid_client import FaceIdClient

    config = settings()
    return FaceIdClient(
        config.faceid_endpoint,
        credentials(),
        timeout_seconds=config.faceid_timeout_seconds,
        retries=config.faceid_retries,
    )


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
