"""get_result is a GET whose query string carries api_secret (notes §2). Whatever goes wrong on the
way, the secret reaches no log line and no exception: not the message, not the repr, not an
exception chained behind it (urllib3's errors hold the URL)."""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from faceid_bridge.adapters.dynamodb import VerificationStore
from faceid_bridge.adapters.faceid_client import FaceIdClient
from faceid_bridge.adapters.regional_faceid import RegionalFaceId
from faceid_bridge.channels import hosting
from faceid_bridge.channels.h5_lite.contract import get_result_call
from faceid_bridge.domain.secret_rotation import Credentials
from faceid_bridge.domain.verification import Channel
from faceid_bridge.errors import BridgeError
from faceid_bridge.observability import logger
from faceid_bridge.services.reconciler import reconcile_due
from tests.integration.conftest import FakeFaceId
from tests.integration.services.test_reconciler import DUE, new
from tests.local_stack import API_KEY, API_SECRET
from tests.support import free_port


@pytest.fixture
def sandbox_url(sandbox_server: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    # The sandbox stands in for FaceID: its access log is FaceID's, not ours.
    monkeypatch.setattr(logging.getLogger("werkzeug"), "level", logging.WARNING)
    server = make_server("127.0.0.1", 0, sandbox_server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def closed_port() -> str:
    return f"http://127.0.0.1:{free_port()}"  # nothing listens on it


def chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        yield from chain(exc.__cause__)
        exc = exc.__context__


def everything_about(exc: BaseException) -> str:
    return "\n".join(
        [str(e) + repr(e) + repr(vars(e)) for e in chain(exc)] + traceback.format_exception(exc, chain=True)
    )


@pytest.mark.parametrize("fault", ["connection_refused", "read_timeout", "internal_error"])
def test_no_get_result_failure_puts_api_secret_in_a_log_or_an_exception(
    fault: str,
    sandbox_url: str,
    sandbox_server: Flask,
    faceid: FakeFaceId,
    store: VerificationStore,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Given a due H5 Lite verification, and FaceID failing get_result one way or another (the
    # sandbox's fault switches), with every logger at DEBUG
    verification = new(faceid, store)
    endpoint = closed_port() if fault == "connection_refused" else sandbox_url
    switches = {"read_timeout": {"slow_answers": 5, "slow_answer_ms": 1500}, "internal_error": {"internal_errors": 5}}
    sandbox_server.test_client().put("/sandbox/v1/faults", json={"get_result": switches.get(fault, {})})
    client = FaceIdClient(
        endpoint, lambda: Credentials(api_key=API_KEY, api_secret=API_SECRET), timeout_seconds=0.6, retries=1
    )
    caplog.set_level(logging.DEBUG)
    logger.setLevel(logging.DEBUG)
    try:
        # When the reconciler reads it, and the client is asked directly
        regional = RegionalFaceId(lambda channel: hosting(Channel(channel)).default, lambda region: client)
        report = reconcile_due(store=store, faceid=regional, now=DUE, retry_after=timedelta(minutes=2))
        with pytest.raises(BridgeError) as raised:
            client.send(get_result_call(verification.biz_id))
    finally:
        logger.setLevel(logging.INFO)
    # Then the failure was handled as designed (looked at again later)...
    assert report.outcomes[verification.verification_id] in ("error", "unreadable")
    written: Any = capfd.readouterr()
    logged = written.out + written.err + caplog.text + "\n".join(repr(record.__dict__) for record in caplog.records)
    assert verification.verification_id in logged  # (the capture works: the reconciler's warning is in it)
    # ... and api_secret is in no log line and nowhere in the exception or its chain
    assert API_SECRET not in logged
    assert API_SECRET not in everything_about(raised.value)
