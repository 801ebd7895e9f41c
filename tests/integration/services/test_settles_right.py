"""Issue 19 items 1-6 on moto, through our handlers and services: single-use tokens go to FaceID
once, and a biz_no is never lost or shadowed. Numbers in the test names are the issue's items; the
fault paths are also driven through the local stack in tests/e2e/test_settles_right.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel

from faceid_bridge import wiring
from faceid_bridge.adapters.dynamodb import VerificationStore
from faceid_bridge.channels.app_sdk import contract as app_contract
from faceid_bridge.channels.app_sdk import verify
from faceid_bridge.channels.h5_lite.api import CreateVerificationRequest
from faceid_bridge.channels.h5_raw.api import RawVerificationRequest
from faceid_bridge.config import CreationConfig, load
from faceid_bridge.errors import FaceIdBadResponse, FaceIdOutcomeUnknown, RateLimited, UpstreamUnavailable
from faceid_bridge.faceid.calls import FaceIdCall
from faceid_bridge.faceid.common import parse
from faceid_bridge.services.creation import prepare
from faceid_bridge.services.reconciler import reconcile_due
from tests.integration.conftest import FakeFaceId
from tests.local_stack import create, create_app_sdk, meglive, post, raw_token, verify_app
from tests.support import valid_biz_token_body, valid_create_body, valid_raw_body

# --- 1, 2: App verify sends the biz_token once ---------------------------------------------------


def app_verification(store: VerificationStore, biz_no: str = "app-1") -> Any:
    created = create_app_sdk(biz_no=biz_no)[2]
    verification = store.get(created["verification_id"])
    assert verification is not None
    return created, verification


def test_1_a_verify_while_another_is_in_flight_is_409_without_a_faceid_call(
    faceid_http: str, store: VerificationStore
) -> None:
    # Given a verify that marked the biz_token as sent a moment ago, and is still waiting for FaceID
    created, verification = app_verification(store)
    assert store.mark_token_sent(verification, datetime.now(UTC))
    # When a second verify arrives
    status, headers, body = verify_app(created["verification_id"], meglive(faceid_http, created["biz_token"]))
    # Then it is told to come back, and the biz_token was not sent again (FaceID would deny it)
    assert (status, body["error_message"], headers["Retry-After"]) == (409, "REQUEST_IN_PROGRESS:verification_id", "1")
    import requests

    uses = requests.get(f"{faceid_http}/sandbox/v1/token-uses", params={"token": created["biz_token"]}, timeout=10)
    assert uses.json()["uses"] == 0


def test_2_a_verify_after_one_that_died_mid_call_settles_errored_not_on_the_user(
    faceid_http: str, store: VerificationStore
) -> None:
    # Given a verify that sent the biz_token two minutes ago and never came back (its process died)
    created, verification = app_verification(store)
    assert store.mark_token_sent(verification, datetime.now(UTC) - timedelta(minutes=2))
    # When the app verifies again
    status, _, body = verify_app(created["verification_id"], meglive(faceid_http, created["biz_token"]))
    # Then the answer says the outcome is unknown, and the verification ends ERRORED for that reason
    assert (status, body["error_message"]) == (409, "FACEID_OUTCOME_UNKNOWN:biz_token")
    settled = store.get(created["verification_id"])
    assert settled is not None
    assert (settled.status, settled.decision, settled.reasons) == ("FAILED", "ERRORED", ["FACEID_OUTCOME_UNKNOWN"])


@dataclass
class ScriptedAppVerify:
    """FaceID's App verify, answering from a script: an exception, or a result code and message."""

    answers: list[Exception | tuple[int, str]]
    sent: list[str] = field(default_factory=list)

    def region_of(self, channel: str) -> str:
        return "idn"

    def endpoint(self, channel: str, region: str | None = None) -> str:
        return "https://faceid.test"

    def send[M: BaseModel](
        self, call: FaceIdCall[M], *, channel: str, region: str | None = None
    ) -> tuple[M, dict[str, Any]]:
        assert call.path == app_contract.VERIFY
        self.sent.append(call.fields["biz_token"])
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        payload = {"request_id": "r", "time_used": 1, "result_code": answer[0], "result_message": answer[1]}
        return call.answer.model_validate(payload), payload


