"""Fault injection: switches set for the whole sandbox (PUT /sandbox/v1/faults) or per token
(the `faults` of /sandbox/v1/complete), so tests can show our side survives each of them."""

from __future__ import annotations

import threading

from pydantic import BaseModel, ConfigDict, Field


class ApiFaults(BaseModel):
    """For one FaceID API (get_token, get_result...): slow answers and the next N failures. A slow
    answer comes after the call took effect (a token issued, a biz_no spent, a read counted), as
    when FaceID's answer is lost to a timeout on our side."""

    model_config = ConfigDict(extra="forbid")

    latency_ms: int = Field(0, ge=0, le=60_000, description="Every answer comes this much later.")
    slow_answers: int = Field(0, ge=0, description="The next N answers come slow_answer_ms later.")
    slow_answer_ms: int = Field(15_000, ge=0, le=60_000)
    internal_errors: int = Field(0, ge=0, description="The next N calls answer 500 INTERNAL_ERROR.")
    concurrency_limits: int = Field(0, ge=0, description="The next N calls answer 403 CONCURRENCY_LIMIT_EXCEEDED.")
    unreadable_answers: int = Field(
        0, ge=0, description="The next N calls take effect, then answer 200 with a body that is not JSON."
    )


class NotifyFaults(BaseModel):
    model_config = ConfigDict(extra="forbid")

    drop: bool = False
    duplicates: int = Field(0, ge=0, le=50, description="Extra copies of the final notify.")
    out_of_order: bool = Field(False, description="A PROCESSING notify arrives after the final one.")
    retries: int = Field(0, ge=0, le=10, description="Resend a notify our side did not answer 2xx.")
    retry_delay_ms: int = Field(200, ge=0, le=10_000)


class Faults(BaseModel):
    model_config = ConfigDict(extra="forbid")

    get_token: ApiFaults = ApiFaults()
    get_result: ApiFaults = ApiFaults()
    get_biz_token: ApiFaults = ApiFaults()
    app_verify: ApiFaults = ApiFaults()
    raw_verify: ApiFaults = ApiFaults()
    notify: NotifyFaults = NotifyFaults()


class FaultSwitches:
    """The sandbox-wide switches. Counted faults are consumed as they fire."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.faults = Faults()

    def set(self, faults: Faults) -> None:
        with self._lock:
            self.faults = faults

    def fire(self, api: str) -> tuple[str | None, float, bool]:
        """Draw `api`'s faults for one call: the error to answer (or None), how many seconds to hold
        the answer back once the call has taken effect, and whether that answer is unreadable."""
        with self._lock:
            faults: ApiFaults = getattr(self.faults, api)
            error = None
            if faults.internal_errors:
                faults.internal_errors -= 1
                error = "INTERNAL_ERROR"
            elif faults.concurrency_limits:
                faults.concurrency_limits -= 1
                error = "CONCURRENCY_LIMIT_EXCEEDED"
            delay_ms = faults.latency_ms
            if faults.slow_answers:
                faults.slow_answers -= 1
                delay_ms += faults.slow_answer_ms
            unreadable = error is None and faults.unreadable_answers > 0
            faults.unreadable_answers -= unreadable
        return error, delay_ms / 1000, unreadable
