"""FaceID credentials from Secrets Manager, cached with Powertools parameters.

The secret is JSON: {"api_key": ..., "api_secret": ...}. During a rotation it may also hold
"previous_api_secret", which callback signatures are still checked against.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Credentials(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    api_key: str = Field(min_length=1, repr=False)
    api_secret: str = Field(min_length=1, repr=False)
    previous_api_secret: str | None = Field(None, repr=False)

    def signing_secrets(self) -> list[str]:
        """Every secret a callback may be signed with, current first."""
        return [secret for secret in (self.api_secret, self.previous_api_secret) if secret]


class SecretCredentials:
    """Callable provider: reads the secret at most once per `max_age` seconds per process."""

    def __init__(self, secret_id: str, max_age: int = 300) -> None:
        self.secret_id = secret_id
        self.max_age = max_age

    def __call__(self) -> Credentials:
        from aws_lambda_powertools.utilities import parameters

        return Credentials.model_validate(parameters.get_secret(self.secret_id, transform="json", max_age=self.max_age))
