"""The adapters each function uses, built once per process, on first use, from the parts of the
configuration they need (config/: the function's own model has checked them at start).

Tests replace them with fakes by patching these factories' results (see tests/integration/conftest.py).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any, TypedDict

from faceid_bridge import snapstart
from faceid_bridge.config import CreationConfig, FaceIdConfig, StoreConfig, faceid_region, load

if TYPE_CHECKING:
    from faceid_bridge.adapters.bus import DeadLetterQueue, EventBus
    from faceid_bridge.adapters.credentials import SecretCredentials, SecretKey
    from faceid_bridge.adapters.dynamodb import VerificationStore
    from faceid_bridge.adapters.regional_faceid import RegionalFaceId
    from faceid_bridge.domain.verification import Verification
    from faceid_bridge.faceid.regions import Region
    from faceid_bridge.ports import CreationStore, FaceId


@cache
def store() -> VerificationStore:
    from faceid_bridge.adapters.dynamodb import VerificationStore

    config = load(StoreConfig)
    return VerificationStore(
        config.table_name,
        verification_retention_days=config.verification_retention_days,
        audit_retention_days=config.audit_retention_days,
        keep_idcard_info=config.keep_idcard_info,
    )


@cache
def credentials() -> SecretCredentials:
    from faceid_bridge.adapters.credentials import SecretCredentials

    config = load(FaceIdConfig)
    return SecretCredentials(config.faceid_secret_id, max_age=config.secret_cache_seconds)


@cache
def request_hash_key() -> SecretKey:
    from faceid_bridge.adapters.credentials import SecretKey

    secret_id = load(CreationConfig).request_hash_key_secret_id
    return SecretKey(secret_id, max_age=load(FaceIdConfig).secret_cache_seconds)


@cache
def faceid() -> RegionalFaceId:
    from faceid_bridge.adapters.faceid_client import FaceIdClient
    from faceid_bridge.adapters.regional_faceid import RegionalFaceId

    config = load(FaceIdConfig)

    def client_for(region: Region) -> FaceIdClient:
        return FaceIdClient(
            config.faceid_url(region),
            lambda: credentials().pair(region),
            timeout_seconds=config.faceid_timeout_seconds,
            retries=config.faceid_retries,
            region=region.value,
        )

    return RegionalFaceId(faceid_region, client_for)


@cache
def bus() -> EventBus:
    from faceid_bridge.adapters.bus import EventBus

    return EventBus()


@cache
def dead_letters() -> DeadLetterQueue:
    from faceid_bridge.adapters.bus import DeadLetterQueue
    from faceid_bridge.config.publisher import BusConfig

    return DeadLetterQueue(load(BusConfig).dlq_url)


def verification_from_image(image: dict[str, Any]) -> Verification:
    """A stream image as a verification: the publisher's decoder (the store's own codec)."""
    from faceid_bridge.adapters.dynamodb.codec import verification_from_image as decode

    return decode(image)


class CreationDependencies(TypedDict):
    """What every channel's creation service takes besides its request."""

    settings: CreationConfig
    store: CreationStore
    faceid: FaceId
    hash_key: bytes


def creation() -> CreationDependencies:
    return {"settings": load(CreationConfig), "store": store(), "faceid": faceid(), "hash_key": request_hash_key()()}


# SnapStart: built before the snapshot, what every restored copy may share; rebuilt after each
# restore, what holds a secret or a connection of its own (faceid_bridge/snapstart.py).
snapstart.register(prime=(store, faceid), forget=(credentials, request_hash_key, faceid))
