"""H5 Lite's registration: what generic code asks of it (channels/spec.py)."""

from faceid_bridge.channels.h5_lite.settle import settle_due
from faceid_bridge.channels.spec import ChannelSpec
from faceid_bridge.domain.verification import Channel

SPEC = ChannelSpec(Channel.H5_LITE, settle_due=settle_due)
