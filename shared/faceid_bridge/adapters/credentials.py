"""Secrets from Secrets Manager, cached with Powertools parameters.

The FaceID secret's JSON becomes Credentials (domain/secret_rotation.py holds the policy); this
module reads it, validates each value it reads once, and says loudly what it had to drop.

The request-hash key is a plain string CloudFormation generates: the HMAC key that fingerprints
create requests, so that a stored fingerprint cannot be brute-forced back to a name or ID number.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from faceid_bridge.domain.secret_rotation import Credentials, UnusableSecret
from faceid_bridge.errors import ConfigurationError
from faceid_bridge.observability import logger, metrics


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
            self._loaded = (raw, _credentials(raw))
        return self._loaded[1]


def _credentials(raw: Any) -> Credentials:
    try:
        credentials, dropped = Credentials.from_secret(raw)
    except UnusableSecret as unusable:
        logger.error("the FaceID secret is not usable", extra={"invalid_fields": unusable.invalid_fields})
        raise ConfigurationError("CONFIGURATION_ERROR:faceid_secret") from None
    if dropped:
        metrics.add_metric(name="SecretRotationFieldsInvalid", unit="Count", value=1)
        logger.error(
            "the FaceID secret's rotation fields are invalid; only the current api_secret is accepted",
            extra={"invalid_fields": dropped},
        )
    return credentials


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
