"""The secret-rotation policy: which api_secrets a FaceID callback may be signed with. Pure.

The FaceID secret is JSON: {"api_key": ..., "api_secret": ...}. During a rotation it also holds
"previous_api_secret" and "previous_valid_until" (ISO 8601 with a timezone): until then, callbacks
signed with the previous secret are still accepted (see README, "Rotating the FaceID secret").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError


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
