"""FaceID HTTP adapter: sends any channel's calls (faceid/calls.py) by their documented method (form
posts; get_result a GET with a query string, notes §2), retries inside the invocation's time, and
FaceID's errors as our domain errors.

| FaceID says                                               | raised                     | HTTP |
| --------------------------------------------------------- | -------------------------- | ---- |
| 400 NO_FACE_FOUND, MULTIPLE_FACES, IMAGE_ERROR_..., INVALID_IMAGE_SIZE,   | FaceIdRejected             | 400  |
|     BAD/MISSING_ARGUMENTS, INVALID_TOKEN                                  |                            |      |
| 413 Request Entity Too Large (plain text)                 | FaceIdRejected             | 400  |
| 403 AUTHENTICATION_ERROR, AUTHORIZATION_ERROR:<reason>    | UpstreamMisconfigured      | 502  |
| 403/429 CONCURRENCY_LIMIT_EXCEEDED                        | RateLimited (Retry-After)  | 429  |
| 500 INTERNAL_ERROR, connection refused                    | retried, then Unavailable  | 503  |
| no answer after sending (read timeout, reset)             | FaceIdOutcomeUnknown       | 503  |
| 200 with a body that is not the documented JSON           | FaceIdBadResponse          | 502  |

Retries: a request that never reached FaceID (connect error) or that FaceID answered with a 5xx
("send the request again", 000) is sent again, each try sized to the time the invocation has left
(faceid_bridge.deadline). A request FaceID may have acted on is never resent here: its outcome is
unknown, and only the caller knows how to recover it (see services/creation.py).

get_result's query string carries api_secret, so no URL leaves this module: the errors raised here
are our own, raised outside the urllib3 handler (no __context__ carrying its URL), and urllib3's own
debug log, which prints request lines, is held at INFO (docs/decisions.md, "get_result by GET").
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Callable
from typing import Any

import urllib3
from pydantic import BaseModel, ValidationError
from urllib3.exceptions import ConnectTimeoutError, HTTPError, NewConnectionError

from faceid_bridge import deadline
from faceid_bridge.config import MAX_FACEID_CALLS_AT_ONCE
from faceid_bridge.domain.secret_rotation import Credentials
from faceid_bridge.errors import (
    BridgeError,
    FaceIdBadResponse,
    FaceIdOutcomeUnknown,
    FaceIdRejected,
    Forbidden,
    RateLimited,
    UpstreamMisconfigured,
    UpstreamUnavailable,
)
from faceid_bridge.faceid.calls import FaceIdCall
from faceid_bridge.tracing import faceid_call

RETRY_AFTER_SECONDS = 1
CONNECT_TIMEOUT_SECONDS = 3.0
MIN_TRY_SECONDS = 0.5
BACKOFF_SECONDS = 0.2

# urllib3 logs each request line, query string included, at DEBUG.
logging.getLogger("urllib3").setLevel(max(logging.getLogger("urllib3").getEffectiveLevel(), logging.INFO))


def _error_of(status: int, body: bytes) -> BridgeError:
    if status == 413:
        return FaceIdRejected("REQUEST_ENTITY_TOO_LARGE")
    try:
        payload = json.loads(body)
        message = str(payload.get("error_message") or payload.get("error") or "")
    except (ValueError, AttributeError):
        message = ""
    # The docs show both "BAD_ARGUMENTS:key" and "BAD_ARGUMENTS: key".
    message = ":".join(part.strip() for part in message.split(":", 1))
    code = message.split(":", 1)[0]
    if code == "CONCURRENCY_LIMIT_EXCEEDED":
        return RateLimited(code, retry_after=RETRY_AFTER_SECONDS)
    if message == "AUTHORIZATION_ERROR:NO_DATA_SOURCE_PERMISSION":
        return Forbidden(message)  # a KYC request this FaceID account may not make: the client's to know
    if code in ("AUTHENTICATION_ERROR", "AUTHORIZATION_ERROR"):
        return UpstreamMisconfigured(f"FACEID_{message}")
    if status == 400 and message:
        return FaceIdRejected(message)
    if status >= 500:
        return UpstreamUnavailable("FACEID_UNAVAILABLE", retry_after=RETRY_AFTER_SECONDS)
    return UpstreamMisconfigured(f"FACEID_UNEXPECTED_RESPONSE:{status}")


class FaceIdClient:
    def __init__(
        self,
        endpoint: str,
        credentials: Callable[[], Credentials],
        *,
        timeout_seconds: float = 10.0,
        retries: int = 2,
        http: urllib3.PoolManager | None = None,
        sleep: Callable[[float], None] = time.sleep,
        region: str = "",
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.region = region  # named in traces
        self._credentials = credentials
        self.timeout_seconds = timeout_seconds
        self.retries = retries
        self._sleep = sleep
        # A connection per call at once per host: a smaller pool would discard the others' after each call.
        self._http = http or urllib3.PoolManager(retries=False, maxsize=MAX_FACEID_CALLS_AT_ONCE)

    def send[M: BaseModel](self, call: FaceIdCall[M]) -> tuple[M, dict[str, Any]]:
        """Send `call` (a form for POST, a query string for GET), authenticated with the current key
        pair; FaceID's answer as the call's model and as the raw payload."""
        credentials = self._credentials()
        fields = call.parameters(
            credentials.api_key, credentials.api_secret, int(time.time()), f"{secrets.randbelow(10**10):010d}"
        )
        with faceid_call(call.path.removeprefix("/faceid/"), self.region):
            data = self._send(call.method, call.path, fields)
            try:
                payload = json.loads(data)
                return call.answer.model_validate(payload), payload
            except (ValueError, ValidationError):  # ValueError covers JSON and UTF-8 errors
                raise FaceIdBadResponse(f"FACEID_UNEXPECTED_RESPONSE:{call.path.rsplit('/', 1)[-1]}") from None

    def _send(self, method: str, path: str, fields: dict[str, Any]) -> bytes:
        """One request, resent while it surely did not take effect and time is left."""
        error: BridgeError = UpstreamUnavailable("FACEID_UNAVAILABLE", retry_after=RETRY_AFTER_SECONDS)
        for attempt in range(self.retries + 1):
            left = deadline.seconds_left()
            timeout = self.timeout_seconds if left is None else min(self.timeout_seconds, left)
            if timeout < MIN_TRY_SECONDS:
                break  # no time for another try: answer now, before the invocation is killed
            if attempt:
                pause = min(BACKOFF_SECONDS * 2 ** (attempt - 1), timeout / 2)
                self._sleep(pause)
                timeout -= pause
            response, reached = self._request(method, path, fields, timeout)
            if response is None and not reached:
                continue  # never reached FaceID: safe to send again
            if response is None:
                raise FaceIdOutcomeUnknown("FACEID_OUTCOME_UNKNOWN", retry_after=RETRY_AFTER_SECONDS)
            if response.status == 200:
                return bytes(response.data)
            error = _error_of(response.status, response.data)
            if not (response.status >= 500 and isinstance(error, UpstreamUnavailable)):
                raise error
        raise error

    def _request(
        self, method: str, path: str, fields: dict[str, Any], timeout: float
    ) -> tuple[urllib3.BaseHTTPResponse | None, bool]:
        """The response, or None and whether the request may have reached FaceID. urllib3's error is
        dropped here, not raised from: it holds the URL, and a GET's URL holds api_secret."""
        try:
            response = self._http.request(
                method,
                self.endpoint + path,
                fields=fields,
                timeout=urllib3.Timeout(connect=min(CONNECT_TIMEOUT_SECONDS, timeout), read=timeout),
                retries=False,
            )
        except (ConnectTimeoutError, NewConnectionError):
            return None, False
        except HTTPError:
            return None, True
        return response, True
