"""FaceID's regions (notes §6) from their one table, faceid/regions.py: the template's host
parameters, the README's table and the configuration follow it; the secret holds a pair per region."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from faceid_bridge.config import AppSdkConfig, FaceIdConfig, H5RawConfig, ReconcilerConfig
from faceid_bridge.domain.secret_rotation import FaceIdSecret, UnusableSecret
from faceid_bridge.faceid.regions import DEFAULT_REGIONS, HOSTS, SERVES, Api, Region, regions_serving
from tests.local_stack import ROOT, Template

PARAMETERS = {"h5_lite": "FaceIdLiteHost", "h5_raw": "FaceIdRawHost", "app": "FaceIdAppHost"}
NOON = datetime(2026, 11, 22, 12, tzinfo=UTC)


@pytest.mark.parametrize(("channel", "parameter"), PARAMETERS.items())
def test_each_channel_host_parameter_allows_exactly_the_hosts_that_serve_it(channel: str, parameter: str) -> None:
    # Given the template's parameter for the channel
    declared = Template().parameters[parameter]
    # Then it allows the hosts of the regions that serve every API the channel calls, and defaults to one
    assert declared["AllowedValues"] == [HOSTS[region] for region in regions_serving(channel)]
    assert declared["Default"] == HOSTS[DEFAULT_REGIONS[channel]]
    assert DEFAULT_REGIONS[channel] in regions_serving(channel)


def test_the_documented_host_split() -> None:
    # notes §6 and the issue: Lite on China and Indonesia, Raw verify on Singapore and China, App on all three
    assert regions_serving("h5_lite") == [Region.CN, Region.IDN]
    assert regions_serving("h5_raw") == [Region.CN, Region.SGP]
    assert regions_serving("app") == [Region.CN, Region.SGP, Region.IDN]
    assert [region for region in Region if Api.RAW_VALIDATE_STILL in SERVES[region]] == [Region.SGP]


README_COLUMNS = [
    {Api.LITE_GET_TOKEN: "get_token", Api.LITE_DO: "do", Api.LITE_GET_RESULT: "get_result"},
    {Api.RAW_VALIDATE_STILL: "validate_still", Api.RAW_VERIFY: "verify"},
    {Api.APP_GET_BIZ_TOKEN: "get_biz_token", Api.APP_VERIFY: "verify"},
]


def readme_cell(region: Region, apis: dict[Api, str]) -> str:
    served = [name for api, name in apis.items() if api in SERVES[region]]
    return "yes" if len(served) == len(apis) else "no" if not served else f"{', '.join(served)} only"


def test_the_readme_table_says_what_the_code_table_says() -> None:
    readme = (ROOT / "README.md").read_text()
    for region in Region:
        cells = [f"`{region.value}`", f"`{HOSTS[region]}`", *(readme_cell(region, apis) for apis in README_COLUMNS)]
        assert f"| {' | '.join(cells)} |" in readme


BASE = {"TABLE_NAME": "t", "FACEID_SECRET_ID": "s", "REQUEST_HASH_KEY_SECRET_ID": "k"}
FUNCTIONS_WITH_HOSTS = (ReconcilerConfig, AppSdkConfig, H5RawConfig)  # one per channel's host


@pytest.mark.parametrize(
    ("variable", "host"),
    [
        ("FACEID_LITE_HOST", HOSTS[Region.SGP]),  # Lite is not served in Singapore
        ("FACEID_RAW_HOST", HOSTS[Region.IDN]),  # nor Raw in Indonesia
        ("FACEID_APP_HOST", "https://api.example.com"),  # not a FaceID host
    ],
)
def test_a_host_that_does_not_serve_its_channel_is_refused_at_start(variable: str, host: str) -> None:
    # Given the function's model that reads the variable
    (model,) = [m for m in FUNCTIONS_WITH_HOSTS if any(f.alias == variable for f in m.model_fields.values())]
    # When the host does not serve its channel, Then the function refuses to start
    with pytest.raises(ValidationError):
        model.model_validate(BASE | {variable: host})


def test_the_defaults_and_the_local_stand_in() -> None:
    regions = {
        channel: model.model_validate(BASE).faceid_region(channel)
        for model in FUNCTIONS_WITH_HOSTS
        for channel in model.model_validate(BASE).channels()
    }
    assert regions == DEFAULT_REGIONS
    config = FaceIdConfig.model_validate(BASE)
    assert config.faceid_url(Region.SGP) == HOSTS[Region.SGP]
    local = FaceIdConfig.model_validate(BASE | {"FACEID_BASE_URL": "http://127.0.0.1:8029/"})
    assert local.faceid_url(Region.SGP) == "http://127.0.0.1:8029/sgp"


PAIR = {"api_key": "k", "api_secret": "s"}


@pytest.mark.parametrize(
    ("secret", "regions"),
    [
        ({"idn": PAIR}, [Region.IDN]),
        ({"idn": PAIR, "sgp": PAIR, "cn": PAIR}, [Region.CN, Region.SGP, Region.IDN]),
        ({"idn": PAIR, "comment": "ignored"}, [Region.IDN]),
        ({}, []),
    ],
)
def test_the_secret_holds_a_pair_per_region(secret: dict[str, Any], regions: list[Region]) -> None:
    parsed, dropped = FaceIdSecret.from_secret(secret)
    assert [region for region in Region if parsed.pair(region) is not None] == regions and dropped == []


@pytest.mark.parametrize(
    ("secret", "invalid"),
    [
        ("not an object", ["faceid_secret"]),
        ({"idn": {"api_key": "k"}}, ["idn.api_secret"]),
        ({"idn": PAIR, "sgp": "text"}, ["sgp"]),
        ({"api_key": "k", "api_secret": "s"}, ["api_key"]),  # the shape before regions
    ],
)
def test_an_unusable_pair_names_its_region(secret: Any, invalid: list[str]) -> None:
    with pytest.raises(UnusableSecret) as refused:
        FaceIdSecret.from_secret(secret)
    assert refused.value.invalid_fields == invalid


def test_each_region_rotates_on_its_own_and_callbacks_take_any_lite_regions_secrets() -> None:
    # Given Indonesia in a rotation window, China after its window, and Singapore (no H5 Lite)
    secret, dropped = FaceIdSecret.from_secret(
        {
            "idn": PAIR
            | {
                "api_secret": "idn-new",
                "previous_api_secret": "idn-old",
                "previous_valid_until": "2999-01-01T00:00:00Z",
            },
            "cn": PAIR
            | {"api_secret": "cn-new", "previous_api_secret": "cn-old", "previous_valid_until": "2000-01-01T00:00:00Z"},
            "sgp": PAIR | {"api_secret": "sgp", "previous_valid_until": "not a time"},
        }
    )
    # Then a callback may be signed with each H5 Lite region's current secret, and a previous one
    # only inside its own window; a bad window is dropped for its region alone
    assert secret.signing_secrets(NOON, regions_serving("h5_lite")) == ["cn-new", "idn-new", "idn-old"]
    assert dropped == ["sgp.previous_valid_until"]
