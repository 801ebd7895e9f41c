"""A typed Python client for faceid-bridge's HTTP API, and the event parser for subscribers.

    from faceid_bridge_client import FaceIdBridgeClient

    api = FaceIdBridgeClient.deployed("https://abc123.execute-api.eu-west-1.amazonaws.com")  # SigV4
    api = FaceIdBridgeClient("http://127.0.0.1:8028")                                       # local stack
    created = api.create_verification({"biz_no": "order-1", "uuid": "user-1", "comparison_type": "-1"})
    view = api.get_verification(created.verification_id)

The request and answer models are the API's own (faceid_bridge.api_models), so the client cannot
drift from the server. Errors raise `ApiError` with FaceID's error form. It ships in the layer too:
a downstream Lambda with the layer can call the API, or `parse_event` an EventBridge detail.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

import urllib3
from pydantic import BaseModel

from faceid_bridge.api_listing import VerificationPage
from faceid_bridge.api_models import VerificationView
from faceid_bridge.channels.app_sdk.api import AppCreated, AppVerificationRequest, AppVerifyRequest
from faceid_bridge.channels.h5_lite.api import CreateVerificationRequest, H5LiteCreated
from faceid_bridge.channels.h5_raw.api import RawVerificationRequest
from faceid_bridge.domain.events import parse_event
from faceid_bridge_client.webhooks import WebhookCalls

__all__ = ["Answer", "ApiError", "FaceIdBridgeClient", "parse_event"]

Body = BaseModel | Mapping[str, Any]


@dataclass(frozen=True)
class Answer:
    """One HTTP answer, as sent."""

    status_code: int
    headers: Mapping[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise ApiError.of(self)


class ApiError(Exception):
    """An error answer: FaceID's error form (`BAD_ARGUMENTS:<key>`...), the request id to quote,
    and Retry-After when the same request may be sent again (409 in progress, 429, 503).

    A plain exception, not a frozen dataclass: raising sets attributes on an exception
    (`__traceback__`, `__context__`, notes), which a frozen dataclass refuses. Its fields are
    read-only properties over `args`, so it also prints and pickles as its answer."""

    def __init__(
        self, status: int, error_message: str, request_id: str | None = None, retry_after: int | None = None
    ) -> None:
        super().__init__(status, error_message, request_id, retry_after)
        self._answer = (status, error_message, request_id, retry_after)

    @property
    def status(self) -> int:
        return self._answer[0]

    @property
    def error_message(self) -> str:
        return self._answer[1]

    @property
    def request_id(self) -> str | None:
        return self._answer[2]

    @property
    def retry_after(self) -> int | None:
        return self._answer[3]

    def __str__(self) -> str:
        return f"{self.status} {self.error_message}" + (f" (request_id {self.request_id})" if self.request_id else "")

    @classmethod
    def of(cls, answer: Answer) -> ApiError:
        try:
            body = answer.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        retry_after = answer.headers.get("Retry-After")
        return cls(
            status=answer.status_code,
            error_message=str(body.get("error_message") or body.get("message") or answer.text[:200]),
            request_id=body.get("request_id"),
            retry_after=int(retry_after) if retry_after and retry_after.isdigit() else None,
        )


class FaceIdBridgeClient(WebhookCalls):
    def __init__(self, base_url: str, *, sign: Any = None, timeout_seconds: float = 30) -> None:
        """`sign(method, url, body, headers) -> headers`, when the API needs signed requests."""
        self.base_url = base_url.rstrip("/")
        self._sign = sign
        self._http = urllib3.PoolManager(timeout=urllib3.Timeout(total=timeout_seconds), retries=False)

    @classmethod
    def deployed(cls, api_url: str, *, region: str | None = None, session: Any = None) -> FaceIdBridgeClient:
        """For the deployed API: every request SigV4-signed for execute-api with boto3's credentials
        (the caller needs execute-api:Invoke on the client routes)."""
        import boto3  # only the deployed client needs it
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        session = session or boto3.Session()
        region = region or session.region_name or api_url.split(".execute-api.", 1)[-1].split(".", 1)[0]

        def sign(method: str, url: str, body: bytes | None, headers: dict[str, str]) -> dict[str, str]:
            request = AWSRequest(method=method, url=url, data=body, headers=headers)
            SigV4Auth(session.get_credentials().get_frozen_credentials(), "execute-api", region).add_auth(request)
            return dict(request.headers.items())

        return cls(api_url, sign=sign)

    # --- typed calls: an answer model, or ApiError ------------------------------------------------

    def create_verification(self, request: CreateVerificationRequest | Mapping[str, Any]) -> H5LiteCreated:
        return H5LiteCreated.model_validate(self._ok(self.send("POST", "/v1/verifications", request)))

    def create_app_verification(self, request: AppVerificationRequest | Mapping[str, Any]) -> AppCreated:
        return AppCreated.model_validate(self._ok(self.send("POST", "/v1/app-verifications", request)))

    def verify_app(self, verification_id: str, meglive_data: AppVerifyRequest | str | None) -> VerificationView:
        """meglive_data: the SDK's package, as the request model or as base64 text (None for a
        raw_image verification)."""
        path = f"/v1/app-verifications/{quote(verification_id, safe='')}/verify"
        if isinstance(meglive_data, AppVerifyRequest):
            body: Body = meglive_data
        else:
            body = {"meglive_data": meglive_data} if meglive_data is not None else {}
        return VerificationView.model_validate(self._ok(self.send("POST", path, body)))

    def create_raw_verification(self, request: RawVerificationRequest | Mapping[str, Any]) -> VerificationView:
        return VerificationView.model_validate(self._ok(self.send("POST", "/v1/raw-verifications", request)))

    def get_verification(self, verification_id: str) -> VerificationView:
        answer = self.send("GET", f"/v1/verifications/{quote(verification_id, safe='')}")
        return VerificationView.model_validate(self._ok(answer))

    def cancel_verification(self, verification_id: str) -> VerificationView:
        """End one in flight as CANCELLED (CANCELLED_BY_CUSTOMER); ApiError 409 CONFLICT:status once
        it has ended otherwise."""
        answer = self.send("POST", f"/v1/verifications/{quote(verification_id, safe='')}/cancel")
        return VerificationView.model_validate(self._ok(answer))

    def redact_verification(self, verification_id: str) -> VerificationView:
        """Erase its personal data, irreversibly (one in flight is cancelled first); `redacted_at`
        says when. Calling it again changes nothing."""
        answer = self.send("POST", f"/v1/verifications/{quote(verification_id, safe='')}/redact")
        return VerificationView.model_validate(self._ok(answer))

    def list_verifications(self, **query: str | int | datetime) -> VerificationPage:
        """GET /v1/verifications: `biz_no=...` alone, or `channel=...` with `status`, `created_after`,
        `created_before` (datetimes with an offset), `limit`; then `cursor=page.next_cursor` for the
        next page."""
        text = {key: value.isoformat() if isinstance(value, datetime) else str(value) for key, value in query.items()}
        answer = self.send("GET", f"/v1/verifications?{urlencode(text)}" if text else "/v1/verifications")
        return VerificationPage.model_validate(self._ok(answer))

    def find_verification(self, biz_no: str) -> VerificationView | None:
        """The verification of your order's biz_no, or None."""
        found = self.list_verifications(biz_no=biz_no).verifications
        return found[0] if found else None

    # --- the transport ----------------------------------------------------------------------------

    def send(self, method: str, path: str, body: Body | None = None) -> Answer:
        """One request, any answer (for callers that handle error statuses themselves)."""
        url = f"{self.base_url}{path}"
        data = None if body is None else _json(body)
        headers = {"Content-Type": "application/json"} if data is not None else {}
        if self._sign is not None:
            headers = self._sign(method, url, data, headers)
        response = self._http.request(method, url, body=data, headers=headers, redirect=False)
        # urllib3's headers: a case-insensitive mapping, as HTTP headers are
        return Answer(response.status, response.headers, response.data.decode("utf-8", "replace"))


def _json(body: Body) -> bytes:
    if isinstance(body, BaseModel):
        return body.model_dump_json(exclude_none=True).encode()
    return json.dumps(dict(body)).encode()
