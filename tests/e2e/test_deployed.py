"""FaceID as deployed, through the local stack: get_result by its documented GET, whose query string
(api_secret in it) reaches no log line when FaceID fails, and each region under its own prefix."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from faceid_bridge.faceid.regions import Region
from tests.conftest import TOKEN_TTL_SECONDS
from tests.local_stack import KEY_PAIRS, ROOT, LocalClient, Subscriber

pytestmark = pytest.mark.e2e
WAIT = TOKEN_TTL_SECONDS + 20
STACK_LOG = ROOT / ".local" / "e2e-stack.log"  # where the stack fixture sends the stack's output


@pytest.fixture
def stack_log() -> Iterator[Any]:
    """What the stack logs from now on."""
    if not STACK_LOG.exists():
        pytest.skip("the stack was not started by this run: its log is elsewhere")
    start = STACK_LOG.stat().st_size

    def written() -> str:
        with Path(STACK_LOG).open("rb") as log:
            log.seek(start)
            return log.read().decode("utf-8", "replace")

    yield written


def no_secret_in(text: str) -> None:
    assert "api_secret=" not in text
    assert all(secret not in text for _, secret in KEY_PAIRS.values())


def test_get_result_5xx_is_retried_and_settles_with_no_secret_logged(
    client: LocalClient, subscriber: Subscriber, faults: Any, stack_log: Any
) -> None:
    # Given a flow whose notify was lost, and FaceID's get_result (GET only) failing with 5xx for a while
    faults(get_result={"internal_errors": 4})
    lost = client.create().json()
    client.complete(lost["token"], "pass", faults={"drop": True})
    # When its token expires and the reconciler reads it, through the failures
    received = subscriber.wait_for({lost["verification_id"]: 2}, seconds=WAIT + 10)
    # Then it settles from get_result, and no log line of the stack holds the secret or the query
    assert [event["detail-type"] for event in received[lost["verification_id"]]] == [
        "Verification Created",
        "Verification Approved",
    ]
    logged = stack_log()
    assert "get_result failed; retrying later" in logged  # the failures were logged, with our own message
    no_secret_in(logged)


def test_a_get_result_read_timeout_logs_no_secret(client: LocalClient, faults: Any, stack_log: Any) -> None:
    # Given a flow whose notify was lost, and get_result's answer held back past our timeout
    faults(get_result={"slow_answers": 1, "slow_answer_ms": 8000})
    lost = client.create().json()
    client.complete(lost["token"], "pass", faults={"drop": True})
    # When the reconciler's read times out (an unknown outcome: the read is counted)
    deadline = time.monotonic() + WAIT + 10
    while "get_result answer unusable" not in stack_log() and time.monotonic() < deadline:
        time.sleep(1)
    # Then the warning names the verification and the error code, never the URL or the secret
    logged = stack_log()
    assert "get_result answer unusable" in logged and lost["verification_id"] in logged
    no_secret_in(logged)


@pytest.mark.parametrize(
    ("region", "path", "served"),
    [
        (Region.IDN, "/faceid/lite/raw/verify", False),
        (Region.SGP, "/faceid/lite/get_token", False),
        (Region.CN, "/faceid/lite/raw/validate_still", False),
        (Region.SGP, "/faceid/lite/raw/verify", True),
    ],
)
def test_the_stacks_sandbox_serves_each_region_under_its_prefix(
    client: LocalClient, region: Region, path: str, served: bool
) -> None:
    api_key, api_secret = KEY_PAIRS[region]
    response = client.http.post(
        f"{client.endpoints.sandbox}/{region.value}{path}",
        data={"api_key": api_key, "api_secret": api_secret},
        timeout=10,
    )
    if served:
        assert response.status_code == 400  # the API itself: its arguments are missing
    else:
        assert (response.status_code, response.json()["error"]) == (404, "API_NOT_FOUND")


def test_each_channel_is_created_on_its_region_and_events_carry_no_region(
    client: LocalClient, subscriber: Subscriber
) -> None:
    # Given the template's default hosts: H5 Lite and App in Indonesia, Raw in Singapore
    lite = client.create().json()
    app = client.create_app_sdk().json()
    raw = client.create_raw("pass")
    # Then each channel works on its own region's host, and no event names a region
    assert lite["verification_url"].startswith(f"{client.endpoints.sandbox}/idn/faceid/lite/do?token=")
    assert raw.status_code == 201, raw.text
    ids = [lite["verification_id"], app["verification_id"], raw.json()["verification_id"]]
    received = subscriber.wait_for({ids[0]: 1, ids[1]: 1, ids[2]: 2})
    for events in received.values():
        assert all("faceid_region" not in event["detail"] for event in events)
