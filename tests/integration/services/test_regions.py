"""FaceID's regions (notes §6) on moto and the sandbox: each region under its own prefix serves only
its host's APIs with its own key pair, each channel goes to its configured region, and every later
call on a verification goes to the region that made it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

from faceid_bridge import wiring
from faceid_bridge.adapters.dynamodb import VerificationStore
from faceid_bridge.channels import hosting
from faceid_bridge.channels.h5_lite.paths import DO, GET_RESULT
from faceid_bridge.domain.verification import Channel
from faceid_bridge.faceid.regions import HOSTS, Region
from faceid_bridge.services.reconciler import reconcile_due
from tests.integration.conftest import _clear_caches
from tests.local_stack import KEY_PAIRS, create, create_app_sdk, meglive, post, raw_token, verify_app
from tests.support import json_of, sandbox_form, valid_create_body, valid_raw_body


def liveness_only() -> dict[str, Any]:
    """An H5 Lite create body with no comparison, so no reference image."""
    return {key: value for key, value in valid_create_body(comparison_type="-1").items() if key != "image_ref1"}


ROWS = [hosting(channel) for channel in Channel]
CASES = [(region, api) for region in Region for api in sorted(set().union(*(rows.apis() for rows in ROWS)))]


def call_api(client: FlaskClient, region: Region, api: str, pair: tuple[str, str] | None = None) -> Any:
    api_key, api_secret = pair or KEY_PAIRS[region]
    credentials = {"api_key": api_key, "api_secret": api_secret}
    if api in (GET_RESULT, DO):
        return client.get(f"/{region.value}{api}", query_string=credentials)
    return client.post(f"/{region.value}{api}", data=credentials)


@pytest.mark.parametrize(("region", "api"), CASES, ids=[f"{r.value}{a}" for r, a in CASES])
def test_each_region_serves_exactly_its_hosts_apis(sandbox_client: FlaskClient, region: Region, api: str) -> None:
    # When an API is called under a region's prefix
    response = call_api(sandbox_client, region, api)
    # Then a region whose host does not serve it answers FaceID's 404; one that does answers the API itself
    if any(rows.serves(region, api) for rows in ROWS):
        assert response.status_code != 404
    else:
        assert (response.status_code, response.json["error"]) == (404, "API_NOT_FOUND")


def test_a_region_takes_only_its_own_key_pair_and_its_own_biz_ids(sandbox_client: FlaskClient) -> None:
    # Given a flow made in Indonesia with Indonesia's pair
    form, _ = sandbox_form(liveness_only())  # with Indonesia's pair
    made = json_of(sandbox_client.post("/idn/faceid/lite/get_token", data=form))
    # Then China refuses Indonesia's pair, and does not know Indonesia's biz_id even with its own pair
    foreign_pair = call_api(sandbox_client, Region.CN, GET_RESULT, KEY_PAIRS[Region.IDN])
    assert (foreign_pair.status_code, foreign_pair.json["error"]) == (403, "AUTHENTICATION_ERROR")
    cn_key, cn_secret = KEY_PAIRS[Region.CN]
    elsewhere = sandbox_client.get(
        "/cn/faceid/lite/get_result",
        query_string={"api_key": cn_key, "api_secret": cn_secret, "biz_id": made["biz_id"]},
    )
    assert (elsewhere.status_code, json_of(elsewhere)["error_message"]) == (400, "BAD_ARGUMENTS:biz_id")


def test_each_channel_goes_to_its_default_region(faceid_http: str, store: VerificationStore) -> None:
    # Given the template's defaults (Lite and App in Indonesia, Raw in Singapore) and a secret with each pair
    lite = create()[2]
    app = create_app_sdk()[2]
    raw = post("h5_raw", "/v1/raw-verifications", valid_raw_body(token=raw_token(faceid_http), biz_no="raw-1"))
    # Then all three channels work (one host for all would fail Raw or Lite), each stored with its region
    assert raw[0] == 201 and raw[2]["decision"] == "APPROVED"
    regions = [store.get(v["verification_id"]) for v in (lite, app, raw[2])]
    assert [verification and verification.faceid_region for verification in regions] == ["idn", "idn", "sgp"]
    assert lite["verification_url"].startswith(f"{faceid_http}/idn/faceid/lite/do?token=")


def move_channel(monkeypatch: pytest.MonkeyPatch, variable: str, region: Region) -> None:
    monkeypatch.setenv(variable, HOSTS[region])
    _clear_caches()


def test_app_verify_goes_to_the_region_that_made_the_biz_token(
    faceid_http: str, store: VerificationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an App verification made in Indonesia, and then the App channel moved to Singapore
    created = create_app_sdk()[2]
    move_channel(monkeypatch, "FACEID_APP_HOST", Region.SGP)
    # When the SDK's package is verified
    status, _, verified = verify_app(created["verification_id"], meglive(faceid_http, created["biz_token"]))
    # Then it went to Indonesia with Indonesia's pair (Singapore would deny the biz_token: 4200)
    assert (status, verified["decision"]) == (200, "APPROVED")
    assert create_app_sdk(biz_no="app-2")[0] == 201  # and new ones are made in Singapore
    newer = store.get(create_app_sdk(biz_no="app-2")[2]["verification_id"])
    assert newer is not None and newer.faceid_region == "sgp"


def test_get_result_goes_to_the_region_that_made_the_biz_id(
    faceid_http: str, store: VerificationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an H5 Lite flow made in Indonesia that finished without a notify reaching us
    created = create(liveness_only())[2]
    finished = requests.post(
        f"{faceid_http}/sandbox/v1/complete",
        json={"token": created["token"], "outcome": "pass", "faults": {"drop": True}},
        timeout=10,
    )
    assert finished.status_code == 200, finished.text
    # And the H5 Lite channel moved to China since
    move_channel(monkeypatch, "FACEID_LITE_HOST", Region.CN)
    # When the reconciler reads it after its token expired
    later = datetime.now(UTC) + timedelta(hours=2)
    report = reconcile_due(store=store, faceid=wiring.faceid(), now=later)
    # Then get_result went to Indonesia (China does not know the biz_id), and settled it
    assert report.outcomes == {created["verification_id"]: "settled"}
    settled = store.get(created["verification_id"])
    assert settled is not None and settled.decision == "APPROVED"
    assert json.loads(settled.first_result or "{}")["status"] == "OK"
