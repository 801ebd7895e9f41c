"""Secrets from Secrets Manager, cached with Powertools parameters.

The FaceID secret is JSON: {"api_key": ..., "api_secret": ...}. During a rotation it also holds
"previous_api_secret" and "previous_valid_until" (ISO 8601 with a timezone): until then, callbacks
signed with the previous secret are still accepted (see README, "Rotating the FaceID secret").

The request-hash key is a plain string CloudFormation generates: the HMAC key that fingerprints
create requests, so that a stored fingerprint cannot be brute-forced back to a name or ID number.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from faceid_bridge.errors import ConfigurationError
from faceid_bridge.observability import logger, metrics

ROTATION_FIELDS = frozenset({"previous_api_secret", "previous_valid_until"})


class Credentials(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    api_key: str = Field(min_length=1, repr=False)
    api_secret: str = Field(min_length=1, repr=False)
    previous_api_secret: str | None = Field(None, repr=False)
    previous_valid_until: AwareDatetime | None = None

    @classmethod
    def from_secret(cls, values: Any) -> Credentials:
        """The secret's JSON, validated once per load. Rotation fields that do not validate (a
        window end without a timezone, say) are dropped, so only the current api_secret is accepted,
        and said loudly; a secret without a usable api_key and api_secret is a configuration error."""
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            invalid = {str(error["loc"][0]) if error["loc"] else "" for error in exc.errors()}
            if not isinstance(values, dict) or not invalid <= ROTATION_FIELDS:
                logger.error("the FaceID secret is not usable", extra={"invalid_fields": sorted(invalid)})
                raise ConfigurationError("CONFIGURATION_ERROR:faceid_secret") from None
        metrics.add_metric(name="SecretRotationFieldsInvalid", unit="Count", value=1)
        logger.error(
            "the FaceID secret's rotation fields are invalid; only the current api_secret is accepted",
            extra={"invalid_fields": sorted(invalid)},
        )
        return cls.model_validate({key: value for key, value in values.items() if key not in ROTATION_FIELDS})

    def signing_secrets(self, now: datetime) -> list[str]:
        """Every secret a callback may be signed with at `now`: the current one, and the previous
        one only inside its rotation window (no window end, no previous secret)."""
        in_window = self.previous_valid_until is not None and now < self.previous_valid_until
        return (
            [self.api_secret, self.previous_api_secret] if in_window and self.previous_api_secret else [self.api_secret]
        )


@cache
def secrets_provider() -> Any:
    """Powertools' secrets provider on our own secretsmanager client: its default would build a
    second boto3 session at cold start (tens of milliseconds) for the same credentials."""
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    from faceid_bridge.adapters import aws

    return SecretsProvider(boto3_client=aws.client("secretsmanager"))


class SecretCredentials:
    """Callable provider: reads the secret at most once per `max_age` seconds per process, and
    validates each value it reads once."""

    def __init__(self, secret_id: str, max_age: int = 300) -> None:
        self.secret_id = secret_id
        self.max_age = max_age
        self._loaded: tuple[Any, Credentials] | None = None

    def __call__(self) -> Credentials:
        from aws_lambda_powertools.utilities.parameters.exceptions import TransformParameterError

        try:
            raw = secrets_provider().get(self.secret_id, transform="json", max_age=self.max_age)
        except TransformParameterError:
            logger.error("the FaceID secret is not JSON")
            raise ConfigurationError("CONFIGURATION_ERROR:faceid_secret") from None
        if self._loaded is None or self._loaded[0] != raw:
            self._loaded = (raw, Credentials.from_secret(raw))
        return self._loaded[1]


class SecretKey:
    """Callable provider of a plain secret string as key bytes, cached like the credentials."""

    def __init__(self, secret_id: str, max_age: int = 300) -> None:
        self.secret_id = secret_id
        self.max_age = max_age

    def __call__(self) -> bytes:
        value = secrets_provider().get(self.secret_id, max_age=self.max_age)
        if not value:
            raise ConfigurationError("CONFIGURATION_ERROR:request_hash_key")
        return str(value).encode()
