"""List and find verifications for the customer's services: by biz_no, or a channel's verifications
in a time range, oldest first, a page at a time with an opaque cursor (docs/decisions.md §16).

The cursor holds the query it continues (channel, status, range) and the last position returned,
as base64url JSON, validated field by field: anything else is `BAD_ARGUMENTS:cursor`, never a 500.
It is not signed: it grants nothing its holder could not ask for with the parameters themselves
(every caller of the route may list the whole range), so forging one only moves a page's start.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timedelta
from itertools import islice
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from faceid_bridge.domain.lifecycle import Status
from faceid_bridge.domain.listing import ListQuery, Position
from faceid_bridge.domain.verification import Channel, Verification
from faceid_bridge.errors import ArgumentError
from faceid_bridge.ports import Listing

DEFAULT_SPAN = timedelta(days=7)  # created_after, when not given: this long before created_before
MAX_SPAN = timedelta(days=31)  # a listing's range at most: an empty day still reads LIST_SHARDS partitions


class Cursor(BaseModel):
    """What a cursor holds: its query and the position of the last verification returned."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)  # built on a listing's first use

    v: Literal[1] = 1
    channel: Channel
    status: Status | None
    created_after: AwareDatetime
    created_before: AwareDatetime
    last_created_at: AwareDatetime
    last_id: str = Field(pattern=r"^vrf_[A-Za-z0-9_-]{1,64}$")

    def encode(self) -> str:
        return base64.urlsafe_b64encode(self.model_dump_json().encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            cursor = cls.model_validate_json(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        except (ValueError, binascii.Error, ValidationError):  # ValidationError is a ValueError; named for the reader
            raise ArgumentError.bad("cursor") from None
        if not cursor.created_after <= cursor.last_created_at < cursor.created_before:
            raise ArgumentError.bad("cursor")
        return cursor

    @property
    def query(self) -> ListQuery:
        return ListQuery(
            self.channel,
            self.created_after,
            self.created_before,
            self.status,
            Position(self.last_created_at, self.last_id),
        )


def query_of(
    *,
    channel: Channel | None,
    status: Status | None,
    created_after: datetime | None,
    created_before: datetime | None,
    cursor: str | None,
    now: datetime,
) -> ListQuery:
    """The query a request asks for: its cursor's (whose filters the request may repeat, not change),
    or its parameters' with the range's defaults."""
    if cursor is not None:
        query = Cursor.decode(cursor).query
        given = {"channel": channel, "status": status, "created_after": created_after, "created_before": created_before}
        for key, value in given.items():
            if value is not None and value != getattr(query, key):
                raise ArgumentError.bad(key)  # another query than the cursor's
        return query
    if channel is None:
        raise ArgumentError.missing("channel")
    before = created_before or now
    after = created_after or before - DEFAULT_SPAN
    if after >= before:
        raise ArgumentError.bad("created_before")
    if before - after > MAX_SPAN:
        raise ArgumentError.bad("created_after")
    return ListQuery(channel, after, before, status)


def list_verifications(query: ListQuery, *, limit: int, store: Listing) -> tuple[list[Verification], str | None]:
    """A page of `query`: at most `limit` verifications, and the cursor of the next page (None when
    this page is the last)."""
    found = list(islice(store.listed(query, expect=limit + 1), limit + 1))
    page = found[:limit]
    if len(found) <= limit:
        return page, None
    last = page[-1]
    cursor = Cursor(
        channel=query.channel,
        status=query.status,
        created_after=query.created_after,
        created_before=query.created_before,
        last_created_at=last.created_at,
        last_id=last.verification_id,
    )
    return page, cursor.encode()


def find_by_biz_no(biz_no: str, *, store: Listing) -> list[Verification]:
    """The customer's order's verification, as a list: empty when there is none."""
    found = store.find_by_biz_no(biz_no)
    return [found] if found is not None else []


def answer(
    *,
    biz_no: str | None,
    channel: Channel | None,
    status: Status | None,
    created_after: datetime | None,
    created_before: datetime | None,
    cursor: str | None,
    limit: int,
    now: datetime,
    store: Listing,
) -> tuple[list[Verification], str | None]:
    """What a listing request asks for: the biz_no's verification alone, or a page of its query and
    the next page's cursor."""
    if biz_no is not None:
        return find_by_biz_no(biz_no, store=store), None
    query = query_of(
        channel=channel,
        status=status,
        created_after=created_after,
        created_before=created_before,
        cursor=cursor,
        now=now,
    )
    return list_verifications(query, limit=limit, store=store)
