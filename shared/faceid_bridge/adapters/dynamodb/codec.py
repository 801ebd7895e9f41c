"""The table's key design and item codec: one table, five kinds of item.

| item         | pk                     | sk                 | why                                         |
| ------------ | ---------------------- | ------------------ | ------------------------------------------- |
| verification | VERIFICATION#<id>      | VERIFICATION       | the record and its state machine            |
| biz_no guard | BIZNO#<biz_no>         | BIZNO              | biz_no is unique; idempotent create (claims) |
| biz_id key   | BIZID#<biz_id>         | BIZID              | FaceID's biz_id -> verification_id (callbacks) |
| audit        | VERIFICATION#<id>      | AUDIT#<sha256>     | FaceID's answers, redacted and bounded,     |
|              |                        |                    | written with the transition they caused     |
| lease        | LEASE#<name>           | LEASE              | one reconciler run at a time                |

A verification also carries `list_pk` (LIST#<channel>#<day>#<shard>) and `list_sk` (its creation
instant#id), the keys of the sparse ByChannelDay index that lists verifications (listing.py;
docs/decisions.md §16): no other item has them.

Every item carries `expires_at_epoch`, the table's TTL: a verification and its biz_no guard are
kept `verification_retention_days` after they were last written (a verification's terminal
transition sets it anew), audit items `audit_retention_days` (never longer than the verification).

Lookups never Scan: by id with GetItem, by biz_no through its guard, by biz_id through its key item
(written in the verification's own creation transaction, so a callback's lookup is a strongly
consistent GetItem, never an index that may lag), and due verifications through the sparse ByDueAt
index, which holds only the non-terminal ones (due_index.py).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

from faceid_bridge.adapters import aws
from faceid_bridge.domain.verification import Verification

DUE_BUCKETS = 8  # spreads due verifications over 8 index partitions; the reconciler reads them all
# Spreads a channel's day over 16 ByChannelDay partitions (decisions.md §16). Raising it is safe (the
# listing reads every shard below it, so older items stay found); lowering it would hide items.
LIST_SHARDS = 16


@dataclass(frozen=True)
class Table:
    """The table and its retention, which every concern's adapter shares."""

    name: str
    verification_retention_days: int = 365
    audit_retention_days: int = 30
    keep_idcard_info: bool = False
    client: Any = None  # a DynamoDB client; the process's own when None

    @property
    def dynamodb(self) -> Any:
        return self.client or aws.client("dynamodb")

    @cached_property
    def retention(self) -> timedelta:
        return timedelta(days=self.verification_retention_days)

    @cached_property
    def audit_retention(self) -> timedelta:
        return min(timedelta(days=self.audit_retention_days), self.retention)


def _attribute(value: Any) -> dict[str, Any]:
    """A JSON-like value in DynamoDB's typed form. Written here rather than with boto3's
    TypeSerializer: it is the hot path of every callback, and it keeps boto3 out of this module's
    import (cold start). DynamoDB has no float: floats go as their shortest decimal.

    What the store writes are the plain types of a model's JSON dump: matched first by exact type
    (one comparison each, not isinstance chains); anything else (None, bool, Decimal, a str or int
    subclass, a tuple) by the general path. tests/fuzz/test_fast_paths.py checks both against
    TypeSerializer."""
    kind = type(value)
    if kind is str:
        return {"S": value}
    if kind is int:
        return {"N": str(value)}
    if kind is float:
        return {"N": _decimal_text(value)}
    if kind is dict:
        return {"M": {str(key): _attribute(item) for key, item in value.items()}}
    if kind is list:
        return {"L": [_attribute(item) for item in value]}
    return _any_attribute(value)


def _any_attribute(value: Any) -> dict[str, Any]:
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | Decimal):
        return {"N": str(value)}
    if isinstance(value, float):
        return {"N": _decimal_text(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, list | tuple):
        return {"L": [_attribute(item) for item in value]}
    if isinstance(value, dict):
        return {"M": {str(key): _attribute(item) for key, item in value.items()}}
    return {"S": str(value)}


def _decimal_text(value: float) -> str:
    """The float's shortest decimal, as Decimal prints it: its repr already is, unless the repr has
    an exponent (or is inf or nan), which Decimal writes its own way."""
    text = repr(value)
    return text if "e" not in text and "n" not in text else str(Decimal(text))


def _value(attribute: dict[str, Any]) -> Any:
    for kind, raw in attribute.items():  # the one (type, value) pair
        if kind == "S":
            return raw
        if kind == "N":
            return int(raw) if raw.lstrip("-").isdigit() else float(raw)
        if kind == "L":
            return [_value(item) for item in raw]
        if kind == "M":
            return {key: _value(item) for key, item in raw.items()}
        if kind == "BOOL":
            return raw
        if kind == "NULL":
            return None
        raise ValueError(f"unexpected DynamoDB type {kind}")  # we write no sets or binaries
    raise ValueError("an attribute without a type")


def to_attributes(values: dict[str, Any]) -> dict[str, Any]:
    return {key: _attribute(value) for key, value in values.items()}


def from_attributes(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _value(value) for key, value in item.items()}


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def number(value: int) -> dict[str, str]:
    return {"N": str(value)}


def verification_key(verification_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"VERIFICATION#{verification_id}"}, "sk": {"S": "VERIFICATION"}}


def biz_no_key(biz_no: str) -> dict[str, Any]:
    return {"pk": {"S": f"BIZNO#{biz_no}"}, "sk": {"S": "BIZNO"}}


def biz_id_key(biz_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"BIZID#{biz_id}"}, "sk": {"S": "BIZID"}}


def lease_key(name: str) -> dict[str, Any]:
    return {"pk": {"S": f"LEASE#{name}"}, "sk": {"S": "LEASE"}}


def due_bucket(verification_id: str) -> str:
    return f"DUE#{shard_of(verification_id, DUE_BUCKETS)}"


def shard_of(verification_id: str, shards: int) -> int:
    return int(hashlib.sha256(verification_id.encode()).hexdigest(), 16) % shards


def instant(moment: datetime) -> str:
    """A UTC instant as fixed-width text, so that text order is time order (pydantic's JSON drops
    zero microseconds, which would not sort)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def list_partition(channel: str, day: str, shard: int) -> str:
    return f"LIST#{channel}#{day}#{shard}"


def list_position(created_at: datetime, verification_id: str) -> str:
    return f"{instant(created_at)}#{verification_id}"


def verification_item(verification: Verification, expires_at_epoch: int) -> dict[str, Any]:
    # Absent, not NULL (exclude_none): an index key attribute (due_at) must be missing or a number.
    values = {
        "entity": "verification",
        **verification.model_dump(mode="json", exclude_none=True),
        "expires_at_epoch": expires_at_epoch,
        "list_pk": list_partition(
            verification.channel,
            instant(verification.created_at)[:10],
            shard_of(verification.verification_id, LIST_SHARDS),
        ),
        "list_sk": list_position(verification.created_at, verification.verification_id),
    }
    if verification.due_at is not None:
        values["due_bucket"] = due_bucket(verification.verification_id)
    return {**verification_key(verification.verification_id), **to_attributes(values)}


def verification_from_image(image: dict[str, Any]) -> Verification:
    """A verification from a stored item or a stream image (both in DynamoDB's typed form)."""
    return Verification.model_validate(from_attributes(image))
