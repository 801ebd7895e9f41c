"""The state machine, as a table: which (current, incoming) pairs are a transition."""

import pytest

from faceid_bridge.domain.lifecycle import Status, can_transition, from_faceid

S = Status
TERMINAL = [S.OK, S.FAILED, S.CANCELLED, S.TIMEOUT, S.WEBRTC_UNSUPPORTED, S.EXPIRED]

ALLOWED = [(S.CREATED, S.PROCESSING)] + [(S.CREATED, t) for t in TERMINAL] + [(S.PROCESSING, t) for t in TERMINAL]
REFUSED = [(S.CREATED, S.CREATED), (S.PROCESSING, S.PROCESSING), (S.PROCESSING, S.CREATED)] + [
    (t, other) for t in TERMINAL for other in [*TERMINAL, S.CREATED, S.PROCESSING]
]


@pytest.mark.parametrize(("current", "incoming"), ALLOWED)
def test_forward_steps_are_transitions(current: Status, incoming: Status) -> None:
    assert can_transition(current, incoming)


@pytest.mark.parametrize(("current", "incoming"), REFUSED)
def test_duplicates_regressions_and_flips_are_not(current: Status, incoming: Status) -> None:
    assert not can_transition(current, incoming)


@pytest.mark.parametrize(
    ("faceid_status", "ours"),
    [
        ("NOT_STARTED", S.CREATED),
        ("PROCESSING", S.PROCESSING),
        ("OK", S.OK),
        ("FAILED", S.FAILED),
        ("CANCELLED", S.CANCELLED),
        ("TIMEOUT", S.TIMEOUT),
        ("WEBRTC_UNSUPPORTED", S.WEBRTC_UNSUPPORTED),
    ],
)
def test_faceid_statuses_map_onto_ours(faceid_status: str, ours: Status) -> None:
    # 001 lists these seven; NOT_STARTED means the do page was never opened
    assert from_faceid(faceid_status) is ours
