"""Domain errors. Each carries its HTTP status; `faceid_bridge.api` turns them into responses in one place."""

from __future__ import annotations


class BridgeError(Exception):
    """Base of every error a client may see. `message` is in FaceID's own `CODE:<detail>` style."""

    status = 500

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class ArgumentError(BridgeError):
    status = 400

    @classmethod
    def missing(cls, key: str) -> ArgumentError:
        return cls(f"MISSING_ARGUMENTS:{key}")

    @classmethod
    def bad(cls, key: str) -> ArgumentError:
        return cls(f"BAD_ARGUMENTS:{key}")


class Unauthorized(BridgeError):
    status = 401


class Forbidden(BridgeError):
    status = 403


class NotFound(BridgeError):
    status = 404


class Conflict(BridgeError):
    status = 409


class PayloadTooLarge(BridgeError):
    status = 413


class FaceIdRejected(BridgeError):
    """FaceID refused the request because of what the client sent (bad image, no face...)."""

    status = 400


class RateLimited(BridgeError):
    status = 429


class UpstreamMisconfigured(BridgeError):
    """FaceID refused our credentials: an operator problem, not the client's."""

    status = 502


class ConfigurationError(BridgeError):
    """A deployment problem (a secret with no value yet, or not usable): the operator's to fix, not
    the client's, who may retry later. Logged once, where it is found."""

    status = 503


class UpstreamUnavailable(BridgeError):
    status = 503


class FaceIdOutcomeUnknown(UpstreamUnavailable):
    """The request reached FaceID, but its answer did not reach us (a read timeout, a connection
    reset after sending). FaceID may have acted on it: the caller must not treat it as refused."""


class FaceIdBadResponse(UpstreamMisconfigured):
    """FaceID answered 200 with a body that is not JSON or not the documented model."""
