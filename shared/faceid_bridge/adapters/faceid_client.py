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
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import urllib3
from urllib3.exceptions import HTTPError

from faceid_bridge.adapters.credentials import Credentials
from faceid_bridge.errors import (
    BridgeError,
    FaceIdRejected,
    Forbidden,
    RateLimited,
    UpstreamMisconfigured,
    UpstreamUnavailable,
)
from faceid_bridge.faceid.contract import (
    APP_SIGN_VERSION,
    AppVerifyResult,
    GetBizTokenOptions,
    GetBizTokenResponse,
    GetTokenOptions,
    GetTokenResponse,
    LiteResult,
    RawVerifyOptions,
    RawVerifyResult,
    app_sign,
)

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

    # --- App (SDK): signed with App-Authentication instead of api_key/api_secret -------------------

    def _signed(self) -> dict[str, str]:
        credentials, now = self._credentials(), int(time.time())
        # Valid for a minute rather than one-time, so that a retried request is not refused.
        sign = app_sign(
            credentials.api_key,
            credentials.api_secret,
            expire_time=now + 60,
            current_time=now,
            random=f"{secrets.randbelow(10**10):010d}",
        )
        return {"sign": sign, "sign_version": APP_SIGN_VERSION}

    def get_biz_token(self, options: GetBizTokenOptions) -> GetBizTokenResponse:
        fields: dict[str, Any] = {**self._signed(), **options.form_fields()}
        fields |= {name: (name, content, "application/octet-stream") for name, content in options.files().items()}
        return GetBizTokenResponse.model_validate(self._post("/faceid/v3/sdk/get_biz_token", fields))

    def app_verify(self, biz_token: str, meglive_data: bytes) -> tuple[AppVerifyResult, dict[str, Any]]:
        fields = {
            **self._signed(),
            "biz_token": biz_token,
            "meglive_data": ("meglive_data", meglive_data, "application/octet-stream"),
        }
        payload = self._post("/faceid/v3/sdk/verify", fields)
        return AppVerifyResult.model_validate(payload), payload

    # --- H5 Raw --------------------------------------------------------------------------------------

    def raw_verify(self, options: RawVerifyOptions) -> tuple[RawVerifyResult, dict[str, Any]]:
        credentials = self._credentials()
        fields: dict[str, Any] = {
            "api_key": credentials.api_key,
            "api_secret": credentials.api_secret,
            **options.form_fields(),
        }
        fields |= {name: (name, content, "application/octet-stream") for name, content in options.files().items()}
        payload = self._post("/faceid/lite/raw/verify", fields)
        return RawVerifyResult.model_validate(payload), payload

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
