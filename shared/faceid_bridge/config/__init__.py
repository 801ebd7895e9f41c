"""Configuration: each function's model of exactly the variables it reads, validated once, when the
function starts (its handler calls `load`), with an error that names what is missing or wrong.

A function's model is made of the parts below, and of those in this package's modules that only
some functions use (webhooks.py, publisher.py, verifications.py: a model class costs pydantic about
1.7 M instructions to create even with its schema deferred, so a function creates only the ones it
imports). template.yaml gives each function the variables of its model and no others
(tests/unit/structure/test_config.py), and the local stack derives them from it. The adapters'
wiring and the services read the parts they need (`load(StoreConfig)`...), which the function's own
model has already checked.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from faceid_bridge.faceid.common import FarLevel
from faceid_bridge.faceid.regions import HOSTS, Hosting, Region, region_of_host


def comma_list(value: object) -> object:
    """A list variable's value: its comma-separated items, trimmed, the empty ones dropped."""
    return [item.strip() for item in value.split(",") if item.strip()] if isinstance(value, str) else value


class Config(BaseModel):
    # Schemas built when first validated: a function validates its own model, not every part's.
    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)


class StoreConfig(Config):
    table_name: str = Field(alias="TABLE_NAME")
    audit_retention_days: int = Field(30, ge=1, alias="AUDIT_RETENTION_DAYS")
    # At least two days: a verification must outlive get_result's one-day retention (reconciler).
    verification_retention_days: int = Field(365, ge=2, alias="VERIFICATION_RETENTION_DAYS")
    keep_idcard_info: bool = Field(False, alias="KEEP_IDCARD_INFO")


class FaceIdConfig(Config):
    """FaceID's key pairs and how it is called. Which channels' hosts a function has (their
    HostParts) is what its model adds; each must serve its channel (notes §6: no host serves all)."""

    # Empty when deployed. Locally, a stand-in that serves each region under /<region> (the sandbox).
    faceid_base_url: str = Field("", alias="FACEID_BASE_URL")
    faceid_secret_id: str = Field(alias="FACEID_SECRET_ID")
    faceid_timeout_seconds: float = Field(10.0, alias="FACEID_TIMEOUT_SECONDS")
    faceid_retries: int = Field(2, alias="FACEID_RETRIES")
    secret_cache_seconds: int = Field(300, alias="SECRET_CACHE_SECONDS")

    @model_validator(mode="after")
    def _hosts_serve_their_channels(self) -> FaceIdConfig:
        for channel in self.channels():
            if self.faceid_region(channel) not in HOST_PARTS[channel].hosting.regions():
                raise ValueError(f"the FaceID host for {channel} does not serve it (its HOSTING)")
        return self

    def channels(self) -> list[str]:
        """The channels this function calls FaceID for: those whose host it is given."""
        return [channel for channel, part in HOST_PARTS.items() if part in type(self).__mro__]

    def faceid_region(self, channel: str) -> Region:
        """The region whose host serves `channel` (a Channel value) in this deployment."""
        return _region(self, channel)

    def faceid_url(self, region: Region) -> str:
        """Where `region`'s APIs are: its host, or its prefix on the local stand-in."""
        return f"{self.faceid_base_url.rstrip('/')}/{region.value}" if self.faceid_base_url else HOSTS[region]


class HostPart(Config):
    """The part of a function's model that reads one channel's host. Each channel declares its own
    in its package (channels/<channel>/config.py), from its HOSTING: one field, read from
    HOSTING.variable, that defaults to HOSTING's default region's host. Declaring it registers it
    here, so this module names no channel, and a function knows the channels its model imports."""

    hosting: ClassVar[Hosting]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "hosting" in cls.__dict__:  # the part itself, not a function's model that includes it
            HOST_PARTS[cls.hosting.channel] = cls


# The host parts declared so far, by channel value.
HOST_PARTS: dict[str, type[HostPart]] = {}


def _region(config: Config, channel: str) -> Region:
    (field,) = HOST_PARTS[channel].model_fields
    return region_of_host(getattr(config, field))


def faceid_region(channel: str) -> Region:
    """The region configured for `channel`, read when a FaceID client for it is first needed: a
    function reads only the hosts of the channels it serves (their parts are in its model)."""
    if channel not in HOST_PARTS:
        raise RuntimeError(f"this function's model has no FaceID host for {channel}")
    return _region(load(HOST_PARTS[channel]), channel)


class CreationConfig(Config):
    """What every channel's creation reads."""

    request_hash_key_secret_id: str = Field(alias="REQUEST_HASH_KEY_SECRET_ID")
    default_far_level: FarLevel = Field("1e-4", alias="DEFAULT_FAR_LEVEL")
    # The reconciler first looks this long after a token expired without a terminal callback.
    reconcile_grace_seconds: int = Field(300, ge=0, alias="RECONCILE_GRACE_SECONDS")


class PublicUrlConfig(Config):
    # Empty when deployed without a custom domain: the API's own domain is taken from API Gateway's
    # request context instead (see faceid_bridge.api.public_base_url).
    public_base_url: str = Field("", alias="PUBLIC_BASE_URL")


class RedirectConfig(Config):
    # Origins the user's browser may be sent back to. "http://localhost:*" allows any port.
    allowed_redirect_origins: Annotated[list[str], BeforeValidator(comma_list)] = Field(
        default_factory=list, alias="ALLOWED_REDIRECT_ORIGINS"
    )


class CallbackConfig(Config):
    max_callback_body_bytes: int = Field(1024 * 1024, alias="MAX_CALLBACK_BODY_BYTES")


# The most FaceID calls one process makes at once: the reconciler's concurrency is capped here, and
# the FaceID client keeps this many connections per host (a smaller pool would drop the others').
MAX_FACEID_CALLS_AT_ONCE = 256


class ReconcileConfig(Config):
    # The reconciler looks again this long after FaceID failed to answer get_result.
    reconcile_retry_seconds: int = Field(120, ge=1, alias="RECONCILE_RETRY_SECONDS")
    # Due verifications a run settles at once (docs/capacity.md sizes it); each is one FaceID call
    # at a time, so it must fit the FaceID account's concurrency limit beside the creations' calls.
    reconcile_concurrency: int = Field(64, ge=1, le=MAX_FACEID_CALLS_AT_ONCE, alias="RECONCILE_CONCURRENCY")


@cache
def load[C: Config](model: type[C]) -> C:
    """`model` read from the environment, once per process: a function's handler loads its own
    model when it starts, so that a missing or bad variable stops it there, named."""
    try:
        return model.model_validate(os.environ)
    except ValidationError as exc:
        problems = ", ".join(f"{'.'.join(map(str, error['loc']))}: {error['msg']}" for error in exc.errors())
        raise RuntimeError(f"{model.__name__} is not configured: {problems}") from None
