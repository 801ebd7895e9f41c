"""Cancel and redaction as pure functions (domain/changes.py), and the events they announce."""

import json
from datetime import UTC, datetime
from typing import Any

import jsonschema
import pytest

from faceid_bridge.domain.changes import (
    CANCEL,
    CANCELLED_BY_CUSTOMER,
    REDACTED,
    can_cancel,
    can_redact,
    cancelled_by_customer,
    redacted,
)
from faceid_bridge.domain.decision import Decision
from faceid_bridge.domain.events import VerificationDetail, VerificationRedacted, event_for, event_id, parse_event
from faceid_bridge.domain.lifecycle import Status
from faceid_bridge.domain.verification import Verification
from tests.support import EVENTS, FIXTURES, load_json

S = Status
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
# A rejected H5 Lite verification whose fields hold personal data (a name, a phone number).
REJECTED = Verification.model_validate(load_json(FIXTURES / "verifications" / "rejected_h5_lite.json"))
PERSONAL = ("Zhang Wei", "13800000000", "shop.example.com", "FACE_MISMATCH", "41.2", REJECTED.request_hash)


def schema(detail_type: str) -> Any:
    return load_json(EVENTS / "schemas" / f"{detail_type.lower().replace(' ', '-')}.json")


def announced(verification: Verification) -> tuple[str, VerificationDetail]:
    found = event_for(verification)
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("status", "cancellable"),
    [(S.CREATED, True), (S.PROCESSING, True)] + [(status, False) for status in S if status.terminal],
)
def test_only_a_verification_in_flight_can_be_cancelled(status: Status, cancellable: bool) -> None:
    assert can_cancel(status) is cancellable


def test_cancel_ends_it_cancelled_with_the_customers_reason() -> None:
    assert (CANCEL.status, CANCEL.decision, CANCEL.reasons) == (
        S.CANCELLED,
        Decision.CANCELLED,
        [CANCELLED_BY_CUSTOMER],
    )
    assert CANCELLED_BY_CUSTOMER == "CANCELLED_BY_CUSTOMER"


@pytest.mark.parametrize(
    ("status", "decision", "by_customer"),
    [
        (S.CANCELLED, Decision.CANCELLED, True),
        (S.CANCELLED, Decision.ABANDONED, False),  # the person cancelled in FaceID's flow
        (S.OK, Decision.REJECTED, False),
        (S.CREATED, None, False),
    ],
)
def test_cancelled_by_the_customer_is_the_decision_not_the_status(
    status: Status, decision: Decision | None, by_customer: bool
) -> None:
    verification = REJECTED.model_copy(update={"status": status, "decision": decision})
    assert cancelled_by_customer(verification) is by_customer


def test_a_cancelled_verification_announces_verification_cancelled() -> None:
    # Given a verification the customer cancelled
    cancelled = REJECTED.model_copy(update={"status": S.CREATED, "decision": None}).advanced(CANCEL, NOW)
    # When its event is built
    detail_type, detail = announced(cancelled)
    # Then it is Verification Cancelled, named by its version, and valid against its schema
    assert (detail_type, detail.event_id) == ("Verification Cancelled", event_id(cancelled.verification_id, 3))
    assert (detail.status, detail.decision, detail.reasons) == (S.CANCELLED, "CANCELLED", [CANCELLED_BY_CUSTOMER])
    jsonschema.validate(json.loads(detail.model_dump_json()), schema(detail_type))


def test_redaction_empties_the_personal_fields_and_keeps_ids_channel_times_status_and_decision() -> None:
    # When a rejected verification is redacted
    after = redacted(REJECTED, NOW, "redact-request")
    # Then every personal field is empty ...
    assert {name: getattr(after, name) for name in REDACTED} == {
        "reasons": [],
        "liveness": None,
        "comparison": [],
        "redirect_url": None,
        "biz_extra_data": None,
        "request_hash": "",
        "first_result": None,
    }
    # ... it is one version later, stamped, caused by the redact request ...
    assert (after.version, after.redacted_at, after.updated_at, after.correlation_id) == (3, NOW, NOW, "redact-request")
    # ... and everything else is as it was
    kept = set(Verification.model_fields) - set(REDACTED) - {"version", "redacted_at", "updated_at", "correlation_id"}
    assert {name: getattr(after, name) for name in kept} == {name: getattr(REJECTED, name) for name in kept}
    assert (after.status, after.decision, after.biz_no, after.biz_id) == (
        S.OK,
        Decision.REJECTED,
        "order-9001",
        REJECTED.biz_id,
    )
    assert not any(secret in after.model_dump_json() for secret in PERSONAL)


@pytest.mark.parametrize(
    ("status", "already", "redactable"),
    [
        (S.CREATED, False, False),
        (S.PROCESSING, False, False),
        (S.OK, False, True),
        (S.CANCELLED, False, True),
        (S.OK, True, False),
    ],
)
def test_a_verification_is_redacted_once_and_only_once_it_ended(
    status: Status, already: bool, redactable: bool
) -> None:
    verification = REJECTED.model_copy(update={"status": status, "redacted_at": NOW if already else None})
    assert can_redact(verification) is redactable
    if not redactable:
        with pytest.raises(ValueError, match="not redactable"):
            redacted(verification, NOW)


def test_the_redacted_event_is_named_by_the_redactions_version_and_carries_no_personal_data() -> None:
    # Given a redacted verification
    after = redacted(REJECTED, NOW)
    # When its event is built
    detail_type, detail = announced(after)
    # Then it is Verification Redacted, with the redaction's event id, status and decision kept ...
    assert (detail_type, detail.event_id) == ("Verification Redacted", event_id(after.verification_id, 3))
    assert (detail.status, detail.decision, detail.biz_no, detail.channel) == (
        S.OK,
        "REJECTED",
        "order-9001",
        "h5_lite",
    )
    # ... nothing personal in it, and it fits its schema
    text = detail.model_dump_json()
    assert not any(secret in text for secret in PERSONAL)
    assert (detail.reasons, detail.liveness, detail.comparison, detail.biz_extra_data) == ([], None, [], None)
    jsonschema.validate(json.loads(text), schema(detail_type))


def test_a_redacted_detail_that_still_held_personal_data_fails_its_model_and_schema() -> None:
    detail = json.loads(announced(redacted(REJECTED, NOW))[1].model_dump_json())
    for field, value in (
        ("reasons", ["FACE_MISMATCH_REF1"]),
        ("biz_extra_data", "x"),
        ("liveness", {"result": "PASS"}),
        ("comparison", [{}]),
    ):
        leaked = detail | {field: value}
        with pytest.raises(ValueError):
            VerificationRedacted.model_validate(leaked)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(leaked, schema("Verification Redacted"))


def test_a_redacted_detail_alone_parses_as_the_redaction_not_its_decision() -> None:
    detail = json.loads(announced(redacted(REJECTED, NOW))[1].model_dump_json())
    assert type(parse_event(detail)) is VerificationRedacted
    assert type(parse_event({"detail-type": "Verification Redacted", "detail": detail})) is VerificationRedacted
