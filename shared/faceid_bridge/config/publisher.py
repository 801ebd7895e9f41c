"""The publisher's configuration: the bus it puts events on and the DLQ of what it could not."""

from __future__ import annotations

from pydantic import Field

from faceid_bridge.config import Config


class BusConfig(Config):
    event_bus_name: str = Field(alias="EVENT_BUS_NAME")
    event_source: str = Field("faceid.bridge", alias="EVENT_SOURCE")
    dlq_url: str = Field(alias="DLQ_URL")


class PublisherConfig(BusConfig):
    pass
