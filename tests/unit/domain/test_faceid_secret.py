"""The FaceID secret: a key pair per region (notes §6), each with its own rotation window. Given a
secret's JSON, Then what the functions may use, or which fields make it unusable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from faceid_bridge.domain.secret_rotation import FaceIdSecret, UnusableSecret
from faceid_bridge.faceid.regions import Region

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
LATER = (NOW + timedelta(hours=1)).isoformat()
EARLIER = (NOW - timedelta(hours=1)).isoformat()


def pair(name: str, **rotation: str) -> dict[str, str]:
    return {"api_key": f"{name}-key", "api_secret": f"{name}-secret", **rotation}


@pytest.mark.parametrize(
    ("secret", "invalid"),
    [
        ("not an object", ["faceid_secret"]),
        (None, ["faceid_secret"]),
        ([pair("idn")], ["faceid_secret"]),
        (pair("flat"), ["api_key"]),  # the shape before regions: named as such
        ({"idn": {"api_key": ""}}, ["idn.api_key", "idn.api_secret"]),
        ({"sgp": {"api_key": "k"}}, ["sgp.api_secret"]),
        ({"idn": pair("idn"), "cn": "text"}, ["cn"]),  # a value that is no object names its region
    ],
)
def test_a_secret_without_usable_pairs_names_what_is_wrong(secret: Any, invalid: list[str]) -> None:
    with pytest.raises(UnusableSecret) as raised:
        FaceIdSecret.from_secret(secret)
    assert raised.value.invalid_fields == invalid


def test_each_region_in_use_gets_its_pair_and_other_keys_are_ignored() -> None:
    secret, dropped = FaceIdSecret.from_secret({"idn": pair("idn"), "sgp": pair("sgp"), "comment": "rotated in May"})
    assert dropped == []
    assert set(secret.pairs) == {Region.IDN, Region.SGP}
    idn = secret.pair(Region.IDN)
    assert idn is not None and (idn.api_key, idn.api_secret) == ("idn-key", "idn-secret")
    assert secret.pair(Region.CN) is None
    assert FaceIdSecret.from_secret({})[0].pairs == {}


def test_a_regions_invalid_rotation_fields_are_dropped_and_named_for_that_region() -> None:
    # Given a window end without a timezone in one region's pair
    secret, dropped = FaceIdSecret.from_secret(
        {"idn": pair("idn", previous_api_secret="old", previous_valid_until="2026-12-01T00:00:00"), "sgp": pair("sgp")}
    )
    # Then only that region's current secret is accepted, and the dropped fields name the region
    assert dropped == ["idn.previous_valid_until"]
    assert secret.signing_secrets(NOW, [Region.IDN]) == ["idn-secret"]


def test_callbacks_may_be_signed_with_each_regions_secrets_inside_its_own_window() -> None:
    # Given two regions: one inside its rotation window, one whose window has closed
    secret, _ = FaceIdSecret.from_secret(
        {
            "idn": pair("idn", previous_api_secret="idn-old", previous_valid_until=LATER),
            "cn": pair("cn", previous_api_secret="cn-old", previous_valid_until=EARLIER),
        }
    )
    # Then each region's window applies to its own pair only, at the time asked about
    assert secret.signing_secrets(NOW, [Region.IDN, Region.CN]) == ["idn-secret", "idn-old", "cn-secret"]
    assert secret.signing_secrets(NOW + timedelta(hours=2), [Region.IDN]) == ["idn-secret"]
    assert secret.signing_secrets(NOW, [Region.CN]) == ["cn-secret"]
    # And a region without a pair contributes nothing
    assert secret.signing_secrets(NOW, [Region.SGP]) == []
