"""Integration fixtures: moto in-process with the resources of template.yaml, and the functions'
environment resolved against them, exactly as the local stack does it."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from moto import mock_aws
from pydantic import BaseModel
from werkzeug.serving import make_server

from faceid_bridge import wiring
from faceid_bridge.adapters.dynamodb import VerificationStore
from faceid_bridge.channels import hosting
from faceid_bridge.channels.h5_lite import paths as lite
from faceid_bridge.channels.h5_lite.contract import GetTokenOptions, GetTokenResponse, LiteResult
from faceid_bridge.config import load
from faceid_bridge.domain.verification import Channel
from faceid_bridge.faceid.calls import FaceIdCall
from faceid_bridge.observability import metrics
from infra.local import moto_atomic, moto_fast
from infra.local.provision import LocalStack, provision
from infra.local.stack import SANDBOX_CREDENTIALS
from infra.local.template import Template

REGION = "us-east-1"
CREDENTIALS = SANDBOX_CREDENTIALS  # the FaceID secret: the sandbox's key pair of each region


def _clear_caches() -> None:
    load.cache_clear()
    for factory in (
        wiring.store,
        wiring.credentials,
        wiring.request_hash_key,
        wiring.faceid,
        wiring.bus,
        wiring.dead_letters,
    ):
        getattr(factory, "cache_clear", lambda: None)()  # a test may have replaced it with a fake
    from faceid_bridge.adapters import aws
    from faceid_bridge.adapters.credentials import secrets_provider

    aws.client.cache_clear()
    secrets_provider.cache_clear()


def in_process_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process's boto3 on moto in this process: throwaway credentials, the region, and no
    AWS_ENDPOINT_URL. One set in the shell, or by the local stack's tests earlier in the same
    pytest-xdist worker (their session points the process at their moto server), would send the
    calls to that server instead, where a previous test's resources still exist."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    for key, value in {
        "AWS_ACCESS_KEY_ID": "t",
        "AWS_SECRET_ACCESS_KEY": "t",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalStack]:
    in_process_aws(monkeypatch)
    moto_atomic.install()
    moto_fast.install()
    with mock_aws():
        template = Template()
        local = provision(
            template,
            region=REGION,
            parameters={"PublicBaseUrl": "https://api.test", "AllowedRedirectOrigins": "https://shop.example.com"},
            secrets={"FaceIdSecret": CREDENTIALS},
        )
        for key, value in local.environment(template).items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
        monkeypatch.setenv("SECRET_CACHE_SECONDS", "0")
        _clear_caches()
        yield local
        _clear_caches()


@pytest.fixture
def store(stack: LocalStack) -> VerificationStore:
    return wiring.store()


@dataclass
class FakeFaceId:
    """Implements faceid_bridge.ports.FaceId for H5 Lite (mypy checks it wherever it is passed as
    one): records calls, answers like get_token, or raises what it is told."""

    calls: list[GetTokenOptions] = field(default_factory=list)
    error: Exception | None = None
    results: list[dict[str, Any] | Exception] = field(default_factory=list)  # get_result answers, in order
    reads: list[str] = field(default_factory=list)
    urls: list[dict[str, str]] = field(default_factory=list)  # each get_token's return_url and notify_url
    expired_time: int = 1795341600

    def region_of(self, channel: str) -> str:
        return hosting(Channel(channel)).default.value

    def get_result(self, biz_id: str, *, region: str | None = None) -> tuple[LiteResult, dict[str, Any]]:
        self.reads.append(biz_id)
        answer = self.results.pop(0)
        if isinstance(answer, Exception):
            raise answer
        payload = {"request_id": "r", **answer, "biz_info": {"biz_id": biz_id}}
        return LiteResult.model_validate(payload), payload

    def get_token(self, options: GetTokenOptions, *, return_url: str, notify_url: str) -> GetTokenResponse:
        self.calls.append(options)
        self.urls.append({"return_url": return_url, "notify_url": notify_url})
        if self.error:
            raise self.error
        n = len(self.calls)
        return GetTokenResponse(
            request_id=f"r{n}",
            token=f"token-{n}",
            biz_id=f"1795338000,biz-{n}-{os.getpid()}",
            expired_time=self.expired_time,
        )

    def endpoint(self, channel: str, region: str | None = None) -> str:
        return "https://faceid.test"

    def send[M: BaseModel](
        self, call: FaceIdCall[M], *, channel: str, region: str | None = None
    ) -> tuple[M, dict[str, Any]]:
        """The port's one method, as the named calls above (which tests override)."""
        if call.path == lite.GET_RESULT:
            answer: tuple[Any, dict[str, Any]] = self.get_result(call.fields["biz_id"], region=region)
        elif call.path == lite.GET_TOKEN:
            fields = dict(call.fields)
            urls = {"return_url": fields.pop("return_url"), "notify_url": fields.pop("notify_url")}
            token = self.get_token(GetTokenOptions.model_validate(fields | dict(call.files)), **urls)
            answer = token, token.model_dump()
        else:
            # The App and H5 Raw channels are tested against the sandbox (faceid_http); a test of
            # H5 Lite that reaches this has gone wrong.
            raise AssertionError("FakeFaceId is for H5 Lite: use the faceid_http fixture")
        assert isinstance(answer[0], call.answer)
        return answer


@pytest.fixture
def faceid(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> FakeFaceId:
    fake = FakeFaceId()
    monkeypatch.setattr(wiring, "faceid", lambda: fake)
    return fake


@pytest.fixture
def faceid_http(stack: LocalStack, sandbox_server: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The test's sandbox on a real port, and our FaceID client pointed at it."""
    server = make_server("127.0.0.1", 0, sandbox_server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    # Each region under its prefix on the sandbox, as the local stack has it.
    monkeypatch.setenv("FACEID_BASE_URL", url)
    monkeypatch.setenv("FACEID_RETRIES", "0")
    _clear_caches()
    yield url
    server.shutdown()


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the metrics counted during the test, in order."""
    names: list[str] = []
    monkeypatch.setattr(metrics, "add_metric", lambda name, **_: names.append(name))
    return names
