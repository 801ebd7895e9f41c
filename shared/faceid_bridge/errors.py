"""Domain errors: what went wrong, in FaceID's own `CODE:<detail>` style. Which HTTP status each one
answers is the API's to say (`faceid_bridge.api.STATUS`), in one place."""

from __future__ import annotations


class BridgeError(Exception):
    """Base of every error a client may see. `message` is in FaceID's own `CODE:<detail>` style."""

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class ArgumentError(BridgeError):
    @classmethod
    def missing(cls, key: str) -> ArgumentError:
        return cls(f"MISSING_ARGUMENTS:{key}")

    @classmethod
    def bad(cls, key: str) -> ArgumentError:
        return cls(f"BAD_ARGUMENTS:{key}")


class Unauthorized(BridgeError):
    """A callback whose sign is missing or not FaceID's."""


class Forbidden(BridgeError):
    """FaceID will not do this for this account (a KYC data source it may not use)."""


class NotFound(BridgeError):
    pass


class Conflict(BridgeError):
    """The request contradicts what is stored: another request used its biz_no, or its single-use
    token's outcome is unknown (start a new verification)."""


class RequestInProgress(BridgeError):
    """Another request holds what this one needs (a biz_no claim, a token being sent): retry."""


class PayloadTooLarge(BridgeError):
    pass


class FaceIdRejected(BridgeError):
    """FaceID refused the request because of what the client sent (bad image, no face...)."""


class RateLimited(BridgeError):
    """FaceID's concurrency limit."""


class UpstreamMisconfigured(BridgeError):
    """FaceID refused our credentials: an operator problem, not the client's."""


class ConfigurationError(BridgeError):
    """A deployment problem (a secret with no value yet, or not usable): the operator's to fix, not
    the client's, who may retry later. Logged once, where it is found."""


class UpstreamUnavailable(BridgeError):
    pass


class FaceIdOutcomeUnknown(UpstreamUnavailable):
    """The request reached FaceID, but its answer did not reach us (a read timeout, a connection
    reset after sending). FaceID may have acted on it: the caller must not treat it as refused."""


class FaceIdBadResponse(UpstreamMisconfigured):
    """FaceID answered 200 with a body that is not JSON or not the documented model."""
