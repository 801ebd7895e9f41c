"""FaceID credentials from Secrets Manager, cached with Powertools parameters.

The secret is JSON: {"api_key": ..., "api_secret": ...}. During a rotation it also holds
"previous_api_secret" and "previous_valid_until" (ISO 8601): until then, callbacks signed with the
previous secret are still accepted (see README, "Rotating the FaceID secret").
"""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Credentials(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    api_key: str = Field(min_length=1, repr=False)
    api_secret: str = Field(min_length=1, repr=False)
    previous_api_secret: str | None = Field(None, repr=False)
    previous_valid_until: AwareDatetime | None = None

    def signing_secrets(self, now: datetime) -> list[str]:
        """Every secret a callback may be signed with at `now`: the current one, and the previous
        one only inside its rotation window (no window end, no previous secret)."""
        in_window = self.previous_valid_until is not None and now < self.previous_valid_until
        return (
            [self.api_secret, self.previous_api_secret] if in_window and self.previous_api_secret else [self.api_secret]
        )


class SecretCredentials:
    """Callable provider: reads the secret at most once per `max_age` seconds per process."""

    def __init__(self, secret_id: str, max_age: int = 300) -> None:
        self.secret_id = secret_id
        self.max_age = max_age

    def __call__(self) -> Credentials:
        from aws_lambda_powertools.utilities import parameters

        return Credentials.model_validate(parameters.get_secret(self.secret_id, transform="json", max_age=self.max_age))
