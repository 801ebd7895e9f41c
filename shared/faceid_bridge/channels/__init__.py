"""The FaceID channels, one package each: its FaceID contract (contract.py), its API models
(api.py), its evaluator, its creation and its callbacks or verify. Generic code (the reconciler,
the creation every channel shares) asks a channel's spec (spec.py) instead of branching on it.

A channel registers with its member in domain.verification.Channel; its package is named after the
member (Channel.APP_SDK: channels/app_sdk), and its spec is SPEC in the package's channel.py. Its
configuration (config.py) holds its rows of FaceID's host table, HOSTING, and its host part.
Imported on first use, so a function loads only the channels it serves, and only what it asks.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from faceid_bridge.channels.spec import ChannelSpec
    from faceid_bridge.domain.verification import Channel
    from faceid_bridge.faceid.regions import Hosting


def spec(channel: Channel) -> ChannelSpec:
    found: ChannelSpec = importlib.import_module(f"{__name__}.{channel.name.lower()}.channel").SPEC
    return found


def hosting(channel: Channel) -> Hosting:
    """The channel's rows of notes §6: HOSTING in its config.py."""
    found: Hosting = importlib.import_module(f"{__name__}.{channel.name.lower()}.config").HOSTING
    return found