@pytest.mark.parametrize(
    "lost", [FaceIdOutcomeUnknown("FACEID_OUTCOME_UNKNOWN"), FaceIdBadResponse("FACEID_UNEXPECTED_RESPONSE:verify")]
)
def test_2_a_lost_or_unreadable_verify_answer_settles_errored_and_the_token_is_never_resent(
    faceid_http: str, store: VerificationStore, lost: Exception
) -> None:
    created, verification = app_verification(store)
    faceid = ScriptedAppVerify([lost])
    with pytest.raises(FaceIdOutcomeUnknown, match=r"^FACEID_OUTCOME_UNKNOWN:biz_token$"):
        verify.verify_app(verification.verification_id, b"pkg", store=store, faceid=faceid)
    with pytest.raises(Exception, match=r"^FACEID_OUTCOME_UNKNOWN:biz_token$"):
        verify.verify_app(verification.verification_id, b"pkg", store=store, faceid=faceid)
    assert faceid.sent == [created["biz_token"]]
    settled = store.get(verification.verification_id)
    assert settled is not None and settled.reasons == ["FACEID_OUTCOME_UNKNOWN"]


def test_2_biz_token_denied_for_a_token_sent_before_is_no_verdict_about_the_user(
    faceid_http: str, store: VerificationStore
) -> None:
    # Given a verify FaceID refused outright (an internal error), which gives the token back
    created, verification = app_verification(store)
    faceid = ScriptedAppVerify([UpstreamUnavailable("FACEID_UNAVAILABLE"), (4200, "BIZ_TOKEN_DENIED")])
    with pytest.raises(UpstreamUnavailable):
        verify.verify_app(verification.verification_id, b"pkg", store=store, faceid=faceid)
    # When the retry meets BIZ_TOKEN_DENIED (FaceID had spent the token after all)
    settled = verify.verify_app(verification.verification_id, b"pkg", store=store, faceid=faceid)
    # Then the verification ends as an unknown outcome, not FACEID_4200:BIZ_TOKEN_DENIED
    assert (settled.decision, settled.reasons) == ("ERRORED", ["FACEID_OUTCOME_UNKNOWN"])
    assert faceid.sent == [created["biz_token"]] * 2


def test_2_a_refused_verify_gives_the_token_back(faceid_http: str, store: VerificationStore) -> None:
    created, verification = app_verification(store)
    faceid = ScriptedAppVerify([RateLimited("CONCURRENCY_LIMIT_EXCEEDED", retry_after=1), (1000, "SUCCESS")])
    with pytest.raises(RateLimited):
        verify.verify_app(verification.verification_id, b"pkg", store=store, faceid=faceid)
    decided = verify.verify_app(verification.verification_id, b"pkg", store=store, faceid=faceid)
    assert decided.status == "OK" and faceid.sent == [created["biz_token"]] * 2


def test_2_the_reconciler_never_blames_the_user_for_a_verify_that_died(
    faceid_http: str, store: VerificationStore
) -> None:
    # Given two App verifications past their hour: one never verified, one whose verify died mid-call
    _, unused = app_verification(store)
    _, died = app_verification(store, "app-2")
    later = datetime.now(UTC) + timedelta(hours=1, minutes=10)
    assert store.mark_token_sent(died, later - timedelta(minutes=5))
    # When the reconciler runs
    report = reconcile_due(store=store, faceid=wiring.faceid(), now=later)
    # Then the unused one is abandoned, the other ends as an unknown outcome
    assert (report.outcomes[unused.verification_id], report.outcomes[died.verification_id]) == ("expired", "unknown")
    settled = store.get(died.verification_id)
    assert settled is not None and (settled.decision, settled.reasons) == ("ERRORED", ["FACEID_OUTCOME_UNKNOWN"])


# --- 3: H5 Raw's token_still ---------------------------------------------------------------------


def test_3_a_raw_create_taken_over_after_its_process_died_is_not_resent(
    faceid_http: str, store: VerificationStore
) -> None:
    # Given a Raw create that claimed its biz_no and sent token_still, then died (its lease passed)
    body = valid_raw_body(token=raw_token(faceid_http), biz_no="raw-died")
    request = parse(RawVerificationRequest, body)
    _, fingerprint = prepare(request, load(CreationConfig), wiring.request_hash_key()())
    store.claim_biz_no("raw-died", fingerprint, datetime.now(UTC) - timedelta(minutes=5))
    # When the client retries the same request
    status, _, answer = post("h5_raw", "/v1/raw-verifications", body)
    # Then the token is not sent again: the answer says the outcome is unknown
    assert (status, answer["error_message"]) == (409, "FACEID_OUTCOME_UNKNOWN:token")
    import requests

    uses = requests.get(f"{faceid_http}/sandbox/v1/token-uses", params={"token": body["token"]}, timeout=10)
    assert uses.json()["uses"] == 0


# --- 4: a claim keeps its attempt count ----------------------------------------------------------


@dataclass
class ScriptedGetToken(FakeFaceId):
    """get_token answering from a script. FaceID keeps the biz_no of every call that took effect
    (one answered, lost or unreadable; not one it refused) and refuses it ever after."""

    script: list[Exception | None] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    kept: set[str] = field(default_factory=set)

    def get_token(self, options: Any, *, return_url: str, notify_url: str) -> Any:
        assert options.biz_no not in self.kept, "FaceID refuses a biz_no it has seen: BAD_ARGUMENTS:biz_no"
        self.sent.append(options.biz_no)
        step = self.script.pop(0) if self.script else None
        if not isinstance(step, RateLimited | UpstreamUnavailable):
            self.kept.add(options.biz_no)
        if step is not None:
            raise step
        return super().get_token(options, return_url=return_url, notify_url=notify_url)


