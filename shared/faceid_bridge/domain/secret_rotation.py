"""The secret-rotation policy: which api_secrets a FaceID callback may be signed with. Pure.

FaceID issues keys per region, and a token or biz_id belongs to the key that made it (notes §6).
So the FaceID secret is JSON with one key pair per region in use, under the region's code
(faceid/regions.py): {"idn": {"api_key": ..., "api_secret": ...}, "sgp": {...}}. Each pair rotates
on its own: during a rotation it also holds "previous_api_secret" and "previous_valid_until" (ISO
8601 with a timezone): until then, callbacks signed with the previous secret are still accepted
(see README, "Rotating the FaceID secret").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from faceid_bridge.faceid.regions import Region


class UnusableSecret(ValueError):
    """The secret has no usable api_key and api_secret."""

    def __init__(self, invalid_fields: list[str]) -> None:
        super().__init__(f"invalid fields: {invalid_fields}")
        self.invalid_fields = invalid_fields


ROTATION_FIELDS = frozenset({"previous_api_secret", "previous_valid_until"})


class Credentials(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    api_key: str = Field(min_length=1, repr=False)
    api_secret: str = Field(min_length=1, repr=False)
    previous_api_secret: str | None = Field(None, repr=False)
    previous_valid_until: AwareDatetime | None = None

    @classmethod
    def from_secret(cls, values: Any) -> tuple[Credentials, list[str]]:
        """The secret's JSON, and the invalid rotation fields dropped from it. Rotation fields that
        do not validate (a window end without a timezone, say) are dropped, so only the current
        api_secret is accepted; a secret without a usable api_key and api_secret raises
        UnusableSecret, naming the invalid fields."""
        try:
            return cls.model_validate(values), []
        except ValidationError as exc:
            invalid = sorted({str(error["loc"][0]) if error["loc"] else "" for error in exc.errors()})
            if not isinstance(values, dict) or not set(invalid) <= ROTATION_FIELDS:
                raise UnusableSecret(invalid) from None
        return cls.model_validate({key: value for key, value in values.items() if key not in ROTATION_FIELDS}), invalid

    def signing_secrets(self, now: datetime) -> list[str]:
        """Every secret a callback may be signed with at `now`: the current one, and the previous
        one only inside its rotation window (no window end, no previous secret)."""
        in_window = self.previous_valid_until is not None and now < self.previous_valid_until
        return (
            [self.api_secret, self.previous_api_secret] if in_window and self.previous_api_secret else [self.api_secret]
        )


class FaceIdSecret(BaseModel):
    """The FaceID secret: a key pair per region in use."""

    model_config = ConfigDict(frozen=True)

    pairs: dict[Region, Credentials]

    @classmethod
    def from_secret(cls, values: Any) -> tuple[FaceIdSecret, list[str]]:
        """The secret's JSON, and the invalid rotation fields dropped from it ("<region>.<field>").
        Keys that are no region's code are ignored; a region whose pair is not usable, or a value
        that is not an object, raises UnusableSecret naming them."""
        if not isinstance(values, dict):
            raise UnusableSecret(["faceid_secret"])
        if "api_key" in values:  # the shape before regions: say so, rather than "no pair for idn"
            raise UnusableSecret(["api_key"])
        pairs, dropped = {}, []
        for region in Region:
            if region.value not in values:
                continue
            try:
                pairs[region], invalid = Credentials.from_secret(values[region.value])
            except UnusableSecret as unusable:
                raise UnusableSecret(_in_region(region, unusable.invalid_fields)) from None
            dropped += _in_region(region, invalid)
        return cls(pairs=pairs), dropped

    def pair(self, region: Region) -> Credentials | None:
        return self.pairs.get(region)

    def signing_secrets(self, now: datetime, regions: list[Region]) -> list[str]:
        """Every secret a callback from one of `regions` may be signed with at `now`, each pair's
        rotation window applied on its own."""
        return [
            secret for region in regions if region in self.pairs for secret in self.pairs[region].signing_secrets(now)
        ]


def _in_region(region: Region, fields: list[str]) -> list[str]:
    return [f"{region.value}.{name}" if name else region.value for name in fields]
