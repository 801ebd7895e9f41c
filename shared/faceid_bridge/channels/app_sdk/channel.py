"""The App SDK's registration: what generic code asks of it (channels/spec.py)."""

from faceid_bridge.channels.app_sdk.verify import settle_due
from faceid_bridge.channels.spec import ChannelSpec
from faceid_bridge.domain.verification import Channel

SPEC = ChannelSpec(Channel.APP_SDK, settle_due=settle_due)
