"""FaceID's regional hosts and the APIs each serves (notes §6). Pure.

This table is the single source: the template's per-channel host parameters (their AllowedValues),
the README's table, the sandbox's regional prefixes and the local stack all follow it, and a unit
test keeps them in step.

| API                       | cn (api.megvii.com) | sgp (api-sgp.megvii.com) | idn (api-idn.megvii.com) |
| ------------------------- | ------------------- | ------------------------ | ------------------------ |
| lite get_token, do, get_result | yes            |                          | yes                      |
| lite raw validate_still   |                     | yes                      |                          |
| lite raw verify           | yes                 | yes                      |                          |
| v3 sdk get_biz_token, verify | yes              | yes                      | yes                      |

Tokens and biz_ids belong to the API key that made them, and keys are issued per region: every
later call on a verification goes to the host, with the key pair, that made its token.
"""

from __future__ import annotations

from enum import StrEnum


class Region(StrEnum):
    """A region's code: how the FaceID secret names its key pair, and what a verification stores."""

    CN = "cn"
    SGP = "sgp"
    IDN = "idn"


HOSTS = {
    Region.CN: "https://api.megvii.com",
    Region.SGP: "https://api-sgp.megvii.com",
    Region.IDN: "https://api-idn.megvii.com",
}


class Api(StrEnum):
    """A FaceID API by its path."""

    LITE_GET_TOKEN = "/faceid/lite/get_token"  # noqa: S105 - an API path, not a secret
    LITE_DO = "/faceid/lite/do"
    LITE_GET_RESULT = "/faceid/lite/get_result"
    RAW_VALIDATE_STILL = "/faceid/lite/raw/validate_still"
    RAW_VERIFY = "/faceid/lite/raw/verify"
    APP_GET_BIZ_TOKEN = "/faceid/v3/sdk/get_biz_token"  # noqa: S105 - an API path, not a secret
    APP_VERIFY = "/faceid/v3/sdk/verify"


_LITE = frozenset({Api.LITE_GET_TOKEN, Api.LITE_DO, Api.LITE_GET_RESULT})
_APP = frozenset({Api.APP_GET_BIZ_TOKEN, Api.APP_VERIFY})
SERVES: dict[Region, frozenset[Api]] = {
    Region.CN: _LITE | _APP | {Api.RAW_VERIFY},
    Region.SGP: _APP | {Api.RAW_VALIDATE_STILL, Api.RAW_VERIFY},
    Region.IDN: _LITE | _APP,
}

# The APIs each channel's server side calls (channel values of domain.verification.Channel). A Raw
# token_still comes from validate_still, which the customer's page calls on the same region's host.
CHANNEL_APIS: dict[str, frozenset[Api]] = {
    "h5_lite": _LITE,
    "h5_raw": frozenset({Api.RAW_VERIFY}),
    "app": _APP,
}
DEFAULT_REGIONS = {"h5_lite": Region.IDN, "h5_raw": Region.SGP, "app": Region.IDN}


def regions_serving(channel: str) -> list[Region]:
    """The regions whose host serves every API of `channel`, in the table's order."""
    return [region for region in Region if CHANNEL_APIS[channel] <= SERVES[region]]


def region_of_host(host: str) -> Region:
    """The region of one of FaceID's hosts; ValueError for any other."""
    for region, known in HOSTS.items():
        if host.rstrip("/") == known:
            return region
    raise ValueError(f"not a FaceID host: {host}")


def serves(region: Region, path: str) -> bool:
    """Whether `region`'s host serves the FaceID API at `path` (a path that is no FaceID API: no)."""
    return path in SERVES[region]