@pytest.fixture
def scripted(stack: Any, monkeypatch: pytest.MonkeyPatch) -> ScriptedGetToken:
    fake = ScriptedGetToken()
    monkeypatch.setattr(wiring, "faceid", lambda: fake)
    return fake


@pytest.mark.parametrize(
    ("script", "statuses"),
    [
        ([FaceIdOutcomeUnknown("FACEID_OUTCOME_UNKNOWN"), RateLimited("CONCURRENCY_LIMIT_EXCEEDED")], [503, 429]),
        ([FaceIdOutcomeUnknown("FACEID_OUTCOME_UNKNOWN"), UpstreamUnavailable("FACEID_UNAVAILABLE")], [503, 503]),
        ([FaceIdBadResponse("FACEID_UNEXPECTED_RESPONSE:get_token")], [502]),
        (
            [
                FaceIdOutcomeUnknown("FACEID_OUTCOME_UNKNOWN"),
                UpstreamUnavailable("FACEID_UNAVAILABLE"),
                RateLimited("CONCURRENCY_LIMIT_EXCEEDED"),
            ],
            [503, 503, 429],
        ),
    ],
    ids=["unknown then 429", "unknown then 5xx", "unreadable 200", "unknown, 5xx, 429"],
)
def test_4_after_faceid_may_have_seen_the_biz_no_every_retry_sends_a_fresh_one(
    scripted: ScriptedGetToken, store: VerificationStore, script: list[Exception], statuses: list[int]
) -> None:
    # Given FaceID faults on each try of one create, the first of which may have reached it
    scripted.script = list(script)
    # When the client retries the same request until the faults clear
    answers = [create() for _ in statuses]
    done = create()
    # Then each try failed as FaceID did, and the next one gets the verification
    assert [status for status, _, _ in answers] == statuses
    assert done[0] == 201, done[2]
    # And FaceID was never sent a biz_no twice (it would refuse it)
    assert scripted.sent == ["order-1"] + [f"order-1~r{n}" for n in range(1, len(statuses) + 1)]


def test_4_a_first_refusal_still_frees_the_biz_no(scripted: ScriptedGetToken) -> None:
    scripted.script = [RateLimited("CONCURRENCY_LIMIT_EXCEEDED")]
    assert create()[0] == 429
    # Nothing can have reached FaceID: another request may take the biz_no, which FaceID gets as it is
    assert create(valid_create_body(uuid="someone-else"))[0] == 201
    assert scripted.sent == ["order-1", "order-1"]


# --- 5: the retry suffix is ours ------------------------------------------------------------------


@pytest.mark.parametrize("biz_no", ["order-1~r1", "~", "a~b"])
def test_5_a_customer_biz_no_may_not_use_the_retry_mark(faceid_http: str, biz_no: str) -> None:
    # A retried `order-1` is sent to FaceID as `order-1~r1`: a customer's own may never be that
    bodies = {
        ("h5_lite_create", "/v1/verifications"): valid_create_body(biz_no=biz_no),
        ("app_sdk", "/v1/app-verifications"): valid_biz_token_body(biz_no=biz_no),
        ("h5_raw", "/v1/raw-verifications"): valid_raw_body(biz_no=biz_no),
    }
    for (function, path), body in bodies.items():
        status, _, answer = post(function, path, body)
        assert (status, answer["error_message"]) == (400, "BAD_ARGUMENTS:biz_no"), path


# --- 6: only the same request takes a stale claim over --------------------------------------------


def test_6_a_stale_claim_is_taken_over_only_by_the_same_request(
    scripted: ScriptedGetToken, store: VerificationStore
) -> None:
    # Given a create that claimed order-1 five minutes ago and died before storing anything
    original = valid_create_body()
    request = parse(CreateVerificationRequest, original)
    _, fingerprint = prepare(request, load(CreationConfig), wiring.request_hash_key()())
    store.claim_biz_no("order-1", fingerprint, datetime.now(UTC) - timedelta(minutes=5))
    # When a different request for order-1 comes
    other = create(valid_create_body(uuid="someone-else"))
    # Then it is a conflict, and the original client's retry takes the claim over
    assert (other[0], other[2]["error_message"]) == (409, "CONFLICT:biz_no")
    retried = create(original)
    assert retried[0] == 201, retried[2]
    stored = store.get(retried[2]["verification_id"])
    assert stored is not None and stored.faceid_biz_no == "order-1~r1"
