"""FaceID's regions (notes §6) from each channel's rows of the table (HOSTING in its config.py): the
template's host parameters, the README's table and the configuration follow them; the secret holds a
pair per region."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from faceid_bridge.channels import hosting
from faceid_bridge.channels.app_sdk import contract as app
from faceid_bridge.channels.app_sdk.config import AppSdkConfig
from faceid_bridge.channels.h5_lite import paths as lite
from faceid_bridge.channels.h5_lite.config import ReconcilerConfig
from faceid_bridge.channels.h5_raw import contract as raw
from faceid_bridge.channels.h5_raw.config import VALIDATE_STILL, H5RawConfig
from faceid_bridge.config import HOST_PARTS, FaceIdConfig, faceid_region
from faceid_bridge.domain.secret_rotation import FaceIdSecret, UnusableSecret
from faceid_bridge.domain.verification import Channel
from faceid_bridge.faceid.regions import HOSTS, Region
from tests.local_stack import ROOT, Template

PARAMETERS = {Channel.H5_LITE: "FaceIdLiteHost", Channel.H5_RAW: "FaceIdRawHost", Channel.APP_SDK: "FaceIdAppHost"}


def serves(region: Region, path: str) -> bool:
    return any(hosting(channel).serves(region, path) for channel in Channel)


NOON = datetime(2026, 11, 22, 12, tzinfo=UTC)


@pytest.mark.parametrize(("channel", "parameter"), PARAMETERS.items())
def test_each_channel_host_parameter_allows_exactly_the_hosts_that_serve_it(channel: Channel, parameter: str) -> None:
    # Given the template's parameter for the channel, and the channel's rows
    declared = Template().parameters[parameter]
    rows = hosting(channel)
    # Then it allows the hosts of the regions that serve every API the channel calls, and defaults to one
    assert declared["AllowedValues"] == [HOSTS[region] for region in rows.regions()]
    assert declared["Default"] == HOSTS[rows.default]
    assert rows.default in rows.regions()
    # and its rows are the channel's own, naming the variable the template sets from the parameter
    assert rows.channel == channel.value
    functions = Template().functions()
    given = [f.environment[rows.variable] for f in functions if rows.variable in f.environment]
    assert given and all(value == {"Ref": parameter} for value in given)


def test_the_documented_host_split() -> None:
    # notes §6 and the issue: Lite on China and Indonesia, Raw verify on Singapore and China, App on all three
    assert hosting(Channel.H5_LITE).regions() == [Region.CN, Region.IDN]
    assert hosting(Channel.H5_RAW).regions() == [Region.CN, Region.SGP]
    assert hosting(Channel.APP_SDK).regions() == [Region.CN, Region.SGP, Region.IDN]
    assert [region for region in Region if serves(region, VALIDATE_STILL)] == [Region.SGP]


README_COLUMNS = [
    {lite.GET_TOKEN: "get_token", lite.DO: "do", lite.GET_RESULT: "get_result"},
    {VALIDATE_STILL: "validate_still", raw.VERIFY: "verify"},
    {app.GET_BIZ_TOKEN: "get_biz_token", app.VERIFY: "verify"},
]


def test_the_readme_columns_are_every_api_of_the_channels() -> None:
    assert [set(apis) for apis in README_COLUMNS] == [hosting(channel).apis() for channel in PARAMETERS]


def readme_cell(region: Region, apis: dict[str, str]) -> str:
    served = [name for api, name in apis.items() if serves(region, api)]
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
    assert regions == {channel.value: hosting(channel).default for channel in Channel}
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
    assert secret.signing_secrets(NOON, hosting(Channel.H5_LITE).regions()) == ["cn-new", "idn-new", "idn-old"]
    assert dropped == ["sgp.previous_valid_until"]


def test_a_channel_no_host_part_is_declared_for_has_no_region() -> None:
    # Given a channel whose package declares no host part (no model of this process includes one)
    # When the FaceID adapter asks its configured region, Then the error says the function has none
    with pytest.raises(RuntimeError, match="this function's model has no FaceID host for pc_liveness"):
        faceid_region("pc_liveness")
    # while each declared part registered itself under its channel, with its rows
    assert {channel: part.hosting for channel, part in HOST_PARTS.items()} == {
        channel.value: hosting(channel) for channel in Channel
    }
