"""The chaos suite's journeys where a single-use token or a biz_no is at stake (issue 19): an App
double submit, a lost App verify answer, a lost Raw verify answer, and a create retried after an
unknown outcome into FaceID's 429 or 5xx. Each runs under its own sandbox fault switches, after the
main mix, and is judged on the verdict, on how often FaceID saw the token, and on the biz_no."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from infra.local.client import LocalClient, Subscriber

LOST_ANSWER_MS = 5000  # past the stack's FACEID_TIMEOUT_SECONDS (4 s)
UNKNOWN = "FACEID_OUTCOME_UNKNOWN"
APPROVED, ERRORED = "Verification Approved", "Verification Errored"


@dataclass
class Tracked:
    verification_id: str
    scenario: str
    expected: str
    forged_attempts: int = 0
    forged_accepted: int = 0


@dataclass
class SingleUseTally:
    """The journeys where one tap, one lost answer or one FaceID error decides whether a user gets
    the right verdict (issue 19): how many ran, and what went wrong in them."""

    journeys: Counter[str] = field(default_factory=Counter)
    wrong_verdicts: list[str] = field(default_factory=list)
    tokens_resent: list[str] = field(default_factory=list)


class SingleUseJourneys:
    def __init__(
        self,
        client: Callable[[], LocalClient],
        sandbox_faults: Callable[[dict[str, Any]], None],
        tally: SingleUseTally,
        tracked: list[Tracked],
        lost_biz_nos: list[str],
    ) -> None:
        self._client, self.sandbox_faults = client, sandbox_faults
        self.tally, self.tracked, self.lost_biz_nos = tally, tracked, lost_biz_nos

    @property
    def client(self) -> LocalClient:
        return self._client()  # one per thread

    def all(self, each: int, subscriber: Subscriber) -> None:
        self._batch("App double submits", each, self.app_double_submit, app_verify={"latency_ms": 1500})
        lost = {"slow_answers": each, "slow_answer_ms": LOST_ANSWER_MS}
        self._batch("lost App verify answers", each, self.app_lost_answer, app_verify=lost)
        raw_biz_nos: list[str] = []
        raw_journey = lambda: raw_biz_nos.append(self.raw_lost_answer())  # noqa: E731
        self._batch("lost Raw verify answers", each, raw_journey, raw_verify=lost)
        for n in range(each):  # one at a time: each step needs its own get_token switch
            self.tally.journeys["creates retried after an unknown outcome into 429/5xx"] += 1
            self.create_through_errors({"concurrency_limits": 1} if n % 2 else {"internal_errors": 3})
        self._track_raw(raw_biz_nos, subscriber)

    def _batch(self, name: str, count: int, journey: Callable[[], Any], **faults: Any) -> None:
        self.sandbox_faults(faults)
        try:
            with ThreadPoolExecutor(max_workers=4) as pool:
                list(pool.map(lambda _: journey(), range(count)))
        finally:
            self.sandbox_faults({})
        self.tally.journeys[name] += count

    def _app(self) -> tuple[str, str, str] | None:
        """An App verification, its biz_token and the SDK's package; retried as a client would
        (a loaded machine may time get_biz_token out); None, and counted lost, if it never comes."""
        biz_no = f"chaos-app-{uuid.uuid4()}"
        for _ in range(20):
            answer = self.client.create_app_sdk(biz_no=biz_no)
            if answer.status_code not in (409, 429, 503):
                break
            time.sleep(0.2)
        if answer.status_code != 201:
            self.lost_biz_nos.append(f"{biz_no} ({answer.status_code} {answer.text[:160]})")
            return None
        created = answer.json()
        package = self.client.sdk_package(created["biz_token"], "pass")
        return created["verification_id"], created["biz_token"], package

    def _check_sent_once(self, token: str, what: str) -> None:
        uses = self.client.token_uses(token)
        if uses != 1:
            self.tally.tokens_resent.append(f"{what}: FaceID was sent the token {uses} times")

    def app_double_submit(self) -> None:
        app = self._app()
        if app is None:
            return
        vid, biz_token, package = app
        with ThreadPoolExecutor(1) as pool:
            first = pool.submit(self.client.verify_app, vid, package)
            time.sleep(0.3)
            second = self.client.verify_app(vid, package)
            answers = [first.result(), second]
        verdict = self.client.get(vid).json()
        statuses = {answer.status_code for answer in answers}  # 409 while the other is in flight
        if verdict["decision"] != "APPROVED" or 200 not in statuses or not statuses <= {200, 409}:
            self.tally.wrong_verdicts.append(f"{vid} (double submit): {verdict['reasons']}")
        self._check_sent_once(biz_token, vid)
        self.tracked.append(Tracked(vid, "app double submit", APPROVED))

    def app_lost_answer(self) -> None:
        app = self._app()
        if app is None:
            return
        vid, biz_token, package = app
        first, retry = self.client.verify_app(vid, package), self.client.verify_app(vid, package)
        said = [answer.json().get("error_message", "") for answer in (first, retry)]
        verdict = self.client.get(vid).json()
        if not all(message.startswith(UNKNOWN) for message in said) or verdict["reasons"] != [UNKNOWN]:
            self.tally.wrong_verdicts.append(f"{vid} (lost App verify answer): {said} {verdict['reasons']}")
        self._check_sent_once(biz_token, vid)
        self.tracked.append(Tracked(vid, "lost App verify answer", ERRORED))

    def raw_lost_answer(self) -> str:
        body = self.client.raw_body("pass")
        answers = [self.client.api.send("POST", "/v1/raw-verifications", body) for _ in range(2)]
        said = [answer.json().get("error_message", "") for answer in answers]
        if not all(message.startswith(UNKNOWN) for message in said):
            self.tally.wrong_verdicts.append(f"raw {body['biz_no']} (lost verify answer): {said}")
        self._check_sent_once(body["token"], body["biz_no"])
        return str(body["biz_no"])

    def create_through_errors(self, fault: dict[str, int]) -> None:
        biz_no = f"chaos-kept-{uuid.uuid4()}"
        self.sandbox_faults({"get_token": {"slow_answers": 1, "slow_answer_ms": LOST_ANSWER_MS}})
        statuses = [self.client.create(biz_no=biz_no).status_code]
        self.sandbox_faults({"get_token": fault})
        statuses.append(self.client.create(biz_no=biz_no).status_code)
        self.sandbox_faults({})
        created = self.client.create(biz_no=biz_no)
        if created.status_code != 201:
            self.lost_biz_nos.append(f"{biz_no} ({statuses} then {created.status_code} {created.text[:160]})")
            return
        self.client.complete(created.json()["token"], "pass")
        self.tracked.append(Tracked(created.json()["verification_id"], "create retried into 429/5xx", APPROVED))

    def _track_raw(self, biz_nos: list[str], subscriber: Subscriber) -> None:
        """A lost Raw answer gives the client no verification_id: its verification is found by its
        biz_no on the bus, and must have settled ERRORED."""
        deadline, found = time.monotonic() + 60, dict[str, str]()
        while len(found) < len(biz_nos) and time.monotonic() < deadline:
            subscriber.drain()
            found = {
                e["detail"]["biz_no"]: vid
                for vid, events in subscriber.events.items()
                for e in events
                if e["detail"]["biz_no"] in biz_nos
            }
            time.sleep(0.5)
        for biz_no in biz_nos:
            if biz_no not in found:
                self.tally.wrong_verdicts.append(f"raw {biz_no}: no verification on the bus")
                continue
            self.tracked.append(Tracked(found[biz_no], "lost Raw verify answer", ERRORED))
