"""An App verify that arrives after the customer cancelled (docs/decisions.md §15): the SDK's package
is never sent to FaceID, the verification stays cancelled, and the late arrival is audited and
counted as LateCallbacks, as H5 Lite's late notify is (tests/integration/services/test_changes.py)."""

from __future__ import annotations

import json

import requests

from faceid_bridge.adapters.dynamodb import VerificationStore
from faceid_bridge.metric_names import Metric
from tests.integration.services.test_changes import audits, change
from tests.local_stack import create_app_sdk, meglive, verify_app


def test_a_verify_after_a_cancel_is_not_sent_to_faceid_and_is_audited_and_counted_as_late(
    faceid_http: str, store: VerificationStore, counted: list[str]
) -> None:
    # Given an App verification the customer cancelled while the person was in the SDK
    created = create_app_sdk()[2]
    vid = created["verification_id"]
    status, _, cancelled = change("cancel", vid)
    assert status == 200
    # When the app sends the package the SDK produced
    package = meglive(faceid_http, created["biz_token"])
    status, _, body = verify_app(vid, package)
    # Then it reads the cancelled verification, and the biz_token never went to FaceID
    assert (status, body) == (200, cancelled)
    uses = requests.get(f"{faceid_http}/sandbox/v1/token-uses", params={"token": created["biz_token"]}, timeout=10)
    assert uses.json()["uses"] == 0
    stored = store.get(vid)
    assert stored is not None and (stored.status, stored.decision, stored.version) == ("CANCELLED", "CANCELLED", 2)
    # And the late verify is kept for audit, without the person's package, and counted as late
    (audit,) = audits(store, vid)
    assert audit["source"] == "app_verify" and json.loads(audit["payload"]) == {"sent_to_faceid": False}
    assert package not in json.dumps(audit)
    assert counted.count(Metric.LATE_CALLBACKS) == 1


def test_a_verify_after_faceids_own_verdict_writes_and_counts_nothing_late(
    faceid_http: str, store: VerificationStore, counted: list[str]
) -> None:
    # Given an App verification FaceID decided
    created = create_app_sdk()[2]
    vid = created["verification_id"]
    assert verify_app(vid, meglive(faceid_http, created["biz_token"]))[0] == 200
    before = audits(store, vid)
    # When the app sends its verify again
    status, _, body = verify_app(vid, meglive(faceid_http, created["biz_token"]))
    # Then it reads the verdict, and nothing is audited or counted as late (§11: a duplicate writes nothing)
    assert (status, body["decision"]) == (200, "APPROVED")
    assert audits(store, vid) == before and Metric.LATE_CALLBACKS not in counted
