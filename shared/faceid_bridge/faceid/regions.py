"""FaceID's regional hosts (notes §6), and the shape of a channel's rows of that table. Pure.

Each channel declares its own rows, `HOSTING` in its contract (channels/<channel>/contract.py): for
each FaceID API it uses, the regions whose host serves it, with the host it gets by default and the
variable that names it. The template's per-channel host parameters (their AllowedValues), the
README's table, the sandbox's regional prefixes and the local stack all follow them, and a unit
test keeps them in step. Today's rows:

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

from collections.abc import Mapping
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Hosting:
    """One channel's rows of the table above, declared by the channel (its contract's HOSTING)."""

    channel: str  # its value in domain.verification.Channel
    variable: str  # the environment variable naming its host (its template parameter sets it)
    calls: Mapping[str, frozenset[Region]]  # each API our server calls: the regions whose host serves it
    default: Region
    # APIs a browser calls on the same host (H5 Lite's do page, H5 Raw's validate_still): never our server.
    page_calls: Mapping[str, frozenset[Region]] = field(default_factory=dict)

    def regions(self) -> list[Region]:
        """The regions whose host serves every API the channel's server calls, in the table's order."""
        return [region for region in Region if all(region in serving for serving in self.calls.values())]

    def apis(self) -> set[str]:
        """Every FaceID API of the channel, by its path."""
        return set(self.calls) | set(self.page_calls)

    def serves(self, region: Region, path: str) -> bool:
        """Whether `region`'s host serves this channel's API at `path`."""
        return region in (self.calls.get(path) or self.page_calls.get(path) or ())


def region_of_host(host: str) -> Region:
    """The region of one of FaceID's hosts; ValueError for any other."""
    for region, known in HOSTS.items():
        if host.rstrip("/") == known:
            return region
    raise ValueError(f"not a FaceID host: {host}")
