"""Secrets from Secrets Manager, cached with Powertools parameters.

The FaceID secret's JSON becomes a FaceIdSecret, a key pair per region (domain/secret_rotation.py
holds the policy); this module reads it, validates each value it reads once, and says loudly what
it had to drop. A secret that cannot serve a call (no value yet, not JSON, no usable pair for the
region) is a ConfigurationError, `503 CONFIGURATION_ERROR:faceid_secret[.<region>]`, logged here in
one line that says what to fix: the state between `sam deploy` and `put-secret-value`.

The request-hash key is a plain string CloudFormation generates: the HMAC key that fingerprints
create requests, so that a stored fingerprint cannot be brute-forced back to a name or ID number.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from faceid_bridge.domain.secret_rotation import Credentials, FaceIdSecret, UnusableSecret
from faceid_bridge.errors import ConfigurationError
from faceid_bridge.faceid.regions import Region
from faceid_bridge.metric_names import Metric
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
        self._loaded: tuple[Any, FaceIdSecret] | None = None

    def __call__(self) -> FaceIdSecret:
        from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError, TransformParameterError

        try:
            raw = secrets_provider().get(self.secret_id, transform="json", max_age=self.max_age)
        except TransformParameterError:  # includes an empty string
            raise _unusable("the FaceID secret is empty or not JSON") from None
        except GetParameterError:
            raise _unusable("the FaceID secret has no value (put-secret-value) or cannot be read") from None
        if self._loaded is None or self._loaded[0] != raw:
            self._loaded = (raw, _faceid_secret(raw))
        return self._loaded[1]

    def pair(self, region: Region) -> Credentials:
        """The key pair of `region`'s host."""
        found = self().pair(region)
        if found is None:
            raise _unusable("the FaceID secret has no key pair for this region", region=region.value)
        return found


def _unusable(problem: str, **extra: Any) -> ConfigurationError:
    """The one log line of an unusable secret, and the error that answers for it."""
    logger.error(f"{problem}; see README, 'Deploying'", extra={"secret": "FaceIdSecret", **extra})
    region = f".{extra['region']}" if "region" in extra else ""
    return ConfigurationError(f"CONFIGURATION_ERROR:faceid_secret{region}")


def _faceid_secret(raw: Any) -> FaceIdSecret:
    try:
        secret, dropped = FaceIdSecret.from_secret(raw)
    except UnusableSecret as unusable:
        problem = "the FaceID secret is not usable (a key pair per region code: README, 'Regions')"
        raise _unusable(problem, invalid_fields=unusable.invalid_fields) from None
    if dropped:
        metrics.add_metric(name=Metric.SECRET_ROTATION_FIELDS_INVALID, unit="Count", value=1)
        logger.error(
            "the FaceID secret's rotation fields are invalid; only the current api_secret is accepted",
            extra={"invalid_fields": dropped},
        )
    return secret


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
