"""FaceID HTTP adapter: form posts, retries, and FaceID's errors as our domain errors.

| FaceID says                                               | raised                     | HTTP |
| --------------------------------------------------------- | -------------------------- | ---- |
| 400 NO_FACE_FOUND, MULTIPLE_FACES, IMAGE_ERROR_..., INVALID_IMAGE_SIZE,   | FaceIdRejected             | 400  |
|     BAD/MISSING_ARGUMENTS, INVALID_TOKEN                                  |                            |      |
| 413 Request Entity Too Large (plain text)                 | FaceIdRejected             | 400  |
| 403 AUTHENTICATION_ERROR, AUTHORIZATION_ERROR:<reason>    | UpstreamMisconfigured      | 502  |
| 403/429 CONCURRENCY_LIMIT_EXCEEDED                        | RateLimited (Retry-After)  | 429  |
| 500 INTERNAL_ERROR, timeouts, connection errors           | retried, then Unavailable  | 503  |
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import urllib3
from urllib3.exceptions import HTTPError

from faceid_bridge.adapters.credentials import Credentials
from faceid_bridge.errors import (
    BridgeError,
    FaceIdRejected,
    RateLimited,
    UpstreamMisconfigured,
    UpstreamUnavailable,
)
from faceid_bridge.faceid.contract import GetTokenOptions, GetTokenResponse, LiteResult

RETRY_AFTER_SECONDS = 1


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
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self._credentials = credentials
        retry = urllib3.Retry(
            total=retries,
            status_forcelist=(500, 502, 503, 504),
            allowed_methods=None,  # FaceID asks callers to resend on INTERNAL_ERROR, POST included
            backoff_factor=0.2,
            raise_on_status=False,
            respect_retry_after_header=True,
        )
        self._http = http or urllib3.PoolManager(retries=retry, timeout=urllib3.Timeout(total=timeout_seconds))

    def do_url(self, token: str) -> str:
        """Where the user's browser goes for the liveness flow (notes §1)."""
        return f"{self.endpoint}/faceid/lite/do?{urlencode({'token': token})}"

    def get_token(self, options: GetTokenOptions, *, return_url: str, notify_url: str) -> GetTokenResponse:
        credentials = self._credentials()
        fields: dict[str, Any] = {
            "api_key": credentials.api_key,
            "api_secret": credentials.api_secret,
            "return_url": return_url,
            "notify_url": notify_url,
            **options.form_fields(),
        }
        for name, content in options.files().items():
            fields[name] = (name, content, "application/octet-stream")
        return GetTokenResponse.model_validate(self._post("/faceid/lite/get_token", fields))

    def get_result(self, biz_id: str) -> tuple[LiteResult, dict[str, Any]]:
        """lite/get_result (notes §2): the result and the raw response. Each call is one of the
        three reads FaceID allows, so callers count them."""
        credentials = self._credentials()
        fields = {"api_key": credentials.api_key, "api_secret": credentials.api_secret, "biz_id": biz_id}
        payload = self._call("GET", "/faceid/lite/get_result", fields)
        return LiteResult.model_validate(payload), payload

    def _post(self, path: str, fields: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", path, fields)

    def _call(self, method: str, path: str, fields: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self._http.request(method, self.endpoint + path, fields=fields)
        except HTTPError:
            raise UpstreamUnavailable("FACEID_UNAVAILABLE", retry_after=RETRY_AFTER_SECONDS) from None
        if response.status != 200:
            raise _error_of(response.status, response.data)
        result: dict[str, Any] = json.loads(response.data)
        return result
